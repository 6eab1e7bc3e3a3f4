// The user's stream settings: their values, what this device offers and defaults to, how a
// stored copy is read back, and the StreamSettings a stream start asks the host for.
//
// Theory of operation. A DeviceProfile says what the device can play (a browser decodes
// H.264 only; a TV's panel bounds the resolution, and TVs show about 60 distinct frames a
// second whatever is sent, platform/tizen.md 1.13 and 7). Every UserSettings value the rest
// of the app sees has been fitted to the profile. The stored copy is JSON under a version
// number; it is parsed field by field, so one bad field costs that field only: it falls back
// to its default and is reported, never thrown. A field missing from the copy (saved by an
// older version that did not have it) takes its default silently.

import { err, ok, type Result } from '../../lib/result.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type AudioChannelCount, type StreamSettings } from '../../session/stream-config.ts';

export type Resolution = '720p' | '1080p' | '1440p' | '2160p';
export type FrameRate = 30 | 60 | 120;
/** `auto` offers the host every codec the device plays and lets it choose. */
export type CodecChoice = 'auto' | 'h265' | 'h264';
/**
 * Where the TV plays sound: the EMSS player's PCM track, or Web Audio through the adaptive
 * jitter buffer, for sets whose PCM track crackles (platform/tizen.md 1.13).
 */
export type TvAudioPath = 'emss-pcm' | 'web-audio';
/** `recommended` follows resolution and frame rate; `custom` is the user's own number. */
export type Bitrate = { kind: 'recommended' } | { kind: 'custom'; mbps: number };

export interface UserSettings {
  resolution: Resolution;
  fps: FrameRate;
  bitrate: Bitrate;
  codec: CodecChoice;
  audioChannels: AudioChannelCount;
  /** Read on a TV only; kept in a browser so that the stored copy stays whole. */
  tvAudioPath: TvAudioPath;
}

export type SettingField = keyof UserSettings;

/** What this device offers, best first where order matters to the screen. */
export interface DeviceProfile {
  target: 'browser' | 'tv';
  resolutions: readonly Resolution[];
  frameRates: readonly FrameRate[];
  codecs: readonly CodecChoice[];
  defaultResolution: Resolution;
  defaultCodec: CodecChoice;
}

/** What the TV told about itself (tizen-capabilities.ts); null where it would not say. */
export interface TvFacts {
  uhdPanel: boolean | null;
  platformMajor: number | null;
}

export const RESOLUTIONS: readonly Resolution[] = ['720p', '1080p', '1440p', '2160p'];
export const FRAME_RATES: readonly FrameRate[] = [30, 60, 120];
export const CODECS: readonly CodecChoice[] = ['auto', 'h265', 'h264'];
export const AUDIO_CHANNELS: readonly AudioChannelCount[] = [2, 6, 8];
export const TV_AUDIO_PATHS: readonly TvAudioPath[] = ['emss-pcm', 'web-audio'];

export const RESOLUTION_SIZE: Readonly<Record<Resolution, { width: number; height: number }>> = {
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
  '1440p': { width: 2560, height: 1440 },
  '2160p': { width: 3840, height: 2160 },
};

/** The bitrate stepper's stops: fine steps where a step is a large share, coarse above. */
export const BITRATE_STEPS_MBPS: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 50, 60, 70, 80, 90, 100, 120, 150];
export const MIN_BITRATE_MBPS = 1;
/** The stepper's top: the recommendation for 4K at 120 fps (120 Mbit/s) and a margin over it. */
export const MAX_BITRATE_MBPS = 150;

/** The version written with every stored copy; a copy without one predates versioning. */
export const SETTINGS_FORMAT_VERSION = 1;

export function browserProfile(): DeviceProfile {
  // WebCodecs in the page is configured for H.264 only (src/main.ts): every Chromium decodes it.
  return { target: 'browser', resolutions: RESOLUTIONS, frameRates: FRAME_RATES, codecs: ['h264'], defaultResolution: '1080p', defaultCodec: 'h264' };
}

export function tvProfile(facts: TvFacts): DeviceProfile {
  // An unknown panel keeps every choice: the user knows the set better than a failed query.
  const resolutions = facts.uhdPanel === false ? RESOLUTIONS.filter((r) => r !== '1440p' && r !== '2160p') : RESOLUTIONS;
  // Tizen 9 sets show artefacts above 1080p (platform/tizen.md 1.13), so 4K is not their default.
  const artefactsAbove1080p = facts.platformMajor !== null && facts.platformMajor >= kArtefactsAbove1080pFromMajor;
  const defaultResolution: Resolution = facts.uhdPanel === true && !artefactsAbove1080p ? '2160p' : '1080p';
  // Above 60 fps TVs show about 60 distinct frames, and a Q70A dropped the connection (tizen.md 7).
  const frameRates = FRAME_RATES.filter((fps) => fps <= kTvMaxFps);
  return { target: 'tv', resolutions, frameRates, codecs: CODECS, defaultResolution, defaultCodec: 'auto' };
}

