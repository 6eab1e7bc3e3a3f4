// The simulated host's ENet endpoint (data-plane.md §4.1, §4.6), sans-IO: it is fed datagrams
// with their source and the time, and answers with datagrams to send, events, and the time it
// next needs servicing. It only ever accepts connections, as Sunshine's control port does.
//
// Theory of operation. A datagram names the peer slot it is for (or none, for a CONNECT) and
// the connection on that slot (2-bit session id); anything else is dropped and counted. A
// CONNECT takes a free slot: the host answers VERIFY_CONNECT with the MTU (the smaller of its
// own and the client's), the window, the channels granted (at most its limit) and the client's
// connect id, and the peer is connected once the client acknowledges that; only then does the
// application see `connect`, with the connect `data` word. Every reliable command that arrives
// in a datagram carrying a sent time is acknowledged. Once a second, after a peer connected or
// left, the host sends each peer a BANDWIDTH_LIMIT (ENet's throttle epoch), and a peer it has
// heard no acknowledgement from for the ping interval gets a PING. A peer times out when its
// reliable data goes unacknowledged (enet-peer.ts). Events: connect, receive, disconnect.

import {
  ENET_CHANNEL_PEER,
  ENET_MAX_CHANNELS,
  ENET_MAX_MTU,
  ENET_MAX_WINDOW_BYTES,
  ENET_MIN_CHANNELS,
  ENET_MIN_MTU,
  ENET_MIN_WINDOW_BYTES,
  ENET_PEER_ID_NONE,
  parseEnetDatagram,
  type EnetCommand,
} from './enet-wire.ts';
import type { EnetDelivery, IncomingVerdict } from './enet-incoming.ts';
import {
  buildDatagrams,
  checkRetransmissions,
  createPeerSlot,
  peerDeadlineMs,
  queueCommand,
  queuePacket,
  resetPeer,
  resetQueues,
  setupChannels,
  shouldPing,
  takeAcknowledgement,
  type EnetPeer,
  type EnetPeerState,
  type EnetSendDelivery,
  type UdpEndpoint,
} from './enet-peer.ts';

export type { EnetPeerState, EnetSendDelivery, UdpEndpoint } from './enet-peer.ts';
export type { EnetDelivery } from './enet-incoming.ts';

export interface EnetHostConfig {
  /** Peer slots; Sunshine's control host has 128 (§4.1). */
  peerLimit: number;
  /** Channels granted at most; ENet's maximum, 255, on Sunshine (§4.1). */
  channelLimit: number;
  /** The host's MTU; 900 in the moonlight fork Sunshine links (§4.6). */
  mtu: number;
  /** Largest packet accepted or sent, whole or reassembled. */
  maxPacketBytes: number;
  /** Out-of-order and incomplete data held per peer. */
  maxWaitingBytes: number;
  /** Largest datagram read; ENet's receive buffer is its maximum MTU. */
  maxDatagramBytes: number;
  pingIntervalMs: number;
  timeoutLimit: number;
  timeoutMinimumMs: number;
  timeoutMaximumMs: number;
  /** Queued outgoing commands per peer before send() refuses. */
  maxQueuedCommands: number;
}

export const DEFAULT_ENET_HOST_CONFIG: EnetHostConfig = {
  peerLimit: 128,
  channelLimit: ENET_MAX_CHANNELS,
  mtu: 900,
  // The control envelope's length field is 16 bits (§4.3): no control message is larger.
  maxPacketBytes: 4 + 0xffff,
  maxWaitingBytes: 256 * 1024,
  maxDatagramBytes: ENET_MAX_MTU,
  // ENet's defaults; Sunshine does not change them on its side.
  pingIntervalMs: 500,
  timeoutLimit: 32,
  timeoutMinimumMs: 5000,
  timeoutMaximumMs: 30_000,
  maxQueuedCommands: 4096,
};

export type EnetDisconnectCause = 'remote' | 'timeout' | 'local';

export type EnetHostEvent =
  | { kind: 'connect'; peerId: number; address: UdpEndpoint; data: number; channelCount: number }
  | { kind: 'receive'; peerId: number; channelId: number; data: Uint8Array; delivery: EnetDelivery }
  | { kind: 'disconnect'; peerId: number; data: number; cause: EnetDisconnectCause };

export interface EnetTransmit {
  to: UdpEndpoint;
  bytes: Uint8Array;
}

