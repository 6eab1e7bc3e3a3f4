// The UDP side of the recorded Sunshine sessions (shared/captures/): every datagram on the
// stream ports with its time and direction, and the files that describe the session (keys,
// negotiated values, the decrypted control messages). Test code: a file it cannot read is a
// broken fixture, so it throws.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CAPTURES_DIR = process.env['GSC_CAPTURES_DIR'] ?? new URL('../../../../shared/captures/', import.meta.url).pathname;

export const CONTROL_CAPTURES = ['sunshine-0.23.1/dev-h264-720p60', 'sunshine-0.23.1/dev-h265-720p60', 'sunshine-2026.817/dev-h264-720p60', 'sunshine-2026.817/dev-h265-720p60-encvideo'] as const;

export interface UdpDatagram {
  /** Capture time, ms from the first packet of the file. */
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

export interface ControlMessageRecord {
  ms: number;
  dir: 'client->host' | 'host->client';
  enet_channel: number;
  enet_reliable_seq: number;
  envelope_seq: number;
  type: string;
  payload_hex: string;
}

export interface ControlCapture {
  folder: string;
  rikey: Uint8Array;
  connectData: number;
  pingPayload: string;
  hostPorts: { video: number; audio: number; control: number };
  clientPorts: { video: number; audio: number; control: number };
  datagrams: UdpDatagram[];
  messages: ControlMessageRecord[];
}

export function loadControlCapture(folder: string): ControlCapture {
  const dir = join(CAPTURES_DIR, folder);
  const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { rikey_hex: string };
  const session = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as {
    ports: { host: { video: number; audio: number; control: number }; client_udp_source_ports: { video: number[]; audio: number[]; control: number[] } };
    negotiation: { control_connect_data: number; ping_payload: string };
  };
  const hostPorts = session.ports.host;
  const first = (ports: number[]): number => {
    const p = ports[0];
    if (p === undefined) throw new Error(`${folder}: no client port`);
    return p;
  };
  const c = session.ports.client_udp_source_ports;
  const wanted = new Set([hostPorts.video, hostPorts.audio, hostPorts.control]);
  return {
    folder,
    rikey: Uint8Array.from(Buffer.from(keys.rikey_hex, 'hex')),
    connectData: session.negotiation.control_connect_data,
    pingPayload: session.negotiation.ping_payload,
    hostPorts: { video: hostPorts.video, audio: hostPorts.audio, control: hostPorts.control },
    clientPorts: { video: first(c.video), audio: first(c.audio), control: first(c.control) },
    datagrams: readUdpDatagrams(readFileSync(join(dir, 'capture.pcap'))).filter((d) => wanted.has(d.srcPort) || wanted.has(d.dstPort)),
    messages: readFileSync(join(dir, 'control-messages.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ControlMessageRecord),
  };
}

/** IPv4 UDP datagrams of a classic little-endian microsecond pcap with Ethernet framing. */
export function readUdpDatagrams(pcap: Uint8Array): UdpDatagram[] {
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  if (view.getUint32(0, true) !== PCAP_MAGIC_US_LE) throw new Error('pcap: not a little-endian microsecond capture');
  if (view.getUint32(20, true) !== LINKTYPE_ETHERNET) throw new Error('pcap: not Ethernet');
  const out: UdpDatagram[] = [];
  let firstUs: number | null = null;
  for (let at = PCAP_HEADER_BYTES; at + RECORD_HEADER_BYTES <= pcap.length; ) {
    const us = view.getUint32(at, true) * 1e6 + view.getUint32(at + 4, true);
    const captured = view.getUint32(at + 8, true);
    const frame = at + RECORD_HEADER_BYTES;
    at = frame + captured;
    if (at > pcap.length) throw new Error('pcap: truncated record');
    firstUs ??= us;
    if (view.getUint16(frame + 12) !== ETHERTYPE_IPV4) continue;
    const ip = frame + ETHERNET_HEADER_BYTES;
    if (view.getUint8(ip + 9) !== IP_PROTOCOL_UDP) continue;
    const udp = ip + (view.getUint8(ip) & 0x0f) * 4;
    const udpLength = view.getUint16(udp + 4);
    out.push({ timeMs: (us - firstUs) / 1000, srcPort: view.getUint16(udp), dstPort: view.getUint16(udp + 2), payload: Uint8Array.from(pcap.subarray(udp + 8, udp + udpLength)) });
  }
  return out;
}

const PCAP_MAGIC_US_LE = 0xa1b2c3d4;
const LINKTYPE_ETHERNET = 1;
const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const ETHERNET_HEADER_BYTES = 14;
const ETHERTYPE_IPV4 = 0x0800;
const IP_PROTOCOL_UDP = 17;
