// Host status polling (control-plane.md 3.1). Every interval each host gets one round, unless
// its previous round is still running:
//   - a pinned certificate => HTTPS /serverinfo first: the only answer that tells "paired" and
//     gives the MAC. An XML 401 or a TLS failure (host forgot us, or its certificate changed)
//     falls back to HTTP, and the host then shows as not paired.
//   - otherwise HTTP only.
// An answer whose <uniqueid> is not the stored host's is a different PC at that address and
// counts as no answer. Two rounds in a row without an answer make the host offline. While a
// host is online and paired its app list is refreshed on its first such round and every
// APP_REFRESH_ROUNDS rounds after.

import { isIpv4Literal } from './host-address.ts';
import { endpointOf, POLL_TIMEOUT_MS, type HostApi, type NvHttpContext } from './host-api.ts';
import type { HostEntry, HostRegistry, HostStatus } from './host-registry.ts';
import type { HostRecord } from './host-record.ts';
import type { ServerInfo } from '../../nvhttp/nvhttp-client.ts';
import type { Clock, TimerHandle } from '../../platform/platform.ts';
import type { ServiceError } from '../services.ts';

export type PollOutcome =
  | {
      kind: 'answered';
      info: ServerInfo;
      paired: boolean;
      /** Why HTTPS was refused when the answer came over HTTP instead. */
      httpsRefusal: ServiceError | null;
    }
  | { kind: 'failed'; error: ServiceError };

/** One round against one host, as 3.1 describes it. */
export async function fetchHostStatus(
  api: Pick<HostApi, 'getServerInfo'>,
  ctx: NvHttpContext,
  record: HostRecord,
  timeoutMs: number,
): Promise<PollOutcome> {
  const endpoint = endpointOf(record);
  let httpsRefusal: ServiceError | null = null;
  if (record.pinnedCertDer !== null) {
    const secure = await api.getServerInfo(ctx, endpoint, { secure: true, timeoutMs });
    if (secure.ok) return checkIdentity(record, { kind: 'answered', info: secure.value, paired: secure.value.paired, httpsRefusal });
    if (!isRefusal(secure.error)) return { kind: 'failed', error: secure.error };
    httpsRefusal = secure.error;
  }
  const plain = await api.getServerInfo(ctx, endpoint, { secure: false, timeoutMs });
  if (!plain.ok) return { kind: 'failed', error: plain.error };
  return checkIdentity(record, { kind: 'answered', info: plain.value, paired: false, httpsRefusal });
}

/** The host entry after a round; records only change by what the host told us. */
export function applyOutcome(entry: HostEntry, outcome: PollOutcome): HostEntry {
  const { record, status } = entry;
  if (outcome.kind === 'failed') {
    const failedRounds = status.failedRounds + 1;
    const next: HostStatus = {
      ...status,
      failedRounds,
      reachability: failedRounds >= OFFLINE_AFTER_FAILED_ROUNDS ? 'offline' : status.reachability,
      lastError: outcome.error,
    };
    return { record, status: next };
  }
  const { info } = outcome;
  return {
    record: learnFromServerInfo(record, info),
    status: {
      reachability: 'online',
      paired: outcome.paired,
      busy: info.busy,
      runningAppId: info.currentGame,
      // A changed certificate is worth telling; a plain 401 just means "not paired".
      lastError: outcome.httpsRefusal?.kind === 'tls' ? outcome.httpsRefusal : null,
      failedRounds: 0,
    },
  };
}

/** What a /serverinfo answer adds to a record: name, ports, MAC (HTTPS only), LAN address. */
export function learnFromServerInfo(record: HostRecord, info: ServerInfo): HostRecord {
  const localAddress =
    isIpv4Literal(info.localIp) && !info.localIp.startsWith('127.') ? info.localIp : record.localAddress;
  return {
    ...record,
    uniqueId: record.uniqueId ?? info.uniqueId,
    name: info.hostName.length > 0 ? info.hostName : record.name,
    httpsPort: info.httpsPort > 0 ? info.httpsPort : record.httpsPort,
    // Over HTTP Sunshine sends an all-zero placeholder MAC (3.2): only HTTPS is believed.
    mac: info.secure && info.mac !== null ? info.mac : record.mac,
    localAddress,
  };
}

export interface HostPoller {
  /** Starts the timer; the first round runs at once. */
  start(): void;
  stop(): void;
  /** Polls one host now (after pairing, say), after the round already running if any. */
  pollNow(hostId: string): Promise<void>;
  /** Resolves once no round is running (tests, orderly shutdown). */
  whenIdle(): Promise<void>;
}

