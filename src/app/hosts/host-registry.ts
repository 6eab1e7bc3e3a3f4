// The hosts the client knows: their stored records, what the last polls said about them, and
// the one place that turns both into HostViews. Every change goes through here, so that a
// `hosts-changed` event is sent exactly when what the UI shows has changed.

import { err, ok, type Result } from '../../lib/result.ts';
import type { Storage } from '../../platform/platform.ts';
import type { HostReachability, HostView, ServiceError } from '../services.ts';
import { createSerialQueue } from './serial-queue.ts';
import { HOST_KEY_PREFIX, hostKey, parseHostRecord, serializeHostRecord, type HostRecord } from './host-record.ts';

/** What polling learnt about a host; not persisted. */
export interface HostStatus {
  reachability: HostReachability;
  /** The last HTTPS answer reported us paired (or pairing just succeeded). */
  paired: boolean;
  busy: boolean;
  runningAppId: number;
  lastError: ServiceError | null;
  /** Consecutive polling rounds without an answer. */
  failedRounds: number;
}

export interface HostEntry {
  readonly record: HostRecord;
  readonly status: HostStatus;
}

export interface HostRegistry {
  /** Reads every stored record; each unreadable one is skipped, left in storage and reported. */
  load(): Promise<ServiceError[]>;
  ids(): string[];
  get(id: string): HostEntry | undefined;
  findByUniqueId(uniqueId: string): HostEntry | undefined;
  findByAddress(display: string): HostEntry | undefined;
  views(): HostView[];
  view(id: string): HostView | undefined;
  /** Stores a new host; nothing changes when storage refuses. */
  add(record: HostRecord, status: HostStatus): Promise<Result<void, ServiceError>>;
  /**
   * Applies `change` to the host as it is when the change's turn comes (changes run one at a
   * time, so a slow poll cannot undo a pairing that finished meanwhile). `change` returns the
   * new entry, or null to leave it. A changed record is stored first; nothing changes when
   * storage refuses.
   */
  modify(id: string, change: (entry: HostEntry) => HostEntry | null): Promise<Result<HostEntry, ServiceError>>;
  /** Forgets the host; its stored record is deleted first. */
  remove(id: string): Promise<Result<void, ServiceError>>;
}

export function initialStatus(record: HostRecord): HostStatus {
  return {
    reachability: 'unknown',
    paired: record.pinnedCertDer !== null,
    busy: false,
    runningAppId: 0,
    lastError: null,
    failedRounds: 0,
  };
}

export function createHostRegistry(deps: {
  storage: Storage;
  onChange: (hosts: HostView[]) => void;
}): HostRegistry {
  const entries = new Map<string, HostEntry>();
  let lastShown = '[]';

  const views = (): HostView[] =>
    [...entries.values()].map(toView).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));

  const notify = (): void => {
    const hosts = views();
    const shown = JSON.stringify(hosts);
    if (shown === lastShown) return;
    lastShown = shown;
    deps.onChange(hosts);
  };

  const store = async (record: HostRecord): Promise<Result<void, ServiceError>> => {
    const saved = await deps.storage.set(hostKey(record.id), serializeHostRecord(record));
    return saved.ok ? ok(undefined) : err({ kind: 'storage', detail: saved.error.detail });
  };

  const serialized = createSerialQueue();

  return {
    load: () =>
      serialized(async () => {
        const problems: ServiceError[] = [];
        const keys = await deps.storage.keys(HOST_KEY_PREFIX);
        if (!keys.ok) return [{ kind: 'storage', detail: keys.error.detail }];
        for (const key of [...keys.value].sort()) {
          const loaded = await loadRecord(deps.storage, key);
          if (loaded.ok) entries.set(loaded.value.id, { record: loaded.value, status: initialStatus(loaded.value) });
          else if (loaded.error !== null) problems.push(loaded.error);
        }
        lastShown = JSON.stringify(views());
        return problems;
      }),
    ids: () => [...entries.keys()],
    get: (id) => entries.get(id),
    findByUniqueId: (uniqueId) => [...entries.values()].find((e) => e.record.uniqueId === uniqueId),
    findByAddress: (display) => [...entries.values()].find((e) => e.record.address.display === display),
    views,
    view(id) {
      const entry = entries.get(id);
      return entry === undefined ? undefined : toView(entry);
    },
    add: (record, status) =>
      serialized(async () => {
        if (entries.has(record.id)) return err<ServiceError>({ kind: 'duplicate-host', hostId: record.id });
        const saved = await store(record);
        if (!saved.ok) return saved;
        entries.set(record.id, { record, status });
        notify();
        return ok(undefined);
      }),
    modify: (id, change) =>
      serialized(async (): Promise<Result<HostEntry, ServiceError>> => {
        const current = entries.get(id);
        if (current === undefined) return err({ kind: 'unknown-host', hostId: id });
        const next = change(current);
        if (next === null) return ok(current);
        if (next.record.id !== id) throw new Error('a host record cannot change its id');
        if (serializeHostRecord(next.record) !== serializeHostRecord(current.record)) {
          const saved = await store(next.record);
          if (!saved.ok) return saved;
        }
        entries.set(id, next);
        notify();
        return ok(next);
      }),
    remove: (id) =>
      serialized(async (): Promise<Result<void, ServiceError>> => {
        if (!entries.has(id)) return err({ kind: 'unknown-host', hostId: id });
        const removed = await deps.storage.remove(hostKey(id));
        if (!removed.ok) return err({ kind: 'storage', detail: removed.error.detail });
        entries.delete(id);
        notify();
        return ok(undefined);
      }),
  };
}

/** The record at `key`; an error to report, or null for a key that vanished meanwhile. */
async function loadRecord(storage: Storage, key: string): Promise<Result<HostRecord, ServiceError | null>> {
  const text = await storage.get(key);
  if (!text.ok) return err({ kind: 'storage', detail: `${key}: ${text.error.detail}` });
  if (text.value === null) return err(null);
  const record = parseHostRecord(text.value);
  if (!record.ok) return err({ kind: 'storage', detail: `${key}: ${record.error}` });
  if (hostKey(record.value.id) !== key) {
    return err({ kind: 'storage', detail: `${key}: holds the record of ${record.value.id}` });
  }
  return ok(record.value);
}

function toView(entry: HostEntry): HostView {
  const { record, status } = entry;
  const online = status.reachability === 'online';
  return {
    id: record.id,
    name: record.name,
    address: record.address.display,
    reachability: status.reachability,
    paired: record.pinnedCertDer !== null && status.paired,
    busy: online && status.busy,
    runningAppId: online ? status.runningAppId : 0,
    canWake: record.mac !== null,
    lastError: status.lastError,
  };
}