export function defaultSettings(profile: DeviceProfile): UserSettings {
  return {
    resolution: profile.defaultResolution,
    fps: 60,
    bitrate: { kind: 'recommended' },
    codec: profile.defaultCodec,
    audioChannels: 2,
    tvAudioPath: 'emss-pcm',
  };
}

/**
 * A bitrate that looks clean at the size and rate: 10 Mbit/s at 720p60, doubling with each
 * step up in pixels, half at 30 fps and one and a half times at 120 fps, on a stepper stop.
 */
export function recommendedBitrateMbps(resolution: Resolution, fps: FrameRate): number {
  const at60 = kRecommendedAt60[resolution];
  const scaled = fps === 30 ? at60 / 2 : fps === 120 ? at60 * 1.5 : at60;
  return nearestStep(Math.min(scaled, MAX_BITRATE_MBPS));
}

export function bitrateMbps(settings: UserSettings): number {
  return settings.bitrate.kind === 'custom' ? settings.bitrate.mbps : recommendedBitrateMbps(settings.resolution, settings.fps);
}

/** The next stepper stop above (`+1`) or below (`-1`) `mbps`; the ends stay where they are. */
export function stepBitrateMbps(mbps: number, delta: -1 | 1): number {
  if (delta > 0) return BITRATE_STEPS_MBPS.find((stop) => stop > mbps) ?? MAX_BITRATE_MBPS;
  let below = MIN_BITRATE_MBPS;
  for (const stop of BITRATE_STEPS_MBPS) if (stop < mbps) below = stop;
  return below;
}

/** A bitrate the user picked: back to `recommended` when it equals the recommendation. */
export function chooseBitrate(settings: UserSettings, mbps: number): Bitrate {
  const clamped = clampBitrateMbps(mbps);
  return clamped === recommendedBitrateMbps(settings.resolution, settings.fps) ? { kind: 'recommended' } : { kind: 'custom', mbps: clamped };
}

export function clampBitrateMbps(mbps: number): number {
  return Math.min(MAX_BITRATE_MBPS, Math.max(MIN_BITRATE_MBPS, Math.round(mbps)));
}

/** `settings` with every choice the device does not offer replaced by the nearest it does. */
export function fitToProfile(settings: UserSettings, profile: DeviceProfile): UserSettings {
  return {
    ...settings,
    resolution: nearestAtOrBelow(RESOLUTIONS, profile.resolutions, settings.resolution, profile.defaultResolution),
    fps: nearestAtOrBelow(FRAME_RATES, profile.frameRates, settings.fps, 60),
    codec: profile.codecs.includes(settings.codec) ? settings.codec : profile.defaultCodec,
  };
}

/** The stream a start asks the host for. */
export function toStreamSettings(settings: UserSettings, profile: DeviceProfile): StreamSettings {
  const fitted = fitToProfile(settings, profile);
  const size = RESOLUTION_SIZE[fitted.resolution];
  return {
    ...DEFAULT_STREAM_SETTINGS,
    width: size.width,
    height: size.height,
    fps: fitted.fps,
    bitrateKbps: bitrateMbps(fitted) * 1000,
    videoFormats: videoFormatsFor(fitted.codec),
    audioChannels: fitted.audioChannels,
  };
}

function videoFormatsFor(codec: CodecChoice): number {
  switch (codec) {
    case 'auto':
      return VideoFormat.H264 | VideoFormat.H265;
    case 'h265':
      return VideoFormat.H265;
    case 'h264':
      return VideoFormat.H264;
  }
}

// ---- the stored copy ----

/** Why a stored copy was not taken as it was. */
export type SettingsProblem =
  /** Not JSON, or not an object: every field fell back to its default. */
  | { kind: 'unreadable'; detail: string }
  /** These fields held values we cannot read, and fell back to their defaults. */
  | { kind: 'invalid-fields'; fields: SettingField[] }
  /** The bitrate was outside what a host accepts and was moved to the nearest end. */
  | { kind: 'bitrate-clamped'; storedMbps: number; mbps: number };

export interface LoadedSettings {
  settings: UserSettings;
  problems: SettingsProblem[];
}

