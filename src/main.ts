// The page's composition root: picks the platform, reads the desktop settings, starts the
// services worker and its proxy, and connects keys, gamepads and the UI shell.

import { coreWasmFileFor, engineHasWasmSimd } from '../wasm/core-file.ts';
import type { StreamMedia } from './app/services.ts';
import { openSettingsStore, type SettingsStorage, type SettingsStore } from './app/settings/settings-store.ts';
import { browserProfile, tvProfile, type TvAudioPath } from './app/settings/user-settings.ts';
import type { InitMessage } from './app/worker/protocol.ts';
import { createSessionWorkerOpener } from './app/worker/session-proxy.ts';
import { createServicesProxy } from './app/worker/services-proxy.ts';
import { createGamepadIntents } from './input/gamepad-intents.ts';
import { tizenKeysToRegister } from './input/input-table.ts';
import { err, ok, type Result } from './lib/result.ts';
import { createGamepadPoller } from './platform/browser/browser-gamepad.ts';
import { createBrowserKeys } from './platform/browser/browser-keys.ts';
import { createBrowserLifecycle } from './platform/browser/browser-lifecycle.ts';
import { createAudioWorkletSink } from './platform/browser/audio-worklet-sink.ts';
import { createWebClock } from './platform/browser/web-clock.ts';
import { createWebCodecsVideoSink } from './platform/browser/webcodecs-video-sink.ts';
import type { Clock, StorageError } from './platform/platform.ts';
import { createEmssStreamMedia } from './platform/tizen/emss-stream-media.ts';
import { parseEmssGlobal, type EmssGlobal } from './platform/tizen/emss-types.ts';
import { readTizenCapabilities, recommendedLatency, type EmssFeatures, type TizenCapabilities } from './platform/tizen/tizen-capabilities.ts';
import { createTizenKeys } from './platform/tizen/tizen-keys.ts';
import { createTizenLifecycle } from './platform/tizen/tizen-lifecycle.ts';
import { installKeyDispatch } from './ui/dom/key-dispatch.ts';
import { startShell } from './ui/shell/app-shell.ts';
import { parseAppConfig, type AppConfig } from './ui/shell/app-config.ts';
import type { MediaHooks, StreamingConfig } from './ui/shell/view-context.ts';
import type { UiPlatform } from './ui/ui-platform.ts';

async function main(): Promise<void> {
  const mount = document.getElementById('app');
  if (mount === null) throw new Error('index.html has no #app element');
  const clock = createWebClock();
  const tizen = (globalThis as { tizen?: unknown }).tizen;
  const onTv = tizen !== undefined || 'tizentvwasm' in globalThis;
  const ui: UiPlatform = onTv
    ? { name: 'tizen', keys: createTizenKeys(tizen), lifecycle: createTizenLifecycle(tizen), gamepads: createGamepadPoller(window, clock) }
    : { name: 'browser', keys: createBrowserKeys(), lifecycle: createBrowserLifecycle(), gamepads: createGamepadPoller(window, clock) };

  // Absolute, because the worker resolves relative URLs against its own script's folder. The
  // worker runs on this page's engine, so this page's SIMD support decides the build.
  const coreWasmUrl = new URL(`./${coreWasmFileFor(engineHasWasmSimd())}`, document.baseURI).href;
  let init: InitMessage;
  let config: AppConfig | null = null;
  if (onTv) {
    init = { kind: 'init', platform: 'tizen', coreWasmUrl };
  } else {
    const loaded = await loadAppConfig(new URL('./app-config.json', document.baseURI).href);
    if (!loaded.ok) {
      showFatal(mount, `This page cannot start: ${loaded.error}. Start it with “npm start”, which writes app-config.json.`);
      return;
    }
    config = loaded.value;
    init = { kind: 'init', platform: 'browser', relayUrl: config.relayUrl, token: config.token, coreWasmUrl };
  }

  // Written out in full so that Vite bundles the worker, as a classic script (worker.format 'iife').
  const worker = new Worker(new URL('./app/worker/services-worker.ts', import.meta.url));
  // One session worker per stream, started by the opener; written out in full for Vite as above.
  const openSession = createSessionWorkerOpener({ createWorker: () => new Worker(new URL('./session/session-worker.ts', import.meta.url)), platform: init });
  const services = createServicesProxy(worker, init, { openSession });
  const caps = onTv ? readTizenCapabilities() : null;
  const profile = caps === null ? browserProfile() : tvProfile({ uhdPanel: caps.uhdPanel, platformMajor: caps.platformVersion?.major ?? null });
  const settings = await openSettingsStore(pageSettingsStorage(), profile);
  for (const problem of settings.loadProblems()) console.warn('saved settings:', problem);
  const streaming = caps === null ? browserStreaming(settings) : tvStreaming(clock, caps, settings);
  ui.keys.registerKeys(tizenKeysToRegister());

  const shell = startShell({
    doc: document,
    mount,
    services,
    lifecycle: ui.lifecycle,
    config: { hostPinPage: config?.hostPinPage ?? null, launchApp: null, streaming, settings },
    demoHost: config?.demoHost ?? null,
  });
  installKeyDispatch(document, (intent) => shell.handleIntent(intent));
  const padIntents = createGamepadIntents();
  ui.gamepads.start((pads, nowMs) => {
    for (const intent of padIntents.sample(pads, nowMs)) shell.handleIntent(intent);
  });
}

