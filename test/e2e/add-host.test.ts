import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHostSim } from '../hostsim/host-sim.ts';
import {
  assertFocusHeld,
  assertFocusNotLost,
  demoHostTile,
  e2eUnavailable,
  FIRST_SCREEN_TIMEOUT_MS,
  hostsScreen,
  moveFocusTo,
  openApp,
  sharedHostIdentity,
  STEP_TIMEOUT_MS,
  waitForFocus,
} from './fixture.ts';

const skip = e2eUnavailable() ?? false;
const SECOND_HOST_NAME = 'Second PC';

test('a computer added by address with keys only appears in the grid, Online and Not paired', { skip }, async (t) => {
  const second = await startHostSim({ httpPort: 0, httpsPort: 0, webUiPort: 0, identity: sharedHostIdentity(), hostName: SECOND_HOST_NAME });
  t.after(() => second.close());
  const { page } = await openApp(t);
  await demoHostTile(page).waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });

  const addTile = hostsScreen(page).getByRole('button', { name: 'Add a computer' });
  await moveFocusTo(page, addTile, 'ArrowRight');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add a computer' });
  await dialog.waitFor({ state: 'visible' });
  const address = dialog.getByRole('textbox', { name: 'Address' });
  await waitForFocus(address);

  await page.keyboard.type(`127.0.0.1:${second.httpPort}`);
  await page.keyboard.press('Enter');

  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS * 2 });
  const tile = hostsScreen(page).getByRole('button', { name: new RegExp(`^${SECOND_HOST_NAME}\\b.*Online.*Not paired`) });
  await tile.waitFor({ state: 'visible' });
  // Focus follows what was added, so the next Enter acts on it.
  await waitForFocus(tile);
  await assertFocusHeld(page, 'after adding a computer');
});

test('an address that is not one shows the reason in the dialog, which stays open', { skip }, async (t) => {
  const { page } = await openApp(t);
  await demoHostTile(page).waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, hostsScreen(page).getByRole('button', { name: 'Add a computer' }), 'ArrowRight');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add a computer' });
  await waitForFocus(dialog.getByRole('textbox', { name: 'Address' }));

  await page.keyboard.type('300.1.2.3');
  await page.keyboard.press('Enter');
  const alert = dialog.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  assert.match((await alert.textContent()) ?? '', /300\.1\.2\.3/);
  assert.equal(await dialog.isVisible(), true);
  await assertFocusNotLost(page, 'after a refused address');
});
