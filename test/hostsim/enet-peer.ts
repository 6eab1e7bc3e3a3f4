// One ENet peer slot of the simulated host, the sending half (data-plane.md §4.6): sequence
// numbers for what it queues, fragmentation to the peer's MTU, acknowledgements owed, the
// reliable commands in flight with their retransmission timers, the round-trip estimate, and
// the packing of all that into datagrams. The receiving half is enet-incoming.ts; the host
// (enet-host.ts) routes datagrams to peers and drives the state changes.
//
// Retransmission follows the moonlight fork of ENet that Sunshine links: the timeout of a
// reliable command is RTT + min(RTT, 4 × max(1, variance)), at most a fifth of the peer's
// maximum timeout, and it grows by that step at each attempt (upstream ENet doubles it). The
// peer times out when a command has waited `timeoutMaximumMs`, or has used its
// `timeoutLimit` steps and waited `timeoutMinimumMs`.

import { createEnetIncoming, type EnetIncoming } from './enet-incoming.ts';
import {
  ENET_CHANNEL_PEER,
  ENET_MAX_COMMANDS_PER_DATAGRAM,
  ENET_PEER_ID_NONE,
  encodeEnetDatagram,
  enetCommandSize,
  enetFixedSize,
  type EnetCommand,
  type EnetCommandBody,
  type EnetCommandKind,
} from './enet-wire.ts';

export type EnetPeerState = 'disconnected' | 'acknowledging-connect' | 'connected' | 'disconnect-later' | 'disconnecting' | 'acknowledging-disconnect' | 'zombie';

export interface UdpEndpoint {
  address: string;
  port: number;
}

export interface EnetPeerTimeouts {
  pingIntervalMs: number;
  timeoutLimit: number;
  timeoutMinimumMs: number;
  timeoutMaximumMs: number;
}

export interface EnetPeer {
  readonly id: number;
  state: EnetPeerState;
  address: UdpEndpoint;
  /** The peer's own id for us, which our datagrams carry in their header. */
  outgoingPeerId: number;
  /** Kept across connections on this slot, so each new one gets other values. */
  incomingSessionId: number;
  outgoingSessionId: number;
  connectId: number;
  mtu: number;
  windowSize: number;
  channelCount: number;
  /** The connect `data` word, and later the data of a disconnect. */
  eventData: number;
  incomingBandwidth: number;
  outgoingBandwidth: number;
  throttle: { interval: number; acceleration: number; deceleration: number };
  incoming: EnetIncoming | null;
  timeouts: EnetPeerTimeouts;
  rttMs: number;
  rttVarianceMs: number;
  rttMeasured: boolean;
  /** When an acknowledgement last arrived; ENet pings a peer that has been silent this long. */
  lastAcknowledgedMs: number;
  earliestTimeoutMs: number | null;
  reliableInTransitBytes: number;
  outgoingReliableSeq: number;
  channelOut: Array<{ reliableSeq: number; unreliableSeq: number }>;
  outgoingUnsequencedGroup: number;
  outgoing: OutgoingCommand[];
  sent: OutgoingCommand[];
  acks: PendingAck[];
}

export interface OutgoingCommand {
  command: EnetCommand;
  sizeBytes: number;
  sendAttempts: number;
  sentAtMs: number;
  timeoutMs: number;
  timeoutStepMs: number;
  timeoutLimitMs: number;
}

export interface PendingAck {
  channelId: number;
  reliableSequenceNumber: number;
  sentTime: number;
  kind: EnetCommandKind;
}

export type EnetSendDelivery = 'reliable' | 'unreliable' | 'unsequenced';

export function createPeerSlot(id: number, timeouts: EnetPeerTimeouts): EnetPeer {
  const peer: EnetPeer = {
    id,
    state: 'disconnected',
    address: { address: '', port: 0 },
    outgoingPeerId: ENET_PEER_ID_NONE,
    incomingSessionId: 0xff,
    outgoingSessionId: 0xff,
    connectId: 0,
    mtu: 0,
    windowSize: 0,
    channelCount: 0,
    eventData: 0,
    incomingBandwidth: 0,
    outgoingBandwidth: 0,
    throttle: { interval: 0, acceleration: 0, deceleration: 0 },
    incoming: null,
    timeouts,
    rttMs: 0,
    rttVarianceMs: 0,
    rttMeasured: false,
    lastAcknowledgedMs: 0,
    earliestTimeoutMs: null,
    reliableInTransitBytes: 0,
    outgoingReliableSeq: 0,
    channelOut: [],
    outgoingUnsequencedGroup: 0,
    outgoing: [],
    sent: [],
    acks: [],
  };
  resetPeer(peer);
  return peer;
}

