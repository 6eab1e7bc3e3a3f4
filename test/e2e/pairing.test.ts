import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { errorText } from '../../src/app/error-text.ts';
import {
  assertFocusHeld,
  DEMO_HOST_NAME,
  demoHostTileWith,
  e2eUnavailable,
  FIRST_SCREEN_TIMEOUT_MS,
  moveFocusTo,
  openApp,
  readPin,
  STEP_TIMEOUT_MS,
  typePinOnHost,
  waitForFocus,
} from './fixture.ts';

const skip = e2eUnavailable() ?? false;

test('pairing with the PIN typed on the host opens the apps screen with every app and its box art', { skip }, async (t) => {
  const { page, stack } = await openApp(t);
  const tile = demoHostTileWith(page, /Online.*Not paired/);
  await tile.waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, tile, 'ArrowLeft');
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: `Pair with ${DEMO_HOST_NAME}` });
  await dialog.waitFor({ state: 'visible' });
  // The PIN may wait for the client's first key pair, made in WebAssembly.
  const pin = await readPin(dialog, FIRST_SCREEN_TIMEOUT_MS);
  assert.match(pin, /^\d{4}$/);
  await assertFocusHeld(page, 'while the PIN is shown');
  await typePinOnHost(stack, pin);

  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS * 2 });
  await assertAppsWithBoxArt(page, stack.hostSim.apps().map((a) => a.title));
  assert.equal(stack.hostSim.pairedClients().length, 1, 'the host recorded one paired client');
});

test('a wrong PIN typed on the host shows why and offers Try again, which then pairs', { skip }, async (t) => {
  const { page, stack } = await openApp(t);
  const tile = demoHostTileWith(page, /Online.*Not paired/);
  await tile.waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, tile, 'ArrowLeft');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: `Pair with ${DEMO_HOST_NAME}` });
  const pin = await readPin(dialog, FIRST_SCREEN_TIMEOUT_MS);
  await typePinOnHost(stack, otherPin(pin));

  const alert = dialog.getByRole('alert');
  await alert.filter({ hasText: errorText({ kind: 'wrong-pin' }) }).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS * 2 });
  const retry = dialog.getByRole('button', { name: 'Try again' });
  await waitForFocus(retry);
  await assertFocusHeld(page, 'after the wrong PIN');
  assert.equal(stack.hostSim.pairedClients().length, 0);

  await page.keyboard.press('Enter');
  const secondPin = await readPin(dialog);
  await typePinOnHost(stack, secondPin, 2);
  // Whichever comes first, the apps screen or a new alert, says how the second attempt went.
  const appsScreen = page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` });
  await appsScreen.or(alert).waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS * 2 });
  if (await alert.isVisible()) assert.fail(`Try again with the right PIN failed: ${(await alert.textContent()) ?? ''}`);
  await dialog.waitFor({ state: 'hidden' });
  await assertAppsWithBoxArt(page, stack.hostSim.apps().map((a) => a.title));
});

/** The apps screen of the demo host lists `titles`, each a button holding its loaded cover. */
async function assertAppsWithBoxArt(page: Page, titles: readonly string[]): Promise<void> {
  const screen = page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` });
  await screen.waitFor({ state: 'visible' });
  assert.ok(titles.length > 0);
  for (const title of titles) {
    const button = screen.getByRole('button', { name: title, exact: true });
    await button.waitFor({ state: 'visible' });
    const cover = button.getByRole('img', { name: title, exact: true });
    await cover.waitFor({ state: 'visible' });
    await page.waitForFunction(
      (el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0,
      await cover.elementHandle(),
      { timeout: STEP_TIMEOUT_MS },
    );
  }
  await assertFocusHeld(page, 'on the apps screen');
}

/** A different 4-digit PIN. */
function otherPin(pin: string): string {
  return String((Number(pin) + 1) % 10000).padStart(4, '0');
}
