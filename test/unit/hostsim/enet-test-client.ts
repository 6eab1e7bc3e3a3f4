// A compact GameStream control client for tests, written only as a protocol check of the
// simulated host: it connects with MCC's CONNECT (48 channels, MTU 900, the connect data),
// acknowledges what needs it, sends control messages in the encrypted envelope, and records
// what the host sends. Its ENet bytes are built and read here, independently of the host's
// enet-wire.ts, so a mistake there cannot hide in both ends. It never retransmits: tests that
// need loss say so with `resendUnacknowledged`.

import { openControlEnvelope, sealControlEnvelope, type ControlFrame, type ControlNonceStyle } from '../../hostsim/control-envelope.ts';

export type TestClientState = 'idle' | 'connecting' | 'connected' | 'disconnected';

export interface ReceivedCommand {
  command: number;
  channelId: number;
  reliableSequenceNumber: number;
  flags: number;
  /** Data of send commands, fields of the others. */
  body: Uint8Array;
}

export interface TestControlClient {
  state(): TestClientState;
  /** The CONNECT datagram. */
  connect(connectData: number, nowMs: number): Uint8Array;
  /** Feeds one datagram from the host; returns the datagrams to send back (acknowledgements). */
  receive(bytes: Uint8Array, nowMs: number): Uint8Array[];
  /** One encrypted control message as a datagram (reliable, or unsequenced as MCC sends FEC status). */
  message(type: number, payload: Uint8Array, channelId: number, nowMs: number, delivery?: 'reliable' | 'unsequenced'): Uint8Array;
  /** Raw data on a channel, not enveloped (for hostile-input tests). */
  raw(data: Uint8Array, channelId: number, nowMs: number): Uint8Array;
  disconnect(nowMs: number): Uint8Array;
  /** Our reliable datagrams the host has not acknowledged yet, as sent. */
  resendUnacknowledged(): Uint8Array[];
  /** Host control messages, decrypted, in arrival order (duplicates dropped). */
  messages(): ControlFrame[];
  /** Every command the host sent, in order, retransmissions included. */
  commands(): ReceivedCommand[];
  disconnectData(): number | null;
  verifyConnect(): { peerId: number; mtu: number; channelCount: number; sessionId: number } | null;
}

