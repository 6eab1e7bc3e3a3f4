// The session worker: one classic Web Worker per stream, owning the stream's sockets and the
// core session (design.md: Tizen's sockets exist only in workers, and the core is
// single-threaded, principle 4). The page sends `start` with a prepared stream; the worker
// builds its platform, loads the core, and runs the session (start-stream.ts
// runStreamSession) until it ends or `stop` arrives.
//
// Where media goes (session-protocol.ts):
// - browser: each access unit and PCM block is copied once out of core memory into a buffer of
//   its own and posted, transferred, to the page, where WebCodecs and Web Audio live;
// - TV: the worker appends to the EMSS tracks itself through the side-thread functions
//   (platform/tizen.md §1.8), told about the tracks by `emss-track` messages; the audio sink
//   is paced from the loop (its pump), since EMSS wants PCM at the rate it plays;
// - TV with Web Audio chosen: video as on a TV, PCM posted as in the browser, because an
//   AudioWorklet can only be created from the page.

import { loadCore } from '../../wasm/core.ts';
import { createSession } from '../../wasm/session.ts';
import type { ServiceError, StreamEvent } from '../app/services.ts';
import type { InitMessage } from '../app/worker/protocol.ts';
import { assertNever } from '../lib/result.ts';
import { createAvClock } from '../media/av-clock.ts';
import type { AccessUnitInfo, PcmBlockInfo, VideoSink } from '../media/media-sink.ts';
import { createBrowserPlatform } from '../platform/browser/browser-platform.ts';
import type { Platform } from '../platform/platform.ts';
import { createEmssAppender, type EmssAppender } from '../platform/tizen/emss-appender.ts';
import { createEmssAudioSink } from '../platform/tizen/emss-audio-sink.ts';
import type { EmssTrackEvent } from '../platform/tizen/emss-track-events.ts';
import { parseSideThreadTrack, type EmssSideThreadTrack } from '../platform/tizen/emss-types.ts';
import { createEmssVideoSink } from '../platform/tizen/emss-video-sink.ts';
import { createTizenPlatform, createWorkerLoop } from '../platform/tizen/tizen-platform.ts';
import { parseToSessionWorker, sessionTransfer, type FromSessionWorker, type ToSessionWorker } from './session-protocol.ts';
import {
  AUDIO_SAMPLE_RATE_HZ,
  configureSinks,
  configureVideoSink,
  runStreamSession,
  SESSION_SEED_BYTES,
  type RunningSession,
  type SessionRunnerDeps,
  type SessionSinks,
} from './start-stream.ts';

