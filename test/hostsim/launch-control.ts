// /launch, /resume and /cancel with Sunshine's bookkeeping (control-plane.md 5.3-5.6, 8.2):
// one running app for the whole host, any paired client may resume or quit it, and each
// successful launch or resume arms one launch session (keys and options for the RTSP
// handshake that follows).

import { randomBytes } from 'node:crypto';
import type { App } from './apps.ts';
import type { QueryArgs } from './http-wire.ts';
import { atoi, hexUpper, sunshineFlag, sunshineHexDecode, sunshineInt32, sunshinePositive } from './sunshine-text.ts';
import { statusReply, type XmlReply } from './xml-reply.ts';

/** What /launch or /resume hands to the RTSP side (Sunshine's launch_session_t). */
export interface LaunchSession {
  id: number;
  uniqueId: string;
  appId: number;
  resume: boolean;
  /** rikey: the AES key of RTSP, control and audio encryption. */
  rikey: Uint8Array;
  rikeyId: number;
  /** 16 bytes: rikeyid big-endian in bytes 0-3, the rest zero (control-plane.md 5.3). */
  iv: Uint8Array;
  width: number;
  height: number;
  fps: number;
  sops: boolean;
  hostAudio: boolean;
  surroundAudioInfo: number;
  surroundParams: string;
  continuousAudio: boolean;
  gcmap: number;
  hdr: boolean;
  /** corever >= 1: RTSP is encrypted and sessionUrl0 says rtspenc://. */
  encryptedRtsp: boolean;
  /** 16 upper-case hex characters, sent later as X-SS-Ping-Payload. */
  avPingPayload: string;
  /** Random u32, sent later as X-SS-Connect-Data. */
  controlConnectData: number;
  /** The PEM of the client certificate the request came with. */
  clientCertPem: string;
}

export interface LaunchContext {
  query: QueryArgs;
  /** Local address of the connection, as the client reached us. */
  localAddress: string;
  clientCertPem: string;
}

export interface LaunchControl {
  launch(ctx: LaunchContext): XmlReply;
  resume(ctx: LaunchContext): XmlReply;
  cancel(): XmlReply;
  runningAppId(): number;
  /** An app started by someone else (misbehaviour `runningApp`): busy, with no launch session. */
  setRunningApp(appId: number): void;
  /** The session armed by the last successful launch or resume, until /cancel. */
  currentSession(): LaunchSession | null;
}

export interface LaunchDeps {
  apps: () => readonly App[];
  rtspPort: () => number;
  encryptionMandatory: boolean;
  onLaunch: (session: LaunchSession) => void;
  onCancel: () => void;
}

