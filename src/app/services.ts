// The contract between the UI (or the CLI) and the client services: hosts, pairing, apps.
// The services run in a worker on the TV and in the browser (the Tizen sockets exist only
// there) and in-process in Node; the UI sees this interface either way.

import type { Result } from '../lib/result.ts';
import type { AudioSink, SinkError, VideoSink } from '../media/media-sink.ts';
import type { EmssTrackEvent } from '../platform/tizen/emss-track-events.ts';
import type { AudioChannelCount, StreamSettings, VideoCodec } from '../session/stream-config.ts';

/** Why a service call failed. Every kind has a sentence in src/app/error-text.ts. */
export type ServiceError =
  | { kind: 'invalid-address'; input: string; reason?: InvalidAddressReason }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'host-error'; code: number; message: string } // status_code != 200 in the host's XML
  | { kind: 'malformed-reply'; detail: string } // XML or HTTP we cannot read, or an oversized answer
  | { kind: 'tls'; detail: string } // handshake failed, e.g. the pinned certificate changed
  | { kind: 'not-paired' }
  | { kind: 'wrong-pin' }
  | { kind: 'pairing-in-progress' } // the host is pairing another client
  | { kind: 'man-in-the-middle' } // the host's pairing signature did not verify
  | { kind: 'cancelled' }
  | { kind: 'unknown-host'; hostId: string }
  | { kind: 'duplicate-host'; hostId: string }
  | { kind: 'no-mac' } // Wake-on-LAN needs a MAC learned while paired
  | { kind: 'storage'; detail: string }
  /** Another app than the one asked for runs on the host: quit it first (control-plane.md §8.2). */
  | { kind: 'app-running'; runningAppId: number }
  /** The stream the host agreed to is one this platform cannot play. */
  | { kind: 'media'; detail: string }
  | { kind: 'internal'; detail: string };

/** What is wrong with a typed address, so the sentence can say what to fix. */
export type InvalidAddressReason = 'empty' | 'bad-port' | 'bad-ipv4' | 'bad-ipv6' | 'bad-name';

export type HostReachability = 'unknown' | 'online' | 'offline';

/** What the UI shows for a host. */
export interface HostView {
  /** Stable local id (the host's uniqueid once known). */
  id: string;
  name: string;
  /** As the user typed it, normalised: `host` or `host:port`, IPv6 in brackets. */
  address: string;
  reachability: HostReachability;
  paired: boolean;
  /** An app is running on the host (by this or another client). */
  busy: boolean;
  /** The running app's id, 0 when none. */
  runningAppId: number;
  /** A MAC is known, so Wake-on-LAN can be offered. */
  canWake: boolean;
  /** The last polling failure, for the details screen. */
  lastError: ServiceError | null;
}

export interface AppView {
  id: number;
  title: string;
  hdrSupported: boolean;
}

/** A pairing attempt: show `pin`, await `done`; `cancel()` ends it with `cancelled`. */
export interface PairingHandle {
  pin: string;
  done: Promise<Result<void, ServiceError>>;
  cancel(): void;
}

export type PairingStage = 'waiting-for-pin' | 'challenge' | 'exchanging-secrets' | 'confirming';

/**
 * Start-up of the services in their worker: creating the client's RSA key on first start can
 * take seconds on a TV, so the UI shows these. In-process services are ready at once.
 */
export type StartupStage = 'loading-core' | 'preparing-identity' | 'loading-hosts' | 'ready';

export type ServiceEvent =
  | { kind: 'hosts-changed'; hosts: HostView[] }
  | { kind: 'pairing-progress'; hostId: string; stage: PairingStage }
  | { kind: 'startup'; stage: StartupStage }
  /** The services could not start; every call answers with `error` from then on. */
  | { kind: 'startup-failed'; error: ServiceError }
  /** Something went wrong outside any call, e.g. a saved PC could not be read and was skipped. */
  | { kind: 'problem'; error: ServiceError }
  /** A `startStream` on this host reached `stage`. */
  | { kind: 'stream-progress'; hostId: string; stage: StreamStage };

export interface Services {
  listHosts(): Promise<HostView[]>;
  addHost(address: string): Promise<Result<HostView, ServiceError>>;
  removeHost(hostId: string): Promise<Result<void, ServiceError>>;
  /** `pin` is for tests and scripting; the UI lets the services pick a random one. */
  pair(hostId: string, pin?: string): Promise<Result<PairingHandle, ServiceError>>;
  unpair(hostId: string): Promise<Result<void, ServiceError>>;
  wake(hostId: string): Promise<Result<void, ServiceError>>;
  apps(hostId: string): Promise<Result<AppView[], ServiceError>>;
  /** PNG bytes, cached per host and app. */
  boxArt(hostId: string, appId: number): Promise<Result<Uint8Array, ServiceError>>;
  /**
   * Streams `appId`: launches it, or resumes it when it is the app that runs; another app
   * running answers `app-running` (the UI offers to quit it). Progress arrives as
   * `stream-progress` events. The handle is for a stream whose session has started.
   */
  startStream(hostId: string, appId: number, settings: StreamSettings, media: StreamMedia): Promise<Result<StreamHandle, ServiceError>>;
  /** Ends a `startStream` still under way; it then answers `cancelled`. */
  cancelStreamStart(hostId: string): void;
  /** Quits the running app (/cancel); Sunshine ends every client's stream with it (§5.6). */
  quitApp(hostId: string): Promise<Result<void, ServiceError>>;
  subscribe(listener: (event: ServiceEvent) => void): () => void;
  /** Stop polling and release sockets. */
  dispose(): void;
}

