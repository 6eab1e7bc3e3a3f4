// The host simulator's control plane: a GameStream host that behaves like Sunshine on its
// HTTP and HTTPS ports (serverinfo, pairing, apps, box art, launch/resume/cancel) plus the
// part of Sunshine's web UI used to type the PIN and unpair. Tests start it in-process on
// ephemeral ports; test/hostsim/main.ts is its command line.
//
// Each connection carries one request: read the head (bounded), route, answer, close, as
// Sunshine does. On HTTPS the client certificate decides before routing: only a paired,
// enabled certificate reaches the handlers, anything else gets Sunshine's XML 401.

import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { hostname } from 'node:os';
import type { Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { derToPem, pemToDer } from '../../src/app/identity/x509.ts';
import { applistReply, buildApps, DEFAULT_APPS, type App, type AppSpec } from './apps.ts';
import { makeDefaultBoxArtPng } from './box-art-png.ts';
import { createEventLog, type HostSimEvent } from './events.ts';
import { generateIdentity, loadIdentity, type HostIdentity } from './host-identity.ts';
import { frameResponse, readRequest, sendAndClose, type HttpRequest } from './http-wire.ts';
import { createLaunchControl, type LaunchSession } from './launch-control.ts';
import type { Misbehaviour } from './misbehaviour.ts';
import { createPairingServer, pairPhaseOf } from './pairing-server.ts';
import { notAuthorizedReply, renderReply, streamOversized, xml, type Reply } from './reply.ts';
import { createRtspServer } from './rtsp-server.ts';
import { createStreamHost, type StreamHost } from './stream-session.ts';
import { attachMediaSender, type MediaSessionOptions } from './media-session.ts';
import { serverInfoReply } from './serverinfo.ts';
import { sunshineInt32 } from './sunshine-text.ts';
import { loadOrCreateIdentity, loadState, newUuid, saveState, type NamedDevice } from './state-store.ts';
import { createWebUiServer } from './web-ui.ts';

export type { AppSpec } from './apps.ts';
export type { HostSimEvent } from './events.ts';
export type { LaunchSession } from './launch-control.ts';
export type { Misbehaviour } from './misbehaviour.ts';

export interface HostSimOptions {
  /** Address of the GameStream ports; default 127.0.0.1 (use 0.0.0.0 to reach a real TV). */
  bind?: string;
  /** Default 47989; 0 = ephemeral. */
  httpPort?: number;
  /** Default HTTP - 5 (Sunshine's offset), ephemeral when httpPort is 0. */
  httpsPort?: number;
  /** Default HTTP + 1 (Sunshine's offset), ephemeral when httpPort is 0. */
  webUiPort?: number;
  /** The web UI stays on loopback unless told otherwise. */
  webUiBind?: string;
  /** The RTSP listener, advertised in sessionUrl0; default HTTP + 21 (Sunshine's offset), ephemeral when httpPort is 0. */
  rtspPort?: number;
  /** A fixed PIN: phase 1 is answered at once, as Sunshine does with its PIN-on-stdin flag. */
  pin?: string;
  /** Where the host id, certificate and pairings persist; none = in memory only. */
  stateDir?: string;
  /** A ready identity (skips RSA key generation, which is slow); ignored with stateDir. */
  identity?: HostIdentity;
  apps?: AppSpec[];
  hostName?: string;
  /** ServerCodecModeSupport; default 0x101 (H.264 + HEVC Main). 0x200 adds Main10 and HDR. */
  serverCodecModeSupport?: number;
  externalIp?: string;
  /** Sunshine's "mandatory" encryption mode: /launch without corever >= 1 gets 403. */
  encryptionMandatory?: boolean;
  misbehaviour?: Misbehaviour;
  /** Sunshine's ping_timeout for stream sessions (first UDP ping, control liveness); default 10 s. */
  streamPingTimeoutMs?: number;
  /**
   * Video and audio for every stream session, as Sunshine sends them (default true). Tests of
   * the control plane alone turn it off to skip encoding the fixtures.
   */
  sendMedia?: boolean;
  /** Options of the media sender of every session (FEC percentage, seeded impairment...). */
  media?: MediaSessionOptions;
}

export interface PairedClient {
  name: string;
  certPem: string;
  uuid: string;
}

export interface HostSim {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly webUiPort: number;
  readonly rtspPort: number;
  readonly uniqueId: string;
  /** The host certificate a client pins after pairing. */
  readonly certPem: string;
  apps(): readonly { id: number; title: string }[];
  /** As a person typing the PIN into Sunshine's web UI; false when no pairing took it. */
  enterPin(pin: string, name?: string): boolean;
  pairedClients(): PairedClient[];
  unpair(uuid: string): boolean;
  unpairAll(): void;
  setMisbehaviour(m: Misbehaviour): void;
  runningAppId(): number;
  /** The launch session armed by the last /launch or /resume, until /cancel. */
  launchSession(): LaunchSession | null;
  /** The UDP side of streaming (pings, ENet control) and the stream session of each ANNOUNCE. */
  readonly streams: StreamHost;
  events(): readonly HostSimEvent[];
  onEvent(listener: (event: HostSimEvent) => void): () => void;
  /** The first event (already logged or future) matching `predicate`; rejects after timeoutMs. */
  waitForEvent(predicate: (event: HostSimEvent) => boolean, timeoutMs: number): Promise<HostSimEvent>;
  close(): Promise<void>;
}

export const DEFAULT_HTTP_PORT = 47989;
/** Sunshine's port offsets from its base (HTTP) port (control-plane.md 1.1). */
const HTTPS_OFFSET = -5;
const WEB_UI_OFFSET = 1;
const RTSP_OFFSET = 21;
const DEFAULT_CODEC_MODE_SUPPORT = 0x101;

export async function startHostSim(options: HostSimOptions = {}): Promise<HostSim> {
  const stateDir = options.stateDir ?? null;
  const state = loadState(stateDir);
  if (!state.ok) throw new Error(state.error);
  const identityResult = loadIdentity(stateDir !== null ? loadOrCreateIdentity(stateDir) : (options.identity ?? generateIdentity()));
  if (!identityResult.ok) throw new Error(identityResult.error);
  const identity = identityResult.value;
  const devices = state.value.devices;
  const uniqueId = state.value.uniqueId;
  saveState(stateDir, { uniqueId, devices });

  const log = createEventLog();
  let misbehaviour: Misbehaviour = {};
  let mitmCertPem: string | null = null;
  const apps: App[] = buildApps(options.apps ?? DEFAULT_APPS);
  const defaultBoxArt = makeDefaultBoxArtPng();
  const sockets = new Set<Duplex>();
  const timers = new Set<NodeJS.Timeout>();
  const derCache = new Map<string, Buffer | null>();
  const ports = { http: 0, https: 0, webUi: 0, rtsp: 0 };

  const save = (): void => saveState(stateDir, { uniqueId, devices });
  const addClient = (name: string, certPem: string): string => {
    const uuid = newUuid();
    devices.push({ name, certPem, uuid, enabled: true });
    save();
    return uuid;
  };
  const unpair = (uuid: string): boolean => {
    const before = devices.length;
    for (let i = devices.length - 1; i >= 0; i -= 1) if (devices[i]?.uuid === uuid) devices.splice(i, 1);
    save();
    if (devices.length < before) log.emit({ kind: 'unpaired', uuid });
    return devices.length < before;
  };
  const unpairAll = (): void => {
    const removed = devices.splice(0, devices.length);
    save();
    for (const d of removed) log.emit({ kind: 'unpaired', uuid: d.uuid });
  };

  const pairing = createPairingServer({
    hostCertPem: identity.certPem,
    hostKey: identity.key,
    hostCertSignature: identity.certSignature,
    mitmCertPem: () => (mitmCertPem ??= generateIdentity().certPem),
    misbehaviour: () => misbehaviour,
    presetPin: options.pin ?? null,
    addClient,
    log,
  });
  const enterPin = (pin: string, name = ''): boolean => {
    const accepted = pairing.enterPin(pin, name);
    log.emit({ kind: 'pin-entered', accepted });
    return accepted;
  };

  const streams = createStreamHost({ pingTimeoutMs: options.streamPingTimeoutMs });
  if (options.sendMedia !== false) {
    // A media failure (a fixture that cannot be built) ends that session's media only; the
    // control stream notices the missing frames the way a client of a broken host would.
    streams.onSession((session) => void attachMediaSender(session, options.media).ready.catch(() => undefined));
  }
  const launch = createLaunchControl({
    apps: () => apps,
    rtspPort: () => ports.rtsp,
    encryptionMandatory: options.encryptionMandatory ?? false,
    onLaunch: (s) => log.emit({ kind: 'launch', appId: s.appId, resume: s.resume, sessionId: s.id }),
    onCancel: () => {
      log.emit({ kind: 'cancel' });
      streams.appExited();
    },
  });

  // Sunshine's stream ports: base (HTTP) + 9 video, + 10 control, + 11 audio (control-plane.md 1.1).
  const rtsp = createRtspServer({ launchSession: () => launch.currentSession(), encryptionMode: options.encryptionMandatory === true ? 'mandatory' : 'never', codecModeSupport: options.serverCodecModeSupport ?? DEFAULT_CODEC_MODE_SUPPORT, featureFlags: 0x02, streamPorts: () => streams.ports(), onEvent: (e) => {
    // Sunshine starts the stream session when it accepts the ANNOUNCE (data-plane.md 1.2).
    const session = launch.currentSession();
    if (e.kind === 'rtsp-stream-start' && session?.id === e.stream.launchSessionId) streams.startStream(session, e.stream, null);
  } });

  const setMisbehaviour = (m: Misbehaviour): void => {
    misbehaviour = { ...m };
    if (m.runningApp !== undefined) launch.setRunningApp(m.runningApp);
  };
  setMisbehaviour(options.misbehaviour ?? {});

  /** Sunshine's check: the presented certificate is a stored one, and that entry is enabled. */
  const isAuthorized = (certDer: Buffer): boolean =>
    devices.some((d: NamedDevice) => {
      if (!derCache.has(d.certPem)) {
        const der = pemToDer(d.certPem, 'CERTIFICATE');
        derCache.set(d.certPem, der.ok ? Buffer.from(der.value) : null);
      }
      return d.enabled && derCache.get(d.certPem)?.equals(certDer) === true;
    });

  const route = (req: HttpRequest, scheme: 'http' | 'https', localAddress: string, clientCertPem: string): Reply | Promise<Reply> => {
    if (req.method !== 'GET') return { kind: 'none' };
    switch (req.path) {
      case '/serverinfo':
        return xml(
          serverInfoReply({
            hostName: options.hostName ?? hostname(),
            uniqueId,
            httpPort: ports.http,
            httpsPort: ports.https,
            serverCodecModeSupport: options.serverCodecModeSupport ?? DEFAULT_CODEC_MODE_SUPPORT,
            overHttps: scheme === 'https',
            hasUniqueId: req.query.has('uniqueid'),
            localAddress,
            runningAppId: launch.runningAppId(),
            externalIp: options.externalIp ?? null,
          }),
        );
      case '/pair':
        return pairing.handle(req.query);
    }
    if (scheme === 'http') return { kind: 'not-found' };
    const ctx = { query: req.query, localAddress, clientCertPem };
    switch (req.path) {
      case '/applist':
        return xml(applistReply(apps, options.serverCodecModeSupport ?? DEFAULT_CODEC_MODE_SUPPORT));
      case '/appasset': {
        // Sunshine reads appid with a throwing lookup here and has no guard: no answer at all.
        const appId = req.query.get('appid');
        if (appId === undefined) return { kind: 'none' };
        const wanted = sunshineInt32(appId);
        const app = apps.find((a) => a.id === wanted);
        return { kind: 'png', bytes: app?.boxArtPng ?? defaultBoxArt };
      }
      case '/launch':
        return xml(launch.launch(ctx));
      case '/resume':
        return xml(launch.resume(ctx));
      case '/cancel':
        return xml(launch.cancel());
      default:
        return { kind: 'not-found' };
    }
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const deliver = async (socket: Duplex, reply: Reply): Promise<void> => {
    const m = misbehaviour;
    if ((m.slowMs ?? 0) > 0) await delay(m.slowMs ?? 0);
    if (socket.destroyed) return;
    if (reply.kind === 'none') {
      socket.destroy();
      return;
    }
    if ((m.oversizedBytes ?? 0) > 0) {
      await streamOversized(socket, m.oversizedBytes ?? 0);
      return;
    }
    sendAndClose(socket, renderReply(reply, m.malformedXml === true));
  };

  const serve = async (socket: Duplex, scheme: 'http' | 'https', localAddress: string, clientCert: Buffer | null): Promise<void> => {
    const read = await readRequest(socket);
    if (!read.ok) {
      if (read.failure !== 'closed') log.emit({ kind: 'bad-request', scheme, reason: read.failure });
      // Sunshine's server library answers an over-long request with 413 and nothing else.
      if (read.failure === 'too-large') sendAndClose(socket, frameResponse('413 Payload Too Large', [], new Uint8Array(0)));
      else socket.destroy();
      return;
    }
    const req = read.request;
    const phase = req.path === '/pair' ? pairPhaseOf(req.query) : null;
    log.emit({ kind: 'request', scheme, method: req.method, path: req.path, phase, uniqueId: req.query.get('uniqueid') ?? null });
    if (scheme === 'https' && (clientCert === null || !isAuthorized(clientCert))) {
      log.emit({ kind: 'tls-rejected', reason: 'not-paired' });
      await deliver(socket, xml(notAuthorizedReply()));
      return;
    }
    const clientCertPem = clientCert === null ? '' : derToPem(clientCert, 'CERTIFICATE');
    await deliver(socket, await route(req, scheme, localAddress, clientCertPem));
  };

  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const httpServer = createNetServer((socket: Socket) => {
    track(socket);
    void serve(socket, 'http', socket.localAddress ?? '', null);
  });
  const httpsServer = createTlsServer(
    { key: identity.keyPem, cert: identity.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    (socket: TLSSocket) => {
      track(socket);
      const peer = socket.getPeerCertificate(false);
      const raw = 'raw' in peer && Buffer.isBuffer(peer.raw) ? peer.raw : null;
      if (raw === null) {
        // Sunshine requires a client certificate at the TLS layer ("fail if no peer cert").
        log.emit({ kind: 'tls-rejected', reason: 'no-certificate' });
        socket.destroy();
        return;
      }
      void serve(socket, 'https', socket.localAddress ?? '', raw);
    },
  );
  httpsServer.on('tlsClientError', () => undefined);
  const webUi = createWebUiServer({
    enterPin,
    clients: () => devices.map((d) => ({ name: d.name, uuid: d.uuid, enabled: d.enabled })),
    unpair,
    unpairAll,
  });
  webUi.on('connection', (socket: Socket) => track(socket));

  const bind = options.bind ?? '127.0.0.1';
  const httpPortWanted = options.httpPort ?? DEFAULT_HTTP_PORT;
  const derived = (offset: number): number => (httpPortWanted === 0 ? 0 : httpPortWanted + offset);
  try {
    ports.http = await listen(httpServer, httpPortWanted, bind);
    ports.https = await listen(httpsServer, options.httpsPort ?? derived(HTTPS_OFFSET), bind);
    ports.webUi = await listen(webUi, options.webUiPort ?? derived(WEB_UI_OFFSET), options.webUiBind ?? '127.0.0.1');
    ports.rtsp = await listen(rtsp.server, options.rtspPort ?? derived(RTSP_OFFSET), bind);
    await streams.listen(bind, { video: ports.http + 9, control: ports.http + 10, audio: ports.http + 11 }, httpPortWanted === 0);
  } catch (e) {
    await Promise.all([httpServer, httpsServer, webUi, rtsp.server].map(closeServer));
    await streams.close();
    throw e;
  }

  return {
    httpPort: ports.http,
    httpsPort: ports.https,
    webUiPort: ports.webUi,
    rtspPort: ports.rtsp,
    uniqueId,
    certPem: identity.certPem,
    apps: () => apps.map((a) => ({ id: a.id, title: a.title })),
    enterPin,
    pairedClients: () => devices.map((d) => ({ name: d.name, certPem: d.certPem, uuid: d.uuid })),
    unpair,
    unpairAll,
    setMisbehaviour,
    runningAppId: () => launch.runningAppId(),
    launchSession: () => launch.currentSession(),
    streams,
    events: () => log.all(),
    onEvent: (listener) => log.subscribe(listener),
    waitForEvent: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const seen = log.all().find(predicate);
        if (seen !== undefined) {
          resolve(seen);
          return;
        }
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no matching host-sim event within ${timeoutMs} ms`));
        }, timeoutMs);
        const off = log.subscribe((event) => {
          if (!predicate(event)) return;
          clearTimeout(timer);
          off();
          resolve(event);
        });
      }),
    async close() {
      pairing.dropHeld();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      rtsp.dropConnections();
      await streams.close();
      await Promise.all([httpServer, httpsServer, webUi, rtsp.server].map(closeServer));
    },
  };
}

// ---- helpers ----

function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}
