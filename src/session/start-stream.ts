// From "the user chose an app" to a negotiated stream (control-plane.md §3.5, §5.4-5.6, §8.2):
//   1. ask the host over HTTPS what runs now (/serverinfo `currentgame`);
//   2. nothing runs: /launch the app; the same app runs: /resume it; another app runs: stop
//      with `app-running`, so that the UI can offer to quit that app first (as MQt does);
//   3. the RTSP handshake, within the host's ten seconds after the launch (§6.7).
// What comes out, a PreparedStream, is plain data: it crosses from the services worker to the
// session worker that runs the data plane (the SessionOpener of each target). Quitting is /cancel.
//
// Then the session (runStreamSession): the three UDP sockets, the core session and the loop
// that pumps it (session-loop.ts); access units and PCM go to the sinks on the A/V clock; the
// end of the loop becomes a StreamEnd in the person's terms. It runs wherever the sockets are:
// in a session worker on a TV and in a browser, in-process in Node (the CLI, tests).

import type { NvHttpContext } from '../app/hosts/host-api.ts';
import type { ServiceError, StreamEnd, StreamEvent, StreamHandle, StreamInfo, StreamMedia, StreamStage, StreamStats } from '../app/services.ts';
import type { CoreStatusError } from '../../wasm/core.ts';
import { createAes128Gcm } from '../../wasm/gcm.ts';
import type { CoreSession, SessionEvent, SessionStats } from '../../wasm/session.ts';
import type { CancelSignal } from '../lib/cancel.ts';
import { assertNever, err, ok, type Result } from '../lib/result.ts';
import { createAvClock, type AvClock } from '../media/av-clock.ts';
import type { AudioSink, VideoSink } from '../media/media-sink.ts';
import { getServerInfo, type HostEndpoint } from '../nvhttp/nvhttp-client.ts';
import type { Clock, Entropy, Sockets } from '../platform/platform.ts';
import { launchApp, LAUNCH_TIMEOUT_MS, quitApp, QUIT_TIMEOUT_MS, resumeApp, RESUME_TIMEOUT_MS, type LaunchRequest } from './launch.ts';
import { negotiateStream } from './rtsp-client.ts';
import { startSessionLoop, STREAM_CHANNELS, type SessionLoopDeps, type SessionLoopEnd, type StreamChannel, type StreamSocket } from './session-loop.ts';
import { streamStartServiceError, type StreamStartError } from './rtsp-error.ts';
import type { HandshakeParams } from './rtsp-handshake.ts';
import { VideoFormat, type StreamConfig, type StreamSettings } from './stream-config.ts';

/** A stream the host agreed to: everything the session needs to start the data plane. */
export interface PreparedStream {
  config: StreamConfig;
  info: StreamInfo;
}

/** Starts the session of a prepared stream (in-process, or in a session worker). */
export type SessionOpener = (prepared: PreparedStream, media: StreamMedia) => Promise<Result<StreamHandle, ServiceError>>;

/** The host calls of a start, injectable so that the sequence runs against scripted hosts. */
export interface StartStreamApi {
  getServerInfo: typeof getServerInfo;
  launchApp: typeof launchApp;
  resumeApp: typeof resumeApp;
  negotiate(ctx: NvHttpContext, params: HandshakeParams, cancel: CancelSignal | undefined): Promise<Result<StreamConfig, StreamStartError>>;
}

export const nvhttpStartStreamApi: StartStreamApi = {
  getServerInfo,
  launchApp,
  resumeApp,
  negotiate: (ctx, params, cancel) =>
    negotiateStream({ sockets: ctx.platform.sockets, clock: ctx.platform.clock, gcm: createAes128Gcm(ctx.core), ...(cancel === undefined ? {} : { cancel }) }, params),
};

export interface StreamRequest {
  appId: number;
  settings: StreamSettings;
  /** `localAudioPlayMode`: the PC keeps playing its sound too. */
  playAudioOnHost?: boolean;
  /** `sops`: let the host adapt its display mode and game settings. */
  optimizeGameSettings?: boolean;
  /** Bit i = gamepad i attached. */
  gamepadMask?: number;
}

