// The JavaScript surface of Samsung's ElementaryMediaStreamSource as our sinks use it
// (shared/platform/tizen.md section 1; Samsung documents only the C++ wrapper, so these
// shapes come from how Samsung's Emscripten glue calls the objects). Everything reports
// failure by throwing an exception whose `.name` (or, on legacy firmware, `.message`) says why.

export type EmssLatencyMode = 'latency-mode-normal' | 'latency-mode-low' | 'latency-mode-ultra-low';
export type EmssRenderingMode = 'rendering-mode-media-element' | 'rendering-mode-video-texture';
/** The single-argument constructor of legacy firmware (tizen.md 1.3). */
export type EmssLegacyMode = 'normal' | 'low-latency' | 'video-texture';
export type EmssReadyState = 'detached' | 'closed' | 'open-pending' | 'open' | 'ended';

export interface EmssVideoTrackConfig {
  mimeType: string;
  extradata: Uint8Array;
  width: number;
  height: number;
  framerateNum: number;
  framerateDen: number;
  decodingMode?: 'hardware' | 'hardware-with-fallback' | 'software';
}

export interface EmssAudioTrackConfig {
  mimeType: string;
  extradata: Uint8Array;
  sampleFormat: string;
  channelLayout: string;
  samplesPerSecond: number;
  decodingMode?: 'hardware' | 'hardware-with-fallback' | 'software';
}

/** The second argument of an append (tizen.md 1.8); times in seconds. */
export interface EmssPacket {
  pts: number;
  dts: number;
  duration: number;
  isKeyFrame: boolean;
  isEncrypted: boolean;
  sessionId?: number;
  width?: number;
  height?: number;
  framerateNum?: number;
  framerateDen?: number;
}

export interface EmssTrack extends EventTarget {
  readonly trackId: number;
  readonly isOpen: boolean;
  /** Absent on legacy (0.1) firmware. */
  readonly sessionId?: number;
}

export interface EmssSource extends EventTarget {
  readonly readyState: EmssReadyState;
  addVideoTrackAsync?(config: EmssVideoTrackConfig): Promise<EmssTrack>;
  addAudioTrackAsync?(config: EmssAudioTrackConfig): Promise<EmssTrack>;
  addVideoTrack(config: EmssVideoTrackConfig): EmssTrack;
  addAudioTrack(config: EmssAudioTrackConfig): EmssTrack;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Newer firmware only. */
  destroy?(): void;
}

export interface EmssSourceConstructor {
  new (latencyMode: EmssLatencyMode, renderingMode: EmssRenderingMode): EmssSource;
  new (legacyMode: EmssLegacyMode): EmssSource;
}

/** The static append functions, keyed by track id; the only EMSS part usable in a worker. */
export interface EmssSideThreadTrack {
  appendPacketAsync(trackId: number, packet: EmssPacket, data: Uint8Array): unknown;
  /** Worker only: throws on the main thread. */
  appendPacketSync(trackId: number, packet: EmssPacket, data: Uint8Array): unknown;
}

/** The media element the source plays through: only what the owner uses. */
export interface EmssMediaElement extends EventTarget {
  src: string;
  play(): Promise<void>;
}

/** The raw main-thread global's EMSS part, as parsed by `parseEmssGlobal`. */
export interface EmssGlobal {
  ElementaryMediaStreamSource: EmssSourceConstructor;
  SideThreadElementaryMediaTrack: EmssSideThreadTrack;
}

/** The `.name` of an EMSS exception, or the legacy sentence in its message. */
export function emssErrorName(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string' && name !== 'Error') return name;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string') return legacyName(message);
  }
  return String(e);
}

/** Legacy firmware throws plain Errors with sentences (tizen.md 1.8); map the ones we act on. */
function legacyName(message: string): string {
  const lower = message.toLowerCase();
  if (lower.includes('keyframe')) return 'AppendExpectsKeyframeError';
  if (lower.includes('session')) return 'AppendIgnoredError';
  if (lower.includes('not open') || lower.includes('track state')) return 'AppendInvalidTrackStateError';
  return message;
}

export function parseSideThreadTrack(global: unknown): EmssSideThreadTrack | null {
  const statics = property(global, 'SideThreadElementaryMediaTrack');
  if (statics === null || typeof property(statics, 'appendPacketAsync') !== 'function') return null;
  return statics as EmssSideThreadTrack;
}

export function parseEmssGlobal(global: unknown): EmssGlobal | null {
  const ctor = property(global, 'ElementaryMediaStreamSource');
  const sideThread = parseSideThreadTrack(global);
  if (typeof ctor !== 'function' || sideThread === null) return null;
  return { ElementaryMediaStreamSource: ctor as EmssSourceConstructor, SideThreadElementaryMediaTrack: sideThread };
}

function property(value: unknown, name: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return null;
  const v: unknown = Reflect.get(value, name);
  return v === undefined ? null : v;
}
