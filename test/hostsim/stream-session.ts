// The simulator's stream sessions after RTSP (data-plane.md §1.4, §1.5, §4; control-plane.md
// §6.7): one per accepted ANNOUNCE, as Sunshine starts its session there. A session learns the
// client's video and audio endpoints from its UDP pings, gets its control peer from the
// control server (control-server.ts), tells the media senders where to send and what the
// client asks for (IDR, reference-frame invalidation), and ends with a reason.
//
// Theory of operation. Pings arrive on the host's video and audio ports. A datagram of 20
// bytes or more is matched by its first 16 bytes against the session's ping payload; a 4-byte
// one by the sender's IP, and only for a client that did not announce session ids, and only if
// it reads "PING". The first match fixes the client's endpoint (IP and port) for that stream
// and later pings are only counted, as Sunshine stops listening. A stream with no matching
// ping within `pingTimeoutMs` of the session's start ends the session, as does a control side
// that goes quiet for as long. Once the control peer is connected and the video endpoint is
// known (Sunshine's encoder is running), the host sends its HDR state. When the app exits (or
// the simulator ends a session) the host sends the termination message with Sunshine's code,
// once, and forgets the peer, as Sunshine's control thread does before its ENet host goes away.
//
// The core (createStreamCore) does no I/O and reads time only from its injected clock; the
// shell (createStreamHost) binds the three UDP ports and runs the core on real time.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createControlServer, type ControlServer, type ControlServerEvent, type ControlServerStats, type ControlStopReason } from './control-server.ts';
import { NO_HDR_METADATA, TERMINATION_GRACEFUL, type ClientControlMessage, type HdrMetadata, type HostControlMessage } from './control-messages.ts';
import { DEFAULT_ENET_HOST_CONFIG, type EnetHostConfig, type EnetHostStats, type UdpEndpoint } from './enet-host.ts';
import type { LaunchSession } from './launch-control.ts';
import type { AnnouncedStream } from './rtsp-handlers.ts';

export type { UdpEndpoint } from './enet-host.ts';
export type StreamPort = 'video' | 'audio' | 'control';
export type StreamSessionState = 'awaiting-client' | 'running' | 'ended';

export type StreamEndReason =
  | { kind: 'app-exited' }
  | { kind: 'terminated'; code: number }
  | { kind: 'host-shutdown' }
  | { kind: 'dropped' }
  | { kind: 'no-ping'; stream: 'video' | 'audio' }
  | { kind: 'control'; reason: ControlStopReason };

export type StreamSessionEvent =
  | { kind: 'control-connected'; endpoint: UdpEndpoint }
  | { kind: 'video-target'; endpoint: UdpEndpoint }
  | { kind: 'audio-target'; endpoint: UdpEndpoint }
  | { kind: 'control-message'; channelId: number; message: ClientControlMessage }
  | { kind: 'idr-request' }
  | { kind: 'rfi'; firstFrame: number; lastFrame: number }
  | { kind: 'hdr-mode'; enabled: boolean }
  | { kind: 'ended'; reason: StreamEndReason };

/**
 * How the simulator ends one stream: with the termination message (Sunshine's graceful code
 * unless another is given), or by dropping the peer with no reason code, as Sunshine does when
 * its encoder or capture fails.
 */
export type StreamEndRequest = { kind: 'terminate'; code?: number } | { kind: 'drop' };

export interface StreamSession {
  readonly id: number;
  readonly launch: LaunchSession;
  readonly stream: AnnouncedStream;
  state(): StreamSessionState;
  endReason(): StreamEndReason | null;
  videoTarget(): UdpEndpoint | null;
  audioTarget(): UdpEndpoint | null;
  controlPeer(): UdpEndpoint | null;
  /** Every later event; returns the unsubscribe function. */
  onEvent(listener: (event: StreamSessionEvent) => void): () => void;
  /** The most recent events (at most MAX_KEPT_SESSION_EVENTS). */
  events(): readonly StreamSessionEvent[];
  /** Sends from the host's video (audio) port to the client's endpoint; false before its ping or after the end. */
  sendVideo(datagram: Uint8Array): boolean;
  sendAudio(datagram: Uint8Array): boolean;
  sendControl(message: HostControlMessage): boolean;
  /** The host's HDR state changed (Sunshine sends it whenever it does). */
  setHdr(enabled: boolean, metadata?: HdrMetadata): boolean;
  end(request?: StreamEndRequest): void;
}

