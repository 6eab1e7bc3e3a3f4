// The Services contract assembled from its parts: the host registry (records + status),
// polling, adding, pairing, apps and Wake-on-LAN. The nvhttp calls come in as `api`, so the
// same assembly runs against real hosts and against scripted ones on a fake clock.

import { createCancelSource } from '../../lib/cancel.ts';
import { err, type Result } from '../../lib/result.ts';
import type { Platform } from '../../platform/platform.ts';
import { nvhttpStartStreamApi, prepareStream, quitRunningApp, type PreparedStream, type SessionOpener, type StartStreamApi } from '../../session/start-stream.ts';
import type { StreamSettings } from '../../session/stream-config.ts';
import { createAppCache } from '../apps/app-cache.ts';
import { createAppService } from '../apps/app-service.ts';
import { createBoxArtCache, DEFAULT_BOX_ART_LIMITS, type BoxArtLimits } from '../apps/box-art-cache.ts';
import type { ServiceError, ServiceEvent, Services } from '../services.ts';
import { buildMagicPacket, parseMac } from '../wake/magic-packet.ts';
import { DEFAULT_WAKE_PORTS, sendWakePackets, wakeTargets, type WakePorts } from '../wake/wake-sender.ts';
import { addHost } from './add-host.ts';
import { endpointOf, REQUEST_TIMEOUT_MS, type HostApi, type NvHttpContext } from './host-api.ts';
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
  /** Launch, resume and RTSP; the real host calls unless a test scripts them. */
  streamApi?: StartStreamApi;
  /** Runs the session of a prepared stream; without it `startStream` is not available. */
  openSession?: SessionOpener;
}

export interface HostServices extends Services, StreamPreparer {
  /** Resolves once loading is done and no poll round is running (tests, the CLI). */
  whenIdle(): Promise<void>;
}

/** The first half of `startStream`, for a services worker whose sessions run elsewhere. */
export interface StreamPreparer {
  /** Launch or resume, then RTSP; reports `stream-progress` like `startStream`. */
  prepareStream(hostId: string, appId: number, settings: StreamSettings): Promise<Result<PreparedStream, ServiceError>>;
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

  /** The stream start under way per host, to be cancelled. */
  const starts = new Map<string, () => void>();

  /**
   * Launch or resume, then RTSP. The start can be cancelled from the moment this is called
   * (before loading is done too), so a cancel sent right after the request is never lost.
   */
  const prepare = (hostId: string, appId: number, settings: StreamSettings): Promise<Result<PreparedStream, ServiceError>> => {
    if (starts.has(hostId)) return Promise.resolve(err({ kind: 'internal', detail: 'a stream is already starting on this host' }));
    const source = createCancelSource();
    starts.set(hostId, source.cancel);
    return when(async () => {
      const entry = registry.get(hostId);
      if (source.signal.cancelled) return err({ kind: 'cancelled' });
      if (entry === undefined) return err({ kind: 'unknown-host', hostId });
      if (entry.record.pinnedCertDer === null) return err({ kind: 'not-paired' });
      const prepared = await prepareStream(ctx, deps.streamApi ?? nvhttpStartStreamApi, endpointOf(entry.record), { appId, settings }, {
        onStage: (stage) => emit({ kind: 'stream-progress', hostId, stage }),
        cancel: source.signal,
        checkTimeoutMs: REQUEST_TIMEOUT_MS,
      });
      // The host's running app changed (or may have): show it without waiting for the next round.
      if (!disposed) void poller.pollNow(hostId);
      return prepared;
    }).finally(() => {
      if (starts.get(hostId) === source.cancel) starts.delete(hostId);
    });
  };

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
    prepareStream: (hostId, appId, settings) => prepare(hostId, appId, settings),
    async startStream(hostId, appId, settings, media) {
      const open = deps.openSession;
      if (open === undefined) return err({ kind: 'internal', detail: 'streaming is not part of this build' });
      const prepared = await prepare(hostId, appId, settings);
      if (!prepared.ok) return prepared;
      emit({ kind: 'stream-progress', hostId, stage: 'connecting' });
      return open(prepared.value, media);
    },
    cancelStreamStart(hostId) {
      starts.get(hostId)?.();
    },
    quitApp: (hostId) =>
      when(async () => {
        const entry = registry.get(hostId);
        if (entry === undefined) return err({ kind: 'unknown-host', hostId });
        if (entry.record.pinnedCertDer === null) return err({ kind: 'not-paired' });
        const quit = await quitRunningApp(ctx, endpointOf(entry.record));
        if (!disposed) void poller.pollNow(hostId);
        return quit;
      }),
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
      for (const cancel of starts.values()) cancel();
      listeners.clear();
    },
    async whenIdle() {
      await ready;
      await poller.whenIdle();
    },
  };
}
