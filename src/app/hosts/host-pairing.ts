// Pairing and unpairing a host, as far as the host list is concerned: which PIN, one attempt
// per host at a time, and what is remembered afterwards. The protocol itself is pairWithHost's.
// The pinned certificate and the MAC are stored only when pairing succeeded, so a failed or
// cancelled attempt leaves the host exactly as it was.

import { createCancelSource, type CancelSignal } from '../../lib/cancel.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import type { Entropy } from '../../platform/platform.ts';
import type { PairingHandle, ServiceError, ServiceEvent } from '../services.ts';
import { endpointOf, REQUEST_TIMEOUT_MS, type HostApi, type NvHttpContext } from './host-api.ts';
import { learnFromServerInfo } from './host-poller.ts';
import type { HostRegistry } from './host-registry.ts';

export interface HostPairing {
  pair(hostId: string, pin?: string): Promise<Result<PairingHandle, ServiceError>>;
  unpair(hostId: string): Promise<Result<void, ServiceError>>;
  /** Ends the attempt running for the host, if any (the host is being removed). */
  cancel(hostId: string): void;
  cancelAll(): void;
}

export function createHostPairing(deps: {
  registry: HostRegistry;
  api: Pick<HostApi, 'pairWithHost' | 'generatePin' | 'sendUnpair'>;
  ctx: NvHttpContext;
  entropy: Entropy;
  emit: (event: ServiceEvent) => void;
  /** Called once a pairing has been stored (to poll the host and fetch its apps). */
  onPaired: (hostId: string) => void;
}): HostPairing {
  const { registry, api, ctx } = deps;
  const attempts = new Map<string, { cancel(): void }>();

  const run = async (hostId: string, pin: string, cancel: CancelSignal): Promise<Result<void, ServiceError>> => {
    const entry = registry.get(hostId);
    if (entry === undefined) return err({ kind: 'unknown-host', hostId });
    const paired = await api.pairWithHost(ctx, endpointOf(entry.record), {
      pin,
      onStage: (stage) => {
        if (!cancel.cancelled) deps.emit({ kind: 'pairing-progress', hostId, stage });
      },
      cancel,
      stepTimeoutMs: PAIRING_STEP_TIMEOUT_MS,
    });
    if (!paired.ok) return paired;
    const { serverCertDer, serverInfo } = paired.value;
    const expected = registry.get(hostId)?.record.uniqueId ?? null;
    if (expected !== null && serverInfo.uniqueId !== expected) {
      return err({ kind: 'unreachable', detail: `another PC (id ${serverInfo.uniqueId}) answered the pairing` });
    }
    const saved = await registry.modify(hostId, (current) => ({
      record: { ...learnFromServerInfo(current.record, serverInfo), pinnedCertDer: serverCertDer },
      status: { ...current.status, reachability: 'online', paired: true, lastError: null, failedRounds: 0 },
    }));
    if (!saved.ok) return saved;
    deps.onPaired(hostId);
    return ok(undefined);
  };

  const cancel = (hostId: string): void => attempts.get(hostId)?.cancel();

  return {
    async pair(hostId, pin) {
      if (registry.get(hostId) === undefined) return err({ kind: 'unknown-host', hostId });
      if (attempts.has(hostId)) return err({ kind: 'pairing-in-progress' });
      if (pin !== undefined && !PIN_PATTERN.test(pin)) return err({ kind: 'internal', detail: 'a PIN is 4 digits' });
      const chosenPin = pin ?? api.generatePin(deps.entropy);
      const source = createCancelSource();
      attempts.set(hostId, source);
      const done = run(hostId, chosenPin, source.signal).finally(() => {
        if (attempts.get(hostId) === source) attempts.delete(hostId);
      });
      return ok({ pin: chosenPin, done, cancel: () => source.cancel() });
    },
    async unpair(hostId) {
      const entry = registry.get(hostId);
      if (entry === undefined) return err({ kind: 'unknown-host', hostId });
      cancel(hostId);
      const forgotten = await registry.modify(hostId, (current) => ({
        record: { ...current.record, pinnedCertDer: null },
        status: { ...current.status, paired: false },
      }));
      if (!forgotten.ok) return forgotten;
      // Sunshine has no /unpair route and answers 404 (control-plane.md 4.8); GFE may use it.
      // Either way the pairing is gone on our side, which is what unpairing means here.
      await api.sendUnpair(ctx, endpointOf(entry.record), REQUEST_TIMEOUT_MS);
      return ok(undefined);
    },
    cancel,
    cancelAll() {
      for (const attempt of attempts.values()) attempt.cancel();
    },
  };
}

/** control-plane.md 4.7: MQt waits 5 s for each pairing phase after the first. */
export const PAIRING_STEP_TIMEOUT_MS = 5000;
const PIN_PATTERN = /^\d{4}$/;