export function serializeSettings(settings: UserSettings): string {
  const bitrateMbps = settings.bitrate.kind === 'custom' ? settings.bitrate.mbps : null;
  return JSON.stringify({
    version: SETTINGS_FORMAT_VERSION,
    resolution: settings.resolution,
    fps: settings.fps,
    bitrateMbps,
    codec: settings.codec,
    audioChannels: settings.audioChannels,
    tvAudioPath: settings.tvAudioPath,
  });
}

/** Reads a stored copy (null: none yet), fitted to `profile`; never fails, reports instead. */
export function parseStoredSettings(text: string | null, profile: DeviceProfile): LoadedSettings {
  const defaults = defaultSettings(profile);
  if (text === null) return { settings: defaults, problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { settings: defaults, problems: [{ kind: 'unreadable', detail: `not JSON (${e instanceof Error ? e.message : String(e)})` }] };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { settings: defaults, problems: [{ kind: 'unreadable', detail: 'not a JSON object' }] };
  const record = json as Record<string, unknown>;
  const invalid: SettingField[] = [];
  const problems: SettingsProblem[] = [];
  const field = <T>(name: SettingField, key: string, parse: (value: unknown) => Result<T, string>, fallback: T): T => {
    const value = record[key];
    if (value === undefined) return fallback;
    const parsed = parse(value);
    if (parsed.ok) return parsed.value;
    invalid.push(name);
    return fallback;
  };

  const resolution = field('resolution', 'resolution', oneOf(RESOLUTIONS), defaults.resolution);
  const fps = field('fps', 'fps', oneOf(FRAME_RATES), defaults.fps);
  const storedMbps = field('bitrate', 'bitrateMbps', parseBitrate, null);
  let bitrate: Bitrate = { kind: 'recommended' };
  if (storedMbps !== null) {
    const mbps = clampBitrateMbps(storedMbps);
    if (mbps !== storedMbps) problems.push({ kind: 'bitrate-clamped', storedMbps, mbps });
    bitrate = { kind: 'custom', mbps };
  }
  const settings: UserSettings = {
    resolution,
    fps,
    bitrate,
    codec: field('codec', 'codec', oneOf(CODECS), defaults.codec),
    audioChannels: field('audioChannels', 'audioChannels', oneOf(AUDIO_CHANNELS), defaults.audioChannels),
    tvAudioPath: field('tvAudioPath', 'tvAudioPath', oneOf(TV_AUDIO_PATHS), defaults.tvAudioPath),
  };
  if (invalid.length > 0) problems.unshift({ kind: 'invalid-fields', fields: invalid });
  const fitted = fitToProfile(settings, profile);
  return { settings: { ...fitted, bitrate: fitted.bitrate.kind === 'custom' ? chooseBitrate(fitted, fitted.bitrate.mbps) : fitted.bitrate }, problems };
}

function oneOf<T extends string | number>(allowed: readonly T[]): (value: unknown) => Result<T, string> {
  return (value) => {
    const found = allowed.find((candidate) => candidate === value);
    return found === undefined ? err(`not one of ${allowed.join(', ')}`) : ok(found);
  };
}

/** Null (follow the recommendation) or a finite number of Mbit/s, clamped by the caller. */
function parseBitrate(value: unknown): Result<number | null, string> {
  if (value === null) return ok(null);
  if (typeof value !== 'number' || !Number.isFinite(value)) return err('not a number');
  return ok(value);
}

function nearestStep(mbps: number): number {
  let best = BITRATE_STEPS_MBPS[0] ?? MIN_BITRATE_MBPS;
  for (const stop of BITRATE_STEPS_MBPS) if (Math.abs(stop - mbps) < Math.abs(best - mbps)) best = stop;
  return best;
}

/** `wanted` if offered, else the largest offered value below it in `order`, else `fallback`. */
function nearestAtOrBelow<T>(order: readonly T[], offered: readonly T[], wanted: T, fallback: T): T {
  if (offered.includes(wanted)) return wanted;
  const index = order.indexOf(wanted);
  for (let i = index - 1; i >= 0; i--) {
    const candidate = order[i];
    if (candidate !== undefined && offered.includes(candidate)) return candidate;
  }
  return offered.includes(fallback) ? fallback : (offered[0] ?? fallback);
}

const kRecommendedAt60: Readonly<Record<Resolution, number>> = { '720p': 10, '1080p': 20, '1440p': 40, '2160p': 80 };
/** platform/tizen.md 7: ~60 unique fps at 90/120 (brightcraft #112), a drop above 60 on a Q70A (#78). */
const kTvMaxFps = 60;
/** platform/tizen.md 1.13: artefacts above 1080p on Tizen 9 (brightcraft #80). */
const kArtefactsAbove1080pFromMajor = 9;
