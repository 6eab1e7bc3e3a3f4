// Sunshine's control server (data-plane.md §4.1, §4.3, §4.4, §1.5), sans-IO over the simulated
// ENet host: it owns the control port's ENet endpoint and the control side of every stream
// session, and it is driven with datagrams, timeouts and commands that each carry the time.
//
// Theory of operation. A session is added when its stream starts (RTSP ANNOUNCE) and waits
// for a peer. Each ENet event is attributed to a session: a new peer by its connect `data`
// word when the client announced session ids (feature bit 0x02), otherwise by its IP address;
// a peer no session wants is dropped at once (an unsequenced DISCONNECT, as Sunshine's
// "disconnect now"). Every event of a session, whatever it holds, pushes its liveness deadline
// `pingTimeoutMs` ahead; a session whose deadline passes is stopped and its peer dropped, so a
// client must keep sending (MCC's 100 ms periodic ping). On an encrypted stream (control
// protocol 13) only envelopes are read: a plain message is dropped, a runt ignored, a tag that
// fails or an envelope nested in an envelope stops the session. Host messages go reliable on
// channel 0, sealed with the host's own sequence numbers from 0.

import { CONTROL_ENVELOPE_TYPE, encodeV1, openControlEnvelope, parseV1, sealControlEnvelope, type ControlFrame } from './control-envelope.ts';
import { encodeHostMessage, parseClientMessage, type ClientControlMessage, type HostControlMessage } from './control-messages.ts';
import { createEnetHost, type EnetHost, type EnetHostConfig, type EnetHostEvent, type EnetHostStats, type EnetTransmit, type UdpEndpoint } from './enet-host.ts';

export interface ControlSessionSpec {
  id: number;
  /** rikey: the key of the control envelope. */
  key: Uint8Array;
  connectData: number;
  /** The client announced session ids (x-ml-general.featureFlags 0x02): match by connect data. */
  matchByConnectData: boolean;
  /** The RTSP client's IP, for clients without session ids; null accepts any address. */
  expectedAddress: string | null;
  /** Control protocol 13 (SDP useReliableUdp): every message in an envelope. */
  encrypted: boolean;
  /** The client did not enable control v2 (SS_ENC 0x01): GFE's 16-byte nonce. */
  legacyNonce: boolean;
}

export type ControlStopReason = 'client-disconnected' | 'enet-timeout' | 'control-timeout' | 'auth-failed' | 'nested-envelope';

export type ControlServerEvent =
  | { kind: 'connected'; sessionId: number; address: UdpEndpoint }
  | { kind: 'message'; sessionId: number; channelId: number; message: ClientControlMessage }
  /** The server ended the session's control side itself; its peer is gone. */
  | { kind: 'stopped'; sessionId: number; reason: ControlStopReason }
  | { kind: 'rejected-peer'; address: UdpEndpoint; data: number };

export interface ControlServerStats {
  /** Plain messages on an encrypted stream, which Sunshine drops. */
  plaintextDropped: number;
  /** Envelopes with L < 24, which Sunshine ignores. */
  runts: number;
  /** Packets shorter than their header or than their L says. */
  truncated: number;
  /** Messages too short for their type. */
  malformedMessages: number;
  unknownMessages: number;
  rejectedPeers: number;
}

export type ControlRemoval = 'disconnect-now' | 'silent';

export interface ControlServer {
  addSession(spec: ControlSessionSpec, nowMs: number): void;
  /** 'disconnect-now' is Sunshine's stop; 'silent' forgets the peer as a destroyed host does. */
  removeSession(sessionId: number, how: ControlRemoval, nowMs: number): void;
  /** Queues a host message; false while the session has no peer. */
  send(sessionId: number, message: HostControlMessage, nowMs: number): boolean;
  receive(from: UdpEndpoint, bytes: Uint8Array, nowMs: number): void;
  handleTimeout(nowMs: number): void;
  pollTransmit(): EnetTransmit | null;
  pollEvent(): ControlServerEvent | null;
  nextDeadlineMs(): number | null;
  peerAddress(sessionId: number): UdpEndpoint | null;
  stats(): Readonly<ControlServerStats>;
  enetStats(): Readonly<EnetHostStats>;
}

export interface ControlServerConfig {
  /** Sunshine's `ping_timeout` (default 10 s). */
  pingTimeoutMs: number;
  enet: EnetHostConfig;
}

