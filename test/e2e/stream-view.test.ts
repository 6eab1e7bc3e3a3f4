// Streaming in the browser build, as a person does it: pair the demo host, choose an app, watch
// the start, see the picture (H.264 through the relay, the session worker and WebCodecs),
// show the statistics with Yellow, and stop with Back and "Stop" or with Red; either way the
// host hears the goodbye (ENet DISCONNECT) at once, rather than noticing the silence later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { HostSim } from '../hostsim/host-sim.ts';
import { DEMO_HOST_NAME, e2eUnavailable, FIRST_SCREEN_TIMEOUT_MS, openApp, pairDemoHost, STEP_TIMEOUT_MS, waitForFocus, type AppUnderTest } from './fixture.ts';

const skip = e2eUnavailable() ?? false;
// The TV remote's colour keys (platform/tizen.md §5.1).
const RED_KEY_CODE = 403;
const YELLOW_KEY_CODE = 405;

test('choosing an app streams it: stages, then the picture, the statistics on Yellow, and Back asks before stopping', { skip }, async (t) => {
  const app = await openApp(t);
  const { page, stack } = app;
  await pairDemoHost(app);
  const title = stack.hostSim.apps()[0]?.title ?? '';
  await page.evaluate(WATCH_STAGES);
  const screen = await startStreaming(app, title);
  const stages = await page.evaluate(() => (window as unknown as { __streamStages?: string[] }).__streamStages ?? []);
  for (const line of [`Starting “${title}”…`, 'Setting up the stream…']) assert.ok(stages.includes(line), `“${line}” not among ${JSON.stringify(stages)}`);

  // The picture: the first frame arrived and the canvas shows it.
  await screen.and(page.locator('[data-first-frame="true"]')).waitFor({ state: 'attached', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await page.waitForFunction(CANVAS_HAS_PICTURE, undefined, { timeout: STEP_TIMEOUT_MS * 2 });

  await pressRemoteKey(page, YELLOW_KEY_CODE, 'ColorF2Yellow');
  const stats = screen.getByRole('status').filter({ hasText: /^1920×1080 at 60 fps, H\.264/ });
  await stats.waitFor({ state: 'visible' });
  await stats.filter({ hasText: /Frames: [1-9]\d* shown/ }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });

  await page.keyboard.press('Escape');
  const ask = page.getByRole('dialog', { name: 'Stop streaming?' });
  await ask.waitFor({ state: 'visible' });
  await waitForFocus(ask.getByRole('button', { name: 'Stop' }));
  // A second Back keeps streaming.
  await page.keyboard.press('Escape');
  await ask.waitFor({ state: 'hidden' });
  await page.keyboard.press('Escape');
  await ask.waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await screen.waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
  const apps = page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` });
  await apps.waitFor({ state: 'visible' });
  await assertClientSaidGoodbye(stack.hostSim);
  // Stopping leaves the app running on the PC.
  assert.equal(stack.hostSim.runningAppId(), stack.hostSim.apps()[0]?.id);
  assert.deepEqual(app.problems(), []);
});

test('Red stops a stream at once', { skip }, async (t) => {
  const app = await openApp(t);
  const { page, stack } = app;
  await pairDemoHost(app);
  const screen = await startStreaming(app, stack.hostSim.apps()[0]?.title ?? '');
  await screen.and(page.locator('[data-first-frame="true"]')).waitFor({ state: 'attached', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await pressRemoteKey(page, RED_KEY_CODE, 'ColorF0Red');
  await screen.waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
  await page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` }).waitFor({ state: 'visible' });
  await assertClientSaidGoodbye(stack.hostSim);
});

/**
 * The host's stream session ends because the client's ENet DISCONNECT arrived: within one UI
 * step of the stop, well before any of the host's own timeouts (ENet's, or the 10 s ping
 * timeout) could end it, and with the reason that says so.
 */
async function assertClientSaidGoodbye(hostSim: HostSim): Promise<void> {
  const sessions = hostSim.streams.sessions();
  const session = sessions[sessions.length - 1];
  assert.ok(session !== undefined, 'the host had no stream session');
  if (session.state() !== 'ended') {
    let unsubscribe = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`the host's stream session still runs ${STEP_TIMEOUT_MS} ms after the stop`)), STEP_TIMEOUT_MS);
        unsubscribe = session.onEvent((event) => {
          if (event.kind === 'ended') resolve();
        });
      });
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }
  assert.deepEqual(session.endReason(), { kind: 'control', reason: 'client-disconnected' });
}

/** Chooses the app `title` on the apps screen; answers the stream screen once it streams. */
async function startStreaming(app: AppUnderTest, title: string) {
  const { page } = app;
  const tile = page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` }).getByRole('button', { name: title, exact: true });
  await tile.waitFor({ state: 'visible' });
  await tile.focus();
  await page.keyboard.press('Enter');
  const screen = page.getByRole('region', { name: `Streaming from ${DEMO_HOST_NAME}` });
  await screen.waitFor({ state: 'visible' });
  await screen.and(page.locator('[data-stream-state="streaming"]')).waitFor({ state: 'attached', timeout: FIRST_SCREEN_TIMEOUT_MS });
  return screen;
}

/** A key of the TV remote, with its key code, as the TV delivers it. */
async function pressRemoteKey(page: Page, keyCode: number, key: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    for (const type of ['rawKeyDown', 'keyUp'] as const) await cdp.send('Input.dispatchKeyEvent', { type, key, code: '', windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode });
  } finally {
    await cdp.detach();
  }
}

/** Runs in the page: records each progress line the stream screen shows, in order. */
const WATCH_STAGES = `(() => {
  window.__streamStages = [];
  new MutationObserver(() => {
    const line = document.querySelector('.stream-panel [role="status"]');
    const text = line === null ? null : line.textContent;
    const seen = window.__streamStages;
    if (text !== null && seen[seen.length - 1] !== text) seen.push(text);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

/**
 * Runs in the page: the stream's canvas holds a picture (some pixel is not black). A string,
 * not a function: tsx would wrap a function in helpers the page lacks.
 */
const CANVAS_HAS_PICTURE = `(() => {
  const canvas = document.querySelector('canvas.stream-canvas');
  if (!(canvas instanceof HTMLCanvasElement) || canvas.width === 0 || canvas.height === 0) return false;
  const context = canvas.getContext('2d');
  if (context === null) return false;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i] + pixels[i + 1] + pixels[i + 2] > 48) return true;
  return false;
})()`;