export interface PrepareOptions {
  onStage(stage: StreamStage): void;
  cancel?: CancelSignal;
  /** How long the serverinfo check may take. */
  checkTimeoutMs: number;
}

export async function prepareStream(
  ctx: NvHttpContext,
  api: StartStreamApi,
  host: HostEndpoint,
  request: StreamRequest,
  options: PrepareOptions,
): Promise<Result<PreparedStream, ServiceError>> {
  const cancelled = (): boolean => options.cancel?.cancelled === true;
  const launchOptions = (timeoutMs: number) => (options.cancel === undefined ? { timeoutMs } : { timeoutMs, cancel: options.cancel });

  options.onStage('checking-host');
  const info = await api.getServerInfo(ctx, host, { secure: true, timeoutMs: options.checkTimeoutMs });
  if (cancelled()) return err({ kind: 'cancelled' });
  if (!info.ok) return info;
  const running = info.value.currentGame;
  // Sunshine resumes whatever runs, whatever appid a /resume names (§8.4): resuming another
  // app than the one chosen would show the wrong game, so the person decides first.
  if (running !== 0 && running !== request.appId) return err({ kind: 'app-running', runningAppId: running });

  const start: StreamInfo['start'] = running === 0 ? 'launched' : 'resumed';
  options.onStage(start === 'launched' ? 'launching' : 'resuming');
  const launchRequest = toLaunchRequest(request);
  const launched = start === 'launched'
    ? await api.launchApp(ctx, host, launchRequest, launchOptions(LAUNCH_TIMEOUT_MS))
    : await api.resumeApp(ctx, host, launchRequest, launchOptions(RESUME_TIMEOUT_MS));
  if (cancelled()) return err({ kind: 'cancelled' });
  if (!launched.ok) return launched;

  options.onStage('negotiating');
  const params: HandshakeParams = {
    hostAddress: host.address,
    host: { appVersion: info.value.appVersion, codecModeSupport: info.value.codecModeSupport },
    rtsp: launched.value.rtsp,
    settings: request.settings,
    keys: launched.value.keys,
  };
  const config = await api.negotiate(ctx, params, options.cancel);
  if (!config.ok) return err(cancelled() ? { kind: 'cancelled' } : streamStartServiceError(config.error));
  if (cancelled()) return err({ kind: 'cancelled' });
  return ok({ config: config.value, info: streamInfo(request.appId, start, config.value) });
}

/** /cancel: quits the running app, ending every client's stream of it (§5.6). */
export function quitRunningApp(ctx: NvHttpContext, host: HostEndpoint, cancel?: CancelSignal): Promise<Result<void, ServiceError>> {
  return quitApp(ctx, host, cancel === undefined ? { timeoutMs: QUIT_TIMEOUT_MS } : { timeoutMs: QUIT_TIMEOUT_MS, cancel });
}

export function streamInfo(appId: number, start: StreamInfo['start'], config: StreamConfig): StreamInfo {
  return {
    appId,
    start,
    codec: config.video.codec,
    width: config.video.width,
    height: config.video.height,
    fps: config.video.fps,
    hdr: config.video.tenBit,
    audioChannels: config.audio.channels,
  };
}

function toLaunchRequest(request: StreamRequest): LaunchRequest {
  const { settings } = request;
  return {
    appId: request.appId,
    width: settings.width,
    height: settings.height,
    fps: settings.fps,
    optimizeGameSettings: request.optimizeGameSettings ?? true,
    playAudioOnHost: request.playAudioOnHost ?? false,
    audioChannels: settings.audioChannels,
    gamepadMask: request.gamepadMask ?? DEFAULT_GAMEPAD_MASK,
    // MQt asks for HDR exactly when the decoder takes a 10-bit format (§5.4).
    hdr: (settings.videoFormats & TEN_BIT_FORMATS) !== 0,
    persistGamepads: false,
  };
}

