// Storage as one file per key under a state directory. Writes go to a temporary file that
// is synced and then renamed over the old one, so a crash leaves either the old value or
// the new one, never half of each. A file that cannot be read or is not UTF-8 is an error
// for its own key only. Values include the client's private key: files are owner-only.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../lib/result.ts';
import type { Storage, StorageError } from '../platform.ts';

const VALUE_SUFFIX = '.value';
/** File names are at most 255 bytes on Linux; leave room for the suffix and the temp marker. */
const MAX_ENCODED_KEY_CHARS = 220;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export function createFileStorage(stateDir: string): Storage {
  function pathOf(key: string): Result<string, StorageError> {
    const encoded = encodeKey(key);
    if (encoded.length > MAX_ENCODED_KEY_CHARS) return err({ kind: 'storage', detail: `key too long: ${key.slice(0, 40)}…` });
    return ok(join(stateDir, encoded + VALUE_SUFFIX));
  }

  return {
    async get(key) {
      const path = pathOf(key);
      if (!path.ok) return path;
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path.value);
      } catch (e) {
        if (codeOf(e) === 'ENOENT') return ok(null);
        return err(failure(`read ${key}`, e));
      }
      try {
        return ok(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
      } catch {
        return err({ kind: 'storage', detail: `the stored value of ${key} is corrupt (not UTF-8)` });
      }
    },

    async set(key, value) {
      const path = pathOf(key);
      if (!path.ok) return path;
      const temp = `${path.value}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        await mkdir(stateDir, { recursive: true, mode: DIR_MODE });
        const file = await open(temp, 'wx', FILE_MODE);
        try {
          await file.writeFile(value, 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, path.value);
        return ok(undefined);
      } catch (e) {
        await unlink(temp).catch(() => undefined);
        return err(failure(`write ${key}`, e));
      }
    },

    async remove(key) {
      const path = pathOf(key);
      if (!path.ok) return path;
      try {
        await unlink(path.value);
        return ok(undefined);
      } catch (e) {
        if (codeOf(e) === 'ENOENT') return ok(undefined);
        return err(failure(`remove ${key}`, e));
      }
    },

    async keys(prefix) {
      let names: string[];
      try {
        names = await readdir(stateDir);
      } catch (e) {
        if (codeOf(e) === 'ENOENT') return ok([]);
        return err(failure('list keys', e));
      }
      const keys: string[] = [];
      for (const name of names) {
        if (!name.endsWith(VALUE_SUFFIX)) continue; // temp files and foreign files
        const key = decodeKey(name.slice(0, -VALUE_SUFFIX.length));
        if (key !== null && key.startsWith(prefix)) keys.push(key);
      }
      return ok(keys.sort());
    },
  };
}

/**
 * Letters, digits, `-` and `_` stay; every other UTF-8 byte becomes `%XX`. So names never
 * contain `/`, never start with `.`, and map back to exactly one key.
 */
export function encodeKey(key: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(key)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeKey(name: string): string | null {
  if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})*$/.test(name)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; ) {
    if (name[i] === '%') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(name.charCodeAt(i));
      i += 1;
    }
  }
  try {
    const key = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
    return encodeKey(key) === name ? key : null;
  } catch {
    return null;
  }
}

function codeOf(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return null;
  const code: unknown = Reflect.get(e, 'code');
  return typeof code === 'string' ? code : null;
}

function failure(what: string, e: unknown): StorageError {
  return { kind: 'storage', detail: `${what}: ${e instanceof Error ? e.message : String(e)}` };
}
