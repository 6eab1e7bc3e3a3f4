// What one ENet peer does with the data commands it receives (data-plane.md §4.6): reliable
// packets are delivered once and in order per channel, fragmented ones once every fragment is
// in, unreliable ones in order and only while no newer reliable packet has been delivered on
// their channel, unsequenced ones at once but never twice.
//
// Each input returns a verdict for the caller's acknowledgement: 'accepted' and 'ignored'
// (a duplicate, or a sequence number outside the receive window) are both acknowledged, as an
// ENet peer acknowledges a retransmission it already has; 'error' (a fragment that contradicts
// itself, or more waiting data than the limit) is not, and the rest of that datagram is
// dropped. All waiting data is bounded by `maxWaitingBytes`.

export type IncomingVerdict = 'accepted' | 'ignored' | 'error';

export type EnetDelivery = 'reliable' | 'unreliable' | 'unsequenced';

export interface DeliveredPacket {
  channelId: number;
  data: Uint8Array;
  delivery: EnetDelivery;
}

export interface FragmentInput {
  startSequenceNumber: number;
  fragmentCount: number;
  fragmentNumber: number;
  totalLength: number;
  fragmentOffset: number;
  data: Uint8Array;
}

export interface EnetIncomingLimits {
  /** Largest packet accepted, whole or reassembled. */
  maxPacketBytes: number;
  /** Data held back (out of order, incomplete) at any time, over all channels. */
  maxWaitingBytes: number;
}

export interface EnetIncoming {
  reliable(channelId: number, reliableSequenceNumber: number, data: Uint8Array): IncomingVerdict;
  unreliable(channelId: number, reliableSequenceNumber: number, unreliableSequenceNumber: number, data: Uint8Array): IncomingVerdict;
  unsequenced(channelId: number, unsequencedGroup: number, data: Uint8Array): IncomingVerdict;
  fragment(channelId: number, reliableSequenceNumber: number, fields: FragmentInput, reliable: boolean): IncomingVerdict;
  /** Packets ready for the application, oldest first; each is returned once. */
  drain(): DeliveredPacket[];
  waitingBytes(): number;
}