/** Back to a free slot; the session ids stay (see EnetPeer). */
export function resetPeer(peer: EnetPeer): void {
  peer.state = 'disconnected';
  peer.outgoingPeerId = ENET_PEER_ID_NONE;
  peer.connectId = 0;
  peer.eventData = 0;
  peer.incoming = null;
  peer.channelCount = 0;
  peer.channelOut = [];
  peer.rttMs = DEFAULT_RTT_MS;
  peer.rttVarianceMs = 0;
  peer.rttMeasured = false;
  peer.lastAcknowledgedMs = 0;
  peer.earliestTimeoutMs = null;
  peer.outgoingReliableSeq = 0;
  peer.outgoingUnsequencedGroup = 0;
  resetQueues(peer);
}

export function resetQueues(peer: EnetPeer): void {
  peer.outgoing = [];
  peer.sent = [];
  peer.acks = [];
  peer.reliableInTransitBytes = 0;
}

/** Opens the channels of a new connection. */
export function setupChannels(peer: EnetPeer, channelCount: number, limits: { maxPacketBytes: number; maxWaitingBytes: number }): void {
  peer.channelCount = channelCount;
  peer.channelOut = Array.from({ length: channelCount }, () => ({ reliableSeq: 0, unreliableSeq: 0 }));
  peer.incoming = createEnetIncoming(channelCount, limits);
}

/**
 * Queues one command with its sequence numbers: channel 0xFF commands count on the peer,
 * reliable ones on their channel (resetting its unreliable count), unsequenced ones by group.
 */
export function queueCommand(peer: EnetPeer, channelId: number, body: EnetCommandBody, delivery: EnetSendDelivery): void {
  let reliableSequenceNumber = 0;
  let patched: EnetCommandBody = body;
  const out = peer.channelOut[channelId];
  if (channelId === ENET_CHANNEL_PEER) {
    peer.outgoingReliableSeq = (peer.outgoingReliableSeq + 1) & 0xffff;
    reliableSequenceNumber = peer.outgoingReliableSeq;
  } else if (delivery === 'reliable' && out !== undefined) {
    out.reliableSeq = (out.reliableSeq + 1) & 0xffff;
    out.unreliableSeq = 0;
    reliableSequenceNumber = out.reliableSeq;
  } else if (delivery === 'unsequenced') {
    peer.outgoingUnsequencedGroup = (peer.outgoingUnsequencedGroup + 1) & 0xffff;
    if (patched.kind === 'send-unsequenced') patched = { ...patched, unsequencedGroup: peer.outgoingUnsequencedGroup };
  } else if (out !== undefined) {
    out.unreliableSeq = (out.unreliableSeq + 1) & 0xffff;
    reliableSequenceNumber = out.reliableSeq;
    if (patched.kind === 'send-unreliable') patched = { ...patched, unreliableSequenceNumber: out.unreliableSeq };
  }
  const command: EnetCommand = { acknowledge: delivery === 'reliable', unsequenced: delivery === 'unsequenced', channelId, reliableSequenceNumber, ...patched };
  peer.outgoing.push({ command, sizeBytes: enetCommandSize(command), sendAttempts: 0, sentAtMs: 0, timeoutMs: 0, timeoutStepMs: 0, timeoutLimitMs: 0 });
}

/**
 * Queues an application packet. One that does not fit a datagram goes as reliable fragments,
 * as ENet sends an oversized unreliable packet too.
 */
export function queuePacket(peer: EnetPeer, channelId: number, data: Uint8Array, delivery: EnetSendDelivery): void {
  const fragmentBytes = peer.mtu - DATAGRAM_HEADER_BYTES - enetFixedSize('send-fragment');
  if (data.length > fragmentBytes) {
    const out = peer.channelOut[channelId];
    if (out === undefined) return;
    const fragmentCount = Math.ceil(data.length / fragmentBytes);
    const startSequenceNumber = (out.reliableSeq + 1) & 0xffff;
    for (let i = 0; i < fragmentCount; i += 1) {
      const fragmentOffset = i * fragmentBytes;
      const chunk = data.slice(fragmentOffset, fragmentOffset + fragmentBytes);
      queueCommand(peer, channelId, { kind: 'send-fragment', startSequenceNumber, fragmentCount, fragmentNumber: i, totalLength: data.length, fragmentOffset, data: chunk }, 'reliable');
    }
    return;
  }
  const copy = data.slice();
  switch (delivery) {
    case 'reliable':
      queueCommand(peer, channelId, { kind: 'send-reliable', data: copy }, delivery);
      return;
    case 'unreliable':
      queueCommand(peer, channelId, { kind: 'send-unreliable', unreliableSequenceNumber: 0, data: copy }, delivery);
      return;
    case 'unsequenced':
      queueCommand(peer, channelId, { kind: 'send-unsequenced', unsequencedGroup: 0, data: copy }, delivery);
      return;
  }
}

