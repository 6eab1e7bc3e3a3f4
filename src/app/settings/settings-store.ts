// The user's settings held for the page: read once from storage at start, changed by the
// settings screen, saved after every change, and read by each stream start.
//
// The value in memory is the truth from the moment it is set: a failed save leaves the
// change in force for this run and is reported to the caller. Saves run one after another,
// so a slow one cannot overwrite a later one.

import type { Result } from '../../lib/result.ts';
import type { StorageError } from '../../platform/platform.ts';
import type { StreamSettings } from '../../session/stream-config.ts';
import { fitToProfile, parseStoredSettings, serializeSettings, toStreamSettings, type DeviceProfile, type SettingsProblem, type UserSettings } from './user-settings.ts';

/** The part of the platform's Storage the settings need. */
export interface SettingsStorage {
  get(key: string): Promise<Result<string | null, StorageError>>;
  set(key: string, value: string): Promise<Result<void, StorageError>>;
}

export interface SettingsStore {
  readonly profile: DeviceProfile;
  current(): UserSettings;
  /** What was wrong with the stored copy at start; empty when it was read whole. */
  loadProblems(): readonly SettingsProblem[];
  /** Takes `next` (fitted to the profile) at once, then saves it. */
  set(next: UserSettings): Promise<Result<void, StorageError>>;
  /** The stream the next start asks for. */
  streamSettings(): StreamSettings;
}

export const SETTINGS_STORAGE_KEY = 'settings/stream';

export async function openSettingsStore(storage: SettingsStorage, profile: DeviceProfile): Promise<SettingsStore> {
  const stored = await storage.get(SETTINGS_STORAGE_KEY);
  const loaded = stored.ok ? parseStoredSettings(stored.value, profile) : parseStoredSettings(null, profile);
  const problems: SettingsProblem[] = stored.ok ? loaded.problems : [{ kind: 'unreadable', detail: stored.error.detail }];
  let settings = loaded.settings;
  let saving: Promise<unknown> = Promise.resolve();

  return {
    profile,
    current: () => settings,
    loadProblems: () => problems,
    set(next) {
      settings = fitToProfile(next, profile);
      const text = serializeSettings(settings);
      const saved = saving.then(() => storage.set(SETTINGS_STORAGE_KEY, text));
      saving = saved;
      return saved;
    },
    streamSettings: () => toStreamSettings(settings, profile),
  };
}
