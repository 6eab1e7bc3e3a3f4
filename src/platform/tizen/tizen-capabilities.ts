// What this TV can do, read once at start: the platform version (tizen.systeminfo), a 4K
// panel (webapis.productinfo), HDR (webapis.avinfo) and the EMSS features (tizentvwasm,
// platform/tizen.md 1.2, 3). Every query is guarded: outside a TV, or without the
// productinfo privilege, an answer is null rather than an exception.
//
// Samsung's packages give the types only (`import type`): at run time they throw outside a
// TV, and on a TV the objects are the globals the runtime injects (webapis needs
// `$WEBAPIS/webapis/webapis.js` loaded by index.html).

import type { SystemInfo } from 'tizen-common-web';
import type { AvInfoManager, ProductInfoManager } from 'tizen-tv-webapis';
import type { VideoCodec } from '../../media/media-sink.ts';

export interface EmssFeatures {
  /** EMSS api levels (tizen.md 1.2 table): 0 legacy … 5 ultra-low latency. */
  apiLevels: number[];
  features: string[];
  /** The two-argument constructor (latency mode, rendering mode) exists. */
  constructWithModes: boolean;
  ultraLowLatency: boolean;
  /** Tracks carry session ids (not legacy 0.1 firmware). */
  sessionIds: boolean;
}

export interface TizenVersion {
  major: number;
  minor: number;
}

export interface TizenCapabilities {
  /** Null outside a TV. */
  platformVersion: TizenVersion | null;
  /** A 3840×2160 panel; null when unknown. */
  uhdPanel: boolean | null;
  hdr: boolean | null;
  /** Null when the WASM player extension is absent. */
  emss: EmssFeatures | null;
}

export interface TizenGlobals {
  tizen?: unknown;
  webapis?: unknown;
  tizentvwasm?: unknown;
}

/** Reads the capabilities from the given globals (defaults: the page's own). */
export function readTizenCapabilities(globals: TizenGlobals = pageGlobals()): TizenCapabilities {
  return {
    platformVersion: platformVersion(globals.tizen),
    uhdPanel: ask(() => productInfo(globals.webapis)?.isUdPanelSupported()),
    hdr: ask(() => avInfo(globals.webapis)?.isHdrTvSupport()),
    emss: detectEmssFeatures(globals.tizentvwasm),
  };
}

/** EMSS features per tizen.md 1.2, including the fork's assumptions for old firmware. */
export function detectEmssFeatures(tizentvwasm: unknown): EmssFeatures | null {
  if (!isObject(tizentvwasm) || typeof Reflect.get(tizentvwasm, 'ElementaryMediaStreamSource') !== 'function') return null;
  const record = emssRecord(Reflect.get(tizentvwasm, 'availableApis'));
  let apiLevels: number[];
  let features: string[];
  if (record !== null) {
    apiLevels = record.apiLevels;
    features = record.features ?? derivedFeatures(apiLevels);
  } else if (trackHasSessionId(tizentvwasm)) {
    apiLevels = [1];
    features = ['base-emss'];
  } else {
    apiLevels = [0];
    features = ['legacy-emss'];
  }
  return {
    apiLevels,
    features,
    constructWithModes: features.includes('construct-with-modes'),
    ultraLowLatency: features.includes('ultra-low-latency'),
    sessionIds: features.includes('base-emss'),
  };
}

/**
 * The latency mode to ask for: ultra-low where the firmware has it, except HEVC on Tizen 9,
 * which freezes on the first frame there (tizen.md 1.13, 7).
 */
export function recommendedLatency(caps: TizenCapabilities, codec: VideoCodec): 'ultra-low' | 'low' {
  if (caps.emss === null || !caps.emss.ultraLowLatency) return 'low';
  const version = caps.platformVersion;
  if (codec === 'h265' && version !== null && version.major >= kUllHevcBrokenFromMajor) return 'low';
  return 'ultra-low';
}

function platformVersion(tizen: unknown): TizenVersion | null {
  const systeminfo = isObject(tizen) ? (Reflect.get(tizen, 'systeminfo') as SystemInfo | undefined) : undefined;
  if (systeminfo === undefined || typeof systeminfo.getCapability !== 'function') return null;
  const value: unknown = ask(() => systeminfo.getCapability(kPlatformVersionKey) as unknown);
  if (typeof value !== 'string') return null;
  const match = /^(\d+)\.(\d+)/.exec(value);
  return match === null ? null : { major: Number(match[1]), minor: Number(match[2]) };
}

function productInfo(webapis: unknown): ProductInfoManager | null {
  const p = isObject(webapis) ? (Reflect.get(webapis, 'productinfo') as ProductInfoManager | undefined) : undefined;
  return p !== undefined && typeof p.isUdPanelSupported === 'function' ? p : null;
}

function avInfo(webapis: unknown): AvInfoManager | null {
  const a = isObject(webapis) ? (Reflect.get(webapis, 'avinfo') as AvInfoManager | undefined) : undefined;
  return a !== undefined && typeof a.isHdrTvSupport === 'function' ? a : null;
}

/** The value of a query that may throw (no privilege, not a TV), or null. */
function ask<T>(query: () => T | undefined): T | null {
  try {
    const value = query();
    return value === undefined ? null : value;
  } catch {
    return null;
  }
}

function emssRecord(apis: unknown): { apiLevels: number[]; features: string[] | null } | null {
  if (!Array.isArray(apis)) return null;
  for (const api of apis as unknown[]) {
    if (!isObject(api) || Reflect.get(api, 'name') !== 'ElementaryMediaStreamSource') continue;
    const levels: unknown = Reflect.get(api, 'apiLevels');
    const features: unknown = Reflect.get(api, 'features');
    return {
      apiLevels: Array.isArray(levels) ? levels.filter((l): l is number => typeof l === 'number') : [],
      features: Array.isArray(features) ? features.filter((f): f is string => typeof f === 'string') : null,
    };
  }
  return null;
}

/** Records without `features` imply them from levels, as Samsung's glue does (tizen.md 1.2 item 4). */
function derivedFeatures(levels: number[]): string[] {
  const out = [levels.includes(0) && !levels.includes(1) ? 'legacy-emss' : 'base-emss'];
  if (levels.includes(2)) out.push('video-texture');
  if (levels.includes(3)) out.push('software-decoding');
  return out;
}

function trackHasSessionId(tizentvwasm: object): boolean {
  const track: unknown = Reflect.get(tizentvwasm, 'ElementaryMediaTrack');
  const proto: unknown = typeof track === 'function' ? Reflect.get(track, 'prototype') : null;
  return isObject(proto) && 'sessionId' in proto;
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

function pageGlobals(): TizenGlobals {
  // `self` is the global object in windows and workers alike (globalThis is newer than Chromium 69).
  if (typeof self === 'undefined') return {};
  return { tizen: Reflect.get(self, 'tizen'), webapis: Reflect.get(self, 'webapis'), tizentvwasm: Reflect.get(self, 'tizentvwasm') };
}

const kPlatformVersionKey = 'http://tizen.org/feature/platform.version';
/** HEVC/AV1 in ultra-low latency freezes on Tizen 9 sets (tizen.md 7, OneLiberty #118, #139). */
const kUllHevcBrokenFromMajor = 9;