/**
 * An acknowledgement from the peer: updates the round trip and removes the command it
 * answers. Returns that command's kind, null when nothing matched, 'stale' when its echoed
 * time lies in the future (ENet ignores those).
 */
export function takeAcknowledgement(peer: EnetPeer, channelId: number, sequence: number, echoedSentTime: number, nowMs: number): EnetCommandKind | null | 'stale' {
  // The 16-bit echo is placed in the 64 Ki ms period of now (or the one before, if it is
  // later in its period than now is); arithmetic, since a clock in ms overflows 32-bit ops.
  const now = Math.floor(nowMs);
  const low = now % 0x10000;
  let sentAt = now - low + echoedSentTime;
  if ((echoedSentTime & 0x8000) > (low & 0x8000)) sentAt -= 0x10000;
  if (sentAt > now) return 'stale';
  peer.lastAcknowledgedMs = now;
  peer.earliestTimeoutMs = null;
  updateRoundTrip(peer, Math.max(1, now - sentAt));
  const match = (o: OutgoingCommand): boolean => o.command.reliableSequenceNumber === sequence && o.command.channelId === channelId && o.command.acknowledge;
  let index = peer.sent.findIndex(match);
  if (index >= 0) {
    const [done] = peer.sent.splice(index, 1);
    if (done === undefined) return null;
    peer.reliableInTransitBytes -= done.sizeBytes;
    return done.command.kind;
  }
  // A command put back for retransmission may be acknowledged by its earlier copy.
  index = peer.outgoing.findIndex((o) => match(o) && o.sendAttempts > 0);
  if (index < 0) return null;
  const [done] = peer.outgoing.splice(index, 1);
  return done === undefined ? null : done.command.kind;
}

/** Puts commands whose timer ran out back in line; 'timeout' when the peer must be dropped. */
export function checkRetransmissions(peer: EnetPeer, nowMs: number, onRetransmit: () => void): 'ok' | 'timeout' {
  const keep: OutgoingCommand[] = [];
  const again: OutgoingCommand[] = [];
  for (const o of peer.sent) {
    const waitedMs = nowMs - o.sentAtMs;
    if (waitedMs < o.timeoutMs) {
      keep.push(o);
      continue;
    }
    if (peer.earliestTimeoutMs === null || o.sentAtMs < peer.earliestTimeoutMs) peer.earliestTimeoutMs = o.sentAtMs;
    const sinceEarliestMs = nowMs - peer.earliestTimeoutMs;
    if (sinceEarliestMs >= peer.timeouts.timeoutMaximumMs || (o.timeoutMs >= o.timeoutLimitMs && sinceEarliestMs >= peer.timeouts.timeoutMinimumMs)) return 'timeout';
    peer.reliableInTransitBytes -= o.sizeBytes;
    o.timeoutMs += o.timeoutStepMs;
    again.push(o);
    onRetransmit();
  }
  peer.sent = keep;
  peer.outgoing.unshift(...again);
  return 'ok';
}

export function shouldPing(peer: EnetPeer, nowMs: number): boolean {
  return peer.state === 'connected' && peer.outgoing.length === 0 && peer.sent.length === 0 && nowMs - peer.lastAcknowledgedMs >= peer.timeouts.pingIntervalMs;
}

/** The earliest time this peer needs servicing, or null. */
export function peerDeadlineMs(peer: EnetPeer): number | null {
  if (peer.state === 'disconnected') return null;
  let deadline = Number.POSITIVE_INFINITY;
  for (const o of peer.sent) deadline = Math.min(deadline, o.sentAtMs + o.timeoutMs);
  // Queued commands wait only for the window, which the retransmission timers reopen.
  if (peer.acks.length > 0 || (peer.outgoing.length > 0 && peer.sent.length === 0)) deadline = Math.min(deadline, 0);
  if (peer.state === 'connected' && peer.sent.length === 0) deadline = Math.min(deadline, peer.lastAcknowledgedMs + peer.timeouts.pingIntervalMs);
  return Number.isFinite(deadline) ? deadline : null;
}

