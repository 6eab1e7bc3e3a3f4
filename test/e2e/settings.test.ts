import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertFocusHeld, demoHostTile, e2eUnavailable, FIRST_SCREEN_TIMEOUT_MS, hostsScreen, moveFocusTo, openApp, waitForFocus } from './fixture.ts';
import type { Page } from 'playwright-core';

const skip = e2eUnavailable() ?? false;

/** From the hosts screen, opens Settings with the arrow keys and Enter, and puts focus on the frame rate. */
async function openFrameRate(page: Page): Promise<void> {
  const settingsTile = hostsScreen(page).getByRole('button', { name: 'Settings' });
  await demoHostTile(page).waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, settingsTile, 'ArrowRight');
  await page.keyboard.press('Enter');
  const screen = page.getByRole('region', { name: 'Settings' });
  await screen.waitFor({ state: 'visible' });
  // Focus starts on the first row, and Down goes to the next.
  await waitForFocus(screen.getByRole('spinbutton', { name: 'Resolution' }));
  await page.keyboard.press('ArrowDown');
  await waitForFocus(screen.getByRole('spinbutton', { name: 'Frame rate' }));
  await assertFocusHeld(page, 'on the frame rate row');
}

test('the frame rate changed with the keys is kept after a reload, and Back returns to the Settings tile', { skip }, async (t) => {
  const { page, problems } = await openApp(t);
  const frameRate = page.getByRole('region', { name: 'Settings' }).getByRole('spinbutton', { name: 'Frame rate' });

  await openFrameRate(page);
  assert.equal(await frameRate.getAttribute('aria-valuetext'), '60 fps');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await frameRate.getAttribute('aria-valuetext'), '30 fps');
  // Still on the same row: Left changed the value, it did not move focus.
  await waitForFocus(frameRate);

  await page.keyboard.press('Escape');
  await page.getByRole('region', { name: 'Settings' }).waitFor({ state: 'detached' });
  await waitForFocus(hostsScreen(page).getByRole('button', { name: 'Settings' }));
  await assertFocusHeld(page, 'after Back from Settings');

  await page.reload({ waitUntil: 'load' });
  await openFrameRate(page);
  assert.equal(await frameRate.getAttribute('aria-valuetext'), '30 fps', 'the frame rate was not kept across the reload');
  assert.deepEqual(problems(), []);
});

test('in a browser the codec row offers H.264 alone and says so, and no TV audio row shows', { skip }, async (t) => {
  const { page } = await openApp(t);
  await openFrameRate(page);
  const screen = page.getByRole('region', { name: 'Settings' });
  const codec = screen.getByRole('spinbutton', { name: 'Video codec' });
  await moveFocusTo(page, codec, 'ArrowDown');
  await page.keyboard.press('ArrowRight');
  assert.equal(await codec.getAttribute('aria-valuetext'), 'H.264');
  assert.match(await codec.evaluate((el) => el.ownerDocument.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? ''), /H\.264 only/);
  assert.equal(await screen.getByRole('spinbutton', { name: 'TV audio output' }).count(), 0);
  // Down past the last row reaches Back, and Enter on it returns to the hosts screen.
  const back = screen.getByRole('button', { name: 'Back' });
  await moveFocusTo(page, back, 'ArrowDown');
  await page.keyboard.press('Enter');
  await waitForFocus(hostsScreen(page).getByRole('button', { name: 'Settings' }));
});
