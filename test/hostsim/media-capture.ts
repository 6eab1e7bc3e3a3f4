// Reads the UDP datagrams of a recorded session (shared/captures/, classic libpcap, Ethernet,
// IPv4) so tests can compare the simulator's video and audio datagrams with Sunshine's, and so
// a recorded host side can be replayed. The captures were taken with UDP segmentation offload
// off, so one capture record is one datagram as the receiving socket saw it.
//
// Test infrastructure: a file it cannot read is a broken fixture, so it throws.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where shared/captures/ is; GSC_CAPTURES_DIR overrides it. */
export const CAPTURES_DIR = process.env['GSC_CAPTURES_DIR'] ?? new URL('../../../shared/captures/', import.meta.url).pathname;

/** The recorded sessions with media on the wire (shared/captures/README.md). */
export const MEDIA_CAPTURES = [
  'sunshine-0.23.1/dev-h264-720p60',
  'sunshine-0.23.1/dev-h265-720p60',
  'sunshine-2026.817/dev-h264-720p60',
  'sunshine-2026.817/dev-h265-720p60-encvideo',
] as const;

export interface MediaCapture {
  folder: string;
  /** keys.json: the launch key and key id. */
  rikey: Uint8Array;
  rikeyid: number;
  /** session.json, parsed but untyped beyond what the media tests read. */
  session: CaptureSessionFacts;
  /** Host-to-client payloads on the video and audio ports, in capture order. */
  video: Uint8Array[];
  audio: Uint8Array[];
  /** audio.opus-records: the Opus packets the reference client decoded, from RTP seq 100. */
  opusRecords: Uint8Array[];
  /** video.annexb: the reference client's decoder input. */
  annexb: Uint8Array;
}

export interface CaptureSessionFacts {
  codec: string;
  videoEncrypted: boolean;
  /** The datagram on the wire, encryption prefix included. */
  datagramBytes: number;
  packetSizeAnnounced: number;
  hostFecPercent: number;
  minParity: number;
  blockHistogram: Record<string, number>;
  audioChannels: number;
  audioPacketDurationMs: number;
  firstOpusRecordSequence: number;
}

/** Loads one folder of MEDIA_CAPTURES. */
export function loadMediaCapture(folder: string): MediaCapture {
  const dir = join(CAPTURES_DIR, folder);
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { rikey_hex: string; rikeyid: number };
  const raw = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as RawSession;
  const datagrams = readUdpDatagrams(readFileSync(join(dir, 'capture.pcap')));
  return {
    folder,
    rikey: Buffer.from(keys.rikey_hex, 'hex'),
    rikeyid: keys.rikeyid,
    session: {
      codec: raw.video.codec,
      videoEncrypted: raw.video.video_encrypted === true,
      datagramBytes: raw.video.datagram_size,
      packetSizeAnnounced: raw.video.packet_size_announced,
      hostFecPercent: raw.video.fec.host_fec_percentage,
      minParity: raw.video.fec.min_required_fec_packets,
      blockHistogram: raw.video.fec.data_plus_parity_per_block_histogram,
      audioChannels: raw.audio.channels,
      audioPacketDurationMs: raw.audio.packet_duration_ms,
      firstOpusRecordSequence: raw.dumps_vs_capture.audio_first_record_rtp_seq,
    },
    video: datagramsFromPort(datagrams, raw.ports.host.video),
    audio: datagramsFromPort(datagrams, raw.ports.host.audio),
    opusRecords: readRecords(readFileSync(join(dir, 'audio.opus-records'))),
    annexb: readFileSync(join(dir, 'video.annexb')),
  };
}

interface RawSession {
  video: {
    codec: string;
    video_encrypted?: boolean;
    datagram_size: number;
    packet_size_announced: number;
    fec: { host_fec_percentage: number; min_required_fec_packets: number; data_plus_parity_per_block_histogram: Record<string, number> };
  };
  audio: { channels: number; packet_duration_ms: number };
  ports: { host: { video: number; audio: number } };
  dumps_vs_capture: { audio_first_record_rtp_seq: number };
}

// audio.opus-records: 4-byte little-endian length, then that many bytes, repeated.
function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < file.length; ) {
    const lengthBytes = view.getUint32(at, true);
    out.push(file.subarray(at + 4, at + 4 + lengthBytes));
    at += 4 + lengthBytes;
  }
  return out;
}

export interface CapturedDatagram {
  /** Capture time since the Unix epoch, microseconds. */
  timeUs: number;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

/** Every IPv4 UDP datagram of the capture, in capture order. */
export function readUdpDatagrams(pcap: Uint8Array): CapturedDatagram[] {
  if (pcap.length < PCAP_GLOBAL_HEADER_BYTES) throw new Error('pcap: shorter than its global header');
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const little = view.getUint32(0, true) === PCAP_MAGIC_US;
  if (!little && view.getUint32(0, false) !== PCAP_MAGIC_US) throw new Error('pcap: not a microsecond libpcap file');
  if (view.getUint32(20, little) !== LINKTYPE_ETHERNET) throw new Error('pcap: link type is not Ethernet');
  const out: CapturedDatagram[] = [];
  let at = PCAP_GLOBAL_HEADER_BYTES;
  while (at < pcap.length) {
    if (at + PCAP_RECORD_HEADER_BYTES > pcap.length) throw new Error('pcap: truncated record header');
    const timeUs = view.getUint32(at, little) * 1_000_000 + view.getUint32(at + 4, little);
    const capturedBytes = view.getUint32(at + 8, little);
    const start = at + PCAP_RECORD_HEADER_BYTES;
    if (start + capturedBytes > pcap.length) throw new Error('pcap: truncated packet');
    const datagram = parseUdp(pcap.subarray(start, start + capturedBytes), timeUs);
    if (datagram !== null) out.push(datagram);
    at = start + capturedBytes;
  }
  return out;
}

/** The payloads a host port sent (source port `hostPort`), in capture order. */
export function datagramsFromPort(datagrams: readonly CapturedDatagram[], hostPort: number): Uint8Array[] {
  return datagrams.filter((d) => d.srcPort === hostPort).map((d) => d.payload);
}

function parseUdp(frame: Uint8Array, timeUs: number): CapturedDatagram | null {
  let at = ETHERNET_HEADER_BYTES;
  let etherType = readU16(frame, 12);
  if (etherType === ETHERTYPE_VLAN) {
    etherType = readU16(frame, 16);
    at += VLAN_TAG_BYTES;
  }
  if (etherType !== ETHERTYPE_IPV4) return null;
  const ipHeaderBytes = ((frame[at] ?? 0) & 0x0f) * 4;
  if (frame[at + 9] !== IP_PROTOCOL_UDP) return null;
  const udp = at + ipHeaderBytes;
  const udpLengthBytes = readU16(frame, udp + 4);
  if (udp + udpLengthBytes > frame.length) throw new Error('pcap: UDP datagram cut short (snap length too small)');
  return {
    timeUs,
    srcPort: readU16(frame, udp),
    dstPort: readU16(frame, udp + 2),
    payload: frame.subarray(udp + UDP_HEADER_BYTES, udp + udpLengthBytes),
  };
}

function readU16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

// libpcap file format (tcpdump.org, "pcap-savefile").
const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_GLOBAL_HEADER_BYTES = 24;
const PCAP_RECORD_HEADER_BYTES = 16;
const LINKTYPE_ETHERNET = 1;
const ETHERNET_HEADER_BYTES = 14;
const VLAN_TAG_BYTES = 4;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_VLAN = 0x8100;
const IP_PROTOCOL_UDP = 17;
const UDP_HEADER_BYTES = 8;