export interface StreamStats {
  pingsAccepted: number;
  /** Pings after the endpoint was fixed: keepalives, which Sunshine no longer reads. */
  pingsAfterMatch: number;
  /** Datagrams on the video or audio port that no session waits for (wrong payload, size or sender). */
  pingsUnmatched: number;
  control: Readonly<ControlServerStats>;
  enet: Readonly<EnetHostStats>;
}

export interface StreamCoreConfig {
  /** Sunshine's `ping_timeout`: first UDP ping, and control liveness (default 10 s). */
  pingTimeoutMs: number;
  enet: EnetHostConfig;
}

export const DEFAULT_STREAM_CORE_CONFIG: StreamCoreConfig = { pingTimeoutMs: 10_000, enet: DEFAULT_ENET_HOST_CONFIG };

export interface StreamCoreDeps {
  nowMs(): number;
  transmit(port: StreamPort, to: UdpEndpoint, bytes: Uint8Array): void;
  /** The next deadline may have moved; the shell re-arms its timer. */
  wake(): void;
}

export interface StreamCore {
  /** A stream accepted by ANNOUNCE; `clientAddress` is the RTSP client's IP when known. */
  startStream(launch: LaunchSession, stream: AnnouncedStream, clientAddress: string | null): StreamSession;
  receive(port: StreamPort, from: UdpEndpoint, bytes: Uint8Array): void;
  handleTimeout(): void;
  /** The app exited (/cancel): every session gets the termination message, once none awaits its peer. */
  appExited(): void;
  /** The host is going away: connected sessions get the termination, the others just end. */
  shutdown(): void;
  sessions(): readonly StreamSession[];
  onSession(listener: (session: StreamSession) => void): () => void;
  nextDeadlineMs(): number | null;
  stats(): StreamStats;
}