export function createEnetIncoming(channelCount: number, limits: EnetIncomingLimits): EnetIncoming {
  const channels: Channel[] = Array.from({ length: channelCount }, () => ({ reliableSeq: 0, unreliableSeq: 0, reliable: new Map(), unreliable: [] }));
  const ready: DeliveredPacket[] = [];
  let waiting = 0;
  let unsequencedBase = 0;
  let unsequencedSeen = new Uint32Array(UNSEQUENCED_WINDOW / 32);

  const reserve = (bytes: number): boolean => {
    if (waiting + bytes > limits.maxWaitingBytes) return false;
    waiting += bytes;
    return true;
  };

  const dispatchReliable = (channelId: number, ch: Channel): void => {
    for (;;) {
      const next = (ch.reliableSeq + 1) & 0xffff;
      const entry = ch.reliable.get(next);
      if (entry === undefined || entry.remaining > 0) break;
      ch.reliable.delete(next);
      waiting -= entry.data.length;
      ready.push({ channelId, data: entry.data, delivery: 'reliable' });
      ch.reliableSeq = (next + Math.max(entry.fragmentCount, 1) - 1) & 0xffff;
      ch.unreliableSeq = 0;
    }
    dispatchUnreliable(channelId, ch);
  };

  const dispatchUnreliable = (channelId: number, ch: Channel): void => {
    // Oldest reliable sequence first (counted from the current one, so wrap-around sorts right).
    const age = (p: PendingUnreliable): number => (p.reliableSeq - ch.reliableSeq) & 0xffff;
    ch.unreliable.sort((a, b) => age(a) - age(b) || a.unreliableSeq - b.unreliableSeq);
    const kept: PendingUnreliable[] = [];
    for (const p of ch.unreliable) {
      const ahead = p.reliableSeq !== ch.reliableSeq && inReceiveWindow(p.reliableSeq, ch.reliableSeq);
      if (ahead || (p.reliableSeq === ch.reliableSeq && p.remaining > 0)) {
        kept.push(p);
        continue;
      }
      waiting -= p.data.length;
      if (p.reliableSeq === ch.reliableSeq && p.unreliableSeq > ch.unreliableSeq) {
        ready.push({ channelId, data: p.data, delivery: 'unreliable' });
        ch.unreliableSeq = p.unreliableSeq;
      }
    }
    ch.unreliable = kept;
  };

  const validFragment = (f: FragmentInput): boolean =>
    f.fragmentCount <= MAX_FRAGMENT_COUNT &&
    f.fragmentCount <= f.totalLength &&
    f.fragmentNumber < f.fragmentCount &&
    f.totalLength <= limits.maxPacketBytes &&
    f.fragmentOffset < f.totalLength &&
    f.data.length <= f.totalLength - f.fragmentOffset;

  const fill = (entry: Fragmented, f: FragmentInput): void => {
    const word = f.fragmentNumber >>> 5;
    const bit = 1 << (f.fragmentNumber & 31);
    if (((entry.received[word] ?? 0) & bit) !== 0) return;
    entry.received[word] = (entry.received[word] ?? 0) | bit;
    entry.remaining -= 1;
    entry.data.set(f.data, f.fragmentOffset);
  };

  return {
    reliable(channelId, rsn, data) {
      const ch = channels[channelId];
      if (ch === undefined) return 'error';
      if (data.length > limits.maxPacketBytes) return 'error';
      if (!inReceiveWindow(rsn, ch.reliableSeq) || rsn === ch.reliableSeq || ch.reliable.has(rsn)) return 'ignored';
      // The next packet in order leaves at once, so it never waits for room (a full buffer
      // would otherwise hold back the very packet that empties it).
      const next = rsn === ((ch.reliableSeq + 1) & 0xffff);
      if (next) waiting += data.length;
      else if (!reserve(data.length)) return 'error';
      ch.reliable.set(rsn, { data: data.slice(), fragmentCount: 0, remaining: 0, received: new Uint32Array(0) });
      dispatchReliable(channelId, ch);
      return 'accepted';
    },

    unreliable(channelId, rsn, usn, data) {
      const ch = channels[channelId];
      if (ch === undefined) return 'error';
      if (data.length > limits.maxPacketBytes) return 'error';
      if (!inReceiveWindow(rsn, ch.reliableSeq)) return 'ignored';
      if (rsn === ch.reliableSeq && usn <= ch.unreliableSeq) return 'ignored';
      if (!reserve(data.length)) return 'error';
      ch.unreliable.push({ reliableSeq: rsn, unreliableSeq: usn, data: data.slice(), fragmentCount: 0, remaining: 0, received: new Uint32Array(0) });
      dispatchUnreliable(channelId, ch);
      return 'accepted';
    },

    unsequenced(channelId, group, data) {
      if (channels[channelId] === undefined) return 'error';
      if (data.length > limits.maxPacketBytes) return 'error';
      const index = group % UNSEQUENCED_WINDOW;
      const unwrapped = group < unsequencedBase ? group + 0x10000 : group;
      if (unwrapped >= unsequencedBase + FREE_UNSEQUENCED_WINDOWS * UNSEQUENCED_WINDOW) return 'ignored';
      const base = (group - index) & 0xffff;
      if (base !== unsequencedBase) {
        unsequencedBase = base;
        unsequencedSeen = new Uint32Array(UNSEQUENCED_WINDOW / 32);
      } else if (((unsequencedSeen[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0) {
        return 'ignored';
      }
      unsequencedSeen[index >>> 5] = (unsequencedSeen[index >>> 5] ?? 0) | (1 << (index & 31));
      ready.push({ channelId, data: data.slice(), delivery: 'unsequenced' });
      return 'accepted';
    },

    fragment(channelId, rsn, f, reliable) {
      const ch = channels[channelId];
      if (ch === undefined) return 'error';
      if (reliable) {
        const start = f.startSequenceNumber;
        if (!inReceiveWindow(start, ch.reliableSeq) || start === ch.reliableSeq) return 'ignored';
        if (!validFragment(f)) return 'error';
        let entry = ch.reliable.get(start);
        if (entry === undefined) {
          if (!reserve(f.totalLength)) return 'error';
          entry = { data: new Uint8Array(f.totalLength), fragmentCount: f.fragmentCount, remaining: f.fragmentCount, received: new Uint32Array(Math.ceil(f.fragmentCount / 32)) };
          ch.reliable.set(start, entry);
        } else if (entry.fragmentCount !== f.fragmentCount || entry.data.length !== f.totalLength) {
          return 'error';
        }
        fill(entry, f);
        if (entry.remaining === 0) dispatchReliable(channelId, ch);
        return 'accepted';
      }
      if (!inReceiveWindow(rsn, ch.reliableSeq)) return 'ignored';
      if (rsn === ch.reliableSeq && f.startSequenceNumber <= ch.unreliableSeq) return 'ignored';
      if (!validFragment(f)) return 'error';
      let entry = ch.unreliable.find((p) => p.reliableSeq === rsn && p.unreliableSeq === f.startSequenceNumber);
      if (entry === undefined) {
        if (!reserve(f.totalLength)) return 'error';
        entry = { reliableSeq: rsn, unreliableSeq: f.startSequenceNumber, data: new Uint8Array(f.totalLength), fragmentCount: f.fragmentCount, remaining: f.fragmentCount, received: new Uint32Array(Math.ceil(f.fragmentCount / 32)) };
        ch.unreliable.push(entry);
      } else if (entry.fragmentCount !== f.fragmentCount || entry.data.length !== f.totalLength) {
        return 'error';
      }
      fill(entry, f);
      if (entry.remaining === 0) dispatchUnreliable(channelId, ch);
      return 'accepted';
    },

    drain: () => ready.splice(0, ready.length),
    waitingBytes: () => waiting,
  };
}

/**
 * ENet's receive window: sequence numbers are grouped in windows of 4096, and a number is
 * taken only if its window is the current one or one of the next few (a number below the
 * current one counts as wrapped around, which puts it far ahead and so outside).
 */
export function inReceiveWindow(sequence: number, current: number): boolean {
  let window = Math.floor(sequence / RELIABLE_WINDOW_SIZE);
  const currentWindow = Math.floor(current / RELIABLE_WINDOW_SIZE);
  if (sequence < current) window += RELIABLE_WINDOWS;
  return window >= currentWindow && window < currentWindow + FREE_RELIABLE_WINDOWS - 1;
}

// ---- state ----

interface Fragmented {
  data: Uint8Array;
  /** 0 for a packet that came whole. */
  fragmentCount: number;
  remaining: number;
  /** One bit per fragment received. */
  received: Uint32Array;
}

interface PendingUnreliable extends Fragmented {
  reliableSeq: number;
  unreliableSeq: number;
}

interface Channel {
  /** The last reliable sequence number delivered (0: none yet). */
  reliableSeq: number;
  /** The last unreliable sequence number delivered since that reliable one. */
  unreliableSeq: number;
  reliable: Map<number, Fragmented>;
  unreliable: PendingUnreliable[];
}

// ENet's window constants (peer.h of ENet 1.3.x, unchanged in the moonlight fork, §4.6).
const RELIABLE_WINDOW_SIZE = 0x1000;
const RELIABLE_WINDOWS = 16;
const FREE_RELIABLE_WINDOWS = 8;
const UNSEQUENCED_WINDOW = 1024;
const FREE_UNSEQUENCED_WINDOWS = 32;
const MAX_FRAGMENT_COUNT = 1024 * 1024;