// One gamepad announced even when none is attached, so that the remote's input reaches the game.
const DEFAULT_GAMEPAD_MASK = 1;
const TEN_BIT_FORMATS = VideoFormat.H265_MAIN10 | VideoFormat.H265_REXT10_444 | VideoFormat.AV1_MAIN10 | VideoFormat.AV1_HIGH10_444;

// ---- the session ----

export interface SessionRunnerDeps {
  sockets: Sockets;
  clock: Pick<Clock, 'nowMs' | 'setTimer' | 'clearTimer'>;
  /** wasm/session.ts createSession over the loaded core. */
  createSession(config: StreamConfig, options: { seed: Uint8Array }): Result<CoreSession, CoreStatusError>;
  /** At least 32 bytes of entropy for the core session. */
  seed: Uint8Array;
  /** The timeline of both streams; shared with a sink that stamps audio itself (EMSS). */
  avClock: AvClock;
  /** Called at least every few milliseconds while the session runs (an audio sink's pump). */
  onPass?: () => void;
  /** The delay of the audio sink the session pushes to, for the stats; absent: it is measured elsewhere. */
  audioDelayMs?: () => number;
  yieldToEventLoop?: () => Promise<void>;
  /** Tunables of the loop, for tests. */
  loop?: Pick<SessionLoopDeps<SessionEvent>, 'pollSockets' | 'waitCapMs' | 'hostSilenceLimitMs' | 'startSilenceLimitMs'>;
  statsIntervalMs?: number;
}

/** Where a session's media goes: only pushes; the sinks are configured by their owner. */
export interface SessionSinks {
  video: Pick<VideoSink, 'pushAccessUnit'>;
  audio: Pick<AudioSink, 'pushPcm'>;
}

export interface RunningSession {
  requestIdr(): void;
  /** Ends the session (`stopped`); idempotent. */
  stop(): void;
  stats(): StreamStats;
  readonly ended: Promise<StreamEnd>;
}

export async function runStreamSession(
  deps: SessionRunnerDeps,
  config: StreamConfig,
  sinks: SessionSinks,
  onEvent: (event: StreamEvent) => void,
): Promise<Result<RunningSession, ServiceError>> {
  const opened = await openStreamSockets(deps.sockets, config.hostAddress.includes(':') ? 6 : 4);
  if (!opened.ok) return opened;
  const sockets = opened.value;
  const created = deps.createSession(config, { seed: deps.seed });
  if (!created.ok) {
    for (const channel of STREAM_CHANNELS) sockets[channel].close();
    return err({ kind: 'internal', detail: `the core refused the stream: ${created.error.name}` });
  }
  const session = created.value;
  const { clock, avClock } = deps;
  const startMs = clock.nowMs();
  let connected = false;
  let firstFrameMs: number | null = null;

  const onCoreEvent = (event: SessionEvent): void => {
    switch (event.kind) {
      case 'connected':
        connected = true;
        onEvent({ kind: 'connected' });
        return;
      case 'video-frame':
        if (firstFrameMs === null) {
          firstFrameMs = clock.nowMs() - startMs;
          onEvent({ kind: 'first-frame', afterMs: firstFrameMs });
        }
        sinks.video.pushAccessUnit(event.data, { keyFrame: event.keyFrame, frameIndex: event.frameIndex, ptsUs: avClock.videoPtsUs(event.firstPacketUs) });
        return;
      case 'audio-pcm':
        sinks.audio.pushPcm(event.samples, { samplesPerChannel: event.samplesPerChannel, concealed: event.concealed });
        return;
      case 'rumble':
      case 'hdr-mode':
        onEvent(event);
        return;
      case 'terminated':
        // The loop ends with it; its meaning is read there, with the counters.
        return;
      default:
        assertNever(event);
    }
  };

  const loop = startSessionLoop<SessionEvent>({
    core: session,
    sockets,
    host: { address: config.hostAddress, ports: config.ports },
    clock,
    onEvent: onCoreEvent,
    ...(deps.onPass === undefined ? {} : { onPass: deps.onPass }),
    ...(deps.yieldToEventLoop === undefined ? {} : { yieldToEventLoop: deps.yieldToEventLoop }),
    ...deps.loop,
  });

  const stats = (): StreamStats => {
    const core = session.stats();
    const io = loop.stats();
    return {
      framesComplete: core.framesComplete,
      framesRecoveredByFec: core.framesRecovered,
      framesDropped: core.framesDropped,
      idrRequests: core.idrRequests,
      rfiRequests: core.rfiRequests,
      audioBlocks: core.audioFrames,
      audioConcealed: core.audioConcealed,
      packets: io.receivedPackets,
      bytes: io.receivedBytes,
      firstFrameMs,
      audioDelayMs: deps.audioDelayMs?.() ?? null,
    };
  };

  const statsIntervalMs = deps.statsIntervalMs ?? STATS_INTERVAL_MS;
  let statsTimer = clock.setTimer(statsIntervalMs, function tick() {
    onEvent({ kind: 'stats', stats: stats() });
    statsTimer = clock.setTimer(statsIntervalMs, tick);
  });

  /** The counters as the session ended; the core session is gone after that. */
  let finalStats: StreamStats | null = null;
  const ended = loop.done.then((end) => {
    clock.clearTimer(statsTimer);
    // Read before destroy: the counters say what the end means (no video, or a lost link).
    const final = stats();
    const streamEnd = streamEndOf(end, connected, session.stats());
    finalStats = final;
    session.destroy();
    onEvent({ kind: 'stats', stats: final });
    onEvent({ kind: 'ended', end: streamEnd });
    return streamEnd;
  });

  return ok({
    requestIdr: () => loop.runCommand(() => session.requestIdr()),
    stop: () => loop.stop(),
    stats: () => finalStats ?? stats(),
    ended,
  });
}

