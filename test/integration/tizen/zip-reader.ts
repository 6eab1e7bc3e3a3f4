// An independent ZIP reader for the packaging tests: it walks the central directory as an
// installer does, cross-checks each local header, inflates with node:zlib and verifies the
// CRC with zlib's own crc32, so a fault in our writer cannot hide behind shared code.

import { crc32, inflateRawSync } from 'node:zlib';

export interface ReadEntry {
  name: string;
  method: number;
  bytes: Uint8Array;
}

/** Throws on any structural fault: in a test, a bad archive is the failure being looked for. */
export function readZip(archive: Uint8Array): ReadEntry[] {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const endAt = findEndRecord(view);
  const count = view.getUint16(endAt + 10, true);
  const centralBytes = view.getUint32(endAt + 12, true);
  let at = view.getUint32(endAt + 16, true);
  if (at + centralBytes !== endAt) throw new Error('central directory does not end where the end record starts');
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`central header ${i} has a bad signature`);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedBytes = view.getUint32(at + 20, true);
    const sizeBytes = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localAt = view.getUint32(at + 42, true);
    const name = new TextDecoder('utf-8', { fatal: true }).decode(archive.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;

    if (view.getUint32(localAt, true) !== 0x04034b50) throw new Error(`${name}: bad local header signature`);
    const localNameLength = view.getUint16(localAt + 26, true);
    const localExtraLength = view.getUint16(localAt + 28, true);
    const localName = new TextDecoder().decode(archive.subarray(localAt + 30, localAt + 30 + localNameLength));
    if (localName !== name) throw new Error(`${name}: local header names ${localName}`);
    if (view.getUint32(localAt + 14, true) !== crc) throw new Error(`${name}: local and central CRC differ`);
    const dataAt = localAt + 30 + localNameLength + localExtraLength;
    const data = archive.subarray(dataAt, dataAt + compressedBytes);
    let bytes: Uint8Array;
    if (method === 0) bytes = new Uint8Array(data);
    else if (method === 8) bytes = new Uint8Array(inflateRawSync(data));
    else throw new Error(`${name}: unsupported method ${method}`);
    if (bytes.length !== sizeBytes) throw new Error(`${name}: ${bytes.length} bytes, header says ${sizeBytes}`);
    if (crc32(bytes) >>> 0 !== crc) throw new Error(`${name}: CRC mismatch`);
    entries.push({ name, method, bytes });
  }
  return entries;
}

function findEndRecord(view: DataView): number {
  // The end record is 22 bytes plus a comment of at most 65535 bytes.
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === 0x06054b50) return at;
  }
  throw new Error('no end of central directory record');
}
