// Box art kept per host and app (storage "boxart/<hostId>/<appId>", base64 PNG), within a
// byte budget: TV web storage is small and a library of a few hundred games would not fit.
// An index ("boxart-index") lists the cached images in least-recently-used order with their
// sizes; storing past the budget evicts from its front. Reads reorder the index in memory only,
// so a cache hit costs no storage write. A missing or unreadable index drops every cached image:
// it is only a cache, and orphans would hold space forever.

import { err, ok, type Result } from '../../lib/result.ts';
import type { Storage } from '../../platform/platform.ts';
import { createSerialQueue } from '../hosts/serial-queue.ts';
import type { ServiceError } from '../services.ts';
import { base64ToBytes, bytesToBase64 } from './base64.ts';

export interface BoxArtCache {
  get(hostId: string, appId: number): Promise<Uint8Array | null>;
  /** Stores the image unless it alone exceeds the per-image limit; evicts older images as needed. */
  put(hostId: string, appId: number, bytes: Uint8Array): Promise<Result<void, ServiceError>>;
  forgetHost(hostId: string): Promise<Result<void, ServiceError>>;
}

export interface BoxArtLimits {
  /** Total bytes of images kept (before base64). */
  budgetBytes: number;
  /** Larger images are served but not kept. */
  maxImageBytes: number;
}

export const DEFAULT_BOX_ART_LIMITS: BoxArtLimits = {
  // 3 MiB of PNG is 4 MiB as base64: a comfortable part of the 5 MiB localStorage quota that
  // Chromium-based engines give an origin.
  budgetBytes: 3 * 1024 * 1024,
  maxImageBytes: 512 * 1024,
};

export const BOX_ART_PREFIX = 'boxart/';
export const BOX_ART_INDEX_KEY = 'boxart-index';

export function boxArtKey(hostId: string, appId: number): string {
  return `${BOX_ART_PREFIX}${hostId}/${appId}`;
}

interface IndexEntry {
  key: string;
  sizeBytes: number;
}

export function createBoxArtCache(storage: Storage, limits: BoxArtLimits = DEFAULT_BOX_ART_LIMITS): BoxArtCache {
  const serialized = createSerialQueue();
  let index: IndexEntry[] | null = null;

  const loadIndex = async (): Promise<IndexEntry[]> => {
    if (index !== null) return index;
    const text = await storage.get(BOX_ART_INDEX_KEY);
    const parsed = text.ok && text.value !== null ? parseIndex(text.value) : null;
    if (parsed !== null) {
      index = parsed;
      return index;
    }
    const stale = await storage.keys(BOX_ART_PREFIX);
    if (stale.ok) for (const key of stale.value) await storage.remove(key);
    index = [];
    return index;
  };

  const saveIndex = async (entries: IndexEntry[]): Promise<Result<void, ServiceError>> => {
    const saved = await storage.set(BOX_ART_INDEX_KEY, JSON.stringify({ v: 1, entries }));
    return saved.ok ? ok(undefined) : err({ kind: 'storage', detail: saved.error.detail });
  };

  const dropKeys = async (entries: IndexEntry[], keys: Set<string>): Promise<Result<void, ServiceError>> => {
    for (const key of keys) {
      const removed = await storage.remove(key);
      if (!removed.ok) return err({ kind: 'storage', detail: removed.error.detail });
    }
    index = entries.filter((e) => !keys.has(e.key));
    return saveIndex(index);
  };

  return {
    get: (hostId, appId) =>
      serialized(async () => {
        const entries = await loadIndex();
        const key = boxArtKey(hostId, appId);
        const at = entries.findIndex((e) => e.key === key);
        if (at < 0) return null;
        const text = await storage.get(key);
        const bytes = text.ok && text.value !== null ? base64ToBytes(text.value) : null;
        if (bytes === null) {
          await dropKeys(entries, new Set([key]));
          return null;
        }
        const [hit] = entries.splice(at, 1);
        if (hit !== undefined) entries.push(hit);
        return bytes;
      }),
    put: (hostId, appId, bytes) =>
      serialized(async (): Promise<Result<void, ServiceError>> => {
        if (bytes.length > limits.maxImageBytes || bytes.length > limits.budgetBytes) return ok(undefined);
        const entries = await loadIndex();
        const key = boxArtKey(hostId, appId);
        const kept = entries.filter((e) => e.key !== key);
        let total = kept.reduce((sum, e) => sum + e.sizeBytes, 0) + bytes.length;
        const evicted = new Set<string>();
        for (const e of kept) {
          if (total <= limits.budgetBytes) break;
          evicted.add(e.key);
          total -= e.sizeBytes;
        }
        const dropped = await dropKeys(kept, evicted);
        if (!dropped.ok) return dropped;
        const saved = await storage.set(key, bytesToBase64(bytes));
        if (!saved.ok) return err({ kind: 'storage', detail: saved.error.detail });
        index = [...(index ?? []), { key, sizeBytes: bytes.length }];
        return saveIndex(index);
      }),
    forgetHost: (hostId) =>
      serialized(async () => {
        const entries = await loadIndex();
        const prefix = `${BOX_ART_PREFIX}${hostId}/`;
        const keys = new Set(entries.filter((e) => e.key.startsWith(prefix)).map((e) => e.key));
        // Images the index does not know (a crash between two writes) go too.
        const stored = await storage.keys(prefix);
        if (stored.ok) for (const key of stored.value) keys.add(key);
        return keys.size === 0 ? ok(undefined) : dropKeys(entries, keys);
      }),
  };
}

function parseIndex(text: string): IndexEntry[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, entries } = value as Record<string, unknown>;
  if (v !== 1 || !Array.isArray(entries)) return null;
  const out: IndexEntry[] = [];
  for (const item of entries as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { key, sizeBytes } = item as Record<string, unknown>;
    if (typeof key !== 'string' || !key.startsWith(BOX_ART_PREFIX)) return null;
    if (typeof sizeBytes !== 'number' || !Number.isInteger(sizeBytes) || sizeBytes < 0) return null;
    out.push({ key, sizeBytes });
  }
  return out;
}
