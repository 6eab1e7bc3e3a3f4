// Reads Ogg Opus files (RFC 3533 pages, RFC 7845 Opus mapping) as ffmpeg's libopus encoder
// writes them, to take the Opus packets out for the simulator's audio fixtures. Pages are
// checked (capture pattern, version, CRC) because a fixture that does not parse cleanly must
// fail loudly rather than send garbage; test infrastructure, so errors throw.

import { joinBytes } from '../../src/lib/bytes.ts';

export interface OpusHead {
  channels: number;
  preSkipSamples: number;
  inputSampleRateHz: number;
  mappingFamily: number;
  /** Family 0 implies one stream, coupled when stereo, mapping [0] or [0, 1]. */
  streams: number;
  coupledStreams: number;
  mapping: number[];
}

export interface OggOpus {
  head: OpusHead;
  /** The audio packets, headers (OpusHead, OpusTags) excluded. */
  packets: Uint8Array[];
}

export function readOggOpus(file: Uint8Array): OggOpus {
  const packets = readOggPackets(file);
  const [headPacket, tagsPacket, ...audio] = packets;
  if (headPacket === undefined || !startsWith(headPacket, 'OpusHead')) throw new Error('ogg opus: first packet is not OpusHead');
  if (tagsPacket === undefined || !startsWith(tagsPacket, 'OpusTags')) throw new Error('ogg opus: second packet is not OpusTags');
  return { head: parseOpusHead(headPacket), packets: audio };
}

/** The packets of the first logical stream, in order, joined across pages. */
export function readOggPackets(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let serial: number | null = null;
  for (let at = 0; at < file.length; ) {
    if (at + PAGE_HEADER_BYTES > file.length || !startsWith(file.subarray(at), 'OggS')) throw new Error(`ogg: no page at ${at}`);
    if (file[at + 4] !== 0) throw new Error('ogg: unknown version');
    const segments = file[at + 26] as number;
    const lacing = file.subarray(at + PAGE_HEADER_BYTES, at + PAGE_HEADER_BYTES + segments);
    const bodyBytes = lacing.reduce((sum, n) => sum + n, 0);
    const pageEnd = at + PAGE_HEADER_BYTES + segments + bodyBytes;
    if (pageEnd > file.length) throw new Error('ogg: truncated page');
    const page = file.subarray(at, pageEnd);
    if (oggCrc(page) !== view.getUint32(at + 22, true)) throw new Error(`ogg: bad CRC in the page at ${at}`);
    const pageSerial = view.getUint32(at + 14, true);
    serial ??= pageSerial;
    if (pageSerial === serial) {
      let body = at + PAGE_HEADER_BYTES + segments;
      for (const n of lacing) {
        pending.push(file.subarray(body, body + n));
        body += n;
        // A lacing value below 255 ends a packet; 255 continues it (on the next page too).
        if (n < 255) {
          packets.push(joinBytes(pending));
          pending = [];
        }
      }
    }
    at = pageEnd;
  }
  return packets;
}

/**
 * An Ogg Opus file holding `packets` (one per page), so ffmpeg can decode what the simulator
 * sends; a mapping family of 255 carries any stream layout.
 */
export function writeOggOpus(head: OpusHead, packets: readonly Uint8Array[], samplesPerPacket: number): Uint8Array {
  const headPacket = new Uint8Array(OPUS_HEAD_BYTES + (head.mappingFamily === 0 ? 0 : 2 + head.channels));
  const headView = new DataView(headPacket.buffer);
  headPacket.set(ascii('OpusHead'), 0);
  headPacket[8] = 1;
  headPacket[9] = head.channels;
  headView.setUint16(10, head.preSkipSamples, true);
  headView.setUint32(12, head.inputSampleRateHz, true);
  headPacket[18] = head.mappingFamily;
  if (head.mappingFamily !== 0) {
    headPacket[19] = head.streams;
    headPacket[20] = head.coupledStreams;
    headPacket.set(head.mapping, 21);
  }
  const tags = new Uint8Array(16);
  tags.set(ascii('OpusTags'), 0);
  const pages = [oggPage(headPacket, 0, 0, PAGE_FIRST), oggPage(tags, 1, 0, 0)];
  packets.forEach((packet, i) => {
    pages.push(oggPage(packet, i + 2, (i + 1) * samplesPerPacket, i === packets.length - 1 ? PAGE_LAST : 0));
  });
  return joinBytes(pages);
}

function oggPage(packet: Uint8Array, sequence: number, granule: number, headerType: number): Uint8Array {
  const lacing: number[] = [];
  for (let left = packet.length; ; left -= 255) {
    lacing.push(Math.min(left, 255));
    if (left < 255) break;
  }
  if (lacing.length > 255) throw new RangeError('ogg: packet too large for one page');
  const page = new Uint8Array(PAGE_HEADER_BYTES + lacing.length + packet.length);
  const view = new DataView(page.buffer);
  page.set(ascii('OggS'), 0);
  page[5] = headerType;
  view.setUint32(6, granule % 2 ** 32, true);
  view.setUint32(10, Math.floor(granule / 2 ** 32), true);
  view.setUint32(14, WRITER_SERIAL, true);
  view.setUint32(18, sequence, true);
  page[26] = lacing.length;
  page.set(lacing, PAGE_HEADER_BYTES);
  page.set(packet, PAGE_HEADER_BYTES + lacing.length);
  view.setUint32(22, oggCrc(page), true);
  return page;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function parseOpusHead(packet: Uint8Array): OpusHead {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  if (packet.length < OPUS_HEAD_BYTES || (packet[8] ?? 0) >> 4 !== 0) throw new Error('ogg opus: unsupported OpusHead');
  const channels = packet[9] as number;
  const mappingFamily = packet[18] as number;
  const base = { channels, preSkipSamples: view.getUint16(10, true), inputSampleRateHz: view.getUint32(12, true), mappingFamily };
  if (mappingFamily === 0) return { ...base, streams: 1, coupledStreams: channels === 2 ? 1 : 0, mapping: channels === 2 ? [0, 1] : [0] };
  if (packet.length < OPUS_HEAD_BYTES + 2 + channels) throw new Error('ogg opus: short channel mapping table');
  return { ...base, streams: packet[19] as number, coupledStreams: packet[20] as number, mapping: [...packet.subarray(21, 21 + channels)] };
}

// CRC-32 with polynomial 0x04C11DB7, no reflection, initial value 0, computed with the CRC
// field zeroed (RFC 3533 §6).
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : (page[i] as number);
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  }
  return crc;
}

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ CRC_POLYNOMIAL : r << 1;
    table[i] = r >>> 0;
  }
  return table;
}

function startsWith(bytes: Uint8Array, ascii: string): boolean {
  if (bytes.length < ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[i] !== ascii.charCodeAt(i)) return false;
  return true;
}


const PAGE_HEADER_BYTES = 27;
const PAGE_FIRST = 0x02;
const PAGE_LAST = 0x04;
// Any number identifies the one logical stream of a file we write.
const WRITER_SERIAL = 0x47534321;
const OPUS_HEAD_BYTES = 19;
const CRC_POLYNOMIAL = 0x04c11db7;
const CRC_TABLE = buildCrcTable();
