// The page's composition root: picks the platform, reads the desktop settings, starts the
// services worker and its proxy, and connects keys, gamepads and the UI shell.

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
import { createEmssSourceOwner } from './platform/tizen/emss-source-owner.ts';
import type { EmssTrackEvent } from './platform/tizen/emss-track-events.ts';
import { parseEmssGlobal, type EmssGlobal } from './platform/tizen/emss-types.ts';
import { readTizenCapabilities, recommendedLatency, type EmssFeatures, type TizenCapabilities } from './platform/tizen/tizen-capabilities.ts';
import type { AudioStreamFormat } from './media/media-sink.ts';
import { AUDIO_SAMPLE_RATE_HZ } from './session/start-stream.ts';
import type { AudioChannelCount } from './session/stream-config.ts';
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

  // Absolute, because the worker resolves relative URLs against its own script's folder.
  const coreWasmUrl = new URL('./core.wasm', document.baseURI).href;
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

/** TV: EMSS on a video element, fed from the session worker; null where the TV has no EMSS. */
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
  const listeners = new Set<(event: EmssTrackEvent) => void>();
  // Tracks open while `open` runs, before the session worker listens: replay them to it.
  const reported: EmssTrackEvent[] = [];
  const owner = createEmssSourceOwner({
    emss: tv.emss,
    features: tv.features,
    media: element,
    objectUrls: { create: (source) => URL.createObjectURL(source as Blob), revoke: (url) => URL.revokeObjectURL(url) },
    timers: tv.clock,
    onTrackEvent(event) {
      reported.push(event);
      for (const listener of [...listeners]) listener(event);
    },
    onFailure: (failure) => hooks.onFailure(failure.detail),
  });
  const media: StreamMedia = {
    kind: 'emss',
    async open(info) {
      if (info.codec === 'av1') return err({ kind: 'unsupported', detail: 'AV1' });
      const codec = info.codec === 'hevc' ? 'h265' : 'h264';
      const started = await owner.start({
        latency: recommendedLatency(tv.caps, codec),
        video: { codec, width: info.width, height: info.height, fps: info.fps, hdr: info.hdr },
        audio: emssAudioTrack(tv.audioPath, info.audioChannels),
      });
      return started.ok ? ok(undefined) : started;
    },
    subscribeTrackEvents(listener) {
      listeners.add(listener);
      for (const event of reported) listener(event);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  return {
    media,
    close() {
      listeners.clear();
      void owner.close();
      element.remove();
    },
  };
}

/** The PCM track the EMSS source gets for the chosen TV audio path; null: no track. */
function emssAudioTrack(path: TvAudioPath, channels: AudioChannelCount): AudioStreamFormat | null {
  switch (path) {
    case 'emss-pcm':
      return { channels, sampleRateHz: AUDIO_SAMPLE_RATE_HZ };
    case 'web-audio':
      // Web Audio beside EMSS video needs the session worker to post PCM to the page while it
      // appends video itself, a media target session-protocol.ts does not have yet; until it
      // does, this choice is kept and shown but plays through the PCM track, not in silence.
      return { channels, sampleRateHz: AUDIO_SAMPLE_RATE_HZ };
  }
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