export function createLaunchControl(deps: LaunchDeps): LaunchControl {
  let running = 0;
  let hostAudio = false;
  let session: LaunchSession | null = null;
  let sessionCounter = 0;

  const sessionUrl = (s: LaunchSession, localAddress: string): string =>
    `${s.encryptedRtsp ? 'rtspenc://' : 'rtsp://'}${urlAddress(localAddress)}:${deps.rtspPort()}`;

  const make = (ctx: LaunchContext, resume: boolean): LaunchSession => {
    const q = ctx.query;
    sessionCounter += 1;
    const [width, height, fps] = (q.get('mode') ?? '0x0x0').split('x').map(atoi);
    const rikeyId = sunshineInt32(q.get('rikeyid') ?? '');
    const iv = new Uint8Array(16);
    new DataView(iv.buffer).setInt32(0, rikeyId, false);
    return {
      id: sessionCounter,
      uniqueId: q.get('uniqueid') ?? 'unknown',
      appId: sunshineInt32(q.get('appid') ?? 'unknown'),
      resume,
      rikey: sunshineHexDecode(q.get('rikey') ?? ''),
      rikeyId,
      iv,
      width: width ?? 0,
      height: height ?? 0,
      fps: fps ?? 0,
      sops: sunshineFlag(q.get('sops') ?? '0'),
      hostAudio,
      surroundAudioInfo: sunshineInt32(q.get('surroundAudioInfo') ?? '196610'),
      surroundParams: q.get('surroundParams') ?? '',
      continuousAudio: sunshineFlag(q.get('continuousAudio') ?? '0'),
      gcmap: sunshineInt32(q.get('gcmap') ?? '0'),
      hdr: sunshineFlag(q.get('hdrMode') ?? '0'),
      encryptedRtsp: sunshinePositive(q.get('corever') ?? '0'),
      avPingPayload: hexUpper(new Uint8Array(randomBytes(8))),
      controlConnectData: randomBytes(4).readUInt32LE(0),
      clientCertPem: ctx.clientCertPem,
    };
  };

  const arm = (s: LaunchSession, localAddress: string, doneTag: 'gamesession' | 'resume'): XmlReply => {
    session = s;
    deps.onLaunch(s);
    return statusReply(200, null, [
      { name: 'sessionUrl0', text: sessionUrl(s, localAddress) },
      { name: doneTag, text: 1 },
    ]);
  };

  return {
    launch(ctx) {
      const q = ctx.query;
      if (!q.has('rikey') || !q.has('rikeyid') || !q.has('localAudioPlayMode') || !q.has('appid')) {
        // Sunshine's launch writes <resume>0</resume> on this error, not <gamesession>.
        return statusReply(400, 'Missing a required launch parameter', [{ name: 'resume', text: 0 }]);
      }
      const appIdText = q.get('appid') ?? '';
      if (running > 0) return statusReply(400, 'An app is already running on this host', [{ name: 'resume', text: 0 }]);
      hostAudio = sunshineFlag(q.get('localAudioPlayMode') ?? '');
      const s = make(ctx, false);
      if (!s.encryptedRtsp && deps.encryptionMandatory) {
        return statusReply(403, 'Encryption is mandatory for this host but unsupported by the client', [{ name: 'gamesession', text: 0 }]);
      }
      if (sunshinePositive(appIdText)) {
        // Sunshine looks the app up by the id truncated to int.
        const appId = sunshineInt32(appIdText);
        const app = deps.apps().find((a) => a.id === appId);
        if (app === undefined) return statusReply(404, 'Failed to start the specified application', [{ name: 'gamesession', text: 0 }]);
        running = app.id;
      }
      return arm(s, ctx.localAddress, 'gamesession');
    },

    resume(ctx) {
      const q = ctx.query;
      if (running === 0) return statusReply(503, 'No running app to resume', [{ name: 'resume', text: 0 }]);
      if (!q.has('rikey') || !q.has('rikeyid')) return statusReply(400, 'Missing a required resume parameter', [{ name: 'resume', text: 0 }]);
      // Applied only when no stream is active; the simulator's streams live elsewhere, so a
      // resume always counts as the first.
      if (q.has('localAudioPlayMode')) hostAudio = sunshineFlag(q.get('localAudioPlayMode') ?? '');
      const s = make(ctx, true);
      if (!s.encryptedRtsp && deps.encryptionMandatory) {
        return statusReply(403, 'Encryption is mandatory for this host but unsupported by the client', [{ name: 'gamesession', text: 0 }]);
      }
      // The appid of a resume is ignored: the running app is what resumes (control-plane.md 8.4).
      return arm({ ...s, appId: running }, ctx.localAddress, 'resume');
    },

    cancel() {
      running = 0;
      session = null;
      deps.onCancel();
      return statusReply(200, null, [{ name: 'cancel', text: 1 }]);
    },

    runningAppId: () => running,
    setRunningApp(appId) {
      running = appId;
    },
    currentSession: () => session,
  };
}

/**
 * The receiving address as Sunshine writes it in URLs: IPv4-mapped IPv6 as plain IPv4,
 * other IPv6 in brackets (without a zone).
 */
export function urlAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] ?? address;
  return address.includes(':') ? `[${address.split('%')[0] ?? address}]` : address;
}
