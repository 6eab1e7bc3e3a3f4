import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertFocusHeld,
  DEMO_HOST_NAME,
  demoHostTile,
  demoHostTileWith,
  e2eUnavailable,
  FIRST_SCREEN_TIMEOUT_MS,
  framesWithoutFocus,
  hostsScreen,
  moveFocusTo,
  openApp,
  pairDemoHost,
  pressTvBack,
  waitForFocus,
  watchFocus,
} from './fixture.ts';

const skip = e2eUnavailable() ?? false;

test('Escape and the TV Back key close the add dialog, and focus returns to "Add a computer"', { skip }, async (t) => {
  const { page } = await openApp(t);
  await demoHostTile(page).waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await watchFocus(page);
  const addTile = hostsScreen(page).getByRole('button', { name: 'Add a computer' });
  const dialog = page.getByRole('dialog', { name: 'Add a computer' });

  for (const [label, back] of [
    ['Escape', () => page.keyboard.press('Escape')],
    ['TV Back (10009)', () => pressTvBack(page)],
  ] as const) {
    await moveFocusTo(page, addTile, 'ArrowRight');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'visible' });
    await back();
    await dialog.waitFor({ state: 'hidden' });
    await waitForFocus(addTile);
    await assertFocusHeld(page, `after ${label} closed the add dialog`);
  }
  assert.deepEqual(await framesWithoutFocus(page), [], 'frames in which nothing had focus');
});

test('Backspace closes the details dialog, and focus returns to the option that opened it', { skip }, async (t) => {
  const { page } = await openApp(t);
  const tile = demoHostTile(page);
  await tile.waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, tile, 'ArrowLeft');
  await watchFocus(page);

  const details = hostsScreen(page).getByRole('button', { name: /details/i }).first();
  await moveFocusTo(page, details, 'ArrowDown');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: new RegExp(`^(${DEMO_HOST_NAME}|Computer details)$`) });
  await dialog.waitFor({ state: 'visible' });
  for (const name of ['Remove', 'Close']) {
    await dialog.getByRole('button', { name, exact: true }).waitFor({ state: 'attached' });
  }
  await assertFocusHeld(page, 'in the details dialog');

  await page.keyboard.press('Backspace');
  await dialog.waitFor({ state: 'hidden' });
  await waitForFocus(details);
  await assertFocusHeld(page, 'after Backspace closed the details dialog');
  assert.deepEqual(await framesWithoutFocus(page), [], 'frames in which nothing had focus');
});

test('Back on the apps screen returns to the hosts screen with focus on the paired host', { skip }, async (t) => {
  const app = await openApp(t);
  const { page } = app;
  await pairDemoHost(app);
  await watchFocus(page);

  await page.keyboard.press('Escape');
  await hostsScreen(page).waitFor({ state: 'visible' });
  const tile = demoHostTileWith(page, /Online.*Paired/);
  await tile.waitFor({ state: 'visible' });
  await waitForFocus(tile);
  await assertFocusHeld(page, 'back on the hosts screen');
  assert.equal(await page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` }).count(), 0, 'the apps screen is gone');

  // Enter on a paired host goes straight to its apps, and TV Back returns again.
  await page.keyboard.press('Enter');
  await page.getByRole('region', { name: `Apps on ${DEMO_HOST_NAME}` }).waitFor({ state: 'visible' });
  await pressTvBack(page);
  await waitForFocus(demoHostTile(page));

  // A paired host's details offer Unpair; TV Back closes them onto the option that opened them.
  const details = hostsScreen(page).getByRole('button', { name: /details/i }).first();
  await moveFocusTo(page, details, 'ArrowDown');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: new RegExp(`^(${DEMO_HOST_NAME}|Computer details)$`) });
  await dialog.getByRole('button', { name: 'Unpair', exact: true }).waitFor({ state: 'visible' });
  await pressTvBack(page);
  await dialog.waitFor({ state: 'hidden' });
  await waitForFocus(details);
  await assertFocusHeld(page, 'after TV Back closed the details dialog');
  assert.deepEqual(await framesWithoutFocus(page), [], 'frames in which nothing had focus');
});
