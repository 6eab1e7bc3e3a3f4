// The last app list seen for each host (storage "apps/<hostId>"), shown while the host is
// offline. A stored list that cannot be read is treated as absent: it is only a cache.

import { err, ok, type Result } from '../../lib/result.ts';
import type { Storage } from '../../platform/platform.ts';
import type { AppView, ServiceError } from '../services.ts';

export interface AppCache {
  /** The cached list, null when none (or none readable) is stored. */
  get(hostId: string): Promise<AppView[] | null>;
  put(hostId: string, apps: AppView[]): Promise<Result<void, ServiceError>>;
  forget(hostId: string): Promise<Result<void, ServiceError>>;
}

export function appListKey(hostId: string): string {
  return `apps/${hostId}`;
}

export function createAppCache(storage: Storage): AppCache {
  return {
    async get(hostId) {
      const text = await storage.get(appListKey(hostId));
      if (!text.ok || text.value === null) return null;
      return parseAppList(text.value);
    },
    async put(hostId, apps) {
      const stored = apps.map((a) => ({ id: a.id, title: a.title, hdrSupported: a.hdrSupported }));
      const saved = await storage.set(appListKey(hostId), JSON.stringify(stored));
      return saved.ok ? ok(undefined) : err({ kind: 'storage', detail: saved.error.detail });
    },
    async forget(hostId) {
      const removed = await storage.remove(appListKey(hostId));
      return removed.ok ? ok(undefined) : err({ kind: 'storage', detail: removed.error.detail });
    },
  };
}

export function parseAppList(text: string): AppView[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length > MAX_CACHED_APPS) return null;
  const apps: AppView[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { id, title, hdrSupported } = item as Record<string, unknown>;
    if (typeof id !== 'number' || !Number.isInteger(id) || typeof title !== 'string' || typeof hdrSupported !== 'boolean') {
      return null;
    }
    apps.push({ id, title, hdrSupported });
  }
  return apps;
}

/** Far above any real library; keeps a damaged value from filling memory. */
const MAX_CACHED_APPS = 10_000;
