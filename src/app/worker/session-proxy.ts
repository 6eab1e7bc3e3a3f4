// The page's side of a session worker (src/session/session-worker.ts): the SessionOpener the
// services proxy uses. For each stream it readies the page's media (configures the sinks, or
// has the EMSS owner build its source), starts a worker with the prepared stream, and turns the
// worker's messages into a StreamHandle: events to subscribers, access units and PCM to the
// sinks, EMSS track reports to the worker. The worker is ended once the stream has.

import { assertNever, err, ok, type Result } from '../../lib/result.ts';
import { parseFromSessionWorker, type FromSessionWorker, type SessionMediaTarget, type ToSessionWorker } from '../../session/session-protocol.ts';
import { configureSinks, createStreamHandle, type PreparedStream, type SessionOpener } from '../../session/start-stream.ts';
import type { ServiceError, StreamHandle, StreamMedia } from '../services.ts';
import type { InitMessage } from './protocol.ts';
import type { WorkerLike } from './services-proxy.ts';

export interface SessionWorkerOpenerOptions {
  /** A new session worker (`new Worker(...)` of session-worker.ts; tests pass a channel). */
  createWorker(): WorkerLike;
  /** The platform the worker builds: the same as the services worker's. */
  platform: InitMessage;
}

export function createSessionWorkerOpener(options: SessionWorkerOpenerOptions): SessionOpener {
  return async (prepared, media) => {
    const ready = await readyMedia(media, prepared);
    if (!ready.ok) return ready;
    const worker = options.createWorker();
    const send = (message: ToSessionWorker): void => worker.postMessage(message);
    let unsubscribeTracks: (() => void) | null = null;
    let ended = false;
    const { handle, emit } = createStreamHandle(prepared.info, {
      requestIdr: () => send({ kind: 'request-idr' }),
      stop: () => send({ kind: 'stop' }),
    });

    let settleStart: (result: Result<StreamHandle, ServiceError>) => void = () => {};
    const startResult = new Promise<Result<StreamHandle, ServiceError>>((resolve) => {
      settleStart = resolve;
    });

    const finish = (): void => {
      if (ended) return;
      ended = true;
      unsubscribeTracks?.();
      // Let the worker's last messages (already queued here) be handled, then end it.
      void Promise.resolve().then(() => worker.terminate());
    };

    const receive = (message: FromSessionWorker): void => {
      switch (message.kind) {
        case 'started':
          settleStart(ok(handle));
          return;
        case 'start-failed':
          settleStart(err(message.error));
          finish();
          return;
        case 'event':
          emit(message.event);
          if (message.event.kind === 'ended') {
            // A stream that ended before it was reported started still answers the start.
            settleStart(ok(handle));
            finish();
          }
          return;
        case 'video':
          if (media.kind === 'sinks') media.video.pushAccessUnit(message.frame.data, { keyFrame: message.frame.keyFrame, frameIndex: message.frame.frameIndex, ptsUs: message.frame.ptsUs });
          return;
        case 'audio':
          if (media.kind === 'sinks') media.audio.pushPcm(message.block.samples, { samplesPerChannel: message.block.samplesPerChannel, concealed: message.block.concealed });
          return;
        default:
          assertNever(message);
      }
    };

    worker.addEventListener('message', (event) => {
      if (ended) return;
      const parsed = parseFromSessionWorker(event.data);
      if (parsed.ok) receive(parsed.value);
    });
    if (media.kind === 'emss') unsubscribeTracks = media.subscribeTrackEvents((event) => send({ kind: 'emss-track', event }));
    send({ kind: 'start', platform: options.platform, prepared, media: targetOf(media) });
    return startResult;
  };
}

/** The sinks configured, or the EMSS source built, for the negotiated stream. */
async function readyMedia(media: StreamMedia, prepared: PreparedStream): Promise<Result<void, ServiceError>> {
  switch (media.kind) {
    case 'sinks':
      return configureSinks(media.video, media.audio, prepared.info);
    case 'emss': {
      const opened = await media.open(prepared.info);
      return opened.ok ? ok(undefined) : err({ kind: 'media', detail: opened.error.detail });
    }
    default:
      return assertNever(media);
  }
}

function targetOf(media: StreamMedia): SessionMediaTarget {
  return media.kind === 'sinks' ? { kind: 'post' } : { kind: 'emss' };
}
