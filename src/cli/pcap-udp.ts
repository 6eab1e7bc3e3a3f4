// The UDP datagrams of a classic libpcap file (the format of shared/captures/*/capture.pcap):
// every datagram in capture order with its capture time in microseconds and its ports. Reads
// microsecond and nanosecond files of either byte order, over Ethernet (with 802.1Q tags),
// BSD loopback, raw IP and Linux cooked captures, IPv4 and IPv6. Nothing in the file is
// trusted: a record that runs past the end is an error, a frame that is not UDP is skipped.
import { err, ok, type Result } from '../lib/result.ts';

export interface PcapUdpDatagram {
  /** Capture time, microseconds since the epoch. */
  timeUs: number;
  srcPort: number;
  dstPort: number;
  /** A view into the file's bytes. */
  payload: Uint8Array;
}

export function readPcapUdp(file: Uint8Array): Result<PcapUdpDatagram[], string> {
  if (file.length < GLOBAL_HEADER_BYTES) return err('not a pcap file: shorter than its 24-byte header');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const format = MAGICS.find((m) => view.getUint32(0, m.littleEndian) === m.magic);
  if (format === undefined) return err('not a pcap file: unknown magic number (pcapng is not supported)');
  const le = format.littleEndian;
  const linkType = view.getUint32(20, le) & LINK_TYPE_MASK;
  const link = LINKS.get(linkType);
  if (link === undefined) return err(`unsupported pcap link type ${linkType}`);

  const out: PcapUdpDatagram[] = [];
  for (let at = GLOBAL_HEADER_BYTES; at < file.length;) {
    if (at + RECORD_HEADER_BYTES > file.length) return err(`truncated pcap record header at byte ${at}`);
    const seconds = view.getUint32(at, le);
    const fraction = view.getUint32(at + 4, le);
    const captured = view.getUint32(at + 8, le);
    const start = at + RECORD_HEADER_BYTES;
    at = start + captured;
    if (at > file.length) return err(`truncated pcap record at byte ${start - RECORD_HEADER_BYTES}`);
    const frame = file.subarray(start, at);
    const ip = link(frame);
    if (ip === null) continue;
    const udp = udpOf(ip.bytes, ip.version);
    if (udp === null) continue;
    const timeUs = seconds * 1_000_000 + (format.nanoseconds ? Math.floor(fraction / 1000) : fraction);
    out.push({ timeUs, ...udp });
  }
  return ok(out);
}

type IpPacket = { bytes: Uint8Array; version: 4 | 6 };

function udpOf(ip: Uint8Array, version: 4 | 6): Omit<PcapUdpDatagram, 'timeUs'> | null {
  const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
  let headerBytes: number;
  let totalBytes: number;
  if (version === 4) {
    if (ip.length < IPV4_MIN_HEADER_BYTES || ip[0]! >> 4 !== 4) return null;
    headerBytes = (ip[0]! & 0x0f) * 4;
    totalBytes = view.getUint16(2);
    const fragmentOffset = view.getUint16(6) & 0x1fff;
    if (ip[9] !== IP_PROTOCOL_UDP || headerBytes < IPV4_MIN_HEADER_BYTES || fragmentOffset !== 0) return null;
  } else {
    // Without extension headers: what a capture of this protocol holds.
    if (ip.length < IPV6_HEADER_BYTES || ip[0]! >> 4 !== 6 || ip[6] !== IP_PROTOCOL_UDP) return null;
    headerBytes = IPV6_HEADER_BYTES;
    totalBytes = IPV6_HEADER_BYTES + view.getUint16(4);
  }
  if (totalBytes > ip.length || totalBytes < headerBytes + UDP_HEADER_BYTES) return null;
  const udpLength = view.getUint16(headerBytes + 4);
  if (udpLength < UDP_HEADER_BYTES || headerBytes + udpLength > totalBytes) return null;
  return {
    srcPort: view.getUint16(headerBytes),
    dstPort: view.getUint16(headerBytes + 2),
    payload: ip.subarray(headerBytes + UDP_HEADER_BYTES, headerBytes + udpLength),
  };
}

function byEtherType(etherType: number, bytes: Uint8Array): IpPacket | null {
  if (etherType === ETHERTYPE_IPV4) return { bytes, version: 4 };
  if (etherType === ETHERTYPE_IPV6) return { bytes, version: 6 };
  return null;
}

function ethernet(frame: Uint8Array): IpPacket | null {
  let at = ETHERNET_HEADER_BYTES - 2;
  for (let tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
    if (frame.length < at + 2) return null;
    const etherType = (frame[at]! << 8) | frame[at + 1]!;
    if (etherType !== ETHERTYPE_VLAN && etherType !== ETHERTYPE_QINQ) return byEtherType(etherType, frame.subarray(at + 2));
    at += VLAN_TAG_BYTES;
  }
  return null;
}

function rawIp(frame: Uint8Array): IpPacket | null {
  const version = (frame[0] ?? 0) >> 4;
  return version === 4 || version === 6 ? { bytes: frame, version } : null;
}

// BSD loopback: a 4-byte address family in the capturing host's byte order, then IP.
function nullLoopback(frame: Uint8Array): IpPacket | null {
  return frame.length < NULL_HEADER_BYTES ? null : rawIp(frame.subarray(NULL_HEADER_BYTES));
}

function linuxCooked(frame: Uint8Array): IpPacket | null {
  if (frame.length < SLL_HEADER_BYTES) return null;
  return byEtherType((frame[14]! << 8) | frame[15]!, frame.subarray(SLL_HEADER_BYTES));
}

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
// The link type's low 16 bits; the upper bits may carry FCS flags (pcap-linktype).
const LINK_TYPE_MASK = 0xffff;
const MAGICS = [
  { magic: 0xa1b2c3d4, littleEndian: true, nanoseconds: false },
  { magic: 0xa1b2c3d4, littleEndian: false, nanoseconds: false },
  { magic: 0xa1b23c4d, littleEndian: true, nanoseconds: true },
  { magic: 0xa1b23c4d, littleEndian: false, nanoseconds: true },
] as const;
// LINKTYPE_NULL 0, ETHERNET 1, RAW 101, LINUX_SLL 113, IPV4 228, IPV6 229.
const LINKS: ReadonlyMap<number, (frame: Uint8Array) => IpPacket | null> = new Map([
  [0, nullLoopback],
  [1, ethernet],
  [101, rawIp],
  [113, linuxCooked],
  [228, rawIp],
  [229, rawIp],
]);
const ETHERNET_HEADER_BYTES = 14;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const VLAN_TAG_BYTES = 4;
const MAX_VLAN_TAGS = 2;
const NULL_HEADER_BYTES = 4;
const SLL_HEADER_BYTES = 16;
const IPV4_MIN_HEADER_BYTES = 20;
const IPV6_HEADER_BYTES = 40;
const IP_PROTOCOL_UDP = 17;
const UDP_HEADER_BYTES = 8;
