// The settings screen without the DOM: its rows in focus order, what each says, and how
// Left/Right (step) and Enter (next, wrapping round) change a value. The view renders this
// and saves what it returns.
//
// Each row is a stepper over a fixed list of choices, except the bitrate, which steps over
// BITRATE_STEPS_MBPS and snaps back to "recommended" when it lands on the recommendation.
// Left/Right stop at the ends (a stepper shows its ends); Enter wraps, so one key alone can
// reach every choice.

import { assertNever } from '../../lib/result.ts';
import type { Intent } from '../../input/intent.ts';
import type { AudioChannelCount } from '../../session/stream-config.ts';
import {
  AUDIO_CHANNELS,
  bitrateMbps,
  chooseBitrate,
  MAX_BITRATE_MBPS,
  MIN_BITRATE_MBPS,
  recommendedBitrateMbps,
  stepBitrateMbps,
  TV_AUDIO_PATHS,
  type CodecChoice,
  type DeviceProfile,
  type Resolution,
  type SettingsProblem,
  type TvAudioPath,
  type UserSettings,
} from '../../app/settings/user-settings.ts';

export type SettingRowId = 'resolution' | 'fps' | 'bitrate' | 'codec' | 'audio-channels' | 'tv-audio';

export interface SettingRow {
  id: SettingRowId;
  label: string;
  value: string;
  /** One line under the row: why a choice is missing, or what a choice is for. */
  note: string | null;
  canDecrease: boolean;
  canIncrease: boolean;
}

/** What an intent does on this screen; `none` leaves it to the shell (Up/Down move, Back closes). */
export type SettingsCommand = { kind: 'step'; row: SettingRowId; delta: -1 | 1 } | { kind: 'cycle'; row: SettingRowId } | { kind: 'none' };

export const SETTINGS_BACK_KEY = 'settings-back';

export function rowKey(id: SettingRowId): string {
  return `setting:${id}`;
}

export function rowIdOf(focusKey: string | null): SettingRowId | null {
  if (focusKey === null || !focusKey.startsWith(kRowKeyPrefix)) return null;
  const id = focusKey.slice(kRowKeyPrefix.length);
  return ALL_ROWS.find((row) => row === id) ?? null;
}

/** The rows this device shows, top to bottom: the TV audio path only on a TV. */
export function rowIds(profile: DeviceProfile): SettingRowId[] {
  return ALL_ROWS.filter((id) => id !== 'tv-audio' || profile.target === 'tv');
}

/** Every focus key of the screen, in the order Down visits them. */
export function focusOrder(profile: DeviceProfile): string[] {
  return [...rowIds(profile).map(rowKey), SETTINGS_BACK_KEY];
}

export function commandFor(intent: Intent, focusedKey: string | null): SettingsCommand {
  const row = rowIdOf(focusedKey);
  if (row === null) return { kind: 'none' };
  if (intent === 'left') return { kind: 'step', row, delta: -1 };
  if (intent === 'right') return { kind: 'step', row, delta: 1 };
  if (intent === 'confirm') return { kind: 'cycle', row };
  return { kind: 'none' };
}

/** `settings` after `command`; the same object when nothing changes. */
export function applyCommand(settings: UserSettings, profile: DeviceProfile, command: SettingsCommand): UserSettings {
  switch (command.kind) {
    case 'none':
      return settings;
    case 'step':
      return stepSetting(settings, profile, command.row, command.delta, false);
    case 'cycle':
      return stepSetting(settings, profile, command.row, 1, true);
    default:
      return assertNever(command);
  }
}

export function stepSetting(settings: UserSettings, profile: DeviceProfile, row: SettingRowId, delta: -1 | 1, wrap: boolean): UserSettings {
  switch (row) {
    case 'resolution':
      return withChoice(settings, 'resolution', stepChoice(profile.resolutions, settings.resolution, delta, wrap));
    case 'fps':
      return withChoice(settings, 'fps', stepChoice(profile.frameRates, settings.fps, delta, wrap));
    case 'bitrate': {
      const now = bitrateMbps(settings);
      const atEnd = delta > 0 ? now >= MAX_BITRATE_MBPS : now <= MIN_BITRATE_MBPS;
      const next = atEnd && wrap ? (delta > 0 ? MIN_BITRATE_MBPS : MAX_BITRATE_MBPS) : stepBitrateMbps(now, delta);
      if (next === now) return settings;
      return { ...settings, bitrate: chooseBitrate(settings, next) };
    }
    case 'codec':
      return withChoice(settings, 'codec', stepChoice(profile.codecs, settings.codec, delta, wrap));
    case 'audio-channels':
      return withChoice(settings, 'audioChannels', stepChoice(AUDIO_CHANNELS, settings.audioChannels, delta, wrap));
    case 'tv-audio':
      if (profile.target !== 'tv') return settings;
      return withChoice(settings, 'tvAudioPath', stepChoice(TV_AUDIO_PATHS, settings.tvAudioPath, delta, wrap));
    default:
      return assertNever(row);
  }
}

export function settingRows(settings: UserSettings, profile: DeviceProfile): SettingRow[] {
  return rowIds(profile).map((id) => describeRow(id, settings, profile));
}