/** Why datagrams or commands were dropped; every count only grows. */
export interface EnetHostStats {
  datagramsReceived: number;
  datagramsSent: number;
  /** Too short for a header, compressed, or larger than the receive buffer. */
  malformedDatagrams: number;
  /** For a slot that does not exist, is free, or belongs to another address or connection. */
  strayDatagrams: number;
  /** Datagrams whose commands stopped early: an unreadable command or one refused. */
  truncatedDatagrams: number;
  rejectedConnects: number;
  retransmissions: number;
  timeouts: number;
}

export type EnetSendError = 'not-connected' | 'bad-channel' | 'too-large' | 'queue-full';

export interface EnetPeerInfo {
  id: number;
  state: EnetPeerState;
  address: UdpEndpoint;
  mtu: number;
  channelCount: number;
  rttMs: number;
}

export interface EnetHost {
  receive(from: UdpEndpoint, bytes: Uint8Array, nowMs: number): void;
  /** Retransmissions, pings, timeouts and the throttle epoch; early or repeated calls are harmless. */
  handleTimeout(nowMs: number): void;
  send(peerId: number, channelId: number, data: Uint8Array, delivery: EnetSendDelivery, nowMs: number): EnetSendError | null;
  /** Graceful: a reliable DISCONNECT, then `disconnect` once it is acknowledged. */
  disconnect(peerId: number, data: number, nowMs: number): void;
  /** An unsequenced DISCONNECT and the slot is free at once, with no event. */
  disconnectNow(peerId: number, data: number, nowMs: number): void;
  /** Forgets the peer without a word, as a destroyed host does. */
  resetPeer(peerId: number): void;
  pollTransmit(): EnetTransmit | null;
  pollEvent(): EnetHostEvent | null;
  /** The next time handleTimeout has work, or null when there is none. */
  nextDeadlineMs(): number | null;
  peer(peerId: number): EnetPeerInfo | null;
  stats(): Readonly<EnetHostStats>;
}