/** Browser: WebCodecs on a canvas and an AudioWorklet; H.264 only (browserProfile), which every Chromium decodes. */
function browserStreaming(settings: SettingsStore): StreamingConfig {
  return {
    // Read at each stream start, so the latest settings apply.
    get settings() {
      return settings.streamSettings();
    },
    createMedia(surface, hooks) {
      const canvas = document.createElement('canvas');
      canvas.className = 'stream-canvas';
      surface.appendChild(canvas);
      const video = createWebCodecsVideoSink({ canvas, requestKeyFrame: hooks.requestKeyFrame });
      const audio = createAudioWorkletSink();
      const media: StreamMedia = { kind: 'sinks', video, audio };
      return {
        media,
        close() {
          video.close();
          audio.close();
          canvas.remove();
        },
      };
    },
  };
}

/**
 * TV: EMSS on a video element, fed from the session worker; sound on its PCM track, or through
 * the AudioWorklet when the settings say Web Audio. Null where the TV has no EMSS.
 */
function tvStreaming(clock: Clock, caps: TizenCapabilities, settings: SettingsStore): StreamingConfig | null {
  const emss = parseEmssGlobal((window as unknown as { tizentvwasm?: unknown }).tizentvwasm);
  const features = caps.emss;
  if (emss === null || features === null) return null;
  return {
    // Read at each stream start, so the latest settings apply.
    get settings() {
      return settings.streamSettings();
    },
    createMedia: (surface, hooks) => emssMedia(surface, hooks, { emss, features, caps, clock, audioPath: settings.current().tvAudioPath }),
  };
}

function emssMedia(
  surface: HTMLElement,
  hooks: MediaHooks,
  tv: { emss: EmssGlobal; features: EmssFeatures; caps: TizenCapabilities; clock: Clock; audioPath: TvAudioPath },
): { media: StreamMedia; close(): void } {
  const element = document.createElement('video');
  element.className = 'stream-video';
  surface.appendChild(element);
  const built = createEmssStreamMedia({
    emss: tv.emss,
    features: tv.features,
    media: element,
    objectUrls: { create: (source) => URL.createObjectURL(source as Blob), revoke: (url) => URL.revokeObjectURL(url) },
    timers: tv.clock,
    latencyFor: (codec) => recommendedLatency(tv.caps, codec),
    // A page without AudioWorklet (an engine or context that lacks it) keeps the PCM track:
    // sound from the TV's player beats no sound at all.
    pageAudio: tv.audioPath === 'web-audio' && pageHasAudioWorklet() ? createAudioWorkletSink() : null,
    onFailure: (failure) => hooks.onFailure(failure.detail),
  });
  return {
    media: built.media,
    close() {
      void built.close();
      element.remove();
    },
  };
}

function pageHasAudioWorklet(): boolean {
  return typeof AudioWorkletNode !== 'undefined' && typeof AudioContext !== 'undefined';
}

/** The page's localStorage as the settings' storage; any exception it throws becomes a Result. */
function pageSettingsStorage(): SettingsStorage {
  const attempt = <T>(what: string, run: () => T): Result<T, StorageError> => {
    try {
      return ok(run());
    } catch (e) {
      return err({ kind: 'storage', detail: `${what}: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  return {
    get: (key) => Promise.resolve(attempt('localStorage read', () => window.localStorage.getItem(key))),
    set: (key, value) => Promise.resolve(attempt('localStorage write', () => window.localStorage.setItem(key, value))),
  };
}

async function loadAppConfig(url: string): Promise<Result<AppConfig, string>> {
  let json: unknown;
  try {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) return err(`app-config.json answered HTTP ${response.status}`);
    json = await response.json();
  } catch (e) {
    return err(`app-config.json could not be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = parseAppConfig(json);
  return parsed.ok ? ok(parsed.value) : err(`app-config.json is invalid: ${parsed.error.detail}`);
}

function showFatal(mount: HTMLElement, text: string): void {
  const line = document.createElement('p');
  line.setAttribute('role', 'alert');
  line.className = 'message message-alert fatal';
  line.textContent = text;
  mount.appendChild(line);
}

void main();