/** What the end of the loop means to the person (control-plane.md §8.3, data-plane.md §4.4.15). */
export function streamEndOf(end: SessionLoopEnd<SessionEvent>, connected: boolean, core: SessionStats): StreamEnd {
  switch (end.kind) {
    case 'stopped':
      return { kind: 'stopped' };
    case 'terminated': {
      const { reason, hostCode, graceful } = end.event;
      if (reason === 'host') return { kind: 'host-terminated', code: hostCode, graceful };
      if (reason === 'protocol') return { kind: 'protocol', detail: 'the control stream broke' };
      // A timeout: the control stream never came up, or the core's video watchdog (MLC -100/-101).
      if (!connected) return { kind: 'connection-lost', detail: 'the control stream did not connect' };
      if (core.videoPackets === 0) return { kind: 'no-video', received: 'nothing' };
      if (core.framesComplete === 0) return { kind: 'no-video', received: 'no-complete-frame' };
      return { kind: 'connection-lost', detail: 'the control stream timed out' };
    }
    case 'host-silent':
      return { kind: 'connection-lost', detail: `nothing from the host for ${Math.round(end.silentMs)} ms` };
    case 'socket-error':
      return { kind: 'network', detail: `${end.channel}: ${end.error.detail}` };
    case 'internal':
      return { kind: 'internal', detail: end.detail };
    default:
      return assertNever(end);
  }
}

async function openStreamSockets(sockets: Sockets, family: 4 | 6): Promise<Result<Record<StreamChannel, StreamSocket>, ServiceError>> {
  const opened: Partial<Record<StreamChannel, StreamSocket>> = {};
  for (const channel of STREAM_CHANNELS) {
    const socket = await sockets.openUdp({ broadcast: false, family });
    if (!socket.ok) {
      for (const open of Object.values(opened)) open.close();
      return err({ kind: 'unreachable', detail: `cannot open the ${channel} socket: ${socket.error.detail}` });
    }
    opened[channel] = socket.value;
  }
  const { video, audio, control } = opened;
  if (video === undefined || audio === undefined || control === undefined) throw new Error('a stream socket is missing');
  return ok({ video, audio, control });
}

