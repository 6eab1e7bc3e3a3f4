// A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record)
// for the .wgt package. Only what a widget needs: deflate or store, UTF-8 names, no ZIP64,
// no encryption. Output is deterministic: every entry carries the same fixed timestamp, so
// the same inputs always give the same bytes (reproducible packages, stable signatures).

import { deflateRawSync } from 'node:zlib';
import { err, ok, type Result } from '../src/lib/result.ts';
import { concatBytes } from './concat-bytes.ts';
import { crc32 } from './crc32.ts';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated, no leading slash. */
  name: string;
  bytes: Uint8Array;
}

export type ZipError =
  | { kind: 'bad-name'; name: string; detail: string }
  | { kind: 'duplicate-name'; name: string }
  | { kind: 'too-large'; detail: string };

/** Builds the whole archive in memory; entries keep the given order. */
export function writeZip(entries: readonly ZipEntry[]): Result<Uint8Array, ZipError> {
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = nameProblem(entry.name);
    if (problem !== null) return err({ kind: 'bad-name', name: entry.name, detail: problem });
    if (seen.has(entry.name)) return err({ kind: 'duplicate-name', name: entry.name });
    seen.add(entry.name);
  }
  if (entries.length > kMaxEntries) return err({ kind: 'too-large', detail: `${entries.length} entries; the limit without ZIP64 is ${kMaxEntries}` });

  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offsetBytes = 0;
  for (const entry of entries) {
    const nameBytes = new TextEncoder().encode(entry.name);
    const crc = crc32(entry.bytes);
    const deflated = deflateRawSync(entry.bytes, { level: 9 });
    // Store when deflate does not help (already-compressed PNG and WASM often do not shrink).
    const useDeflate = deflated.length < entry.bytes.length;
    const data = useDeflate ? new Uint8Array(deflated.buffer, deflated.byteOffset, deflated.length) : entry.bytes;
    if (entry.bytes.length > kMaxSizeBytes || offsetBytes + data.length + 30 + nameBytes.length > kMaxSizeBytes) {
      return err({ kind: 'too-large', detail: `${entry.name} does not fit a ZIP without ZIP64` });
    }
    const fields: HeaderFields = {
      method: useDeflate ? kMethodDeflate : kMethodStore,
      crc,
      compressedBytes: data.length,
      sizeBytes: entry.bytes.length,
      nameBytes,
    };
    const local = localHeader(fields);
    centrals.push(centralHeader(fields, offsetBytes));
    locals.push(local, data);
    offsetBytes += local.length + data.length;
  }
  const centralBytes = centrals.reduce((sum, c) => sum + c.length, 0);
  const end = endRecord(entries.length, centralBytes, offsetBytes);
  return ok(concatBytes([...locals, ...centrals, end]));
}

interface HeaderFields {
  method: number;
  crc: number;
  compressedBytes: number;
  sizeBytes: number;
  nameBytes: Uint8Array;
}

function localHeader(f: HeaderFields): Uint8Array {
  const out = new Uint8Array(30 + f.nameBytes.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, kVersionNeeded, true);
  v.setUint16(6, kFlagUtf8, true);
  v.setUint16(8, f.method, true);
  v.setUint16(10, kDosTime, true);
  v.setUint16(12, kDosDate, true);
  v.setUint32(14, f.crc, true);
  v.setUint32(18, f.compressedBytes, true);
  v.setUint32(22, f.sizeBytes, true);
  v.setUint16(26, f.nameBytes.length, true);
  v.setUint16(28, 0, true);
  out.set(f.nameBytes, 30);
  return out;
}

function centralHeader(f: HeaderFields, localOffsetBytes: number): Uint8Array {
  const out = new Uint8Array(46 + f.nameBytes.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, kVersionMadeBy, true);
  v.setUint16(6, kVersionNeeded, true);
  v.setUint16(8, kFlagUtf8, true);
  v.setUint16(10, f.method, true);
  v.setUint16(12, kDosTime, true);
  v.setUint16(14, kDosDate, true);
  v.setUint32(16, f.crc, true);
  v.setUint32(20, f.compressedBytes, true);
  v.setUint32(24, f.sizeBytes, true);
  v.setUint16(28, f.nameBytes.length, true);
  v.setUint16(30, 0, true); // extra field length
  v.setUint16(32, 0, true); // comment length
  v.setUint16(34, 0, true); // disk number
  v.setUint16(36, 0, true); // internal attributes
  v.setUint32(38, kUnixModeRegular644 << 16, true); // external attributes: Unix mode in the high half
  v.setUint32(42, localOffsetBytes, true);
  out.set(f.nameBytes, 46);
  return out;
}

function endRecord(count: number, centralBytes: number, centralOffsetBytes: number): Uint8Array {
  const out = new Uint8Array(22);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(4, 0, true);
  v.setUint16(6, 0, true);
  v.setUint16(8, count, true);
  v.setUint16(10, count, true);
  v.setUint32(12, centralBytes, true);
  v.setUint32(16, centralOffsetBytes, true);
  v.setUint16(20, 0, true);
  return out;
}

function nameProblem(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.startsWith('/') || name.includes('\\')) return 'names are relative and use "/"';
  if (name.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'empty, "." or ".." path segment';
  if (new TextEncoder().encode(name).length > 0xffff) return 'name longer than 65535 bytes';
  return null;
}

const kMethodStore = 0;
const kMethodDeflate = 8;
/** 2.0: the lowest version that knows deflate (APPNOTE 4.4.3.2). */
const kVersionNeeded = 20;
/** High byte 3 = Unix, so the external attributes carry a Unix mode. */
const kVersionMadeBy = (3 << 8) | 20;
/** General-purpose bit 11: names are UTF-8 (APPNOTE 4.4.4). */
const kFlagUtf8 = 1 << 11;
const kUnixModeRegular644 = 0o100644;
/** 1980-01-01 00:00:00, the DOS epoch: a fixed time keeps packages reproducible. */
const kDosTime = 0;
const kDosDate = (0 << 9) | (1 << 5) | 1;
/** Without ZIP64, sizes and offsets are 32-bit and the entry count 16-bit. */
const kMaxSizeBytes = 0xffffffff;
const kMaxEntries = 0xffff;
