// The page's composition root: picks the platform, reads the desktop settings, starts the
// services worker and its proxy, and connects keys, gamepads and the UI shell.

import type { InitMessage } from './app/worker/protocol.ts';
import { createServicesProxy } from './app/worker/services-proxy.ts';
import { createGamepadIntents } from './input/gamepad-intents.ts';
import { tizenKeysToRegister } from './input/input-table.ts';
import { err, ok, type Result } from './lib/result.ts';
import { createGamepadPoller } from './platform/browser/browser-gamepad.ts';
import { createBrowserKeys } from './platform/browser/browser-keys.ts';
import { createBrowserLifecycle } from './platform/browser/browser-lifecycle.ts';
import { createWebClock } from './platform/browser/web-clock.ts';
import { createTizenKeys } from './platform/tizen/tizen-keys.ts';
import { createTizenLifecycle } from './platform/tizen/tizen-lifecycle.ts';
import { installKeyDispatch } from './ui/dom/key-dispatch.ts';
import { startShell } from './ui/shell/app-shell.ts';
import { parseAppConfig, type AppConfig } from './ui/shell/app-config.ts';
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
  const services = createServicesProxy(worker, init);
  ui.keys.registerKeys(tizenKeysToRegister());

  const shell = startShell({
    doc: document,
    mount,
    services,
    lifecycle: ui.lifecycle,
    config: { hostPinPage: config?.hostPinPage ?? null, launchApp: null },
    demoHost: config?.demoHost ?? null,
  });
  installKeyDispatch(document, (intent) => shell.handleIntent(intent));
  const padIntents = createGamepadIntents();
  ui.gamepads.start((pads, nowMs) => {
    for (const intent of padIntents.sample(pads, nowMs)) shell.handleIntent(intent);
  });
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
