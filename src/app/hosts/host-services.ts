// The Services contract assembled from its parts: the host registry (records + status),
// polling, adding, pairing, apps and Wake-on-LAN. The nvhttp calls come in as `api`, so the
// same assembly runs against real hosts and against scripted ones on a fake clock.

import { err, type Result } from '../../lib/result.ts';
import type { Platform } from '../../platform/platform.ts';
import { createAppCache } from '../apps/app-cache.ts';
import { createAppService } from '../apps/app-service.ts';
import { createBoxArtCache, DEFAULT_BOX_ART_LIMITS, type BoxArtLimits } from '../apps/box-art-cache.ts';
import type { ServiceError, ServiceEvent, Services } from '../services.ts';
import { buildMagicPacket, parseMac } from '../wake/magic-packet.ts';
import { DEFAULT_WAKE_PORTS, sendWakePackets, wakeTargets, type WakePorts } from '../wake/wake-sender.ts';
import { addHost } from './add-host.ts';
import type { HostApi, NvHttpContext } from './host-api.ts';
import { createHostPairing } from './host-pairing.ts';
import { createHostPoller, DEFAULT_POLL_INTERVAL_MS } from './host-poller.ts';
import { createHostRegistry } from './host-registry.ts';

export interface HostServicesDeps {
  platform: Platform;
  ctx: NvHttpContext;
  api: HostApi;
  pollIntervalMs?: number;
  /** False for one-shot tools (the CLI): hosts are then only asked when a call needs it. */
  autoPoll?: boolean;
  wakePorts?: WakePorts;
  boxArtLimits?: BoxArtLimits;
}

export interface HostServices extends Services {
  /** Resolves once loading is done and no poll round is running (tests, the CLI). */
  whenIdle(): Promise<void>;
}

export function createHostServices(deps: HostServicesDeps): HostServices {
  const { platform, ctx, api } = deps;
  const listeners = new Set<(event: ServiceEvent) => void>();
  /** Problems found before anyone listened, delivered to the first listener. */
  let unheard: ServiceEvent[] = [];
  let disposed = false;

  const emit = (event: ServiceEvent): void => {
    if (disposed) return;
    if (listeners.size === 0 && event.kind === 'problem') unheard.push(event);
    for (const listener of [...listeners]) listener(event);
  };

  const registry = createHostRegistry({ storage: platform.storage, onChange: (hosts) => emit({ kind: 'hosts-changed', hosts }) });
  const appService = createAppService({
    registry,
    api,
    ctx,
    appCache: createAppCache(platform.storage),
    boxArtCache: createBoxArtCache(platform.storage, deps.boxArtLimits ?? DEFAULT_BOX_ART_LIMITS),
  });
  const poller = createHostPoller({
    clock: platform.clock,
    intervalMs: deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    registry,
    api,
    ctx,
    onAppsDue: async (hostId) => {
      await appService.refresh(hostId);
    },
  });
  const pairing = createHostPairing({
    registry,
    api,
    ctx,
    entropy: platform.entropy,
    emit,
    onPaired: (hostId) => void poller.pollNow(hostId),
  });

  const ready = registry.load().then((problems) => {
    for (const error of problems) emit({ kind: 'problem', error });
    if (!disposed && deps.autoPoll !== false) poller.start();
  });

  /** Runs `call` once loading is done; every call after dispose() fails the same way. */
  const when = async <T>(call: () => Promise<Result<T, ServiceError>>): Promise<Result<T, ServiceError>> => {
    await ready;
    if (disposed) return err({ kind: 'internal', detail: 'the services were stopped' });
    return call();
  };

  return {
    async listHosts() {
      await ready;
      return registry.views();
    },
    addHost: (address) => when(() => addHost({ registry, api, ctx, entropy: platform.entropy }, address)),
    removeHost: (hostId) =>
      when(async () => {
        pairing.cancel(hostId);
        const removed = await registry.remove(hostId);
        if (!removed.ok) return removed;
        return appService.forgetHost(hostId);
      }),
    pair: (hostId, pin) => when(() => pairing.pair(hostId, pin)),
    unpair: (hostId) => when(() => pairing.unpair(hostId)),
    wake: (hostId) =>
      when(async () => {
        const entry = registry.get(hostId);
        if (entry === undefined) return err({ kind: 'unknown-host', hostId });
        if (entry.record.mac === null) return err({ kind: 'no-mac' });
        const mac = parseMac(entry.record.mac);
        if (!mac.ok) return err({ kind: 'no-mac' });
        const { address, localAddress } = entry.record;
        const addresses = localAddress === null ? [address.host] : [address.host, localAddress];
        const targets = wakeTargets(addresses, address.httpPort, deps.wakePorts ?? DEFAULT_WAKE_PORTS);
        return sendWakePackets(platform.sockets, buildMagicPacket(mac.value), targets);
      }),
    apps: (hostId) => when(() => appService.apps(hostId)),
    boxArt: (hostId, appId) => when(() => appService.boxArt(hostId, appId)),
    subscribe(listener) {
      listeners.add(listener);
      if (unheard.length > 0) {
        const pending = unheard;
        unheard = [];
        void Promise.resolve().then(() => {
          for (const event of pending) if (listeners.has(listener)) listener(event);
        });
      }
      return () => {
        listeners.delete(listener);
      };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      poller.stop();
      pairing.cancelAll();
      listeners.clear();
    },
    async whenIdle() {
      await ready;
      await poller.whenIdle();
    },
  };
}
