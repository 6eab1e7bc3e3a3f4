// Starting, resuming and quitting an app on the host (control-plane.md §5.3-5.6): one HTTPS
// request each. A launch or resume carries a fresh remote-input key (rikey, rikeyid) that
// then protects RTSP, the control stream, audio, video and input of that one stream, and its
// reply says where and how to run RTSP (sessionUrl0).

import type { ServiceError } from '../app/services.ts';
import type { CancelSignal } from '../lib/cancel.ts';
import { bytesToHex } from '../lib/hex.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { requestChecked, type HostEndpoint, type NvHttpContext } from '../nvhttp/nvhttp-client.ts';
import { childText, type XmlReply } from '../nvhttp/xml-reply.ts';
import type { Entropy } from '../platform/platform.ts';
import type { AudioChannelCount } from './stream-config.ts';

/** The per-launch key material (§5.3). */
export interface LaunchKeys {
  /** `rikey`: AES-128 key of RTSP, control, audio, video and input encryption. */
  rikey: Uint8Array;
  /** `rikeyid`: signed 32-bit, the first four bytes of remoteInputIv read big-endian. */
  rikeyId: number;
  /** 16 bytes: rikeyId big-endian, then 12 zero bytes (the input and audio IV base). */
  remoteInputIv: Uint8Array;
}

export interface LaunchRequest {
  /** From the app list; ignored by Sunshine on /resume (§8.4). */
  appId: number;
  width: number;
  height: number;
  fps: number;
  /** `sops`: let the host change its display mode and game settings. */
  optimizeGameSettings: boolean;
  /** `localAudioPlayMode`: keep the sound playing on the PC too. */
  playAudioOnHost: boolean;
  audioChannels: AudioChannelCount;
  /** Bit i set = gamepad i is attached. */
  gamepadMask: number;
  /** Ask for an HDR (10-bit) stream. */
  hdr: boolean;
  /** `gcpersist`: keep the host's virtual gamepads across a disconnect. */
  persistGamepads: boolean;
}

/** Where and how to run RTSP next. */
export interface RtspEndpoint {
  /** sessionUrl0 as the host sent it, or null when it sent none (older hosts). */
  url: string | null;
  port: number;
  /** sessionUrl0 said `rtspenc://`: every RTSP message is framed and encrypted (§6.1). */
  encrypted: boolean;
}

export type LaunchResult = {
  kind: 'launched' | 'resumed';
  rtsp: RtspEndpoint;
  keys: LaunchKeys;
};

export interface LaunchOptions {
  timeoutMs: number;
  /** Replaces the fresh random keys, so a test can replay a recorded session. */
  keys?: LaunchKeys;
  cancel?: CancelSignal;
}

export function generateLaunchKeys(entropy: Entropy): LaunchKeys {
  const rikey = entropy.randomBytes(RIKEY_BYTES);
  const idBytes = entropy.randomBytes(RIKEYID_BYTES);
  const rikeyId = new DataView(idBytes.buffer, idBytes.byteOffset, RIKEYID_BYTES).getInt32(0, false);
  return launchKeysFrom(rikey, rikeyId);
}

/** Keys from known values: `rikeyId` may be given signed or as its unsigned 32-bit value. */
export function launchKeysFrom(rikey: Uint8Array, rikeyId: number): LaunchKeys {
  if (rikey.length !== RIKEY_BYTES) throw new RangeError(`rikey must be ${RIKEY_BYTES} bytes`);
  const remoteInputIv = new Uint8Array(IV_BLOCK_BYTES);
  new DataView(remoteInputIv.buffer).setInt32(0, rikeyId | 0, false);
  return { rikey: Uint8Array.from(rikey), rikeyId: rikeyId | 0, remoteInputIv };
}

/**
 * The query of /launch and /resume after `uniqueid` and `uuid`, in moonlight-embedded's order
 * (§10.1), with MQt's HDR block and `gcpersist`; `corever=1` asks for encrypted RTSP.
 */
export function buildLaunchQuery(req: LaunchRequest, keys: LaunchKeys): Array<[string, string]> {
  const query: Array<[string, string]> = [
    ['appid', String(req.appId)],
    ['mode', `${req.width}x${req.height}x${req.fps}`],
    ['additionalStates', '1'],
    ['sops', flag(req.optimizeGameSettings)],
    ['rikey', bytesToHex(keys.rikey)],
    ['rikeyid', String(keys.rikeyId)],
  ];
  if (req.hdr) query.push(...HDR_QUERY);
  query.push(
    ['localAudioPlayMode', flag(req.playAudioOnHost)],
    ['surroundAudioInfo', String(surroundAudioInfo(req.audioChannels))],
    ['remoteControllersBitmap', String(req.gamepadMask)],
    ['gcmap', String(req.gamepadMask)],
    ['gcpersist', flag(req.persistGamepads)],
    ['corever', '1'],
  );
  return query;
}

export function launchApp(ctx: NvHttpContext, host: HostEndpoint, req: LaunchRequest, options: LaunchOptions): Promise<Result<LaunchResult, ServiceError>> {
  return start(ctx, host, req, options, 'launched');
}