export function createControlServer(config: ControlServerConfig, startMs: number): ControlServer {
  const enet: EnetHost = createEnetHost(config.enet, startMs);
  const sessions = new Map<number, SessionState>();
  const events: ControlServerEvent[] = [];
  const stats: ControlServerStats = { plaintextDropped: 0, runts: 0, truncated: 0, malformedMessages: 0, unknownMessages: 0, rejectedPeers: 0 };

  const byPeer = (peerId: number): SessionState | undefined => [...sessions.values()].find((s) => s.peerId === peerId);

  const claim = (address: UdpEndpoint, data: number): SessionState | undefined =>
    [...sessions.values()].find((s) => {
      if (s.peerId !== null) return false;
      if (s.spec.matchByConnectData) return s.spec.connectData === data;
      return s.spec.expectedAddress === null || s.spec.expectedAddress === address.address;
    });

  const stop = (s: SessionState, reason: ControlStopReason, nowMs: number): void => {
    if (s.peerId !== null && reason !== 'client-disconnected' && reason !== 'enet-timeout') enet.disconnectNow(s.peerId, 0, nowMs);
    sessions.delete(s.spec.id);
    events.push({ kind: 'stopped', sessionId: s.spec.id, reason });
  };

  const dispatch = (s: SessionState, channelId: number, frame: ControlFrame): void => {
    const message = parseClientMessage(frame);
    if (message.kind === 'malformed') stats.malformedMessages += 1;
    if (message.kind === 'unknown') stats.unknownMessages += 1;
    events.push({ kind: 'message', sessionId: s.spec.id, channelId, message });
  };

  const received = (s: SessionState, channelId: number, data: Uint8Array, nowMs: number): void => {
    if (!s.spec.encrypted) {
      const frame = parseV1(data);
      if (frame === null) stats.truncated += 1;
      else dispatch(s, channelId, frame);
      return;
    }
    const opened = openControlEnvelope(s.spec.key, 'client', data, s.spec.legacyNonce ? 'legacy' : 'v2');
    switch (opened.kind) {
      case 'opened':
        if (opened.frame.type === CONTROL_ENVELOPE_TYPE) stop(s, 'nested-envelope', nowMs);
        else dispatch(s, channelId, opened.frame);
        return;
      case 'not-envelope':
        stats.plaintextDropped += 1;
        return;
      case 'runt':
        stats.runts += 1;
        return;
      case 'truncated':
        stats.truncated += 1;
        return;
      case 'auth-failed':
        stop(s, 'auth-failed', nowMs);
        return;
    }
  };

  const onEnetEvent = (e: EnetHostEvent, nowMs: number): void => {
    switch (e.kind) {
      case 'connect': {
        const s = claim(e.address, e.data);
        if (s === undefined) {
          stats.rejectedPeers += 1;
          enet.disconnectNow(e.peerId, 0, nowMs);
          events.push({ kind: 'rejected-peer', address: e.address, data: e.data });
          return;
        }
        s.peerId = e.peerId;
        s.deadlineMs = nowMs + config.pingTimeoutMs;
        events.push({ kind: 'connected', sessionId: s.spec.id, address: e.address });
        return;
      }
      case 'receive': {
        const s = byPeer(e.peerId);
        if (s === undefined) return;
        s.deadlineMs = nowMs + config.pingTimeoutMs;
        received(s, e.channelId, e.data, nowMs);
        return;
      }
      case 'disconnect': {
        const s = byPeer(e.peerId);
        if (s === undefined) return;
        s.peerId = null;
        stop(s, e.cause === 'timeout' ? 'enet-timeout' : 'client-disconnected', nowMs);
        return;
      }
    }
  };

  const drainEnet = (nowMs: number): void => {
    for (let e = enet.pollEvent(); e !== null; e = enet.pollEvent()) onEnetEvent(e, nowMs);
  };

  const checkLiveness = (nowMs: number): void => {
    for (const s of [...sessions.values()]) if (nowMs > s.deadlineMs) stop(s, 'control-timeout', nowMs);
  };

  return {
    addSession(spec, nowMs) {
      sessions.set(spec.id, { spec, peerId: null, deadlineMs: nowMs + config.pingTimeoutMs, sequence: 0 });
    },
    removeSession(sessionId, how, nowMs) {
      const s = sessions.get(sessionId);
      if (s === undefined) return;
      sessions.delete(sessionId);
      if (s.peerId === null) return;
      if (how === 'disconnect-now') enet.disconnectNow(s.peerId, 0, nowMs);
      else enet.resetPeer(s.peerId);
    },
    send(sessionId, message, nowMs) {
      const s = sessions.get(sessionId);
      if (s === undefined || s.peerId === null) return false;
      const frame = encodeHostMessage(message);
      const bytes = s.spec.encrypted ? sealControlEnvelope(s.spec.key, s.sequence, 'host', frame, s.spec.legacyNonce ? 'legacy' : 'v2') : encodeV1(frame);
      s.sequence = (s.sequence + 1) >>> 0;
      return enet.send(s.peerId, HOST_CHANNEL, bytes, 'reliable', nowMs) === null;
    },
    receive(from, bytes, nowMs) {
      enet.receive(from, bytes, nowMs);
      drainEnet(nowMs);
      checkLiveness(nowMs);
    },
    handleTimeout(nowMs) {
      enet.handleTimeout(nowMs);
      drainEnet(nowMs);
      checkLiveness(nowMs);
    },
    pollTransmit: () => enet.pollTransmit(),
    pollEvent: () => events.shift() ?? null,
    nextDeadlineMs() {
      let deadline = enet.nextDeadlineMs() ?? Number.POSITIVE_INFINITY;
      // Strictly after the deadline, as Sunshine compares.
      for (const s of sessions.values()) deadline = Math.min(deadline, s.deadlineMs + 1);
      return Number.isFinite(deadline) ? deadline : null;
    },
    peerAddress(sessionId) {
      const s = sessions.get(sessionId);
      if (s === undefined || s.peerId === null) return null;
      return enet.peer(s.peerId)?.address ?? null;
    },
    stats: () => stats,
    enetStats: () => enet.stats(),
  };
}

interface SessionState {
  spec: ControlSessionSpec;
  peerId: number | null;
  /** Sunshine's pingTimeout: the session stops when the clock passes it. */
  deadlineMs: number;
  /** The host's envelope sequence number for its next message. */
  sequence: number;
}

/** Sunshine sends every host message on channel 0 (§4.1). */
const HOST_CHANNEL = 0;
