import { test } from 'node:test';
import assert from 'node:assert/strict';
import { err, ok, type Result } from '../../../../src/lib/result.ts';
import type { StorageError } from '../../../../src/platform/platform.ts';
import { openSettingsStore, SETTINGS_STORAGE_KEY, type SettingsStorage } from '../../../../src/app/settings/settings-store.ts';
import { browserProfile, defaultSettings } from '../../../../src/app/settings/user-settings.ts';

function memoryStorage(initial: Record<string, string> = {}, failWrites = false): SettingsStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: async (key): Promise<Result<string | null, StorageError>> => ok(data.get(key) ?? null),
    set: async (key, value): Promise<Result<void, StorageError>> => {
      if (failWrites) return err({ kind: 'storage', detail: 'quota exceeded' });
      data.set(key, value);
      return ok(undefined);
    },
  };
}

const profile = browserProfile();

test('a change is in force at once, saved, and read back by the next start', async () => {
  const storage = memoryStorage();
  const store = await openSettingsStore(storage, profile);
  assert.deepEqual(store.current(), defaultSettings(profile));
  const saved = store.set({ ...store.current(), fps: 30 });
  assert.equal(store.current().fps, 30);
  assert.equal(store.streamSettings().fps, 30);
  assert.deepEqual(await saved, ok(undefined));
  const again = await openSettingsStore(storage, profile);
  assert.equal(again.current().fps, 30);
  assert.deepEqual(again.loadProblems(), []);
});

test('saves land in the order they were made', async () => {
  const storage = memoryStorage();
  const store = await openSettingsStore(storage, profile);
  void store.set({ ...store.current(), fps: 30 });
  await store.set({ ...store.current(), fps: 120 });
  assert.equal((await openSettingsStore(storage, profile)).current().fps, 120);
});

test('a corrupt stored copy starts with the defaults and reports it', async () => {
  const store = await openSettingsStore(memoryStorage({ [SETTINGS_STORAGE_KEY]: '{not json' }), profile);
  assert.deepEqual(store.current(), defaultSettings(profile));
  assert.equal(store.loadProblems()[0]?.kind, 'unreadable');
});

test('storage that cannot be read starts with the defaults and reports it', async () => {
  const storage: SettingsStorage = { get: async () => err({ kind: 'storage', detail: 'denied' }), set: async () => ok(undefined) };
  const store = await openSettingsStore(storage, profile);
  assert.deepEqual(store.current(), defaultSettings(profile));
  assert.deepEqual(store.loadProblems(), [{ kind: 'unreadable', detail: 'denied' }]);
});

test('a failed save keeps the change for this run and answers the error', async () => {
  const store = await openSettingsStore(memoryStorage({}, true), profile);
  const saved = await store.set({ ...store.current(), audioChannels: 8 });
  assert.equal(saved.ok, false);
  assert.equal(store.current().audioChannels, 8);
});