// ---- handles ----

/** A StreamHandle whose events come from `emit`; `ended` resolves with the first `ended` event. */
export function createStreamHandle(info: StreamInfo, controls: { requestIdr(): void; stop(): void }): { handle: StreamHandle; emit(event: StreamEvent): void } {
  const listeners = new Set<(event: StreamEvent) => void>();
  let endEvent: StreamEvent | null = null;
  let resolveEnded: (end: StreamEnd) => void = () => {};
  const ended = new Promise<StreamEnd>((resolve) => {
    resolveEnded = resolve;
  });
  const handle: StreamHandle = {
    info,
    subscribe(listener) {
      listeners.add(listener);
      const late = endEvent;
      if (late !== null) {
        void Promise.resolve().then(() => {
          if (listeners.has(listener)) listener(late);
        });
      }
      return () => {
        listeners.delete(listener);
      };
    },
    requestIdr: () => {
      if (endEvent === null) controls.requestIdr();
    },
    stop: () => {
      if (endEvent === null) controls.stop();
    },
    ended,
  };
  return {
    handle,
    emit(event) {
      if (endEvent !== null) return;
      if (event.kind === 'ended') {
        endEvent = event;
        resolveEnded(event.end);
      }
      for (const listener of [...listeners]) listener(event);
    },
  };
}

/** Streams in this thread with sinks of this thread: the opener of the CLI and of Node tests. */
export function createInProcessOpener(deps: Omit<SessionRunnerDeps, 'avClock' | 'seed'> & { entropy: Entropy }): SessionOpener {
  return async (prepared, media) => {
    if (media.kind !== 'sinks') return err({ kind: 'internal', detail: 'only sinks can play a stream in this thread' });
    const configured = await configureSinks(media.video, media.audio, prepared.info);
    if (!configured.ok) return configured;
    let running: RunningSession | null = null;
    const { handle, emit } = createStreamHandle(prepared.info, { requestIdr: () => running?.requestIdr(), stop: () => running?.stop() });
    const started = await runStreamSession(
      { ...deps, seed: deps.entropy.randomBytes(SESSION_SEED_BYTES), avClock: createAvClock(AUDIO_SAMPLE_RATE_HZ), audioDelayMs: () => media.audio.delayMs() },
      prepared.config,
      media,
      emit,
    );
    if (!started.ok) return started;
    running = started.value;
    return ok(handle);
  };
}

/** Prepares the sinks for the negotiated format; a format this platform cannot play is `media`. */
export async function configureSinks(video: VideoSink, audio: AudioSink, info: StreamInfo): Promise<Result<void, ServiceError>> {
  const videoReady = await configureVideoSink(video, info);
  return videoReady.ok ? configureAudioSink(audio, info) : videoReady;
}

export async function configureVideoSink(video: VideoSink, info: StreamInfo): Promise<Result<void, ServiceError>> {
  if (info.codec === 'av1') return err({ kind: 'media', detail: 'AV1 is not played by this app' });
  const ready = await video.configure({ codec: info.codec === 'hevc' ? 'h265' : 'h264', width: info.width, height: info.height, fps: info.fps });
  return ready.ok ? ok(undefined) : err({ kind: 'media', detail: `video: ${ready.error.detail}` });
}

export async function configureAudioSink(audio: AudioSink, info: StreamInfo): Promise<Result<void, ServiceError>> {
  const ready = await audio.configure({ channels: info.audioChannels, sampleRateHz: AUDIO_SAMPLE_RATE_HZ });
  return ready.ok ? ok(undefined) : err({ kind: 'media', detail: `audio: ${ready.error.detail}` });
}

// Opus in GameStream is always 48 kHz (data-plane.md §3.2).
export const AUDIO_SAMPLE_RATE_HZ = 48_000;
// gsc_session.h GSC_SESSION_SEED_SIZE.
export const SESSION_SEED_BYTES = 32;
// The statistics overlay and the CLI's progress change about once a second.
const STATS_INTERVAL_MS = 1000;