function describeRow(id: SettingRowId, settings: UserSettings, profile: DeviceProfile): SettingRow {
  const ends = <T>(choices: readonly T[], value: T): Pick<SettingRow, 'canDecrease' | 'canIncrease'> => {
    const index = choices.indexOf(value);
    return { canDecrease: index > 0, canIncrease: index >= 0 && index < choices.length - 1 };
  };
  switch (id) {
    case 'resolution': {
      const note = profile.target === 'tv' && !profile.resolutions.includes('2160p') ? 'This TV’s panel is not 4K, so 4K is not offered.' : null;
      return { id, label: 'Resolution', value: RESOLUTION_WORDS[settings.resolution], note, ...ends(profile.resolutions, settings.resolution) };
    }
    case 'fps': {
      const note = profile.target === 'tv' ? 'Above 60 fps TVs show no more distinct frames, so 120 fps is not offered.' : null;
      return { id, label: 'Frame rate', value: `${settings.fps} fps`, note, ...ends(profile.frameRates, settings.fps) };
    }
    case 'bitrate': {
      const mbps = bitrateMbps(settings);
      const recommended = recommendedBitrateMbps(settings.resolution, settings.fps);
      const situation = `${RESOLUTION_WORDS[settings.resolution]} at ${settings.fps} fps`;
      const note = settings.bitrate.kind === 'recommended' ? `Recommended for ${situation}; follows resolution and frame rate.` : `Recommended for ${situation}: ${recommended} Mbit/s.`;
      return { id, label: 'Video bitrate', value: `${mbps} Mbit/s`, note, canDecrease: mbps > MIN_BITRATE_MBPS, canIncrease: mbps < MAX_BITRATE_MBPS };
    }
    case 'codec': {
      const note = profile.target === 'browser' ? 'A browser plays H.264 only; H.265 is offered on a TV.' : settings.codec === 'auto' ? 'The computer sends H.265 when it can, H.264 otherwise.' : null;
      return { id, label: 'Video codec', value: CODEC_WORDS[settings.codec], note, ...ends(profile.codecs, settings.codec) };
    }
    case 'audio-channels': {
      const note = settings.audioChannels === 2 ? null : 'The computer’s sound output must be set to the same surround layout.';
      return { id, label: 'Audio channels', value: CHANNEL_WORDS[settings.audioChannels], note, ...ends(AUDIO_CHANNELS, settings.audioChannels) };
    }
    case 'tv-audio':
      return { id, label: 'TV audio output', value: TV_AUDIO_WORDS[settings.tvAudioPath], note: 'Web Audio is for TVs whose player crackles on PCM sound (seen on some 2021 sets).', ...ends(TV_AUDIO_PATHS, settings.tvAudioPath) };
    default:
      return assertNever(id);
  }
}

/** One sentence for what went wrong with the saved settings, or null when nothing did. */
export function loadProblemText(problems: readonly SettingsProblem[]): string | null {
  const parts = problems.map((problem) => {
    switch (problem.kind) {
      case 'unreadable':
        return 'The saved settings could not be read, so the defaults are in use.';
      case 'invalid-fields':
        return `Some saved settings could not be read and are back to their defaults (${problem.fields.map((field) => FIELD_WORDS[field]).join(', ')}).`;
      case 'bitrate-clamped':
        return `The saved bitrate of ${problem.storedMbps} Mbit/s was out of range and is now ${problem.mbps} Mbit/s.`;
      default:
        return assertNever(problem);
    }
  });
  return parts.length === 0 ? null : parts.join(' ');
}

function withChoice<K extends 'resolution' | 'fps' | 'codec' | 'audioChannels' | 'tvAudioPath'>(settings: UserSettings, key: K, value: UserSettings[K]): UserSettings {
  return settings[key] === value ? settings : { ...settings, [key]: value };
}

function stepChoice<T>(choices: readonly T[], value: T, delta: -1 | 1, wrap: boolean): T {
  const index = choices.indexOf(value);
  if (index < 0) return choices[0] ?? value;
  let next = index + delta;
  if (wrap) next = (next + choices.length) % choices.length;
  return choices[Math.min(choices.length - 1, Math.max(0, next))] ?? value;
}

const ALL_ROWS: readonly SettingRowId[] = ['resolution', 'fps', 'bitrate', 'codec', 'audio-channels', 'tv-audio'];
const kRowKeyPrefix = 'setting:';

const RESOLUTION_WORDS: Readonly<Record<Resolution, string>> = { '720p': '720p', '1080p': '1080p', '1440p': '1440p', '2160p': '4K' };
const CODEC_WORDS: Readonly<Record<CodecChoice, string>> = { auto: 'Automatic', h265: 'H.265 (HEVC)', h264: 'H.264' };
const CHANNEL_WORDS: Readonly<Record<AudioChannelCount, string>> = { 2: 'Stereo', 6: '5.1 surround', 8: '7.1 surround' };
const TV_AUDIO_WORDS: Readonly<Record<TvAudioPath, string>> = { 'emss-pcm': 'TV player (PCM track)', 'web-audio': 'Web Audio with jitter buffer' };
const FIELD_WORDS: Readonly<Record<keyof UserSettings, string>> = {
  resolution: 'resolution',
  fps: 'frame rate',
  bitrate: 'bitrate',
  codec: 'video codec',
  audioChannels: 'audio channels',
  tvAudioPath: 'TV audio output',
};
