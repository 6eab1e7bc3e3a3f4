// Storage in IndexedDB: one database with one object store of string values keyed by
// string. IndexedDB works in windows and workers alike (the TV's session and services
// workers included), unlike localStorage. Shared by the browser and Tizen platforms.

import { err, ok, type Result } from '../../lib/result.ts';
import type { Storage, StorageError } from '../platform.ts';

export interface IndexedDbStorageOptions {
  /** Defaults to the global `indexedDB`. */
  factory?: IDBFactory;
  databaseName?: string;
}

const DEFAULT_DATABASE_NAME = 'gamestream';
const STORE_NAME = 'kv';
const SCHEMA_VERSION = 1;

export function createIndexedDbStorage(options: IndexedDbStorageOptions = {}): Storage {
  const databaseName = options.databaseName ?? DEFAULT_DATABASE_NAME;
  let opening: Promise<Result<IDBDatabase, StorageError>> | null = null;

  function database(): Promise<Result<IDBDatabase, StorageError>> {
    if (opening === null) {
      opening = openDatabase(options.factory, databaseName).then((result) => {
        // A failed open (private mode, quota, a blocked upgrade) is retried on the next call.
        if (!result.ok) opening = null;
        return result;
      });
    }
    return opening;
  }

  async function run<T>(
    mode: IDBTransactionMode,
    what: string,
    operate: (store: IDBObjectStore) => IDBRequest,
    parse: (value: unknown) => Result<T, StorageError>,
  ): Promise<Result<T, StorageError>> {
    const db = await database();
    if (!db.ok) return db;
    return new Promise((resolve) => {
      let request: IDBRequest;
      let transaction: IDBTransaction;
      try {
        transaction = db.value.transaction(STORE_NAME, mode);
        request = operate(transaction.objectStore(STORE_NAME));
      } catch (e) {
        // The connection was closed under us (the browser can do that); reopen next time.
        opening = null;
        resolve(failure(what, e));
        return;
      }
      // Settle on transaction completion so a `set` has been committed when it resolves.
      transaction.oncomplete = () => resolve(parse(request.result));
      transaction.onabort = () => resolve(failure(what, transaction.error ?? request.error));
      transaction.onerror = () => undefined;
    });
  }

  return {
    get(key) {
      return run('readonly', `get ${key}`, (store) => store.get(key), (value) => {
        if (value === undefined) return ok(null);
        if (typeof value === 'string') return ok(value);
        return err({ kind: 'storage', detail: `the value of ${key} is not text` });
      });
    },
    set(key, value) {
      return run('readwrite', `set ${key}`, (store) => store.put(value, key), () => ok(undefined));
    },
    remove(key) {
      return run('readwrite', `remove ${key}`, (store) => store.delete(key), () => ok(undefined));
    },
    keys(prefix) {
      return run('readonly', 'list keys', (store) => store.getAllKeys(), (value) => {
        if (!Array.isArray(value)) return err({ kind: 'storage', detail: 'key listing is not an array' });
        const keys: string[] = [];
        for (const key of value) if (typeof key === 'string' && key.startsWith(prefix)) keys.push(key);
        return ok(keys);
      });
    },
  };
}

function openDatabase(factory: IDBFactory | undefined, name: string): Promise<Result<IDBDatabase, StorageError>> {
  return new Promise((resolve) => {
    const idb = factory ?? (typeof indexedDB === 'undefined' ? undefined : indexedDB);
    if (idb === undefined) {
      resolve(err({ kind: 'storage', detail: 'IndexedDB is not available' }));
      return;
    }
    let request: IDBOpenDBRequest;
    try {
      request = idb.open(name, SCHEMA_VERSION);
    } catch (e) {
      resolve(failure('open', e));
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE_NAME)) db.createObjectStore(STORE_NAME);
    };
    let settled = false;
    request.onsuccess = () => {
      const db = request.result;
      if (settled) {
        db.close(); // we already reported the open as blocked; the next call reopens
        return;
      }
      settled = true;
      // Another tab upgrading the schema must not wait on us forever.
      db.onversionchange = () => db.close();
      resolve(ok(db));
    };
    request.onerror = () => {
      settled = true;
      resolve(failure('open', request.error));
    };
    request.onblocked = () => {
      settled = true;
      resolve(err({ kind: 'storage', detail: 'the database is held open by an older version of the app' }));
    };
  });
}

function failure(what: string, cause: unknown): { ok: false; error: StorageError } {
  const detail = cause instanceof Error || (typeof DOMException !== 'undefined' && cause instanceof DOMException)
    ? `${cause.name}: ${cause.message}`
    : String(cause);
  return err({ kind: 'storage', detail: `${what}: ${detail}` });
}
