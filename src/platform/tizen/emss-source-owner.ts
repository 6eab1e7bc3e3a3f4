// The main-thread owner of the EMSS source and its media element (platform/tizen.md 1.3-1.10).
// The session worker appends; this side builds, opens, watches and tears down.
//
// Theory of operation (states: idle → attaching → configuring → opening → running → closed).
// 1. Build the source in ultra-low latency when asked and the firmware has the feature,
//    else low latency; the two-argument constructor when `construct-with-modes` exists, the
//    legacy one when it does not or when the modern one throws (tizen.md 1.2, 1.3).
// 2. Attach through an object URL and wait for `sourceclosed`.
// 3. Add the audio track (PCM s16, 48 kHz) when EMSS plays audio, then the video track; the
//    async adders when present, because only they report a missing hardware decoder.
// 4. `open()`, and on `sourceopenpending` call `play()` on the element: the pipeline opens
//    only once it plays, so `open()` is not awaited before `play()`.
// 5. Wait until every track fired `trackopen` (bounded by `kOpenTimeoutMs`).
// From then on every track event goes to the worker as an EmssTrackEvent: `track-open`
// with the track id and its current session id, `track-closed` with the reason,
// `session-id` on change. The worker's video sink asks the host for a key frame after each
// open (step 6). A source `error` event or a media element `error` ends the stream.
// Closing: tell the worker its tracks are closed, `close()` the source unless detached,
// detach (`src = ''`), revoke the URL, `destroy()` when the firmware has it (step 9).

import { err, ok, type Result } from '../../lib/result.ts';
import type { AudioStreamFormat, SinkError, VideoStreamFormat } from '../../media/media-sink.ts';
import type { Clock, TimerHandle } from '../platform.ts';
import { emssChannelLayout, emssMimeType, frameRate } from './emss-codecs.ts';
import type { EmssTrackEvent, EmssTrackKind } from './emss-track-events.ts';
import { emssErrorName, type EmssGlobal, type EmssMediaElement, type EmssSource, type EmssTrack } from './emss-types.ts';
import type { EmssFeatures } from './tizen-capabilities.ts';

export type EmssLatency = 'ultra-low' | 'low';

export interface EmssStartRequest {
  /** Preferred latency; ultra-low falls back to low when the firmware lacks it. */
  latency: EmssLatency;
  video: VideoStreamFormat & { hdr: boolean };
  /** Null when audio plays through Web Audio instead (tizen.md 1.13, crackle on some sets). */
  audio: AudioStreamFormat | null;
}

export interface EmssStarted {
  latency: EmssLatency;
  videoMimeType: string;
  videoTrackId: number;
  audioTrackId: number | null;
}

/** Something went wrong after start: the stream cannot go on as it is. */
export type EmssFailure = { kind: 'source-error'; detail: string } | { kind: 'media-error'; detail: string };

export interface EmssOwnerOptions {
  emss: EmssGlobal;
  features: EmssFeatures;
  media: EmssMediaElement;
  objectUrls: { create(source: object): string; revoke(url: string): void };
  timers: Pick<Clock, 'setTimer' | 'clearTimer'>;
  onTrackEvent(event: EmssTrackEvent): void;
  onFailure(failure: EmssFailure): void;
}

export type EmssOwnerState = 'idle' | 'attaching' | 'configuring' | 'opening' | 'running' | 'closed';

export interface EmssSourceOwner {
  start(request: EmssStartRequest): Promise<Result<EmssStarted, SinkError>>;
  state(): EmssOwnerState;
  /** Tears the source down; idempotent. */
  close(): Promise<void>;
}

