// `/serverinfo` reply to ServerInfo (control-plane.md §3.3-3.5). Fields are read by tag name,
// never by position; Sunshine v0.23.1's extra SupportedDisplayMode list is simply not read.

import { err, ok, type Result } from '../lib/result.ts';
import { childText, type MalformedReply, type XmlReply } from './xml-reply.ts';

export interface ServerInfo {
  hostName: string;
  appVersion: string;
  gfeVersion: string;
  uniqueId: string;
  httpsPort: number;
  externalPort: number;
  maxLumaPixelsHevc: number;
  /** null when absent or all-zero (Sunshine's placeholder over HTTP). */
  mac: string | null;
  localIp: string;
  codecModeSupport: number;
  /** PairStatus==1 from HTTPS only. */
  paired: boolean;
  /** 0 unless state ends with _SERVER_BUSY. */
  currentGame: number;
  state: string;
  busy: boolean;
  /** state contains MJOLNIR. */
  isNvidia: boolean;
  /** Answered over HTTPS. */
  secure: boolean;
}

/**
 * Reads a successful reply (status already checked). `httpPort` is the port the request
 * went to, the fallback for ExternalPort.
 */
export function parseServerInfo(reply: XmlReply, request: { secure: boolean; httpPort: number }): Result<ServerInfo, MalformedReply> {
  const root = reply.root;
  const text = (tag: string): string => childText(root, tag) ?? '';
  const uniqueId = text('uniqueid');
  if (uniqueId === '') return err({ kind: 'malformed-reply', detail: 'serverinfo has no uniqueid' });
  const appVersion = text('appversion');
  // The pairing hash and every later protocol branch depend on the generation (§7).
  if (parseAppVersionMajor(appVersion) === null) return err({ kind: 'malformed-reply', detail: `serverinfo has no usable appversion: "${appVersion.slice(0, 40)}"` });
  const state = text('state');
  const busy = state.endsWith(BUSY_SUFFIX);
  return ok({
    hostName: text('hostname'),
    appVersion,
    gfeVersion: text('GfeVersion'),
    uniqueId,
    httpsPort: nonZeroPort(text('HttpsPort')) ?? DEFAULT_HTTPS_PORT,
    externalPort: nonZeroPort(text('ExternalPort')) ?? request.httpPort,
    maxLumaPixelsHevc: parseUnsigned32(text('MaxLumaPixelsHEVC')) ?? 0,
    mac: parseMac(text('mac')),
    localIp: text('LocalIP'),
    codecModeSupport: parseUnsigned32(text('ServerCodecModeSupport')) || SCM_H264,
    paired: request.secure && text('PairStatus') === '1',
    // GFE leaves the last game in currentgame after it ended (§3.5).
    currentGame: busy ? (parseUnsigned32(text('currentgame')) ?? 0) : 0,
    state,
    busy,
    isNvidia: state.includes('MJOLNIR'),
    secure: request.secure,
  });
}

/** The first field of `appversion` ("7.1.431.-1" -> 7), or null when it is not a number. */
export function parseAppVersionMajor(appVersion: string): number | null {
  const m = /^\s*(\d{1,9})(?:\.|$)/.exec(appVersion);
  return m === null ? null : Number(m[1]);
}

/** A decimal number in 0..2^32-1, or null. */
export function parseUnsigned32(text: string): number | null {
  if (!/^\d{1,10}$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffffffff ? n : null;
}

function nonZeroPort(text: string): number | null {
  const n = parseUnsigned32(text);
  return n !== null && n > 0 && n <= 65535 ? n : null;
}

function parseMac(text: string): string | null {
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text)) return null;
  if (/^(00:){5}00$/.test(text)) return null;
  return text.toLowerCase();
}

// §3.3: missing/0 HttpsPort means GFE's fixed port; missing SCM means H.264 only.
const DEFAULT_HTTPS_PORT = 47984;
const SCM_H264 = 0x1;
const BUSY_SUFFIX = '_SERVER_BUSY';
