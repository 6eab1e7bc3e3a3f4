// App lists and box art for the UI. A paired host that may be reachable is asked; when it
// cannot answer, the last list seen is shown instead, so an offline PC still shows its games.

import { err, ok, type Result } from '../../lib/result.ts';
import { endpointOf, REQUEST_TIMEOUT_MS, type HostApi, type NvHttpContext } from '../hosts/host-api.ts';
import type { HostRegistry } from '../hosts/host-registry.ts';
import type { AppView, ServiceError } from '../services.ts';
import type { AppCache } from './app-cache.ts';
import type { BoxArtCache } from './box-art-cache.ts';

export interface AppService {
  apps(hostId: string): Promise<Result<AppView[], ServiceError>>;
  boxArt(hostId: string, appId: number): Promise<Result<Uint8Array, ServiceError>>;
  /** Fetches and caches the list (polling calls this while the host is online and paired). */
  refresh(hostId: string): Promise<Result<AppView[], ServiceError>>;
  forgetHost(hostId: string): Promise<Result<void, ServiceError>>;
}

export function createAppService(deps: {
  registry: HostRegistry;
  api: Pick<HostApi, 'getAppList' | 'getBoxArt'>;
  ctx: NvHttpContext;
  appCache: AppCache;
  boxArtCache: BoxArtCache;
}): AppService {
  const { registry, api, ctx, appCache, boxArtCache } = deps;

  const refresh = async (hostId: string): Promise<Result<AppView[], ServiceError>> => {
    const entry = registry.get(hostId);
    if (entry === undefined) return err({ kind: 'unknown-host', hostId });
    if (entry.record.pinnedCertDer === null) return err({ kind: 'not-paired' });
    const fetched = await api.getAppList(ctx, endpointOf(entry.record), REQUEST_TIMEOUT_MS);
    if (!fetched.ok) return fetched;
    // The host may have been removed while the list was on its way: cache nothing for it.
    if (registry.get(hostId) === undefined) return err({ kind: 'unknown-host', hostId });
    const saved = await appCache.put(hostId, fetched.value);
    if (!saved.ok) return saved;
    return ok(fetched.value);
  };

  return {
    async apps(hostId) {
      const entry = registry.get(hostId);
      if (entry === undefined) return err({ kind: 'unknown-host', hostId });
      if (entry.record.pinnedCertDer === null) return err({ kind: 'not-paired' });
      const cached = await appCache.get(hostId);
      if (entry.status.reachability === 'offline') {
        if (cached !== null) return ok(cached);
        return err(entry.status.lastError ?? { kind: 'unreachable', detail: 'the PC is offline' });
      }
      const fresh = await refresh(hostId);
      if (fresh.ok || cached === null || fresh.error.kind === 'unknown-host') return fresh;
      return ok(cached);
    },
    async boxArt(hostId, appId) {
      const entry = registry.get(hostId);
      if (entry === undefined) return err({ kind: 'unknown-host', hostId });
      const cached = await boxArtCache.get(hostId, appId);
      if (cached !== null) return ok(cached);
      if (entry.record.pinnedCertDer === null) return err({ kind: 'not-paired' });
      const fetched = await api.getBoxArt(ctx, endpointOf(entry.record), appId, REQUEST_TIMEOUT_MS);
      if (!fetched.ok) return fetched;
      if (registry.get(hostId) !== undefined) {
        // A full or failing cache must not cost the user the picture they asked for.
        await boxArtCache.put(hostId, appId, fetched.value);
      }
      return ok(fetched.value);
    },
    refresh,
    async forgetHost(hostId) {
      const apps = await appCache.forget(hostId);
      const art = await boxArtCache.forgetHost(hostId);
      return !apps.ok ? apps : art;
    },
  };
}