export function createStreamCore(config: StreamCoreConfig, deps: StreamCoreDeps): StreamCore {
  const control: ControlServer = createControlServer({ pingTimeoutMs: config.pingTimeoutMs, enet: config.enet }, deps.nowMs());
  const lives = new Map<number, Live>();
  const kept: StreamSession[] = [];
  const sessionListeners = new Set<(s: StreamSession) => void>();
  const counts = { pingsAccepted: 0, pingsAfterMatch: 0, pingsUnmatched: 0 };
  let nextId = 1;
  let pendingExit: StreamEndReason | null = null;

  /** Transmits, then events; handling an event may queue more of both, so until neither is left. */
  const flush = (): void => {
    for (let round = 0; round < MAX_FLUSH_ROUNDS; round += 1) {
      let idle = true;
      for (let t = control.pollTransmit(); t !== null; t = control.pollTransmit()) {
        idle = false;
        deps.transmit('control', t.to, t.bytes);
      }
      for (let e = control.pollEvent(); e !== null; e = control.pollEvent()) {
        idle = false;
        onControlEvent(e);
      }
      if (idle) break;
    }
    deps.wake();
  };

  const onControlEvent = (e: ControlServerEvent): void => {
    if (e.kind === 'rejected-peer') return;
    const live = lives.get(e.sessionId);
    if (live === undefined) return;
    switch (e.kind) {
      case 'connected':
        live.control = e.address;
        live.state = 'running';
        emit(live, { kind: 'control-connected', endpoint: e.address });
        if (live.terminateWith !== null) terminate(live, live.terminateWith);
        else maybeSendHdr(live);
        tryExit();
        return;
      case 'message':
        emit(live, { kind: 'control-message', channelId: e.channelId, message: e.message });
        if (e.message.kind === 'request-idr') emit(live, { kind: 'idr-request' });
        if (e.message.kind === 'invalidate-reference-frames') emit(live, { kind: 'rfi', firstFrame: e.message.firstFrame, lastFrame: e.message.lastFrame });
        return;
      case 'stopped':
        finish(live, { kind: 'control', reason: e.reason });
        return;
    }
  };

  const emit = (live: Live, event: StreamSessionEvent): void => {
    live.log.push(event);
    if (live.log.length > MAX_KEPT_SESSION_EVENTS) live.log.splice(0, live.log.length - MAX_KEPT_SESSION_EVENTS);
    for (const l of [...live.listeners]) l(event);
  };

  const finish = (live: Live, reason: StreamEndReason): void => {
    if (live.state === 'ended') return;
    live.state = 'ended';
    live.endReason = reason;
    lives.delete(live.id);
    emit(live, { kind: 'ended', reason });
    tryExit();
  };

  /**
   * After the app exits, Sunshine's control thread tells every client and stops only once no
   * session still waits for its peer; until then even connected clients hear nothing.
   */
  const tryExit = (): void => {
    if (pendingExit === null || [...lives.values()].some((l) => l.control === null)) return;
    const reason = pendingExit;
    pendingExit = null;
    for (const live of [...lives.values()]) terminate(live, { code: TERMINATION_GRACEFUL, reason });
  };

  /** Sunshine's stop: the control peer is dropped without a reason code. */
  const drop = (live: Live, reason: StreamEndReason): void => {
    control.removeSession(live.id, 'disconnect-now', deps.nowMs());
    finish(live, reason);
  };

  const terminate = (live: Live, ending: Ending): void => {
    if (live.control === null) {
      // Sunshine keeps serving a session still waiting for its peer, to tell it once it comes.
      live.terminateWith = ending;
      return;
    }
    control.send(live.id, { kind: 'termination', code: ending.code }, deps.nowMs());
    control.removeSession(live.id, 'silent', deps.nowMs());
    finish(live, ending.reason);
  };

  const maybeSendHdr = (live: Live): void => {
    if (live.hdrSent || live.control === null || live.video === null) return;
    live.hdrSent = true;
    const enabled = live.stream.dynamicRange !== 0;
    if (control.send(live.id, { kind: 'hdr-mode', enabled, metadata: enabled ? SIMULATED_HDR_METADATA : NO_HDR_METADATA }, deps.nowMs())) emit(live, { kind: 'hdr-mode', enabled });
  };

  const matchPing = (port: 'video' | 'audio', from: UdpEndpoint, bytes: Uint8Array): void => {
    const waiting = [...lives.values()].filter((l) => l[port] === null);
    let live: Live | undefined;
    if (bytes.length === LEGACY_PING.length) {
      live = waiting.find((l) => !l.sessionIds && (l.clientAddress === null || l.clientAddress === from.address));
      if (live !== undefined && Buffer.from(bytes).toString('latin1') !== LEGACY_PING) live = undefined;
    } else if (bytes.length >= SESSION_PING_BYTES) {
      const key = Buffer.from(bytes.subarray(0, PING_PAYLOAD_CHARS)).toString('latin1');
      live = waiting.find((l) => l.launch.avPingPayload === key);
    }
    if (live === undefined) {
      const known = [...lives.values()].some((l) => l[port] !== null && l[port]?.address === from.address && l[port]?.port === from.port);
      if (known) counts.pingsAfterMatch += 1;
      else counts.pingsUnmatched += 1;
      return;
    }
    counts.pingsAccepted += 1;
    live[port] = { ...from };
    emit(live, port === 'video' ? { kind: 'video-target', endpoint: { ...from } } : { kind: 'audio-target', endpoint: { ...from } });
    if (port === 'video') maybeSendHdr(live);
  };

  const checkPingDeadlines = (): void => {
    const now = deps.nowMs();
    for (const live of [...lives.values()]) {
      if (now < live.pingDeadlineMs) continue;
      if (live.video === null) drop(live, { kind: 'no-ping', stream: 'video' });
      else if (live.audio === null) drop(live, { kind: 'no-ping', stream: 'audio' });
    }
  };

  const core: StreamCore = {
    startStream(launch, stream, clientAddress) {
      const id = nextId++;
      const sessionIds = (stream.clientFeatureFlags & CLIENT_FEATURE_SESSION_IDS) !== 0;
      const live: Live = {
        id,
        launch,
        stream,
        state: 'awaiting-client',
        endReason: null,
        video: null,
        audio: null,
        control: null,
        sessionIds,
        clientAddress,
        pingDeadlineMs: deps.nowMs() + config.pingTimeoutMs,
        hdrSent: false,
        terminateWith: null,
        listeners: new Set(),
        log: [],
      };
      const session: StreamSession = {
        id,
        launch,
        stream,
        state: () => live.state,
        endReason: () => live.endReason,
        videoTarget: () => live.video,
        audioTarget: () => live.audio,
        controlPeer: () => live.control,
        onEvent(listener) {
          live.listeners.add(listener);
          return () => live.listeners.delete(listener);
        },
        events: () => live.log,
        sendVideo: (datagram) => sendMedia(live, 'video', datagram),
        sendAudio: (datagram) => sendMedia(live, 'audio', datagram),
        sendControl(message) {
          if (live.state === 'ended') return false;
          const sent = control.send(id, message, deps.nowMs());
          flush();
          return sent;
        },
        setHdr(enabled, metadata = enabled ? SIMULATED_HDR_METADATA : NO_HDR_METADATA) {
          if (live.state === 'ended' || live.control === null) return false;
          const sent = control.send(id, { kind: 'hdr-mode', enabled, metadata }, deps.nowMs());
          if (sent) emit(live, { kind: 'hdr-mode', enabled });
          flush();
          return sent;
        },
        end(request = { kind: 'terminate' }) {
          if (live.state === 'ended') return;
          if (request.kind === 'drop') drop(live, { kind: 'dropped' });
          else {
            const code = request.code ?? TERMINATION_GRACEFUL;
            terminate(live, { code, reason: { kind: 'terminated', code } });
          }
          flush();
        },
      };
      lives.set(id, live);
      kept.push(session);
      if (kept.length > MAX_KEPT_SESSIONS) kept.splice(0, kept.length - MAX_KEPT_SESSIONS);
      control.addSession({ id, key: launch.rikey, connectData: launch.controlConnectData, matchByConnectData: sessionIds, expectedAddress: clientAddress, encrypted: stream.controlProtocol === ENCRYPTED_CONTROL_PROTOCOL, legacyNonce: (stream.encryptionEnabled & ENCRYPTION_CONTROL_V2) === 0 }, deps.nowMs());
      for (const l of [...sessionListeners]) l(session);
      deps.wake();
      return session;
    },
    receive(port, from, bytes) {
      if (port === 'control') control.receive(from, bytes, deps.nowMs());
      else matchPing(port, from, bytes);
      flush();
    },
    handleTimeout() {
      control.handleTimeout(deps.nowMs());
      checkPingDeadlines();
      flush();
    },
    appExited() {
      pendingExit = { kind: 'app-exited' };
      tryExit();
      flush();
    },
    shutdown() {
      // Shutting down, Sunshine does not wait for pending sessions: it tells whom it can.
      for (const live of [...lives.values()]) {
        if (live.control === null) finish(live, { kind: 'host-shutdown' });
        else terminate(live, { code: TERMINATION_GRACEFUL, reason: { kind: 'host-shutdown' } });
      }
      flush();
    },
    sessions: () => kept,
    onSession(listener) {
      sessionListeners.add(listener);
      return () => sessionListeners.delete(listener);
    },
    nextDeadlineMs() {
      let deadline = control.nextDeadlineMs() ?? Number.POSITIVE_INFINITY;
      for (const live of lives.values()) if (live.video === null || live.audio === null) deadline = Math.min(deadline, live.pingDeadlineMs);
      return Number.isFinite(deadline) ? deadline : null;
    },
    stats: () => ({ ...counts, control: control.stats(), enet: control.enetStats() }),
  };

  const sendMedia = (live: Live, port: 'video' | 'audio', datagram: Uint8Array): boolean => {
    const to = live[port];
    if (live.state === 'ended' || to === null) return false;
    deps.transmit(port, to, datagram);
    return true;
  };

  return core;
}

