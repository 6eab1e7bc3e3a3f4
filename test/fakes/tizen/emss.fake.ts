// A fake of Samsung's ElementaryMediaStreamSource (`tizentvwasm`, shared/platform/tizen.md
// section 1): the source, its tracks, the static side-thread append functions and the media
// element, for testing the EMSS sinks off a TV.
//
// It enforces the documented rules and fails loudly. Every broken rule is recorded in
// `violations` (tests of correct code assert it stays empty) and thrown as the exception the
// platform would throw, with the documented `.name`, so the code under test also meets the
// real failure path:
// - construction: modes the features do not allow, the source built outside the main thread;
// - tracks added outside `closed` or twice per type, configs without frame rate, bad mime,
//   sample format or channel layout;
// - open without tracks or outside `closed`;
// - appends: blocking append on the main thread, unknown track id, track not open (before
//   open, after close), a first packet after (re)open that is not a key frame, a stale
//   session id, pts or dts not strictly increasing, missing or negative times, half of a
//   width/height or frame-rate pair, PCM not a whole number of frames, empty data;
// - setting `duration` in low or ultra-low latency; using a source after `destroy()`.
// Events are dispatched as tasks (setImmediate), never from inside the call that caused them,
// as on the TV; platform-side changes (suspend, resume, pipeline error) are test controls.

export interface FakeEmssOptions {
  /** Feature strings of `availableApis` (tizen.md 1.2). Default: all six. */
  features?: string[];
  /** No `availableApis` and no `sessionId` on tracks: the earliest firmware. */
  legacyFirmware?: boolean;
  /** The two-argument constructor throws although the feature is claimed. */
  modernConstructorThrows?: boolean;
  /** Mime types the hardware decoder cannot take: async adders reject them. */
  unsupportedMimeTypes?: string[];
  /** Omit `addVideoTrackAsync`/`addAudioTrackAsync` (firmware before EMSS 3.0). */
  noAsyncAdders?: boolean;
}

export interface FakeAppend {
  track: 'video' | 'audio';
  context: 'main' | 'worker';
  trackId: number;
  sessionId: number | undefined;
  pts: number;
  dts: number;
  duration: number;
  isKeyFrame: boolean;
  width: number | undefined;
  height: number | undefined;
  bytes: Uint8Array;
}

export interface FakeSourceView {
  readonly readyState: string;
  readonly latencyMode: string | null;
  readonly legacyMode: string | null;
  readonly destroyed: boolean;
  readonly tracks: ReadonlyArray<{ type: 'video' | 'audio'; trackId: number; isOpen: boolean; sessionId: number; config: Record<string, unknown> }>;
}

export interface FakeMediaElement extends EventTarget {
  src: string;
  currentTime: number;
  readonly playCalls: number;
  play(): Promise<void>;
}

export interface FakeEmss {
  /** What the page's `tizentvwasm` holds. */
  readonly mainGlobal: object;
  /** What a worker's `tizentvwasm` holds: the same statics, tagged as called from a worker. */
  readonly workerGlobal: object;
  readonly video: FakeMediaElement;
  readonly violations: string[];
  readonly appends: FakeAppend[];
  createObjectUrl(source: object): string;
  revokeObjectUrl(url: string): void;
  readonly revokedUrls: string[];
  /** The last source constructed, or null. */
  source(): FakeSourceView | null;
  /** Home key: tracks close with `sourcesuspended`, new session ids, source open-pending. */
  suspend(): void;
  /** Back in the app: tracks reopen (a key frame is needed again), source open. */
  resume(): void;
  /** An unrecoverable decoder error: `error` events, tracks closed with `sourceerror`. */
  failPipeline(): void;
  /** Runs every pending platform task; resolves when none are left. */
  settle(): Promise<void>;
}

const ALL_FEATURES = ['legacy-emss', 'base-emss', 'video-texture', 'software-decoding', 'construct-with-modes', 'ultra-low-latency'];
const SAMPLE_FORMATS = ['SampleFormatU8', 'SampleFormatS16', 'SampleFormatS32', 'SampleFormatF32', 'SampleFormatPlanarS16', 'SampleFormatPlanarF32', 'SampleFormatPlanarS32', 'SampleFormatS24'];
const CHANNEL_LAYOUTS: Record<string, number> = { ChannelLayoutMono: 1, ChannelLayoutStereo: 2, ChannelLayout5_1: 6, ChannelLayout5_1Back: 6, ChannelLayout7_1: 8 };
const VIDEO_MIME = /^video\/mp4; codecs="(avc1\.[0-9A-Fa-f]{6}|hev1\.[12]\.[0-9]+\.L[0-9]+\.B0|hvc1\.[12]\.[0-9]+\.L[0-9]+\.B0|av01\..+)"$/;
const AUDIO_MIME = /^audio\/webm; codecs="(pcm|opus)"$/;
/** Track ids that look nothing like indexes, so a confused id is caught. */
const FIRST_TRACK_ID = 41;
const FIRST_SESSION_ID = 7;