export function createEmssSourceOwner(options: EmssOwnerOptions): EmssSourceOwner {
  const { emss, features, media, objectUrls, timers } = options;
  let state: EmssOwnerState = 'idle';
  let source: EmssSource | null = null;
  let url: string | null = null;
  const cleanups: Array<() => void> = [];
  const watched: EmssTrackKind[] = [];

  function listen(target: EventTarget, type: string, fn: (event: Event) => void): void {
    target.addEventListener(type, fn);
    cleanups.push(() => target.removeEventListener(type, fn));
  }

  /** Resolves with true on `type` from `target`, false after `timeoutMs` or on close. */
  function waitFor(target: EventTarget, type: string, timeoutMs: number, already: () => boolean): Promise<boolean> {
    if (already()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: TimerHandle | null = null;
      const done = (value: boolean): void => {
        target.removeEventListener(type, onEvent);
        if (timer !== null) timers.clearTimer(timer);
        resolve(value);
      };
      const onEvent = (): void => done(true);
      target.addEventListener(type, onEvent);
      timer = timers.setTimer(timeoutMs, () => done(false));
    });
  }

  function watchTrack(kind: EmssTrackKind, track: EmssTrack): void {
    watched.push(kind);
    listen(track, 'trackopen', () => {
      options.onTrackEvent({ kind: 'track-open', track: kind, trackId: track.trackId, sessionId: track.sessionId ?? null });
    });
    listen(track, 'trackclosed', (event) => {
      const reason = (event as Event & { reason?: unknown }).reason;
      options.onTrackEvent({ kind: 'track-closed', track: kind, reason: typeof reason === 'string' ? reason : 'unknown' });
    });
    listen(track, 'sessionidchanged', (event) => {
      const id = (event as Event & { sessionId?: unknown }).sessionId;
      if (typeof id === 'number') options.onTrackEvent({ kind: 'session-id', track: kind, sessionId: id });
    });
  }

  async function addTracks(s: EmssSource, request: EmssStartRequest): Promise<Result<{ video: EmssTrack; audio: EmssTrack | null; mime: string }, SinkError>> {
    const mime = emssMimeType(request.video);
    try {
      let audio: EmssTrack | null = null;
      if (request.audio !== null) {
        const layout = emssChannelLayout(request.audio.channels);
        if (layout === null) return err({ kind: 'unsupported', detail: `${request.audio.channels} audio channels` });
        const config = { mimeType: kPcmMimeType, extradata: new Uint8Array(0), sampleFormat: 'SampleFormatS16', channelLayout: layout, samplesPerSecond: request.audio.sampleRateHz };
        audio = s.addAudioTrackAsync !== undefined ? await s.addAudioTrackAsync(config) : s.addAudioTrack(config);
      }
      const { width, height } = request.video;
      const { num, den } = frameRate(request.video.fps);
      const config = { mimeType: mime, extradata: new Uint8Array(0), width, height, framerateNum: num, framerateDen: den, decodingMode: 'hardware' as const };
      const video = s.addVideoTrackAsync !== undefined ? await s.addVideoTrackAsync(config) : s.addVideoTrack(config);
      return ok({ video, audio, mime });
    } catch (e) {
      const name = emssErrorName(e);
      const kind = name === 'NotSupportedError' || name.startsWith('Config') ? 'unsupported' : 'platform';
      return err({ kind, detail: `adding tracks (${mime}): ${name}` });
    }
  }

  async function start(request: EmssStartRequest): Promise<Result<EmssStarted, SinkError>> {
    if (state !== 'idle') return err({ kind: 'not-ready', detail: `start in state ${state}` });
    const built = buildSource(emss, features, request.latency);
    if (!built.ok) return fail(built.error);
    const s = built.value.source;
    source = s;
    state = 'attaching';
    listen(s, 'error', (event) => {
      const e = event as Event & { error?: unknown; message?: unknown };
      options.onFailure({ kind: 'source-error', detail: `${String(e.error)}: ${String(e.message)}` });
    });
    listen(media, 'error', () => options.onFailure({ kind: 'media-error', detail: 'the media element reported an error' }));
    const attached = waitFor(s, 'sourceclosed', kOpenTimeoutMs, () => s.readyState === 'closed');
    url = objectUrls.create(s);
    media.src = url;
    if (!(await attached) || isClosed()) return fail({ kind: 'platform', detail: 'the source never attached to the media element' });

    state = 'configuring';
    const tracks = await addTracks(s, request);
    if (!tracks.ok) return fail(tracks.error);
    if (isClosed()) return fail({ kind: 'not-ready', detail: 'closed while starting' });
    const all: Array<[EmssTrackKind, EmssTrack]> = [['video', tracks.value.video]];
    if (tracks.value.audio !== null) all.push(['audio', tracks.value.audio]);
    for (const [kind, track] of all) watchTrack(kind, track);

    state = 'opening';
    listen(s, 'sourceopenpending', () => {
      media.play().catch((e: unknown) => console.warn(`play() refused: ${String(e)}`));
    });
    const opened = Promise.all(all.map(([, track]) => waitFor(track, 'trackopen', kOpenTimeoutMs, () => track.isOpen)));
    s.open().catch((e: unknown) => console.warn(`open() failed: ${emssErrorName(e)}`));
    const results = await opened;
    if (isClosed()) return fail({ kind: 'not-ready', detail: 'closed while starting' });
    if (results.includes(false)) return fail({ kind: 'platform', detail: 'the tracks did not open' });
    state = 'running';
    return ok({
      latency: built.value.latency,
      videoMimeType: tracks.value.mime,
      videoTrackId: tracks.value.video.trackId,
      audioTrackId: tracks.value.audio?.trackId ?? null,
    });
  }

  function isClosed(): boolean {
    return state === 'closed';
  }

  async function fail(error: SinkError): Promise<Result<never, SinkError>> {
    await close();
    return err(error);
  }

  async function close(): Promise<void> {
    if (state === 'closed') return;
    state = 'closed';
    const s = source;
    // The worker stops appending now, not when the platform's events would have arrived.
    for (const kind of watched.splice(0)) options.onTrackEvent({ kind: 'track-closed', track: kind, reason: 'owner-closed' });
    cleanups.splice(0).forEach((c) => c());
    if (s === null) return;
    if (s.readyState !== 'detached' && s.readyState !== 'closed') {
      try {
        await s.close();
      } catch (e) {
        console.warn(`closing the source: ${emssErrorName(e)}`);
      }
    }
    media.src = '';
    if (url !== null) objectUrls.revoke(url);
    s.destroy?.();
  }

  return { start, state: () => state, close };
}

function buildSource(emss: EmssGlobal, features: EmssFeatures, wanted: EmssLatency): Result<{ source: EmssSource; latency: EmssLatency }, SinkError> {
  const latency: EmssLatency = wanted === 'ultra-low' && features.ultraLowLatency ? 'ultra-low' : 'low';
  const Source = emss.ElementaryMediaStreamSource;
  if (features.constructWithModes) {
    try {
      const mode = latency === 'ultra-low' ? 'latency-mode-ultra-low' : 'latency-mode-low';
      return ok({ source: new Source(mode, 'rendering-mode-media-element'), latency });
    } catch (e) {
      console.warn(`two-argument EMSS constructor failed (${emssErrorName(e)}); using the legacy form`);
    }
  }
  try {
    return ok({ source: new Source('low-latency'), latency: 'low' });
  } catch (e) {
    return err({ kind: 'platform', detail: `cannot construct ElementaryMediaStreamSource: ${emssErrorName(e)}` });
  }
}

/** Decoded PCM, as every Moonlight port feeds it (tizen.md 1.6). */
const kPcmMimeType = 'audio/webm; codecs="pcm"';
/** Attaching and opening take well under a second on a TV; five is a hang. */
const kOpenTimeoutMs = 5000;
