// The end-to-end fixture: the demo stack of `npm start` (scripts/demo-stack.ts) on free
// loopback ports, and Debian's Chromium driven by playwright-core with a fresh profile, so
// every test starts as a newcomer does: no hosts, no client identity, the demo host on offer.
// Nothing here downloads a browser; a missing /usr/bin/chromium fails the test with a reason.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { demoStackErrorText, startDemoStack, type DemoStack } from '../../scripts/demo-stack.ts';
import { generateIdentity, type HostIdentity } from '../hostsim/host-identity.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const APP_DIR = new URL('../../dist/app/', import.meta.url).pathname;
/** The demo host's name, so tests can find its tile by accessible name. */
export const DEMO_HOST_NAME = 'Demo PC';
/** The first screen may wait for the client's RSA key, generated in WebAssembly on first start. */
export const FIRST_SCREEN_TIMEOUT_MS = 20_000;
/** Every other wait: a UI step against a loopback host takes far less. */
export const STEP_TIMEOUT_MS = 5_000;

/** Why the e2e tests cannot run here, or null when they can. */
export function e2eUnavailable(): string | null {
  if (!existsSync(CHROMIUM_PATH)) return `${CHROMIUM_PATH} is missing (Debian package chromium; scripts/setup.sh installs it)`;
  if (!existsSync(join(APP_DIR, 'index.html'))) return 'dist/app is not built (npm run build)';
  return null;
}

export interface AppUnderTest {
  page: Page;
  context: BrowserContext;
  stack: DemoStack;
  /** Page errors and console errors so far, for failure messages. */
  problems(): string[];
}

export interface OpenAppOptions {
  viewport?: { width: number; height: number };
}

/** Starts the stack and a browser on the app; everything is torn down after the test. */
export async function openApp(t: TestContext, options: OpenAppOptions = {}): Promise<AppUnderTest> {
  const started = await startDemoStack({
    appDir: APP_DIR,
    hostPorts: 'ephemeral',
    hostOptions: { identity: sharedHostIdentity(), hostName: DEMO_HOST_NAME },
    appPorts: [0],
  });
  assert.ok(started.ok, started.ok ? '' : demoStackErrorText(started.error));
  const stack = started.value;

  const profileDir = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
  let context: BrowserContext | null = null;
  // One hook, in order: node:test runs `after` hooks first-registered-first, so separate hooks
  // would delete the profile while Chromium still writes its cache into it.
  t.after(async () => {
    try {
      await context?.close();
    } finally {
      try {
        await stack.close();
      } finally {
        rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      }
    }
  });
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: kChromiumArgs,
    viewport: options.viewport ?? { width: 1920, height: 1080 },
    timeout: STEP_TIMEOUT_MS * 4,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);

  const problems: string[] = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  await page.goto(stack.appUrl, { waitUntil: 'load' });
  return { page, context, stack, problems: () => [...problems] };
}

/** The host simulator's identity, made once per test process: RSA key generation is slow. */
export function sharedHostIdentity(): HostIdentity {
  cachedIdentity ??= generateIdentity();
  return cachedIdentity;
}
let cachedIdentity: HostIdentity | null = null;

export function hostsScreen(page: Page): Locator {
  return page.getByRole('region', { name: 'Computers' });
}

/** The demo host's tile: a button whose accessible name starts with the host's name. */
export function demoHostTile(page: Page): Locator {
  return hostsScreen(page).getByRole('button', { name: new RegExp(`^${DEMO_HOST_NAME}\\b`) });
}

/** The demo host's tile once its text shows `status`, e.g. /Online.*Not paired/. */
export function demoHostTileWith(page: Page, status: RegExp): Locator {
  return hostsScreen(page).getByRole('button', { name: new RegExp(`^${DEMO_HOST_NAME}\\b.*${status.source}`) });
}

export interface FocusState {
  isBody: boolean;
  tag: string;
  text: string;
  hasFocusedClass: boolean;
  /** Elements with the class "focused"; exactly one is expected. */
  focusedClassCount: number;
}

export async function focusState(page: Page): Promise<FocusState> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return {
      isBody: el === null || el === document.body || el === document.documentElement,
      tag: el?.tagName.toLowerCase() ?? '',
      text: (el?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      hasFocusedClass: el?.classList.contains('focused') ?? false,
      focusedClassCount: document.querySelectorAll('.focused').length,
    };
  });
}

/**
 * Resolves once `locator` has DOM focus; fails after the timeout. Matching through `:focus`
 * rather than an element handle survives views that re-render their elements.
 */