export interface StreamHostOptions {
  pingTimeoutMs?: number | undefined;
  enet?: Partial<EnetHostConfig>;
}

export interface StreamHost extends Omit<StreamCore, 'receive' | 'handleTimeout' | 'shutdown' | 'nextDeadlineMs'> {
  /** Binds the three UDP ports; a busy port becomes an ephemeral one when `fallbackToEphemeral`. */
  listen(bindAddress: string, ports: { video: number; audio: number; control: number }, fallbackToEphemeral: boolean): Promise<void>;
  ports(): { video: number; audio: number; control: number };
  /** Terminates every session (Sunshine's shutdown) and closes the ports. */
  close(): Promise<void>;
}

export function createStreamHost(options: StreamHostOptions = {}): StreamHost {
  const sockets = new Map<StreamPort, Socket>();
  const bound = { video: 0, audio: 0, control: 0 };
  let timer: NodeJS.Timeout | null = null;
  const clock = (): number => performance.now();
  const rearm = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const deadline = core.nextDeadlineMs();
    if (deadline === null || sockets.size === 0) return;
    timer = setTimeout(() => core.handleTimeout(), Math.max(0, Math.ceil(deadline - clock())));
    timer.unref();
  };
  const config: StreamCoreConfig = { pingTimeoutMs: options.pingTimeoutMs ?? DEFAULT_STREAM_CORE_CONFIG.pingTimeoutMs, enet: { ...DEFAULT_ENET_HOST_CONFIG, ...options.enet } };
  const core = createStreamCore(config, {
    nowMs: clock,
    transmit: (port, to, bytes) => sockets.get(port)?.send(bytes, to.port, to.address, () => undefined),
    wake: rearm,
  });

  const bind = (port: StreamPort, bindAddress: string, wanted: number, fallback: boolean): Promise<number> =>
    new Promise((resolve, reject) => {
      const socket = createSocket(bindAddress.includes(':') ? 'udp6' : 'udp4');
      socket.once('error', (e: NodeJS.ErrnoException) => {
        socket.close();
        if (fallback && wanted !== 0 && e.code === 'EADDRINUSE') resolve(bind(port, bindAddress, 0, false));
        else reject(e);
      });
      socket.bind(wanted, bindAddress, () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined);
        socket.on('message', (bytes: Buffer, from: RemoteInfo) => core.receive(port, { address: from.address, port: from.port }, new Uint8Array(bytes)));
        sockets.set(port, socket);
        resolve(socket.address().port);
      });
    });

  return {
    startStream: (launch, stream, clientAddress) => core.startStream(launch, stream, clientAddress),
    appExited: () => core.appExited(),
    sessions: () => core.sessions(),
    onSession: (listener) => core.onSession(listener),
    stats: () => core.stats(),
    async listen(bindAddress, wanted, fallback) {
      for (const port of ['video', 'audio', 'control'] as const) bound[port] = await bind(port, bindAddress, wanted[port], fallback);
    },
    ports: () => ({ ...bound }),
    async close() {
      core.shutdown();
      if (timer !== null) clearTimeout(timer);
      timer = null;
      const open = [...sockets.values()];
      sockets.clear();
      await Promise.all(open.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

// ---- state and constants ----

interface Ending {
  code: number;
  reason: StreamEndReason;
}

interface Live {
  id: number;
  launch: LaunchSession;
  stream: AnnouncedStream;
  state: StreamSessionState;
  endReason: StreamEndReason | null;
  video: UdpEndpoint | null;
  audio: UdpEndpoint | null;
  control: UdpEndpoint | null;
  /** The client announced session ids (x-ml-general.featureFlags 0x02). */
  sessionIds: boolean;
  clientAddress: string | null;
  /** Both streams' first pings are due by then (each of Sunshine's threads waits ping_timeout). */
  pingDeadlineMs: number;
  hdrSent: boolean;
  /** The termination owed to a peer that has not connected yet. */
  terminateWith: Ending | null;
  listeners: Set<(event: StreamSessionEvent) => void>;
  log: StreamSessionEvent[];
}

/**
 * The HDR10 mastering data the simulated display reports when HDR is on: BT.2020 primaries and
 * D65 white in 1/50 000, 1000 nits peak, 0.005 nit black, MaxCLL 1000, MaxFALL 400. A choice of
 * the simulator: Sunshine passes on whatever its capture backend reports (§4.4.14).
 */
export const SIMULATED_HDR_METADATA: HdrMetadata = {
  displayPrimaries: [
    { x: 35_400, y: 14_600 },
    { x: 8_500, y: 39_850 },
    { x: 6_550, y: 2_300 },
  ],
  whitePoint: { x: 15_635, y: 16_450 },
  maxDisplayLuminanceNits: 1000,
  minDisplayLuminance10000thNits: 50,
  maxContentLightLevelNits: 1000,
  maxFrameAverageLightLevelNits: 400,
  maxFullFrameLuminanceNits: 400,
};

export const MAX_KEPT_SESSION_EVENTS = 1024;
/** Ended sessions stay listed for tests; a long-running simulator forgets the oldest. */
const MAX_KEPT_SESSIONS = 32;
/** Each round answers the last; a handful suffices, so this only guards against a loop. */
const MAX_FLUSH_ROUNDS = 64;
const CLIENT_FEATURE_SESSION_IDS = 0x02;
const ENCRYPTED_CONTROL_PROTOCOL = 13;
/** SS_ENC bit of the control stream's 12-byte nonce (data-plane.md §4.3). */
const ENCRYPTION_CONTROL_V2 = 0x01;
const LEGACY_PING = 'PING';
/** §1.4: the 16-character payload, then a BE32 counter. */
const PING_PAYLOAD_CHARS = 16;
const SESSION_PING_BYTES = 20;
