// A small reader of classic libpcap files that rebuilds TCP byte streams, for tests that
// compare our RTSP traffic with the recorded Sunshine sessions (shared/captures/). It handles
// what those files hold (Ethernet, optional VLAN tag, IPv4 or IPv6, no IP fragments) and
// orders each direction by TCP sequence number, so retransmitted or reordered segments give
// the same stream. Test code: a capture it cannot read is a broken fixture, so it throws.

export interface TcpConversation {
  clientAddress: string;
  clientPort: number;
  serverAddress: string;
  serverPort: number;
  /** Every byte the client sent, in stream order. */
  clientToServer: Uint8Array;
  serverToClient: Uint8Array;
}

/** The TCP connections to `serverPort`, in the order their first packet appears. */
export function readTcpConversations(pcap: Uint8Array, serverPort: number): TcpConversation[] {
  const flows = new Map<string, FlowPair>();
  for (const packet of readPcapPackets(pcap)) {
    const segment = parseTcpSegment(packet);
    if (segment === null) continue;
    const toServer = segment.dstPort === serverPort;
    if (!toServer && segment.srcPort !== serverPort) continue;
    const clientKey = toServer ? `${segment.src}:${segment.srcPort}` : `${segment.dst}:${segment.dstPort}`;
    let pair = flows.get(clientKey);
    if (pair === undefined) {
      pair = {
        clientAddress: toServer ? segment.src : segment.dst,
        clientPort: toServer ? segment.srcPort : segment.dstPort,
        serverAddress: toServer ? segment.dst : segment.src,
        up: newDirection(),
        down: newDirection(),
      };
      flows.set(clientKey, pair);
    }
    addSegment(toServer ? pair.up : pair.down, segment);
  }
  return [...flows.values()].map((pair) => ({
    clientAddress: pair.clientAddress,
    clientPort: pair.clientPort,
    serverAddress: pair.serverAddress,
    serverPort,
    clientToServer: assemble(pair.up, `${pair.clientPort} -> ${serverPort}`),
    serverToClient: assemble(pair.down, `${serverPort} -> ${pair.clientPort}`),
  }));
}

/** Link-layer frames of a classic pcap file (microsecond or nanosecond, either byte order). */
export function readPcapPackets(pcap: Uint8Array): Uint8Array[] {
  if (pcap.length < GLOBAL_HEADER_BYTES) throw new Error('pcap: shorter than its global header');
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const magic = view.getUint32(0, true);
  const little = magic === MAGIC_US || magic === MAGIC_NS;
  if (!little && view.getUint32(0, false) !== MAGIC_US && view.getUint32(0, false) !== MAGIC_NS) throw new Error('pcap: not a classic pcap file');
  const linkType = view.getUint32(20, little);
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`pcap: link type ${linkType} is not Ethernet`);
  const packets: Uint8Array[] = [];
  let at = GLOBAL_HEADER_BYTES;
  while (at < pcap.length) {
    if (at + RECORD_HEADER_BYTES > pcap.length) throw new Error('pcap: truncated record header');
    const capturedBytes = view.getUint32(at + 8, little);
    const start = at + RECORD_HEADER_BYTES;
    if (start + capturedBytes > pcap.length) throw new Error('pcap: truncated packet');
    packets.push(pcap.subarray(start, start + capturedBytes));
    at = start + capturedBytes;
  }
  return packets;
}

// ---- packets ----

interface TcpSegment {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  syn: boolean;
  payload: Uint8Array;
}

function parseTcpSegment(frame: Uint8Array): TcpSegment | null {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let at = ETHERNET_HEADER_BYTES;
  let etherType = view.getUint16(12, false);
  if (etherType === ETHERTYPE_VLAN) {
    etherType = view.getUint16(16, false);
    at += VLAN_TAG_BYTES;
  }
  let src: string;
  let dst: string;
  let protocol: number;
  let ipEnd: number;
  if (etherType === ETHERTYPE_IPV4) {
    const headerBytes = (view.getUint8(at) & 0x0f) * 4;
    const totalBytes = view.getUint16(at + 2, false);
    if ((view.getUint16(at + 6, false) & 0x3fff) !== 0) throw new Error('pcap: IPv4 fragments are not supported');
    protocol = view.getUint8(at + 9);
    src = [...frame.subarray(at + 12, at + 16)].join('.');
    dst = [...frame.subarray(at + 16, at + 20)].join('.');
    ipEnd = at + totalBytes;
    at += headerBytes;
  } else if (etherType === ETHERTYPE_IPV6) {
    protocol = view.getUint8(at + 6);
    src = ipv6Text(frame.subarray(at + 8, at + 24));
    dst = ipv6Text(frame.subarray(at + 24, at + 40));
    ipEnd = at + IPV6_HEADER_BYTES + view.getUint16(at + 4, false);
    at += IPV6_HEADER_BYTES;
  } else {
    return null;
  }
  if (protocol !== IPPROTO_TCP) return null;
  const dataOffset = (view.getUint8(at + 12) >> 4) * 4;
  const flags = view.getUint8(at + 13);
  return {
    src,
    dst,
    srcPort: view.getUint16(at, false),
    dstPort: view.getUint16(at + 2, false),
    seq: view.getUint32(at + 4, false),
    syn: (flags & TCP_SYN) !== 0,
    // The IP length, not the frame length: Ethernet pads short frames.
    payload: frame.subarray(at + dataOffset, Math.min(ipEnd, frame.length)),
  };
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

// ---- stream reassembly ----

interface Direction {
  /** Sequence number of the first data byte (SYN's sequence + 1), once the SYN was seen. */
  firstSeq: number | null;
  segments: Array<{ seq: number; payload: Uint8Array }>;
}

interface FlowPair {
  clientAddress: string;
  clientPort: number;
  serverAddress: string;
  up: Direction;
  down: Direction;
}

function newDirection(): Direction {
  return { firstSeq: null, segments: [] };
}

function addSegment(direction: Direction, segment: TcpSegment): void {
  if (segment.syn) direction.firstSeq = (segment.seq + 1) >>> 0;
  if (segment.payload.length > 0) direction.segments.push({ seq: segment.seq, payload: segment.payload });
}

/** The direction's bytes from its first data byte on; throws on a gap (lost segment). */
function assemble(direction: Direction, label: string): Uint8Array {
  if (direction.segments.length === 0) return new Uint8Array(0);
  const base = direction.firstSeq ?? direction.segments[0]?.seq ?? 0;
  const placed = direction.segments
    .map((s) => ({ offset: (s.seq - base) >>> 0, payload: s.payload }))
    .sort((a, b) => a.offset - b.offset);
  const end = Math.max(...placed.map((p) => p.offset + p.payload.length));
  if (end > MAX_STREAM_BYTES) throw new Error(`pcap: ${label} would be ${end} bytes (sequence numbers out of range?)`);
  const out = new Uint8Array(end);
  let filled = 0;
  for (const p of placed) {
    if (p.offset > filled) throw new Error(`pcap: ${label} misses bytes ${filled}..${p.offset}`);
    out.set(p.payload, p.offset);
    filled = Math.max(filled, p.offset + p.payload.length);
  }
  return out;
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const LINKTYPE_ETHERNET = 1;
const ETHERNET_HEADER_BYTES = 14;
const VLAN_TAG_BYTES = 4;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const IPV6_HEADER_BYTES = 40;
const IPPROTO_TCP = 6;
const TCP_SYN = 0x02;
// The control-plane streams in the captures are a few KiB; this only stops a runaway offset.
const MAX_STREAM_BYTES = 64 * 1024 * 1024;