export async function waitForFocus(locator: Locator, timeoutMs = STEP_TIMEOUT_MS): Promise<void> {
  await locator.and(locator.page().locator(':focus')).waitFor({ state: 'attached', timeout: timeoutMs });
}

/** Asserts that some element other than <body> has focus and carries the visible focus class. */
export async function assertFocusHeld(page: Page, when: string): Promise<void> {
  const state = await focusState(page);
  assert.equal(state.isBody, false, `focus was lost (document.activeElement is body) ${when}`);
  assert.equal(state.hasFocusedClass, true, `the focused <${state.tag}> "${state.text}" lacks the class "focused" ${when}`);
  assert.equal(state.focusedClassCount, 1, `${state.focusedClassCount} elements carry the class "focused" ${when}`);
}

/**
 * From now on, counts animation frames in which <body> has focus, the moments a person
 * would see no focus ring at all. Read the count with `framesWithoutFocus`.
 */
export async function watchFocus(page: Page): Promise<void> {
  // A string, not a function: tsx would wrap the named loop in a helper the page lacks.
  await page.evaluate(`(() => {
    window.__framesWithoutFocus = [];
    const check = () => {
      const el = document.activeElement;
      if (el === null || el === document.body) {
        const dialog = document.querySelector('[role="dialog"]');
        window.__framesWithoutFocus.push(dialog === null ? 'no dialog' : dialog.getAttribute('aria-label'));
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  })()`);
}

/** Frames since `watchFocus` in which nothing had focus, each named by the open dialog. */
export async function framesWithoutFocus(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __framesWithoutFocus?: string[] }).__framesWithoutFocus ?? ['watchFocus was not called']);
}

/** Presses the TV remote's Back key: key code 10009, as the TV delivers it (tizen.md 5.1). */
export async function pressTvBack(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const type of ['rawKeyDown', 'keyUp'] as const) {
      await cdp.send('Input.dispatchKeyEvent', { type, key: 'XF86Back', code: '', windowsVirtualKeyCode: kTvBackKeyCode, nativeVirtualKeyCode: kTvBackKeyCode });
    }
  } finally {
    await cdp.detach();
  }
}

/** Pairs the demo host from the hosts screen (its tile focused) and waits for its apps screen. */
export async function pairDemoHost(app: AppUnderTest): Promise<void> {
  const { page, stack } = app;
  const tile = demoHostTileWith(page, /Online.*Not paired/);
  await tile.waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, tile, 'ArrowLeft');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Pair with ${DEMO_HOST_NAME}` });
  await typePinOnHost(stack, await readPin(dialog, FIRST_SCREEN_TIMEOUT_MS));
  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS * 2 });
  await page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` }).waitFor({ state: 'visible' });
}

/** While a text field is being edited only "some element other than body has focus" holds. */
export async function assertFocusNotLost(page: Page, when: string): Promise<void> {
  const state = await focusState(page);
  assert.equal(state.isBody, false, `focus was lost (document.activeElement is body) ${when}`);
}

/** Presses `key` until `target` has focus, a bounded number of times (screens are small). */
export async function moveFocusTo(page: Page, target: Locator, key: string, maxPresses = 6): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  await waitForFocus(target);
}

/** The digits of the pairing dialog's PIN element, once shown. */
export async function readPin(dialog: Locator, timeoutMs = STEP_TIMEOUT_MS): Promise<string> {
  const pin = dialog.getByLabel('PIN', { exact: true }).filter({ hasText: /^\s*\d{4}\s*$/ });
  await pin.waitFor({ state: 'visible', timeout: timeoutMs });
  return ((await pin.textContent()) ?? '').trim();
}

/**
 * Types `pin` on the demo host as a person would on Sunshine's PIN page, once the host holds
 * the client's `attempt`-th pairing request (its pin-pending event), so the PIN is never sent
 * before the host waits for one.
 */
export async function typePinOnHost(stack: DemoStack, pin: string, attempt = 1): Promise<void> {
  let pending = 0;
  await stack.hostSim.waitForEvent((e) => e.kind === 'pin-pending' && ++pending === attempt, STEP_TIMEOUT_MS * 2);
  const response = await fetch(new URL('api/pin', stack.config.hostPinPage), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pin, name: 'e2e' }),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: true }, 'the host did not take the PIN');
}

const kTvBackKeyCode = 10009;
/** Debian's Chromium, quiet and offline apart from loopback. */
const kChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