/**
 * Packs owed acknowledgements, then queued commands, into datagrams of at most the peer's MTU
 * and 32 commands, holding reliable commands back while the window is full. `onAckSent` sees
 * each acknowledgement that left (the host needs to know when a DISCONNECT's did).
 */
export function buildDatagrams(peer: EnetPeer, nowMs: number, onAckSent: (ack: PendingAck) => void): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  const budget = Math.max(peer.mtu, DATAGRAM_HEADER_BYTES + enetFixedSize('connect'));
  let windowFull = false;
  for (let guard = 0; guard < MAX_DATAGRAMS_PER_FLUSH; guard += 1) {
    const commands: EnetCommand[] = [];
    let size = DATAGRAM_HEADER_BYTES;
    let reliable = false;
    const acks: PendingAck[] = [];
    while (peer.acks.length > 0 && commands.length < ENET_MAX_COMMANDS_PER_DATAGRAM && size + ACK_BYTES <= budget) {
      const ack = peer.acks.shift();
      if (ack === undefined) break;
      commands.push({ kind: 'acknowledge', acknowledge: false, unsequenced: false, channelId: ack.channelId, reliableSequenceNumber: ack.reliableSequenceNumber, receivedReliableSequenceNumber: ack.reliableSequenceNumber, receivedSentTime: ack.sentTime });
      acks.push(ack);
      size += ACK_BYTES;
    }
    const remaining: OutgoingCommand[] = [];
    for (const o of peer.outgoing) {
      const isReliable = o.command.acknowledge;
      const blocked = isReliable && (windowFull || (peer.reliableInTransitBytes > 0 && peer.reliableInTransitBytes + o.sizeBytes > peer.windowSize));
      if (blocked) windowFull = true;
      if (blocked || commands.length >= ENET_MAX_COMMANDS_PER_DATAGRAM || size + o.sizeBytes > budget) {
        remaining.push(o);
        continue;
      }
      commands.push(o.command);
      size += o.sizeBytes;
      if (!isReliable) continue;
      reliable = true;
      if (o.sendAttempts === 0) startTimer(peer, o);
      o.sendAttempts += 1;
      o.sentAtMs = nowMs;
      peer.reliableInTransitBytes += o.sizeBytes;
      peer.sent.push(o);
    }
    peer.outgoing = remaining;
    if (commands.length === 0) break;
    const sessionId = peer.outgoingPeerId < ENET_PEER_ID_NONE ? peer.outgoingSessionId & 0x3 : 0;
    datagrams.push(encodeEnetDatagram({ peerId: peer.outgoingPeerId, sessionId, sentTime: reliable ? Math.floor(nowMs) % 0x10000 : null }, commands));
    for (const ack of acks) onAckSent(ack);
  }
  return datagrams;
}

// ---- helpers ----

function startTimer(peer: EnetPeer, o: OutgoingCommand): void {
  const stepMs = Math.min(peer.rttMs + Math.min(peer.rttMs, 4 * Math.max(1, peer.rttVarianceMs)), peer.timeouts.timeoutMaximumMs / 5);
  o.timeoutStepMs = stepMs;
  o.timeoutMs = stepMs;
  o.timeoutLimitMs = stepMs * peer.timeouts.timeoutLimit;
}

function updateRoundTrip(peer: EnetPeer, sampleMs: number): void {
  if (!peer.rttMeasured) {
    peer.rttMeasured = true;
    peer.rttMs = sampleMs;
    peer.rttVarianceMs = sampleMs / 2;
    return;
  }
  peer.rttVarianceMs += (Math.abs(sampleMs - peer.rttMs) - peer.rttVarianceMs) / 4;
  peer.rttMs += (sampleMs - peer.rttMs) / 8;
}

/** The sent-time header: what every datagram with a reliable command carries (§4.6). */
const DATAGRAM_HEADER_BYTES = 4;
const ACK_BYTES = 8;
/** ENet's initial round-trip guess before any acknowledgement. */
const DEFAULT_RTT_MS = 500;
/** One flush never loops forever, whatever the queue holds. */
const MAX_DATAGRAMS_PER_FLUSH = 256;