// ---- streaming ----

/** What a stream start is doing, in order; `connecting` ends with the first picture. */
export type StreamStage = 'checking-host' | 'launching' | 'resuming' | 'negotiating' | 'connecting';

/** The stream the host agreed to send. */
export interface StreamInfo {
  appId: number;
  /** The app was started for this stream, or it was running and the stream resumed it. */
  start: 'launched' | 'resumed';
  codec: VideoCodec;
  width: number;
  height: number;
  fps: number;
  hdr: boolean;
  audioChannels: AudioChannelCount;
}

/** Where pictures and sound go. */
export type StreamMedia =
  /**
   * Sinks on the caller's thread (a browser page: WebCodecs and Web Audio; the CLI: files). The
   * stream configures them with its format before it starts, and pushes every unit to them.
   */
  | { kind: 'sinks'; video: VideoSink; audio: AudioSink }
  /**
   * On a TV the session worker appends to EMSS itself (platform/tizen.md §1.8). The page's
   * EMSS owner builds the source for the negotiated stream in `open`, and reports its tracks
   * through `subscribeTrackEvents`; each report is passed on to the worker.
   */
  | {
      kind: 'emss';
      open(info: StreamInfo): Promise<Result<void, SinkError>>;
      subscribeTrackEvents(listener: (event: EmssTrackEvent) => void): () => void;
    }
  /**
   * A TV playing sound through Web Audio (platform/tizen.md §1.13: the PCM track crackles on
   * some sets). Video goes as for `emss`, from a source `open` builds with a video track only;
   * the session worker posts PCM to the page, which plays it through `audio`. The stream
   * configures `audio` before it starts.
   */
  | {
      kind: 'emss-video';
      open(info: StreamInfo): Promise<Result<void, SinkError>>;
      subscribeTrackEvents(listener: (event: EmssTrackEvent) => void): () => void;
      audio: AudioSink;
    };

export interface StreamStats {
  /** Video frames handed to the decoder whole. */
  framesComplete: number;
  /** Of those, frames that needed Reed-Solomon recovery. */
  framesRecoveredByFec: number;
  framesDropped: number;
  idrRequests: number;
  rfiRequests: number;
  audioBlocks: number;
  audioConcealed: number;
  /** Datagrams and their bytes received from the host on all three channels. */
  packets: number;
  bytes: number;
  /** From the start of the session to the first complete frame; null until then. */
  firstFrameMs: number | null;
  /**
   * How long sound waits in this client's audio queue before it plays (the audio sink's
   * `delayMs`: the jitter buffer, plus the output's own latency where the platform tells);
   * null where no sink measures one.
   */
  audioDelayMs: number | null;
}

/** Why a stream ended. Every kind has a sentence in src/app/error-text.ts (streamEndText). */
export type StreamEnd =
  /** This client stopped it (the user, the page closing). */
  | { kind: 'stopped' }
  /** The host sent its termination message (data-plane.md §4.4.15); `code` null for a bare disconnect. */
  | { kind: 'host-terminated'; code: number | null; graceful: boolean }
  /** Nothing more came from the host: it, or the network, went away. */
  | { kind: 'connection-lost'; detail: string }
  /** Connected, but no video came (MLC -100), or never a whole frame (MLC -101). */
  | { kind: 'no-video'; received: 'nothing' | 'no-complete-frame' }
  /** The host sent what the core cannot accept (a failed decryption, a broken control stream). */
  | { kind: 'protocol'; detail: string }
  /** A socket of the stream failed. */
  | { kind: 'network'; detail: string }
  /** The TV's player or the browser's decoder refused the stream. */
  | { kind: 'media'; detail: string }
  | { kind: 'internal'; detail: string };

export type StreamEvent =
  /** The control stream is up; pictures follow. */
  | { kind: 'connected' }
  | { kind: 'first-frame'; afterMs: number }
  /** About once a second. */
  | { kind: 'stats'; stats: StreamStats }
  | { kind: 'hdr-mode'; enabled: boolean }
  | { kind: 'rumble'; controller: number; lowFrequency: number; highFrequency: number }
  /** The last event of a stream. */
  | { kind: 'ended'; end: StreamEnd };

/** A running stream. */
export interface StreamHandle {
  readonly info: StreamInfo;
  /** Returns an unsubscribe function. A late subscriber still gets `ended` if it happened. */
  subscribe(listener: (event: StreamEvent) => void): () => void;
  /** Asks the host for a key frame (the decoder lost its reference). */
  requestIdr(): void;
  /** Ends the stream; the app keeps running on the host (resume later, or quitApp). */
  stop(): void;
  readonly ended: Promise<StreamEnd>;
}
