// The host's DESCRIBE reply body (control-plane.md §6.3 step 2, §6.6): not a real SDP on
// Sunshine but a list of LF-terminated lines that say what the host can do. Clients search it
// for substrings, so this reader does too, and ignores every line it does not know.

import { err, ok, type Result } from '../lib/result.ts';
import type { AudioChannelCount } from './stream-config.ts';

export interface DescribeOffer {
  /** a=x-ss-general.featureFlags (0 when absent, as from GFE). */
  hostFeatureFlags: number;
  /** a=x-ss-general.encryptionSupported: SS_ENC bits the host can do. */
  encryptionSupported: number;
  /** a=x-ss-general.encryptionRequested: SS_ENC bits the host wants. */
  encryptionRequested: number;
  /** a=x-nv-video[0].refPicInvalidation:1, the host's encoder can invalidate reference frames. */
  referenceFrameInvalidation: boolean;
  /** `sprop-parameter-sets=AAAAAU` appears: the host can send HEVC. */
  hevc: boolean;
  /** `AV1/90000` appears: the host can send AV1. */
  av1: boolean;
  /** The digits of every `a=fmtp:97 surround-params=` line, in order. */
  surroundParams: readonly string[];
}

export type DescribeError = { kind: 'describe'; detail: string };

export function parseDescribeBody(body: Uint8Array): Result<DescribeOffer, DescribeError> {
  let text = '';
  for (const b of body) text += String.fromCharCode(b);
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const flag = (name: string): Result<number, DescribeError> => {
    const prefix = `a=x-ss-general.${name}:`;
    const line = lines.find((l) => l.startsWith(prefix));
    if (line === undefined) return ok(0);
    const value = parseFlagValue(line.slice(prefix.length).trim());
    return value === null ? err({ kind: 'describe', detail: `bad ${name} value: ${JSON.stringify(line.slice(0, 80))}` }) : ok(value);
  };
  const features = flag('featureFlags');
  if (!features.ok) return features;
  const supported = flag('encryptionSupported');
  if (!supported.ok) return supported;
  const requested = flag('encryptionRequested');
  if (!requested.ok) return requested;
  const surroundParams: string[] = [];
  for (const line of lines) {
    if (line.startsWith(SURROUND_PREFIX)) surroundParams.push(line.slice(SURROUND_PREFIX.length).trim());
  }
  return ok({
    hostFeatureFlags: features.value,
    encryptionSupported: supported.value,
    encryptionRequested: requested.value,
    referenceFrameInvalidation: text.includes(RFI_MARKER),
    hevc: text.includes(HEVC_MARKER),
    av1: text.includes(AV1_MARKER),
    surroundParams,
  });
}

export interface OpusStreamLayout {
  streams: number;
  coupledStreams: number;
  mapping: number[];
}

export type HostFamily = 'sunshine' | 'gfe';

/**
 * The Opus layout for `channels` (§6.6): stereo is fixed; surround comes from the first
 * surround-params line for that channel count (normal quality) or the next one after it
 * (high quality). Null when the host offers no such line (and no fallback exists).
 */
export function opusLayoutFor(offer: DescribeOffer, channels: AudioChannelCount, highQuality: boolean, family: HostFamily): Result<OpusStreamLayout, DescribeError> {
  if (channels === 2) return ok({ streams: 1, coupledStreams: 1, mapping: [0, 1] });
  const matching = offer.surroundParams.filter((p) => p.startsWith(String(channels)));
  const line = highQuality ? matching[1] : matching[0];
  if (line === undefined) {
    if (channels === 6 && !highQuality) return ok({ ...FALLBACK_5_1, mapping: [...FALLBACK_5_1.mapping] });
    return err({ kind: 'describe', detail: `the host offers no ${highQuality ? 'high-quality ' : ''}layout for ${channels} channels` });
  }
  const layout = parseSurroundParams(line, channels);
  if (!layout.ok || highQuality) return layout;
  return ok({ ...layout.value, mapping: normalQualityFixup(layout.value.mapping, family) });
}

/** True when the host offers a second (high-quality) line for this surround channel count. */
export function hasHighQualityLayout(offer: DescribeOffer, channels: AudioChannelCount): boolean {
  return channels > 2 && offer.surroundParams.filter((p) => p.startsWith(String(channels))).length >= 2;
}

/** `<channels><streams><coupled><one mapping digit per channel>`, all single digits. */
export function parseSurroundParams(digits: string, channels: AudioChannelCount): Result<OpusStreamLayout, DescribeError> {
  const bad = (why: string): { ok: false; error: DescribeError } => err({ kind: 'describe', detail: `surround-params ${JSON.stringify(digits.slice(0, 20))}: ${why}` });
  if (!/^\d+$/.test(digits) || digits.length !== channels + 3) return bad(`expected ${channels + 3} digits`);
  const values = [...digits].map(Number);
  const [count, streams, coupled] = values;
  if (count !== channels) return bad(`it is for ${count} channels`);
  if (streams === undefined || coupled === undefined || streams < 1 || coupled > streams) return bad('impossible stream counts');
  const mapping = values.slice(3);
  // Opus multistream: each mapping entry names one of streams + coupled decoded channels.
  if (mapping.some((m) => m >= streams + coupled)) return bad('a mapping entry names no decoded channel');
  return ok({ streams, coupledStreams: coupled, mapping });
}

/**
 * Normal-quality surround lines are not in decoder order (data-plane.md §3.2). GFE lists LFE
 * last, so its last entry moves to index 3. Sunshine rotated only indices 3-5 of its
 * identity mapping (to pre-compensate that GFE move for 5.1); undoing exactly that rotation
 * gives the identity for 5.1 and 7.1 alike, which real 7.1 streams confirmed, where the GFE
 * move would swap SR, LFE and SL.
 */
function normalQualityFixup(mapping: number[], family: HostFamily): number[] {
  const out = [...mapping];
  if (family === 'sunshine') {
    const [a, b, c] = [mapping[3], mapping[4], mapping[5]];
    if (a === undefined || b === undefined || c === undefined) return out;
    out.splice(3, 3, c, a, b);
    return out;
  }
  const last = out.pop();
  if (last !== undefined) out.splice(3, 0, last);
  return out;
}

/** Decimal or 0x hexadecimal, at most 32 bits. */
function parseFlagValue(text: string): number | null {
  const m = /^(?:0[xX]([0-9a-fA-F]{1,8})|(\d{1,10}))$/.exec(text);
  if (m === null) return null;
  const value = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
  return value <= 0xffffffff ? value : null;
}

const SURROUND_PREFIX = 'a=fmtp:97 surround-params=';
const RFI_MARKER = 'x-nv-video[0].refPicInvalidation:1';
const HEVC_MARKER = 'sprop-parameter-sets=AAAAAU';
const AV1_MARKER = 'AV1/90000';
// Sunshine's own 5.1 layout (4 streams, 2 coupled) in decoder order, for a host that lists none.
const FALLBACK_5_1: OpusStreamLayout = { streams: 4, coupledStreams: 2, mapping: [0, 1, 2, 3, 4, 5] };
