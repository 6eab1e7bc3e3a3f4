// ENet's datagram format (data-plane.md §4.6), both directions: a 2- or 4-byte header, then
// commands back to back, every multi-byte field big-endian. Parsing follows what an ENet host
// does with a datagram: commands are read one after the other and reading stops at the first
// one that is unknown or runs past the end; the commands before it still count. No checksum
// and no compression are configured on either side of a GameStream session, so a datagram
// that says it is compressed cannot be read at all.

export const ENET_PEER_ID_NONE = 0x0fff;
export const ENET_CHANNEL_PEER = 0xff;

/** Bounds from ENet's protocol header (§4.6), which both sides clamp to. */
export const ENET_MIN_MTU = 576;
export const ENET_MAX_MTU = 4096;
export const ENET_MIN_WINDOW_BYTES = 4096;
export const ENET_MAX_WINDOW_BYTES = 65_536;
export const ENET_MIN_CHANNELS = 1;
export const ENET_MAX_CHANNELS = 255;
/** ENet packs at most this many commands into one datagram it sends. */
export const ENET_MAX_COMMANDS_PER_DATAGRAM = 32;

export interface EnetCommandHeader {
  /** The receiver must acknowledge this command (reliable delivery). */
  acknowledge: boolean;
  unsequenced: boolean;
  channelId: number;
  reliableSequenceNumber: number;
}

export interface EnetConnectFields {
  outgoingPeerId: number;
  incomingSessionId: number;
  outgoingSessionId: number;
  mtu: number;
  windowSize: number;
  channelCount: number;
  incomingBandwidth: number;
  outgoingBandwidth: number;
  packetThrottleInterval: number;
  packetThrottleAcceleration: number;
  packetThrottleDeceleration: number;
  connectId: number;
}

export interface EnetFragmentFields {
  startSequenceNumber: number;
  fragmentCount: number;
  fragmentNumber: number;
  totalLength: number;
  fragmentOffset: number;
  data: Uint8Array;
}

export type EnetCommandBody =
  | { kind: 'acknowledge'; receivedReliableSequenceNumber: number; receivedSentTime: number }
  | ({ kind: 'connect'; data: number } & EnetConnectFields)
  | ({ kind: 'verify-connect' } & EnetConnectFields)
  | { kind: 'disconnect'; data: number }
  | { kind: 'ping' }
  | { kind: 'send-reliable'; data: Uint8Array }
  | { kind: 'send-unreliable'; unreliableSequenceNumber: number; data: Uint8Array }
  | ({ kind: 'send-fragment' } & EnetFragmentFields)
  | { kind: 'send-unsequenced'; unsequencedGroup: number; data: Uint8Array }
  | { kind: 'bandwidth-limit'; incomingBandwidth: number; outgoingBandwidth: number }
  | { kind: 'throttle-configure'; interval: number; acceleration: number; deceleration: number }
  | ({ kind: 'send-unreliable-fragment' } & EnetFragmentFields);

export type EnetCommand = EnetCommandHeader & EnetCommandBody;
export type EnetCommandKind = EnetCommandBody['kind'];

export interface EnetDatagramHeader {
  /** The receiver's peer id (its slot), ENET_PEER_ID_NONE before the connection exists. */
  peerId: number;
  /** 2 bits: which connection on that slot this datagram belongs to. */
  sessionId: number;
  /** Low 16 bits of the sender's clock in ms; present when the datagram holds reliable commands. */
  sentTime: number | null;
}

export interface EnetDatagram extends EnetDatagramHeader {
  commands: EnetCommand[];
  /** Bytes after the last readable command: an unknown command, or one cut short. */
  malformedTail: boolean;
}

export type EnetParseResult = { ok: true; datagram: EnetDatagram } | { ok: false; reason: 'short-header' | 'compressed' };

