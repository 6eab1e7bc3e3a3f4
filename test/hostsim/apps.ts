// The simulated host's applications: ids computed as Sunshine computes them
// (control-plane.md 5.1), box art, and the --apps file format.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { crc32 } from './crc32.ts';
import { hasPngSignature, makeBoxArtPng } from './box-art-png.ts';
import type { XmlReply } from './xml-reply.ts';

/** One app as configured: a title, and optionally the path of a PNG cover. */
export interface AppSpec {
  title: string;
  image?: string;
}

export interface App {
  id: number;
  title: string;
  /** The cover served by /appasset. */
  boxArtPng: Uint8Array;
}

export const DEFAULT_APPS: readonly AppSpec[] = [
  { title: 'Desktop' },
  { title: 'Steam Big Picture' },
  { title: 'Lunar Courier' },
  { title: 'Harbour Lights' },
  { title: 'Pixel Rally' },
];

/**
 * Apps with ids as Sunshine gives them: |int32(CRC32(title + sha256hex(image)))|, the image
 * hash only when a PNG file is configured; on a collision the app's index in the list is
 * appended to the hashed text. An app without a configured image gets generated art, and its
 * id (like Sunshine's for an app on the default image) comes from the title alone.
 */
export function buildApps(specs: readonly AppSpec[]): App[] {
  const taken = new Set<number>();
  return specs.map((spec, index) => {
    const image = readImage(spec.image);
    const hashed = spec.title + (image === null ? '' : createHash('sha256').update(image).digest('hex'));
    let id = appIdOf(hashed);
    if (taken.has(id)) id = appIdOf(hashed + String(index));
    taken.add(id);
    const servable = image !== null && hasPngSignature(image) ? image : null;
    return { id, title: spec.title, boxArtPng: servable ?? makeBoxArtPng(id) };
  });
}

/** /applist (control-plane.md 5.1). */
export function applistReply(apps: readonly App[], codecModeSupport: number): XmlReply {
  // Sunshine flags every app HDR-capable exactly when HEVC Main10 is enabled.
  const hdr = (codecModeSupport & 0x200) !== 0 ? 1 : 0;
  return {
    attributes: [['status_code', 200]],
    children: apps.map((a) => ({
      name: 'App',
      children: [
        { name: 'IsHdrSupported', text: hdr },
        { name: 'AppTitle', text: a.title },
        { name: 'ID', text: a.id },
      ],
    })),
  };
}

/** Sunshine's id from the hashed text: the CRC read as int32, then its absolute value. */
export function appIdOf(text: string): number {
  const signed = crc32(new TextEncoder().encode(text)) | 0;
  // abs(INT32_MIN) overflows in C++ and stays negative; keep that rather than invent a value.
  return signed === -0x80000000 ? signed : Math.abs(signed);
}

/** Reads a JSON array of {"title", "image"?}; image paths are relative to the file. */
export function loadAppsFile(path: string): { ok: true; value: AppSpec[] } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { ok: false, error: `${path}: ${String(e)}` };
  }
  if (!Array.isArray(json)) return { ok: false, error: `${path}: expected a JSON array of apps` };
  const specs: AppSpec[] = [];
  for (const [i, entry] of json.entries()) {
    const title = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).title : undefined;
    const image = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).image : undefined;
    if (typeof title !== 'string') return { ok: false, error: `${path}: app ${i} has no "title" string` };
    if (image !== undefined && typeof image !== 'string') return { ok: false, error: `${path}: app ${i} "image" must be a path` };
    specs.push(image === undefined ? { title } : { title, image: isAbsolute(image) ? image : resolve(dirname(path), image) });
  }
  return { ok: true, value: specs };
}

/**
 * Sunshine hashes a configured image into the id when the path ends in .png and exists;
 * it serves the file only if it also starts with the PNG signature.
 */
function readImage(path: string | undefined): Uint8Array | null {
  if (path === undefined || !/\.png$/i.test(path) || !existsSync(path)) return null;
  return new Uint8Array(readFileSync(path));
}