interface TrackRecord {
  type: 'video' | 'audio';
  trackId: number;
  isOpen: boolean;
  sessionId: number;
  needsKeyFrame: boolean;
  lastPts: number;
  lastDts: number;
  channels: number;
  config: Record<string, unknown>;
  target: EventTarget;
}

export function createFakeEmss(options: FakeEmssOptions = {}): FakeEmss {
  const features = options.features ?? ALL_FEATURES;
  const violations: string[] = [];
  const appends: FakeAppend[] = [];
  const revokedUrls: string[] = [];
  const urls = new Map<string, FakeSource>();
  const tracksById = new Map<number, TrackRecord>();
  let nextTrackId = FIRST_TRACK_ID;
  let nextUrl = 1;
  let current: FakeSource | null = null;
  let pending = 0;
  const settledWaiters: Array<() => void> = [];

  function fail(name: string, message: string): never {
    violations.push(`${name}: ${message}`);
    const e = new Error(message);
    e.name = name;
    throw e;
  }

  function task(fn: () => void): void {
    pending++;
    setImmediate(() => {
      try {
        fn();
      } finally {
        pending--;
        if (pending === 0) settledWaiters.splice(0).forEach((w) => w());
      }
    });
  }

  function fire(target: EventTarget, type: string, fields: Record<string, unknown> = {}): void {
    target.dispatchEvent(Object.assign(new Event(type), fields));
  }

  class FakeTrack extends EventTarget {
    constructor(readonly record: TrackRecord) {
      super();
    }
    get trackId(): number {
      return this.record.trackId;
    }
    get isOpen(): boolean {
      return this.record.isOpen;
    }
  }
  if (!options.legacyFirmware) {
    Object.defineProperty(FakeTrack.prototype, 'sessionId', { get(this: FakeTrack) { return this.record.sessionId; } });
  }

  class FakeSource extends EventTarget {
    readyState = 'detached';
    latencyMode: string | null = null;
    legacyMode: string | null = null;
    destroyed = false;
    tracks: TrackRecord[] = [];
    private openResolvers: Array<() => void> = [];

    constructor(context: 'main' | 'worker', ...args: unknown[]) {
      super();
      if (context === 'worker') fail('InvalidAccessError', 'ElementaryMediaStreamSource exists on the main thread only');
      if (args.length >= 2) {
        if (!features.includes('construct-with-modes') || options.modernConstructorThrows) fail('TypeError', 'two-argument constructor not supported');
        const [latency, rendering] = args;
        if (latency !== 'latency-mode-normal' && latency !== 'latency-mode-low' && latency !== 'latency-mode-ultra-low') fail('TypeError', `bad latency mode ${String(latency)}`);
        if (latency === 'latency-mode-ultra-low' && !features.includes('ultra-low-latency')) fail('NotSupportedError', 'ultra-low latency not supported');
        if (rendering !== 'rendering-mode-media-element' && rendering !== 'rendering-mode-video-texture') fail('TypeError', `bad rendering mode ${String(rendering)}`);
        this.latencyMode = latency;
      } else {
        const [mode] = args;
        if (mode !== 'normal' && mode !== 'low-latency' && mode !== 'video-texture') fail('TypeError', `bad legacy mode ${String(mode)}`);
        this.legacyMode = mode;
      }
    }

    private lowLatency(): boolean {
      return this.legacyMode === 'low-latency' || (this.latencyMode !== null && this.latencyMode !== 'latency-mode-normal');
    }

    private alive(what: string): void {
      if (this.destroyed) fail('InvalidStateError', `${what} after destroy()`);
    }

    set duration(_seconds: number) {
      if (this.lowLatency()) fail('NotAllowedInCurrentModeError', 'duration cannot be set in low latency');
    }
    get duration(): number {
      return NaN;
    }

    addVideoTrack(config: unknown): FakeTrack {
      return this.addTrack('video', config);
    }
    addAudioTrack(config: unknown): FakeTrack {
      return this.addTrack('audio', config);
    }
    addVideoTrackAsync(config: unknown): Promise<FakeTrack> {
      return this.addTrackAsync('video', config);
    }
    addAudioTrackAsync(config: unknown): Promise<FakeTrack> {
      return this.addTrackAsync('audio', config);
    }

    private addTrackAsync(type: 'video' | 'audio', config: unknown): Promise<FakeTrack> {
      try {
        const mime = (config as { mimeType?: unknown }).mimeType;
        if (typeof mime === 'string' && (options.unsupportedMimeTypes ?? []).includes(mime)) {
          const e = new Error(`no hardware decoder for ${mime}`);
          e.name = 'NotSupportedError';
          return Promise.reject(e);
        }
        return Promise.resolve(this.addTrack(type, config));
      } catch (e) {
        return Promise.reject(e);
      }
    }

    private addTrack(type: 'video' | 'audio', raw: unknown): FakeTrack {
      this.alive('addTrack');
      if (this.readyState !== 'closed') fail('SourceMustBeClosedError', `addTrack in ${this.readyState}`);
      if (this.tracks.some((t) => t.type === type)) fail('TrackLimitReachedError', `Exceeded maximum number of supported ${type} tracks (1)`);
      const config = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      if (!(config['extradata'] instanceof Uint8Array)) fail('ConfigInvalidCodecError', 'extradata must be a Uint8Array');
      let channels = 0;
      if (type === 'video') {
        if (typeof config['mimeType'] !== 'string' || !VIDEO_MIME.test(config['mimeType'])) fail('ConfigInvalidMimeTypeError', `video mime ${String(config['mimeType'])}`);
        if (!isPositiveInteger(config['width']) || !isPositiveInteger(config['height'])) fail('ConfigInvalidResolutionError', 'width and height are required');
        if (!isPositiveInteger(config['framerateNum']) || !isPositiveInteger(config['framerateDen'])) fail('ConfigInvalidFramerateError', 'No framerate in video config');
      } else {
        if (typeof config['mimeType'] !== 'string' || !AUDIO_MIME.test(config['mimeType'])) fail('ConfigInvalidMimeTypeError', `audio mime ${String(config['mimeType'])}`);
        if (typeof config['sampleFormat'] !== 'string' || !SAMPLE_FORMATS.includes(config['sampleFormat'])) fail('ConfigInvalidSampleFormatError', `sample format ${String(config['sampleFormat'])}`);
        const layout = config['channelLayout'];
        if (typeof layout !== 'string' || CHANNEL_LAYOUTS[layout] === undefined) fail('ConfigInvalidChannelLayoutError', `channel layout ${String(layout)}`);
        channels = CHANNEL_LAYOUTS[layout] ?? 0;
        if (!isPositiveInteger(config['samplesPerSecond'])) fail('ConfigInvalidSampleFormatError', 'samplesPerSecond is required');
      }
      const record: TrackRecord = {
        type, trackId: nextTrackId++, isOpen: false, sessionId: FIRST_SESSION_ID, needsKeyFrame: true,
        lastPts: -Infinity, lastDts: -Infinity, channels, config, target: new EventTarget(),
      };
      const track = new FakeTrack(record);
      record.target = track;
      this.tracks.push(record);
      tracksById.set(record.trackId, record);
      return track;
    }

    open(): Promise<void> {
      this.alive('open');
      if (this.readyState !== 'closed') return rejected('InvalidStateError', `open in ${this.readyState}`);
      if (this.tracks.length === 0) return rejected('InvalidStateError', 'open needs at least one track');
      this.readyState = 'open-pending';
      task(() => fire(this, 'sourceopenpending'));
      task(() => this.maybeOpen());
      return new Promise((resolve) => this.openResolvers.push(resolve));
    }

    /** The pipeline opens once the media element plays (tizen.md 1.10 steps 4-5). */
    maybeOpen(): void {
      if (this.readyState !== 'open-pending' || video.playCalls === 0) return;
      this.readyState = 'open';
      for (const t of this.tracks) this.openTrack(t);
      fire(this, 'sourceopen');
      this.openResolvers.splice(0).forEach((r) => r());
    }

    openTrack(t: TrackRecord): void {
      t.isOpen = true;
      t.needsKeyFrame = true;
      fire(t.target, 'trackopen');
    }

    closeTrack(t: TrackRecord, reason: string): void {
      if (!t.isOpen) return;
      t.isOpen = false;
      fire(t.target, 'trackclosed', { reason });
      t.sessionId++;
      fire(t.target, 'sessionidchanged', { sessionId: t.sessionId });
    }

    close(): Promise<void> {
      this.alive('close');
      if (this.readyState === 'detached') return rejected('InvalidStateError', 'close while detached');
      this.readyState = 'closed';
      task(() => {
        for (const t of this.tracks) this.closeTrack(t, 'sourceclosed');
        fire(this, 'sourceclosed');
      });
      return Promise.resolve();
    }

    destroy(): void {
      if (this.readyState !== 'detached') violations.push(`destroy() while ${this.readyState}`);
      this.destroyed = true;
      for (const t of this.tracks) tracksById.delete(t.trackId);
    }

    attach(): void {
      this.alive('attach');
      this.readyState = 'closed';
      task(() => fire(this, 'sourceclosed'));
    }

    detach(): void {
      this.readyState = 'detached';
      task(() => {
        for (const t of this.tracks) this.closeTrack(t, 'sourcedetached');
        fire(this, 'sourcedetached');
      });
    }
  }

  function rejected(name: string, message: string): Promise<never> {
    try {
      return fail(name, message);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  function append(context: 'main' | 'worker', blocking: boolean, trackId: unknown, packet: unknown, data: unknown): void {
    if (blocking && context === 'main') fail('Error', 'Calling blocking append packet on main js thread is not allowed');
    const t = typeof trackId === 'number' ? tracksById.get(trackId) : undefined;
    if (t === undefined) fail('InvalidAccessError', `no track with id ${String(trackId)}`);
    const p = (typeof packet === 'object' && packet !== null ? packet : {}) as Record<string, unknown>;
    if (!(data instanceof Uint8Array) || data.byteLength === 0) fail('TypeError', 'data must be a non-empty Uint8Array');
    if (!t.isOpen) fail('AppendInvalidTrackStateError', `append to closed ${t.type} track ${t.trackId}`);
    if (p['sessionId'] !== undefined && p['sessionId'] !== t.sessionId) fail('AppendIgnoredError', `session ${String(p['sessionId'])} is not the current ${t.sessionId}`);
    if (typeof p['pts'] !== 'number' || !(p['pts'] >= 0)) fail('AppendInvalidPtsError', `pts ${String(p['pts'])}`);
    if (typeof p['dts'] !== 'number' || !(p['dts'] >= 0)) fail('AppendInvalidDtsError', `dts ${String(p['dts'])}`);
    if (typeof p['duration'] !== 'number' || !(p['duration'] > 0)) fail('AppendNoDurationError', `duration ${String(p['duration'])}`);
    if (typeof p['isKeyFrame'] !== 'boolean' || p['isEncrypted'] !== false) fail('TypeError', 'isKeyFrame and isEncrypted must be booleans; clear packets only');
    if ((p['width'] === undefined) !== (p['height'] === undefined)) fail('AppendInvalidVideoParametersError', 'width and height come together');
    if ((p['framerateNum'] === undefined) !== (p['framerateDen'] === undefined)) fail('AppendInvalidVideoParametersError', 'framerateNum and framerateDen come together');
    if (t.needsKeyFrame && !p['isKeyFrame']) fail('AppendExpectsKeyframeError', `first ${t.type} packet after open is not a key frame`);
    if (p['pts'] <= t.lastPts) fail('AppendInvalidPtsError', `${t.type} pts ${p['pts']} after ${t.lastPts}: not increasing`);
    if (p['dts'] <= t.lastDts) fail('AppendInvalidDtsError', `${t.type} dts ${p['dts']} after ${t.lastDts}: not increasing`);
    if (t.type === 'audio' && data.byteLength % (2 * t.channels) !== 0) fail('TypeError', `PCM of ${data.byteLength} bytes is not whole ${t.channels}-channel s16 frames`);
    t.needsKeyFrame = false;
    t.lastPts = p['pts'];
    t.lastDts = p['dts'];
    if (t.type === 'video') video.currentTime = p['pts'];
    appends.push({
      track: t.type, context, trackId: t.trackId, sessionId: p['sessionId'] as number | undefined,
      pts: p['pts'], dts: p['dts'], duration: p['duration'], isKeyFrame: p['isKeyFrame'],
      width: p['width'] as number | undefined, height: p['height'] as number | undefined, bytes: data.slice(),
    });
  }

  function statics(context: 'main' | 'worker'): object {
    return {
      appendPacketAsync: (id: unknown, packet: unknown, data: unknown) => append(context, false, id, packet, data),
      appendPacketSync: (id: unknown, packet: unknown, data: unknown) => append(context, true, id, packet, data),
    };
  }

  class MediaElement extends EventTarget implements FakeMediaElement {
    currentTime = 0;
    playCalls = 0;
    private url = '';
    get src(): string {
      return this.url;
    }
    set src(value: string) {
      const previous = urls.get(this.url);
      this.url = value;
      if (previous !== undefined && previous.readyState !== 'detached') previous.detach();
      if (value === '') return;
      const source = urls.get(value);
      if (source === undefined) {
        violations.push(`media element src set to ${value}, which names no source`);
        return;
      }
      source.attach();
    }
    play(): Promise<void> {
      this.playCalls++;
      const source = urls.get(this.url);
      if (source !== undefined) task(() => source.maybeOpen());
      return Promise.resolve();
    }
  }
  const video = new MediaElement();

  function constructorFor(context: 'main' | 'worker'): unknown {
    return function ElementaryMediaStreamSource(...args: unknown[]): FakeSource {
      const source = new FakeSource(context, ...args);
      current = source;
      return source;
    };
  }

  function globalFor(context: 'main' | 'worker'): object {
    const g: Record<string, unknown> = {
      ElementaryMediaStreamSource: constructorFor(context),
      ElementaryMediaTrack: FakeTrack,
      SideThreadElementaryMediaTrack: statics(context),
    };
    if (!options.legacyFirmware) {
      const api = { name: 'ElementaryMediaStreamSource', version: '3.0', apiLevels: apiLevelsFor(features), features: [...features] };
      g['availableApis'] = [api, { name: 'TizenSockets', version: '1.0', apiLevels: [1], features: [] }];
      g['isApiSupported'] = (name: string, level: number) => name === api.name && api.apiLevels.includes(level);
      g['isApiFeatureSupported'] = (name: string, feature: string) => name === api.name && api.features.includes(feature);
    }
    return g;
  }

  return {
    mainGlobal: globalFor('main'),
    workerGlobal: globalFor('worker'),
    video,
    violations,
    appends,
    revokedUrls,
    createObjectUrl(source) {
      if (!(source instanceof FakeSource)) throw new Error('createObjectUrl: not a fake source');
      const url = `blob:fake-emss/${nextUrl++}`;
      urls.set(url, source);
      return url;
    },
    revokeObjectUrl(url) {
      revokedUrls.push(url);
    },
    source() {
      const s = current;
      if (s === null) return null;
      return {
        readyState: s.readyState,
        latencyMode: s.latencyMode,
        legacyMode: s.legacyMode,
        destroyed: s.destroyed,
        tracks: s.tracks.map((t) => ({ type: t.type, trackId: t.trackId, isOpen: t.isOpen, sessionId: t.sessionId, config: t.config })),
      };
    },
    suspend() {
      const s = current;
      if (s === null || s.readyState !== 'open') throw new Error('suspend: no open source');
      s.readyState = 'open-pending';
      for (const t of s.tracks) s.closeTrack(t, 'sourcesuspended');
      fire(s, 'sourceopenpending');
    },
    resume() {
      const s = current;
      if (s === null || s.readyState !== 'open-pending') throw new Error('resume: nothing suspended');
      s.readyState = 'open';
      for (const t of s.tracks) s.openTrack(t);
      fire(s, 'sourceopen');
    },
    failPipeline() {
      const s = current;
      if (s === null) throw new Error('failPipeline: no source');
      s.readyState = 'closed';
      for (const t of s.tracks) s.closeTrack(t, 'sourceerror');
      fire(s, 'error', { error: 'pipeline-error', message: 'decoder failed' });
      fire(s, 'sourceclosed');
      fire(video, 'error');
    },
    settle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => settledWaiters.push(resolve));
    },
  };
}

function apiLevelsFor(features: string[]): number[] {
  const levels = [0, 1];
  if (features.includes('video-texture')) levels.push(2);
  if (features.includes('software-decoding')) levels.push(3);
  if (features.includes('ultra-low-latency')) levels.push(5);
  return levels;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
