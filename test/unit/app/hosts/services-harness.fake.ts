// Host services on the in-memory platform and scripted hosts, driven round by round on the
// fake clock.

import { createHostServices, type HostServices } from '../../../../src/app/hosts/host-services.ts';
import type { NvHttpContext } from '../../../../src/app/hosts/host-api.ts';
import type { BoxArtLimits } from '../../../../src/app/apps/box-art-cache.ts';
import type { WakePorts } from '../../../../src/app/wake/wake-sender.ts';
import type { HostView, ServiceEvent } from '../../../../src/app/services.ts';
import { createMemoryPlatform, type MemoryStorage } from './memory-platform.fake.ts';
import { createScriptedHosts, type ScriptedHosts } from './scripted-hosts.fake.ts';

export const POLL_INTERVAL_MS = 3000;

export interface Harness {
  platform: ReturnType<typeof createMemoryPlatform>;
  scripted: ScriptedHosts;
  services: HostServices;
  events: ServiceEvent[];
  /** Lets loading finish and the first polling round (due at once) complete. */
  settle(): Promise<void>;
  /** Runs `count` polling intervals, each to completion. */
  rounds(count: number): Promise<void>;
  /** The `hosts-changed` events so far. */
  hostEvents(): HostView[][];
  host(id: string): Promise<HostView>;
}

export function startServices(options: {
  storage?: MemoryStorage;
  scripted?: ScriptedHosts;
  boxArtLimits?: BoxArtLimits;
  wakePorts?: WakePorts;
  seed?: number;
} = {}): Harness {
  const platform = createMemoryPlatform({ ...(options.storage ? { storage: options.storage } : {}), seed: options.seed ?? 7 });
  const scripted = options.scripted ?? createScriptedHosts();
  // The scripted hosts ignore the context: they stand in for everything it is used for.
  const ctx = { platform } as unknown as NvHttpContext;
  const services = createHostServices({
    platform,
    ctx,
    api: scripted.api,
    pollIntervalMs: POLL_INTERVAL_MS,
    ...(options.boxArtLimits ? { boxArtLimits: options.boxArtLimits } : {}),
    ...(options.wakePorts ? { wakePorts: options.wakePorts } : {}),
  });
  const events: ServiceEvent[] = [];
  services.subscribe((e) => events.push(e));
  return {
    platform,
    scripted,
    services,
    events,
    async settle() {
      await services.whenIdle();
      platform.clock.advance(0);
      await services.whenIdle();
    },
    async rounds(count) {
      for (let i = 0; i < count; i += 1) {
        platform.clock.advance(POLL_INTERVAL_MS);
        await services.whenIdle();
      }
    },
    hostEvents: () => events.flatMap((e) => (e.kind === 'hosts-changed' ? [e.hosts] : [])),
    async host(id) {
      const found = (await services.listHosts()).find((h) => h.id === id);
      if (found === undefined) throw new Error(`host ${id} is not listed`);
      return found;
    },
  };
}
