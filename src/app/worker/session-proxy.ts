// The page's side of a session worker (src/session/session-worker.ts): the SessionOpener the
// services proxy uses. For each stream it readies the page's media (configures the sinks, has
// the EMSS owner build its source, or both), starts a worker with the prepared stream, and
// turns the worker's messages into a StreamHandle: events to subscribers, access units and PCM
// to the page's sinks, EMSS track reports to the worker. The worker cannot see a sink that
// lives here, so the audio delay in its stats is this page's sink's. The worker is ended once
// the stream has.

import { assertNever, err, ok, type Result } from '../../lib/result.ts';
import { parseFromSessionWorker, type FromSessionWorker, type SessionMediaTarget, type ToSessionWorker } from '../../session/session-protocol.ts';
import { configureAudioSink, configureSinks, createStreamHandle, type PreparedStream, type SessionOpener } from '../../session/start-stream.ts';
import type { ServiceError, StreamEvent, StreamHandle, StreamMedia } from '../services.ts';
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
          emit(withPageAudioDelay(message.event, media));
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
          if (media.kind !== 'emss') media.audio.pushPcm(message.block.samples, { samplesPerChannel: message.block.samplesPerChannel, concealed: message.block.concealed });
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
    if (media.kind !== 'sinks') unsubscribeTracks = media.subscribeTrackEvents((event) => send({ kind: 'emss-track', event }));
    send({ kind: 'start', platform: options.platform, prepared, media: targetOf(media) });
    return startResult;
  };
}

/** The sinks configured, or the EMSS source built, or both, for the negotiated stream. */
async function readyMedia(media: StreamMedia, prepared: PreparedStream): Promise<Result<void, ServiceError>> {
  switch (media.kind) {
    case 'sinks':
      return configureSinks(media.video, media.audio, prepared.info);
    case 'emss':
      return openEmss(media, prepared);
    case 'emss-video': {
      // Sound first: a page that cannot play it (no AudioWorklet) fails before the TV's player is built.
      const audio = await configureAudioSink(media.audio, prepared.info);
      return audio.ok ? openEmss(media, prepared) : audio;
    }
    default:
      return assertNever(media);
  }
}

async function openEmss(media: Extract<StreamMedia, { open: unknown }>, prepared: PreparedStream): Promise<Result<void, ServiceError>> {
  const opened = await media.open(prepared.info);
  return opened.ok ? ok(undefined) : err({ kind: 'media', detail: opened.error.detail });
}

function targetOf(media: StreamMedia): SessionMediaTarget {
  switch (media.kind) {
    case 'sinks':
      return { kind: 'post' };
    case 'emss':
      return { kind: 'emss' };
    case 'emss-video':
      return { kind: 'emss-video' };
    default:
      return assertNever(media);
  }
}

/** Stats with the delay of the page's audio sink, where sound plays on the page. */
function withPageAudioDelay(event: StreamEvent, media: StreamMedia): StreamEvent {
  if (event.kind !== 'stats' || media.kind === 'emss') return event;
  return { kind: 'stats', stats: { ...event.stats, audioDelayMs: media.audio.delayMs() } };
}