export function createHostPoller(deps: {
  clock: Clock;
  intervalMs: number;
  registry: HostRegistry;
  api: Pick<HostApi, 'getServerInfo'>;
  ctx: NvHttpContext;
  /** The host's app list should be refreshed (it is online and paired). */
  onAppsDue: (hostId: string) => Promise<void>;
}): HostPoller {
  const running = new Map<string, Promise<void>>();
  /** Rounds since the last app list refresh, per host; absent = refresh on the next paired round. */
  const roundsSinceApps = new Map<string, number>();
  let timer: TimerHandle | null = null;
  let stopped = false;

  const appsDue = (hostId: string, entry: HostEntry): boolean => {
    if (entry.status.reachability !== 'online' || !entry.status.paired || entry.record.pinnedCertDer === null) {
      roundsSinceApps.delete(hostId);
      return false;
    }
    const rounds = roundsSinceApps.get(hostId);
    if (rounds === undefined || rounds + 1 >= APP_REFRESH_ROUNDS) {
      roundsSinceApps.set(hostId, 0);
      return true;
    }
    roundsSinceApps.set(hostId, rounds + 1);
    return false;
  };

  const round = async (hostId: string): Promise<void> => {
    const before = deps.registry.get(hostId);
    if (before === undefined) return;
    const outcome = await fetchHostStatus(deps.api, deps.ctx, before.record, POLL_TIMEOUT_MS);
    if (stopped) return;
    if (outcome.kind === 'answered' && before.record.uniqueId === null) {
      // A host added while offline turned out to be a PC already in the list: keep the one
      // that has the history (pairing, MAC) and drop the newcomer.
      const twin = deps.registry.findByUniqueId(outcome.info.uniqueId);
      if (twin !== undefined && twin.record.id !== hostId) {
        await deps.registry.remove(hostId);
        return;
      }
    }
    const after = await deps.registry.modify(hostId, (current) =>
      // Pairing or unpairing finished during the round: its answer describes a past state.
      current.record.pinnedCertDer !== before.record.pinnedCertDer ? null : applyOutcome(current, outcome),
    );
    if (!after.ok || stopped) return;
    if (appsDue(hostId, after.value)) await deps.onAppsDue(hostId);
  };

  const pollNow = (hostId: string): Promise<void> => {
    // A running round may have started before the change that made this poll necessary, so
    // a fresh round follows it rather than joining it.
    const previous = running.get(hostId) ?? Promise.resolve();
    const started: Promise<void> = previous.then(() => round(hostId)).finally(() => {
      if (running.get(hostId) === started) running.delete(hostId);
    });
    running.set(hostId, started);
    return started;
  };

  const tick = (): void => {
    timer = null;
    if (stopped) return;
    for (const id of deps.registry.ids()) if (!running.has(id)) void pollNow(id);
    for (const id of [...roundsSinceApps.keys()]) if (deps.registry.get(id) === undefined) roundsSinceApps.delete(id);
    timer = deps.clock.setTimer(deps.intervalMs, tick);
  };

  return {
    start() {
      if (timer !== null || stopped) return;
      timer = deps.clock.setTimer(0, tick);
    },
    stop() {
      stopped = true;
      if (timer !== null) deps.clock.clearTimer(timer);
      timer = null;
    },
    pollNow,
    async whenIdle() {
      // Each pass waits for the rounds running now; rounds never start more rounds.
      for (let pass = 0; pass < MAX_IDLE_PASSES && running.size > 0; pass += 1) {
        await Promise.all([...running.values()]);
      }
    },
  };
}

function isRefusal(error: ServiceError): boolean {
  return (error.kind === 'host-error' && error.code === HTTP_UNAUTHORIZED) || error.kind === 'tls';
}

function checkIdentity(record: HostRecord, outcome: PollOutcome & { kind: 'answered' }): PollOutcome {
  if (record.uniqueId === null || outcome.info.uniqueId === record.uniqueId) return outcome;
  return {
    kind: 'failed',
    error: {
      kind: 'unreachable',
      detail: `another PC (${outcome.info.hostName}, id ${outcome.info.uniqueId}) answers at ${record.address.display}`,
    },
  };
}

/** control-plane.md 3.1: MQt declares a host offline after 2 failed rounds. */
export const OFFLINE_AFTER_FAILED_ROUNDS = 2;
/** control-plane.md 3.1: MQt refreshes the app list every 10 poll rounds. */
export const APP_REFRESH_ROUNDS = 10;
/** control-plane.md 3.1: MQt polls each host every ~3 s. */
export const DEFAULT_POLL_INTERVAL_MS = 3000;
/** Sunshine answers an unknown client certificate with XML status 401 (control-plane.md 3.2). */
const HTTP_UNAUTHORIZED = 401;
const MAX_IDLE_PASSES = 8;