/** Reconnects to the app that runs (any app: Sunshine resumes whatever runs, §8.4). */
export function resumeApp(ctx: NvHttpContext, host: HostEndpoint, req: LaunchRequest, options: LaunchOptions): Promise<Result<LaunchResult, ServiceError>> {
  return start(ctx, host, req, options, 'resumed');
}

/** /cancel: Sunshine quits the running app and ends every client's stream (§5.6). */
export function quitApp(ctx: NvHttpContext, host: HostEndpoint, options: { timeoutMs: number; cancel?: CancelSignal }): Promise<Result<void, ServiceError>> {
  return requestChecked(ctx, host, withCancel({ secure: true, path: '/cancel', query: [], timeoutMs: options.timeoutMs }, options.cancel), (reply) =>
    // MEmb treats cancel=0 as a failure; Sunshine always answers 1.
    childText(reply.root, 'cancel') === '0' ? err({ kind: 'host-error', code: QUIT_REFUSED_CODE, message: 'The host did not quit the app' }) : ok(undefined),
  );
}

/** Reads sessionUrl0 (§5.5): scheme, and the port after its last colon. */
export function parseSessionUrl(url: string | null): Result<RtspEndpoint, ServiceError> {
  if (url === null || url === '') return ok({ url: null, port: DEFAULT_RTSP_PORT, encrypted: false });
  const m = /^(rtspenc|rtsp):\/\/(\[[^\]]*\]|[^/:]*)(?::(\d{1,5}))?\/?$/i.exec(url);
  if (m === null) return err({ kind: 'malformed-reply', detail: `sessionUrl0 is not an RTSP URL: ${url.slice(0, 80)}` });
  const port = m[3] === undefined ? DEFAULT_RTSP_PORT : Number(m[3]);
  if (port < 1 || port > 65535) return err({ kind: 'malformed-reply', detail: `sessionUrl0 has an invalid port: ${url.slice(0, 80)}` });
  return ok({ url, port, encrypted: m[1]?.toLowerCase() === 'rtspenc' });
}

function start(ctx: NvHttpContext, host: HostEndpoint, req: LaunchRequest, options: LaunchOptions, kind: LaunchResult['kind']): Promise<Result<LaunchResult, ServiceError>> {
  const keys = options.keys ?? generateLaunchKeys(ctx.platform.entropy);
  const path = kind === 'launched' ? '/launch' : '/resume';
  const doneTag = kind === 'launched' ? 'gamesession' : 'resume';
  return requestChecked(ctx, host, withCancel({ secure: true, path, query: buildLaunchQuery(req, keys), timeoutMs: options.timeoutMs }, options.cancel), (reply: XmlReply) => {
    // MEmb treats an explicit 0 as failure even under status 200.
    if (childText(reply.root, doneTag) === '0') return err({ kind: 'malformed-reply', detail: `${path} answered ${doneTag}=0 with status 200` });
    const rtsp = parseSessionUrl(childText(reply.root, 'sessionUrl0'));
    return rtsp.ok ? ok({ kind, rtsp: rtsp.value, keys }) : rtsp;
  });
}

function withCancel<T extends object>(req: T, cancel: CancelSignal | undefined): T & { cancel?: CancelSignal } {
  return cancel === undefined ? req : { ...req, cancel };
}

function flag(value: boolean): string {
  return value ? '1' : '0';
}

/** `(channelMask << 16) | channelCount` (§5.4): 196610 stereo, 4128774 5.1, 104792072 7.1. */
export function surroundAudioInfo(channels: AudioChannelCount): number {
  return CHANNEL_MASKS[channels] * 0x10000 + channels;
}

/** SDP / launch channel masks (§5.4, §6.4). */
export const CHANNEL_MASKS: Readonly<Record<AudioChannelCount, number>> = { 2: 0x3, 6: 0x3f, 8: 0x63f };

// §1.2: the RTSP port when sessionUrl0 is absent or has none.
export const DEFAULT_RTSP_PORT = 48010;
// MQt's timeouts (§5.5): Sunshine tests its encoders before answering /launch (1.2-1.4 s).
export const LAUNCH_TIMEOUT_MS = 120_000;
export const RESUME_TIMEOUT_MS = 30_000;
export const QUIT_TIMEOUT_MS = 30_000;
// §5.3: 16-byte AES key; the IV block's first 4 bytes are random and give rikeyid.
const RIKEY_BYTES = 16;
const RIKEYID_BYTES = 4;
const IV_BLOCK_BYTES = 16;
// The synthetic code MQt uses when a quit did not take effect (§5.6).
const QUIT_REFUSED_CODE = 599;
// MQt's constant placeholders for an HDR request (§5.4); Sunshine reads only hdrMode.
const HDR_QUERY: ReadonlyArray<[string, string]> = [
  ['hdrMode', '1'],
  ['clientHdrCapVersion', '0'],
  ['clientHdrCapSupportedFlagsInUint32', '0'],
  ['clientHdrCapMetaDataId', 'NV_STATIC_METADATA_TYPE_1'],
  ['clientHdrCapDisplayData', '0x0x0x0x0x0x0x0x0x0x0'],
];