export function createTestControlClient(key: Uint8Array, nonceStyle: ControlNonceStyle = 'v2'): TestControlClient {
  let state: TestClientState = 'idle';
  let hostPeerId = PEER_NONE;
  let sessionId = 0;
  let peerSeq = 0;
  let envelopeSeq = 0;
  let unsequencedGroup = 0;
  let disconnectData: number | null = null;
  let verify: { peerId: number; mtu: number; channelCount: number; sessionId: number } | null = null;
  const channelSeq = new Map<number, number>();
  const delivered = new Map<number, number>();
  const pending = new Map<string, Uint8Array>();
  const frames: ControlFrame[] = [];
  const log: ReceivedCommand[] = [];

  const datagram = (nowMs: number, commands: Uint8Array[], withTime: boolean): Uint8Array => {
    const header = new Uint8Array(withTime ? 4 : 2);
    const view = new DataView(header.buffer);
    view.setUint16(0, (hostPeerId & 0x0fff) | ((sessionId & 3) << 12) | (withTime ? 0x8000 : 0));
    if (withTime) view.setUint16(2, Math.floor(nowMs) % 0x10000);
    return Buffer.concat([header, ...commands]);
  };
  const command = (number: number, flags: number, channelId: number, sequence: number, fields: number[][], data?: Uint8Array): Uint8Array => {
    const fixed = 4 + fields.reduce((n, [bytes]) => n + (bytes ?? 0), 0);
    const out = new Uint8Array(fixed + (data?.length ?? 0));
    const view = new DataView(out.buffer);
    view.setUint8(0, number | flags);
    view.setUint8(1, channelId);
    view.setUint16(2, sequence);
    let at = 4;
    for (const [bytes, value] of fields) {
      if (bytes === 1) view.setUint8(at, value ?? 0);
      else if (bytes === 2) view.setUint16(at, value ?? 0);
      else view.setUint32(at, (value ?? 0) >>> 0);
      at += bytes ?? 0;
    }
    if (data !== undefined) out.set(data, fixed);
    return out;
  };
  const reliable = (nowMs: number, channelId: number, build: (sequence: number) => Uint8Array): Uint8Array => {
    let sequence: number;
    if (channelId === 0xff) sequence = peerSeq = (peerSeq + 1) & 0xffff;
    else channelSeq.set(channelId, (sequence = ((channelSeq.get(channelId) ?? 0) + 1) & 0xffff));
    const bytes = datagram(nowMs, [build(sequence)], true);
    pending.set(`${channelId}/${sequence}`, bytes);
    return bytes;
  };
  const ack = (channelId: number, sequence: number, sentTime: number): Uint8Array => command(CMD_ACK, 0, channelId, sequence, [[2, sequence], [2, sentTime]]);

  return {
    state: () => state,
    connect(connectData, nowMs) {
      state = 'connecting';
      return reliable(nowMs, 0xff, (sequence) =>
        command(CMD_CONNECT, FLAG_ACK, 0xff, sequence, [[2, 0], [1, 0xff], [1, 0xff], [4, MTU], [4, 65_536], [4, CHANNELS], [4, 0], [4, 0], [4, 5000], [4, 2], [4, 2], [4, CONNECT_ID], [4, connectData]]),
      );
    },
    receive(bytes, nowMs) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const word = view.getUint16(0);
      const sentTime = (word & 0x8000) !== 0 ? view.getUint16(2) : null;
      const acks: Uint8Array[] = [];
      for (let at = sentTime === null ? 2 : 4; at < bytes.length; ) {
        const byte = view.getUint8(at);
        const number = byte & 0x0f;
        const channelId = view.getUint8(at + 1);
        const sequence = view.getUint16(at + 2);
        const fixed = FIXED[number];
        if (fixed === undefined) throw new Error(`test client: host sent command ${number}`);
        const dataBytes = number === CMD_SEND_RELIABLE ? view.getUint16(at + 4) : number === CMD_SEND_UNRELIABLE || number === CMD_SEND_UNSEQUENCED ? view.getUint16(at + 6) : 0;
        const body = bytes.slice(at + (dataBytes > 0 ? fixed : 4), at + fixed + dataBytes);
        log.push({ command: number, channelId, reliableSequenceNumber: sequence, flags: byte & 0xf0, body });
        at += fixed + dataBytes;
        if ((byte & FLAG_ACK) !== 0 && sentTime !== null) acks.push(ack(channelId, sequence, sentTime));
        switch (number) {
          case CMD_ACK:
            pending.delete(`${channelId}/${view.getUint16(at - fixed + 4)}`);
            break;
          case CMD_VERIFY_CONNECT:
            hostPeerId = view.getUint16(at - fixed + 4);
            sessionId = view.getUint8(at - fixed + 7);
            verify = { peerId: hostPeerId, mtu: view.getUint32(at - fixed + 8), channelCount: view.getUint32(at - fixed + 16), sessionId };
            state = 'connected';
            pending.delete(`255/1`);
            break;
          case CMD_DISCONNECT:
            disconnectData = view.getUint32(at - fixed + 4);
            state = 'disconnected';
            break;
          case CMD_SEND_RELIABLE: {
            if ((delivered.get(channelId) ?? 0) >= sequence) break;
            delivered.set(channelId, sequence);
            const opened = openControlEnvelope(key, 'host', body, nonceStyle);
            if (opened.kind !== 'opened') throw new Error(`test client: host message did not open (${opened.kind})`);
            frames.push(opened.frame);
            break;
          }
          default:
            break;
        }
      }
      return acks.length === 0 ? [] : [datagram(nowMs, acks, false)];
    },
    message(type, payload, channelId, nowMs, delivery = 'reliable') {
      const envelope = sealControlEnvelope(key, envelopeSeq, 'client', { type, payload }, nonceStyle);
      envelopeSeq += 1;
      if (delivery === 'unsequenced') {
        unsequencedGroup = (unsequencedGroup + 1) & 0xffff;
        return datagram(nowMs, [command(CMD_SEND_UNSEQUENCED, FLAG_UNSEQUENCED, channelId, 0, [[2, unsequencedGroup], [2, envelope.length]], envelope)], false);
      }
      return reliable(nowMs, channelId, (sequence) => command(CMD_SEND_RELIABLE, FLAG_ACK, channelId, sequence, [[2, envelope.length]], envelope));
    },
    raw(data, channelId, nowMs) {
      return reliable(nowMs, channelId, (sequence) => command(CMD_SEND_RELIABLE, FLAG_ACK, channelId, sequence, [[2, data.length]], data));
    },
    disconnect(nowMs) {
      state = 'disconnected';
      return reliable(nowMs, 0xff, (sequence) => command(CMD_DISCONNECT, FLAG_ACK, 0xff, sequence, [[4, 0]]));
    },
    resendUnacknowledged: () => [...pending.values()],
    messages: () => frames,
    commands: () => log,
    disconnectData: () => disconnectData,
    verifyConnect: () => verify,
  };
}

// ENet values, as MCC connects (data-plane.md §4.1, §4.6, §9).
const PEER_NONE = 0x0fff;
const MTU = 900;
const CHANNELS = 48;
const CONNECT_ID = 0x1234_5678;
const FLAG_ACK = 0x80;
const FLAG_UNSEQUENCED = 0x40;
const CMD_ACK = 1;
const CMD_CONNECT = 2;
const CMD_VERIFY_CONNECT = 3;
const CMD_DISCONNECT = 4;
const CMD_SEND_RELIABLE = 6;
const CMD_SEND_UNRELIABLE = 7;
const CMD_SEND_UNSEQUENCED = 9;
/** Fixed sizes of the commands a host may send us; others are a test failure. */
const FIXED: Readonly<Record<number, number>> = { 1: 8, 3: 44, 4: 8, 5: 4, 6: 6, 7: 8, 9: 8, 10: 12, 11: 16 };
