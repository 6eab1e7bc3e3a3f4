// Why the RTSP handshake could not produce a StreamConfig, with the stage it stopped at
// (control-plane.md §8.3: any non-200 status or socket error aborts the handshake).

import type { ServiceError } from '../app/services.ts';
import type { NetError } from '../platform/platform.ts';

/** The seven requests of the handshake, in order (§6.3). */
export type RtspStage = 'options' | 'describe' | 'setup-audio' | 'setup-video' | 'setup-control' | 'announce' | 'play';

export type StreamStartError =
  /** The host is older than 7.1.431 (GFE before 3.22): its RTSP dialect is not implemented. */
  | { kind: 'unsupported-host'; appVersion: string }
  /** None of the decoder's formats is one the host can encode. */
  | { kind: 'no-common-codec'; detail: string }
  /** The host offers no Opus layout for the channel count asked for. */
  | { kind: 'no-audio-layout'; detail: string }
  /** The host answered with an RTSP status other than 200. */
  | { kind: 'rtsp-status'; stage: RtspStage; statusCode: number; reason: string }
  /** A reply we cannot use: unparsable, unauthenticated, the wrong CSeq, a missing header. */
  | { kind: 'rtsp-malformed'; stage: RtspStage; detail: string }
  | { kind: 'rtsp-network'; stage: RtspStage; error: NetError }
  /** Our own request would not fit the host's receive buffer (a settings problem, §6.4). */
  | { kind: 'request-too-large'; stage: RtspStage; sizeBytes: number; limitBytes: number }
  | { kind: 'cancelled' };

/** The same failure in the services' vocabulary, which has a sentence for every kind. */
export function streamStartServiceError(error: StreamStartError): ServiceError {
  switch (error.kind) {
    case 'unsupported-host':
      return { kind: 'host-error', code: UNSUPPORTED_CODE, message: `This PC's streaming software is too old (version ${error.appVersion})` };
    case 'no-common-codec':
      return { kind: 'host-error', code: UNSUPPORTED_CODE, message: `No video format works on both this TV and the PC: ${error.detail}` };
    case 'no-audio-layout':
      return { kind: 'host-error', code: UNSUPPORTED_CODE, message: `The PC cannot send this audio layout: ${error.detail}` };
    case 'rtsp-status':
      return { kind: 'host-error', code: error.statusCode, message: `The PC refused to start the stream at ${error.stage} (${error.reason || 'no reason given'})` };
    case 'rtsp-malformed':
      return { kind: 'malformed-reply', detail: `RTSP ${error.stage}: ${error.detail}` };
    case 'rtsp-network':
      return error.error.kind === 'timeout'
        ? { kind: 'timeout', detail: `RTSP ${error.stage}: ${error.error.detail}` }
        : { kind: 'unreachable', detail: `RTSP ${error.stage}: ${error.error.detail}` };
    case 'request-too-large':
      return { kind: 'internal', detail: `RTSP ${error.stage} request of ${error.sizeBytes} bytes is over the host's ${error.limitBytes}-byte limit` };
    case 'cancelled':
      return { kind: 'cancelled' };
  }
}

// Not a host status: the same code MQt shows for a request it cannot make (400 Bad Request).
const UNSUPPORTED_CODE = 400;