/** The worker's global scope, or one end of a MessageChannel in tests. */
export interface SessionEndpoint {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface SessionWorkerDeps {
  platformFor(init: InitMessage): Platform;
  /** The side-thread EMSS functions, or null where there are none (not a TV). */
  emssSideThread(): EmssSideThreadTrack | null;
  yieldToEventLoop?: () => Promise<void>;
  /** Tunables of the runner, for tests. */
  runner?: Pick<SessionRunnerDeps, 'loop' | 'statsIntervalMs'>;
}

export function serveSessionWorker(endpoint: SessionEndpoint, deps: SessionWorkerDeps): void {
  const post = (message: FromSessionWorker): void => endpoint.postMessage(message, sessionTransfer(message));
  let started = false;
  let running: RunningSession | null = null;
  let stopRequested = false;
  let appender: EmssAppender | null = null;
  /** Track reports that came before the appender existed. */
  const earlyTrackEvents: EmssTrackEvent[] = [];

  const fail = (error: ServiceError): void => post({ kind: 'start-failed', error });

  const start = async (message: Extract<ToSessionWorker, { kind: 'start' }>): Promise<void> => {
    const platform = deps.platformFor(message.platform);
    const wasm = await platform.assets.coreWasm();
    if (!wasm.ok) return fail({ kind: 'internal', detail: wasm.error.detail });
    const core = await loadCore(wasm.value);
    if (!core.ok) return fail({ kind: 'internal', detail: core.error.detail });
    const nowUs = (): number => platform.clock.nowMs() * 1000;
    const avClock = createAvClock(AUDIO_SAMPLE_RATE_HZ);
    const media = await sinksFor(message, { avClock, nowUs });
    if (!media.ok) return fail(media.error);
    if (stopRequested) {
      post({ kind: 'event', event: { kind: 'ended', end: { kind: 'stopped' } } });
      return;
    }
    const onEvent = (event: StreamEvent): void => post({ kind: 'event', event });
    const session = await runStreamSession(
      {
        sockets: platform.sockets,
        clock: platform.clock,
        createSession: (config, options) => createSession(core.value, config, options),
        seed: platform.entropy.randomBytes(SESSION_SEED_BYTES),
        avClock,
        ...(media.value.pump === null ? {} : { onPass: media.value.pump }),
        ...(media.value.audioDelayMs === null ? {} : { audioDelayMs: media.value.audioDelayMs }),
        ...(deps.yieldToEventLoop === undefined ? {} : { yieldToEventLoop: deps.yieldToEventLoop }),
        // A waiting receive on the TV blocks the worker in short polls; poll each socket instead.
        loop: { pollSockets: platform.name === 'tizen', ...deps.runner?.loop },
        ...(deps.runner?.statsIntervalMs === undefined ? {} : { statsIntervalMs: deps.runner.statsIntervalMs }),
      },
      message.prepared.config,
      media.value.sinks,
      onEvent,
    );
    if (!session.ok) return fail(session.error);
    running = session.value;
    post({ kind: 'started' });
    if (stopRequested) running.stop();
  };

  const cannotAppend = { ok: false, error: { kind: 'media', detail: 'this worker cannot append to EMSS' } } as const;

  /** What the session pushes to; `audioDelayMs` null when the audio sink is on the page, which reports it. */
  type Built = { sinks: SessionSinks; pump: (() => void) | null; audioDelayMs: (() => number) | null };
  const sinksFor = async (
    message: Extract<ToSessionWorker, { kind: 'start' }>,
    clocks: { avClock: ReturnType<typeof createAvClock>; nowUs: () => number },
  ): Promise<{ ok: true; value: Built } | { ok: false; error: ServiceError }> => {
    const { info, config } = message.prepared;
    switch (message.media.kind) {
      case 'post':
        return { ok: true, value: { sinks: { video: postingVideoSink(post), audio: postingAudioSink(post, config.audio.channels) }, pump: null, audioDelayMs: null } };
      case 'emss': {
        const emss = attachAppender();
        if (emss === null) return cannotAppend;
        const video = emssVideoSink(emss);
        const audio = createEmssAudioSink({ appender: emss, clock: clocks.avClock, nowUs: clocks.nowUs });
        const configured = await configureSinks(video, audio, info);
        if (!configured.ok) return configured;
        return { ok: true, value: { sinks: { video, audio }, pump: () => audio.pump(), audioDelayMs: () => audio.delayMs() } };
      }
      case 'emss-video': {
        const emss = attachAppender();
        if (emss === null) return cannotAppend;
        const video = emssVideoSink(emss);
        const configured = await configureVideoSink(video, info);
        if (!configured.ok) return configured;
        return { ok: true, value: { sinks: { video, audio: postingAudioSink(post, config.audio.channels) }, pump: null, audioDelayMs: null } };
      }
      default:
        return assertNever(message.media);
    }
  };

  /** The appender over this worker's side-thread functions, told what the page reported so far; null off a TV. */
  const attachAppender = (): EmssAppender | null => {
    const sideThread = deps.emssSideThread();
    if (sideThread === null) return null;
    const emss = createEmssAppender(sideThread);
    for (const event of earlyTrackEvents.splice(0)) emss.handleTrackEvent(event);
    appender = emss;
    return emss;
  };

  const emssVideoSink = (emss: EmssAppender): VideoSink => createEmssVideoSink({ appender: emss, requestKeyFrame: () => running?.requestIdr() });

  endpoint.addEventListener('message', (event) => {
    const parsed = parseToSessionWorker(event.data);
    // Only our own page posts here; what does not parse is a bug there and is dropped. A start
    // is still answered, or the page would wait for the stream forever.
    if (!parsed.ok) {
      if (!started && isStart(event.data)) {
        started = true;
        fail({ kind: 'internal', detail: `the session worker refused its start message: ${parsed.error}` });
      }
      return;
    }
    const message = parsed.value;
    switch (message.kind) {
      case 'start':
        if (started) return;
        started = true;
        void start(message);
        return;
      case 'emss-track':
        if (appender === null) earlyTrackEvents.push(message.event);
        else appender.handleTrackEvent(message.event);
        return;
      case 'request-idr':
        running?.requestIdr();
        return;
      case 'stop':
        stopRequested = true;
        running?.stop();
        return;
      default:
        assertNever(message);
    }
  });
}

// The posting sinks copy each unit once out of core memory (borrowed, media-sink.ts) into a
// buffer of its own, which the message transfers to the page.

function postingVideoSink(post: (message: FromSessionWorker) => void): SessionSinks['video'] {
  return {
    pushAccessUnit(data: Uint8Array, info: AccessUnitInfo) {
      post({ kind: 'video', frame: { data: data.slice(), frameIndex: info.frameIndex, keyFrame: info.keyFrame, ptsUs: info.ptsUs } });
    },
  };
}

function postingAudioSink(post: (message: FromSessionWorker) => void, channels: number): SessionSinks['audio'] {
  return {
    pushPcm(samples: Int16Array, info: PcmBlockInfo) {
      post({ kind: 'audio', block: { samples: samples.slice(), channels, samplesPerChannel: info.samplesPerChannel, concealed: info.concealed } });
    },
  };
}

function isStart(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'start';
}

function platformFor(init: InitMessage): Platform {
  if (init.platform === 'browser') return createBrowserPlatform({ relayUrl: init.relayUrl, token: init.token, coreWasmUrl: init.coreWasmUrl });
  return createTizenPlatform({ coreWasmUrl: init.coreWasmUrl });
}

/** Inside a dedicated worker (not when a test imports this file). */
function workerScope(): SessionEndpoint | null {
  if (typeof self === 'undefined' || typeof (self as { importScripts?: unknown }).importScripts !== 'function') return null;
  // The project compiles against the DOM library, where `self` is a Window; here it is the
  // DedicatedWorkerGlobalScope, whose postMessage takes (message, transfer).
  return self as unknown as SessionEndpoint;
}

const scope = workerScope();
if (scope !== null) {
  serveSessionWorker(scope, {
    platformFor,
    emssSideThread: () => parseSideThreadTrack(Reflect.get(self, 'tizentvwasm')),
    yieldToEventLoop: createWorkerLoop().yieldToEventLoop,
  });
}