export function parseEnetDatagram(bytes: Uint8Array): EnetParseResult {
  if (bytes.length < 2) return { ok: false, reason: 'short-header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = view.getUint16(0);
  if ((word & HEADER_FLAG_COMPRESSED) !== 0) return { ok: false, reason: 'compressed' };
  const hasSentTime = (word & HEADER_FLAG_SENT_TIME) !== 0;
  if (hasSentTime && bytes.length < 4) return { ok: false, reason: 'short-header' };
  const commands: EnetCommand[] = [];
  let at = hasSentTime ? 4 : 2;
  let malformedTail = false;
  while (at < bytes.length) {
    const read = readCommand(view, at);
    if (read === null) {
      malformedTail = true;
      break;
    }
    commands.push(read.command);
    at = read.end;
  }
  return {
    ok: true,
    datagram: {
      peerId: word & PEER_ID_MASK,
      sessionId: (word & SESSION_MASK) >> SESSION_SHIFT,
      sentTime: hasSentTime ? view.getUint16(2) : null,
      commands,
      malformedTail,
    },
  };
}

export function encodeEnetDatagram(header: EnetDatagramHeader, commands: readonly EnetCommand[]): Uint8Array {
  const headerBytes = header.sentTime === null ? 2 : 4;
  const out = new Uint8Array(headerBytes + commands.reduce((n, c) => n + enetCommandSize(c), 0));
  const view = new DataView(out.buffer);
  const flags = header.sentTime === null ? 0 : HEADER_FLAG_SENT_TIME;
  view.setUint16(0, (header.peerId & PEER_ID_MASK) | ((header.sessionId << SESSION_SHIFT) & SESSION_MASK) | flags);
  if (header.sentTime !== null) view.setUint16(2, header.sentTime & 0xffff);
  let at = headerBytes;
  for (const c of commands) at = writeCommand(view, out, at, c);
  return out;
}

/** Bytes the command takes in a datagram, data included. */
export function enetCommandSize(c: EnetCommand): number {
  const fixed = FIXED_SIZE[COMMAND_NUMBER[c.kind]] ?? 0;
  return 'data' in c && c.data instanceof Uint8Array ? fixed + c.data.length : fixed;
}

/** The size of a command's fixed part, by kind; what a sender budgets per fragment. */
export function enetFixedSize(kind: EnetCommandKind): number {
  return FIXED_SIZE[COMMAND_NUMBER[kind]] ?? 0;
}

// ---- reading ----

function readCommand(view: DataView, at: number): { command: EnetCommand; end: number } | null {
  if (at + 4 > view.byteLength) return null;
  const byte = view.getUint8(at);
  const number = byte & COMMAND_MASK;
  const fixed = FIXED_SIZE[number] ?? 0;
  if (fixed === 0 || at + fixed > view.byteLength) return null;
  const header: EnetCommandHeader = {
    acknowledge: (byte & COMMAND_FLAG_ACKNOWLEDGE) !== 0,
    unsequenced: (byte & COMMAND_FLAG_UNSEQUENCED) !== 0,
    channelId: view.getUint8(at + 1),
    reliableSequenceNumber: view.getUint16(at + 2),
  };
  const u16 = (offset: number): number => view.getUint16(at + offset);
  const u32 = (offset: number): number => view.getUint32(at + offset);
  const withData = (lengthOffset: number, body: (data: Uint8Array) => EnetCommandBody): { command: EnetCommand; end: number } | null => {
    const end = at + fixed + u16(lengthOffset);
    if (end > view.byteLength) return null;
    const data = new Uint8Array(view.buffer, view.byteOffset + at + fixed, end - at - fixed).slice();
    return { command: { ...header, ...body(data) }, end };
  };
  const done = (body: EnetCommandBody): { command: EnetCommand; end: number } => ({ command: { ...header, ...body }, end: at + fixed });
  const connectFields = (): EnetConnectFields => ({
    outgoingPeerId: u16(4),
    incomingSessionId: view.getUint8(at + 6),
    outgoingSessionId: view.getUint8(at + 7),
    mtu: u32(8),
    windowSize: u32(12),
    channelCount: u32(16),
    incomingBandwidth: u32(20),
    outgoingBandwidth: u32(24),
    packetThrottleInterval: u32(28),
    packetThrottleAcceleration: u32(32),
    packetThrottleDeceleration: u32(36),
    connectId: u32(40),
  });
  const fragment = (data: Uint8Array): EnetFragmentFields => ({
    startSequenceNumber: u16(4),
    fragmentCount: u32(8),
    fragmentNumber: u32(12),
    totalLength: u32(16),
    fragmentOffset: u32(20),
    data,
  });
  switch (number) {
    case CMD_ACKNOWLEDGE:
      return done({ kind: 'acknowledge', receivedReliableSequenceNumber: u16(4), receivedSentTime: u16(6) });
    case CMD_CONNECT:
      return done({ kind: 'connect', ...connectFields(), data: u32(44) });
    case CMD_VERIFY_CONNECT:
      return done({ kind: 'verify-connect', ...connectFields() });
    case CMD_DISCONNECT:
      return done({ kind: 'disconnect', data: u32(4) });
    case CMD_PING:
      return done({ kind: 'ping' });
    case CMD_SEND_RELIABLE:
      return withData(4, (data) => ({ kind: 'send-reliable', data }));
    case CMD_SEND_UNRELIABLE:
      return withData(6, (data) => ({ kind: 'send-unreliable', unreliableSequenceNumber: u16(4), data }));
    case CMD_SEND_FRAGMENT:
      return withData(6, (data) => ({ kind: 'send-fragment', ...fragment(data) }));
    case CMD_SEND_UNSEQUENCED:
      return withData(6, (data) => ({ kind: 'send-unsequenced', unsequencedGroup: u16(4), data }));
    case CMD_BANDWIDTH_LIMIT:
      return done({ kind: 'bandwidth-limit', incomingBandwidth: u32(4), outgoingBandwidth: u32(8) });
    case CMD_THROTTLE_CONFIGURE:
      return done({ kind: 'throttle-configure', interval: u32(4), acceleration: u32(8), deceleration: u32(12) });
    case CMD_SEND_UNRELIABLE_FRAGMENT:
      return withData(6, (data) => ({ kind: 'send-unreliable-fragment', ...fragment(data) }));
    default:
      return null;
  }
}

// ---- writing ----

function writeCommand(view: DataView, out: Uint8Array, at: number, c: EnetCommand): number {
  const number = COMMAND_NUMBER[c.kind];
  view.setUint8(at, number | (c.acknowledge ? COMMAND_FLAG_ACKNOWLEDGE : 0) | (c.unsequenced ? COMMAND_FLAG_UNSEQUENCED : 0));
  view.setUint8(at + 1, c.channelId);
  view.setUint16(at + 2, c.reliableSequenceNumber & 0xffff);
  const u16 = (offset: number, v: number): void => view.setUint16(at + offset, v & 0xffff);
  const u32 = (offset: number, v: number): void => view.setUint32(at + offset, v >>> 0);
  const connectFields = (f: EnetConnectFields): void => {
    u16(4, f.outgoingPeerId);
    view.setUint8(at + 6, f.incomingSessionId);
    view.setUint8(at + 7, f.outgoingSessionId);
    [f.mtu, f.windowSize, f.channelCount, f.incomingBandwidth, f.outgoingBandwidth, f.packetThrottleInterval, f.packetThrottleAcceleration, f.packetThrottleDeceleration, f.connectId].forEach((v, i) => u32(8 + 4 * i, v));
  };
  const fragment = (f: EnetFragmentFields): void => {
    u16(4, f.startSequenceNumber);
    u16(6, f.data.length);
    u32(8, f.fragmentCount);
    u32(12, f.fragmentNumber);
    u32(16, f.totalLength);
    u32(20, f.fragmentOffset);
  };
  switch (c.kind) {
    case 'acknowledge':
      u16(4, c.receivedReliableSequenceNumber);
      u16(6, c.receivedSentTime);
      break;
    case 'connect':
      connectFields(c);
      u32(44, c.data);
      break;
    case 'verify-connect':
      connectFields(c);
      break;
    case 'disconnect':
      u32(4, c.data);
      break;
    case 'ping':
      break;
    case 'send-reliable':
      u16(4, c.data.length);
      break;
    case 'send-unreliable':
      u16(4, c.unreliableSequenceNumber);
      u16(6, c.data.length);
      break;
    case 'send-unsequenced':
      u16(4, c.unsequencedGroup);
      u16(6, c.data.length);
      break;
    case 'send-fragment':
    case 'send-unreliable-fragment':
      fragment(c);
      break;
    case 'bandwidth-limit':
      u32(4, c.incomingBandwidth);
      u32(8, c.outgoingBandwidth);
      break;
    case 'throttle-configure':
      u32(4, c.interval);
      u32(8, c.acceleration);
      u32(12, c.deceleration);
      break;
  }
  const fixed = FIXED_SIZE[number] ?? 0;
  if ('data' in c && c.data instanceof Uint8Array) {
    out.set(c.data, at + fixed);
    return at + fixed + c.data.length;
  }
  return at + fixed;
}

// ---- constants (§4.6) ----

const HEADER_FLAG_SENT_TIME = 0x8000;
const HEADER_FLAG_COMPRESSED = 0x4000;
const SESSION_MASK = 0x3000;
const SESSION_SHIFT = 12;
const PEER_ID_MASK = 0x0fff;
const COMMAND_MASK = 0x0f;
const COMMAND_FLAG_ACKNOWLEDGE = 0x80;
const COMMAND_FLAG_UNSEQUENCED = 0x40;

const CMD_ACKNOWLEDGE = 1;
const CMD_CONNECT = 2;
const CMD_VERIFY_CONNECT = 3;
const CMD_DISCONNECT = 4;
const CMD_PING = 5;
const CMD_SEND_RELIABLE = 6;
const CMD_SEND_UNRELIABLE = 7;
const CMD_SEND_FRAGMENT = 8;
const CMD_SEND_UNSEQUENCED = 9;
const CMD_BANDWIDTH_LIMIT = 10;
const CMD_THROTTLE_CONFIGURE = 11;
const CMD_SEND_UNRELIABLE_FRAGMENT = 12;

const COMMAND_NUMBER: Readonly<Record<EnetCommandKind, number>> = {
  acknowledge: CMD_ACKNOWLEDGE,
  connect: CMD_CONNECT,
  'verify-connect': CMD_VERIFY_CONNECT,
  disconnect: CMD_DISCONNECT,
  ping: CMD_PING,
  'send-reliable': CMD_SEND_RELIABLE,
  'send-unreliable': CMD_SEND_UNRELIABLE,
  'send-fragment': CMD_SEND_FRAGMENT,
  'send-unsequenced': CMD_SEND_UNSEQUENCED,
  'bandwidth-limit': CMD_BANDWIDTH_LIMIT,
  'throttle-configure': CMD_THROTTLE_CONFIGURE,
  'send-unreliable-fragment': CMD_SEND_UNRELIABLE_FRAGMENT,
};

/** Fixed part of each command by number, 4-byte command header included; 0 = no such command. */
const FIXED_SIZE: readonly number[] = [0, 8, 48, 44, 8, 4, 6, 8, 24, 8, 12, 16, 24];