export function createEnetHost(config: EnetHostConfig, startMs: number): EnetHost {
  const timeouts = { pingIntervalMs: config.pingIntervalMs, timeoutLimit: config.timeoutLimit, timeoutMinimumMs: config.timeoutMinimumMs, timeoutMaximumMs: config.timeoutMaximumMs };
  const peers: EnetPeer[] = Array.from({ length: config.peerLimit }, (_, i) => createPeerSlot(i, timeouts));
  const transmits: EnetTransmit[] = [];
  const events: EnetHostEvent[] = [];
  const stats: EnetHostStats = { datagramsReceived: 0, datagramsSent: 0, malformedDatagrams: 0, strayDatagrams: 0, truncatedDatagrams: 0, rejectedConnects: 0, retransmissions: 0, timeouts: 0 };
  let throttleEpochMs = startMs;
  let recalculateBandwidth = false;
  const limits = { maxPacketBytes: config.maxPacketBytes, maxWaitingBytes: config.maxWaitingBytes };

  const flushPeer = (peer: EnetPeer, nowMs: number): void => {
    if (peer.state === 'disconnected') return;
    if (shouldPing(peer, nowMs)) queueCommand(peer, ENET_CHANNEL_PEER, { kind: 'ping' }, 'reliable');
    let disconnectAcknowledged = false;
    for (const bytes of buildDatagrams(peer, nowMs, (ack) => (disconnectAcknowledged ||= ack.kind === 'disconnect'))) {
      transmits.push({ to: peer.address, bytes });
      stats.datagramsSent += 1;
    }
    // Once the DISCONNECT's acknowledgement is out (or cannot be, having no sent time) the peer is gone.
    if (peer.state === 'acknowledging-disconnect' && (disconnectAcknowledged || peer.acks.length === 0)) leave(peer, 'remote');
    if (peer.state === 'disconnect-later' && peer.outgoing.length === 0 && peer.sent.length === 0) startDisconnect(peer, peer.eventData, nowMs);
  };

  /** The peer is gone; the application hears of it if it ever saw the connection. */
  const leave = (peer: EnetPeer, cause: EnetDisconnectCause): void => {
    const announced = peer.state !== 'acknowledging-connect';
    if (announced) {
      recalculateBandwidth = true;
      events.push({ kind: 'disconnect', peerId: peer.id, data: peer.eventData, cause });
    }
    resetPeer(peer);
  };

  const startDisconnect = (peer: EnetPeer, data: number, nowMs: number): void => {
    if (peer.state === 'disconnecting' || peer.state === 'disconnected' || peer.state === 'acknowledging-disconnect' || peer.state === 'zombie') return;
    const graceful = peer.state === 'connected' || peer.state === 'disconnect-later';
    resetQueues(peer);
    queueCommand(peer, ENET_CHANNEL_PEER, { kind: 'disconnect', data }, graceful ? 'reliable' : 'unsequenced');
    if (graceful) {
      peer.state = 'disconnecting';
      return;
    }
    flushPeer(peer, nowMs);
    resetPeer(peer);
  };

  const connect = (from: UdpEndpoint, c: EnetCommand & { kind: 'connect' }): EnetPeer | null => {
    if (c.channelCount < ENET_MIN_CHANNELS || c.channelCount > ENET_MAX_CHANNELS) return null;
    // A retransmitted CONNECT: the VERIFY_CONNECT is already on its way and will be resent.
    if (peers.some((p) => p.state !== 'disconnected' && sameEndpoint(p.address, from) && p.connectId === c.connectId)) return null;
    const peer = peers.find((p) => p.state === 'disconnected');
    if (peer === undefined) return null;
    peer.state = 'acknowledging-connect';
    peer.address = { ...from };
    peer.connectId = c.connectId;
    peer.outgoingPeerId = c.outgoingPeerId;
    peer.eventData = c.data;
    peer.incomingBandwidth = c.incomingBandwidth;
    peer.outgoingBandwidth = c.outgoingBandwidth;
    peer.throttle = { interval: c.packetThrottleInterval, acceleration: c.packetThrottleAcceleration, deceleration: c.packetThrottleDeceleration };
    peer.outgoingSessionId = nextSessionId(c.incomingSessionId === 0xff ? peer.outgoingSessionId : c.incomingSessionId, peer.outgoingSessionId);
    peer.incomingSessionId = nextSessionId(c.outgoingSessionId === 0xff ? peer.incomingSessionId : c.outgoingSessionId, peer.incomingSessionId);
    peer.mtu = Math.min(config.mtu, clamp(c.mtu, ENET_MIN_MTU, ENET_MAX_MTU));
    // Neither side limits bandwidth in a GameStream session, so ENet's window is its maximum.
    peer.windowSize = clamp(c.incomingBandwidth === 0 ? ENET_MAX_WINDOW_BYTES : windowForBandwidth(c.incomingBandwidth), ENET_MIN_WINDOW_BYTES, ENET_MAX_WINDOW_BYTES);
    setupChannels(peer, Math.min(c.channelCount, config.channelLimit), limits);
    queueCommand(
      peer,
      ENET_CHANNEL_PEER,
      {
        kind: 'verify-connect',
        outgoingPeerId: peer.id,
        incomingSessionId: peer.incomingSessionId,
        outgoingSessionId: peer.outgoingSessionId,
        mtu: peer.mtu,
        windowSize: clamp(Math.min(ENET_MAX_WINDOW_BYTES, c.windowSize), ENET_MIN_WINDOW_BYTES, ENET_MAX_WINDOW_BYTES),
        channelCount: peer.channelCount,
        incomingBandwidth: 0,
        outgoingBandwidth: 0,
        packetThrottleInterval: c.packetThrottleInterval,
        packetThrottleAcceleration: c.packetThrottleAcceleration,
        packetThrottleDeceleration: c.packetThrottleDeceleration,
        connectId: c.connectId,
      },
      'reliable',
    );
    return peer;
  };

  const acknowledged = (peer: EnetPeer, c: EnetCommand & { kind: 'acknowledge' }, nowMs: number): boolean => {
    if (peer.state === 'disconnected' || peer.state === 'zombie') return true;
    const kind = takeAcknowledgement(peer, c.channelId, c.receivedReliableSequenceNumber, c.receivedSentTime, nowMs);
    if (kind === 'stale') return true;
    switch (peer.state) {
      case 'acknowledging-connect':
        if (kind !== 'verify-connect') return false;
        peer.state = 'connected';
        recalculateBandwidth = true;
        events.push({ kind: 'connect', peerId: peer.id, address: { ...peer.address }, data: peer.eventData, channelCount: peer.channelCount });
        return true;
      case 'disconnecting':
        if (kind === 'disconnect') leave(peer, 'local');
        return true;
      default:
        return true;
    }
  };

  const remoteDisconnect = (peer: EnetPeer, c: EnetCommand & { kind: 'disconnect' }): void => {
    if (peer.state === 'zombie' || peer.state === 'acknowledging-disconnect') return;
    resetQueues(peer);
    if (peer.state === 'acknowledging-connect' || peer.state === 'disconnecting') {
      peer.eventData = c.data;
      leave(peer, 'remote');
      return;
    }
    peer.eventData = c.data;
    if (c.acknowledge) peer.state = 'acknowledging-disconnect';
    else leave(peer, 'remote');
  };

  const delivered = (peer: EnetPeer): void => {
    for (const p of peer.incoming?.drain() ?? []) events.push({ kind: 'receive', peerId: peer.id, channelId: p.channelId, data: p.data, delivery: p.delivery });
  };

  /** One command; false stops the datagram (ENet's "command error"). */
  const handle = (peer: EnetPeer, c: EnetCommand, nowMs: number): boolean => {
    const open = peer.state === 'connected' || peer.state === 'disconnect-later';
    const incoming = peer.incoming;
    const data = (verdict: IncomingVerdict): boolean => {
      if (verdict === 'error') return false;
      delivered(peer);
      return true;
    };
    switch (c.kind) {
      case 'acknowledge':
        return acknowledged(peer, c, nowMs);
      case 'connect':
        return false;
      case 'verify-connect':
        return true;
      case 'disconnect':
        remoteDisconnect(peer, c);
        return true;
      case 'ping':
        return open;
      case 'bandwidth-limit':
        if (!open) return false;
        peer.incomingBandwidth = c.incomingBandwidth;
        peer.outgoingBandwidth = c.outgoingBandwidth;
        peer.windowSize = clamp(c.incomingBandwidth === 0 ? ENET_MAX_WINDOW_BYTES : windowForBandwidth(c.incomingBandwidth), ENET_MIN_WINDOW_BYTES, ENET_MAX_WINDOW_BYTES);
        return true;
      case 'throttle-configure':
        if (!open) return false;
        peer.throttle = { interval: c.interval, acceleration: c.acceleration, deceleration: c.deceleration };
        return true;
      default:
        break;
    }
    if (!open || incoming === null || c.channelId >= peer.channelCount) return false;
    // ENet still acknowledges data that arrives while it waits to disconnect, but drops it.
    if (peer.state === 'disconnect-later') return true;
    switch (c.kind) {
      case 'send-reliable':
        return data(incoming.reliable(c.channelId, c.reliableSequenceNumber, c.data));
      case 'send-unreliable':
        return data(incoming.unreliable(c.channelId, c.reliableSequenceNumber, c.unreliableSequenceNumber, c.data));
      case 'send-unsequenced':
        return data(incoming.unsequenced(c.channelId, c.unsequencedGroup, c.data));
      case 'send-fragment':
      case 'send-unreliable-fragment':
        return data(incoming.fragment(c.channelId, c.reliableSequenceNumber, c, c.kind === 'send-fragment'));
      default:
        return false;
    }
  };

  const owesAcknowledgement = (peer: EnetPeer, c: EnetCommand): boolean => {
    switch (peer.state) {
      case 'disconnecting':
      case 'acknowledging-connect':
      case 'disconnected':
      case 'zombie':
        return false;
      case 'acknowledging-disconnect':
        return c.kind === 'disconnect';
      default:
        return true;
    }
  };

  const service = (nowMs: number): void => {
    if (nowMs - throttleEpochMs >= THROTTLE_INTERVAL_MS) {
      throttleEpochMs = nowMs;
      const open = peers.filter((p) => p.state === 'connected' || p.state === 'disconnect-later');
      if (recalculateBandwidth && open.length > 0) {
        recalculateBandwidth = false;
        for (const p of open) queueCommand(p, ENET_CHANNEL_PEER, { kind: 'bandwidth-limit', incomingBandwidth: 0, outgoingBandwidth: 0 }, 'reliable');
      }
    }
    for (const peer of peers) {
      if (peer.state === 'disconnected') continue;
      if (checkRetransmissions(peer, nowMs, () => (stats.retransmissions += 1)) === 'timeout') {
        stats.timeouts += 1;
        leave(peer, 'timeout');
        continue;
      }
      flushPeer(peer, nowMs);
    }
  };

  const slot = (peerId: number): EnetPeer | null => peers[peerId] ?? null;

  return {
    receive(from, bytes, nowMs) {
      stats.datagramsReceived += 1;
      const parsed = bytes.length > config.maxDatagramBytes ? null : parseEnetDatagram(bytes);
      if (parsed === null || !parsed.ok) {
        stats.malformedDatagrams += 1;
        return;
      }
      const d = parsed.datagram;
      let peer: EnetPeer | null = null;
      if (d.peerId !== ENET_PEER_ID_NONE) {
        peer = slot(d.peerId);
        const stray = peer === null || peer.state === 'disconnected' || peer.state === 'zombie' || !sameEndpoint(peer.address, from) || (peer.outgoingPeerId < ENET_PEER_ID_NONE && d.sessionId !== (peer.incomingSessionId & 0x3));
        if (stray) {
          stats.strayDatagrams += 1;
          return;
        }
      }
      let complete = !d.malformedTail;
      for (const c of d.commands) {
        if (peer === null) {
          peer = c.kind === 'connect' ? connect(from, c) : null;
          if (peer === null) {
            if (c.kind === 'connect') stats.rejectedConnects += 1;
            complete = false;
            break;
          }
        } else if (!handle(peer, c, nowMs)) {
          complete = false;
          break;
        }
        if (!c.acknowledge) continue;
        if (d.sentTime === null) {
          complete = false;
          break;
        }
        if (owesAcknowledgement(peer, c)) peer.acks.push({ channelId: c.channelId, reliableSequenceNumber: c.reliableSequenceNumber, sentTime: d.sentTime, kind: c.kind });
      }
      if (!complete) stats.truncatedDatagrams += 1;
      service(nowMs);
    },
    handleTimeout: service,
    send(peerId, channelId, data, delivery, nowMs) {
      const peer = slot(peerId);
      if (peer === null || peer.state !== 'connected') return 'not-connected';
      if (channelId >= peer.channelCount) return 'bad-channel';
      if (data.length > config.maxPacketBytes) return 'too-large';
      if (peer.outgoing.length >= config.maxQueuedCommands) return 'queue-full';
      queuePacket(peer, channelId, data, delivery);
      flushPeer(peer, nowMs);
      return null;
    },
    disconnect(peerId, data, nowMs) {
      const peer = slot(peerId);
      if (peer === null) return;
      startDisconnect(peer, data, nowMs);
      flushPeer(peer, nowMs);
    },
    disconnectNow(peerId, data, nowMs) {
      const peer = slot(peerId);
      if (peer === null || peer.state === 'disconnected') return;
      if (peer.state !== 'zombie' && peer.state !== 'disconnecting') {
        resetQueues(peer);
        queueCommand(peer, ENET_CHANNEL_PEER, { kind: 'disconnect', data }, 'unsequenced');
        flushPeer(peer, nowMs);
      }
      if (peer.state === 'connected' || peer.state === 'disconnect-later' || peer.state === 'disconnecting') recalculateBandwidth = true;
      resetPeer(peer);
    },
    resetPeer(peerId) {
      const peer = slot(peerId);
      if (peer !== null) resetPeer(peer);
    },
    pollTransmit: () => transmits.shift() ?? null,
    pollEvent: () => events.shift() ?? null,
    nextDeadlineMs() {
      let deadline = recalculateBandwidth ? throttleEpochMs + THROTTLE_INTERVAL_MS : Number.POSITIVE_INFINITY;
      for (const p of peers) deadline = Math.min(deadline, peerDeadlineMs(p) ?? Number.POSITIVE_INFINITY);
      return Number.isFinite(deadline) ? deadline : null;
    },
    peer(peerId) {
      const p = slot(peerId);
      return p === null ? null : { id: p.id, state: p.state, address: { ...p.address }, mtu: p.mtu, channelCount: p.channelCount, rttMs: p.rttMs };
    },
    stats: () => stats,
  };
}

export function sameEndpoint(a: UdpEndpoint, b: UdpEndpoint): boolean {
  return a.address === b.address && a.port === b.port;
}

// ---- helpers ----

/** The next of the 2-bit session ids after `from`, skipping the one in use (`avoid`). */
function nextSessionId(from: number, avoid: number): number {
  let id = (from + 1) & 0x3;
  if (id === avoid) id = (id + 1) & 0x3;
  return id;
}

function windowForBandwidth(bytesPerSecond: number): number {
  return Math.floor(bytesPerSecond / WINDOW_SIZE_SCALE) * ENET_MIN_WINDOW_BYTES;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** ENet recomputes bandwidth limits at most once a second (host.c's throttle interval). */
const THROTTLE_INTERVAL_MS = 1000;
/** ENet's window scale: one minimum window per 64 KiB/s of bandwidth. */
const WINDOW_SIZE_SCALE = 64 * 1024;
