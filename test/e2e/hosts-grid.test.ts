import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  assertFocusHeld,
  demoHostTile,
  demoHostTileWith,
  e2eUnavailable,
  FIRST_SCREEN_TIMEOUT_MS,
  hostsScreen,
  moveFocusTo,
  openApp,
  waitForFocus,
} from './fixture.ts';

const skip = e2eUnavailable() ?? false;

test('the demo host appears Online and Not paired, focused, with a visible focus ring', { skip }, async (t) => {
  const { page } = await openApp(t);
  await demoHostTileWith(page, /Online.*Not paired/).waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  // Which tile starts focused is the UI's choice; that one is, visibly, is the contract.
  await hostsScreen(page).locator(':focus').waitFor({ state: 'attached' });
  await assertFocusHeld(page, 'on the first screen');
  assert.equal(await hasVisibleFocusRing(page), true, 'the focused tile shows no outline, border change or shadow');
});

test('arrow keys move focus between the demo host and "Add a computer" and back', { skip }, async (t) => {
  const { page } = await openApp(t);
  const tile = demoHostTile(page);
  const addTile = hostsScreen(page).getByRole('button', { name: 'Add a computer' });
  await tile.waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
  await moveFocusTo(page, tile, 'ArrowLeft');

  await page.keyboard.press('ArrowRight');
  await waitForFocus(addTile);
  await assertFocusHeld(page, 'after ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await waitForFocus(tile);
  await assertFocusHeld(page, 'after ArrowLeft');
  // Down from a host reaches its details option, and Up comes back to the host.
  await page.keyboard.press('ArrowDown');
  await waitForFocus(hostsScreen(page).getByRole('button', { name: /details/i }).first());
  await page.keyboard.press('ArrowUp');
  await waitForFocus(tile);
});

for (const viewport of [
  { width: 1920, height: 1080 },
  { width: 3840, height: 2160 },
]) {
  test(`at ${viewport.width}x${viewport.height} the hosts grid fits the screen and no tile overflows`, { skip }, async (t) => {
    const { page } = await openApp(t, { viewport });
    await demoHostTileWith(page, /Online/).waitFor({ state: 'visible', timeout: FIRST_SCREEN_TIMEOUT_MS });
    const layout = await page.evaluate(() => {
      const doc = document.documentElement;
      const tiles = [...document.querySelectorAll('[aria-label="Computers"] button')].map((el) => {
        const r = el.getBoundingClientRect();
        return {
          name: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
          left: r.left,
          top: r.top,
          right: r.right,
          bottom: r.bottom,
          overflowX: el.scrollWidth - el.clientWidth,
          overflowY: el.scrollHeight - el.clientHeight,
        };
      });
      return { scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, innerHeight: window.innerHeight, tiles };
    });
    assert.ok(layout.tiles.length >= 2, 'the grid shows the demo host and "Add a computer"');
    assert.ok(layout.scrollWidth <= layout.innerWidth, `the page scrolls sideways: ${layout.scrollWidth} > ${layout.innerWidth}`);
    for (const tile of layout.tiles) {
      assert.ok(tile.left >= 0 && tile.right <= layout.innerWidth, `"${tile.name}" sticks out sideways: ${tile.left}..${tile.right}`);
      assert.ok(tile.top >= 0 && tile.bottom <= layout.innerHeight, `"${tile.name}" is below or above the screen: ${tile.top}..${tile.bottom}`);
      assert.ok(tile.overflowX <= 0 && tile.overflowY <= 0, `"${tile.name}" overflows its box by ${tile.overflowX}x${tile.overflowY}px`);
    }
  });
}

/**
 * A focus ring someone at 3 m can see: the focused tile has an outline, shadow or border,
 * and it looks different from an unfocused tile (so the ring is not just the tiles' style).
 */
async function hasVisibleFocusRing(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const focused = document.activeElement;
    const other = [...document.querySelectorAll('[aria-label="Computers"] button')].find((b) => b !== focused);
    if (!(focused instanceof HTMLElement) || other === undefined) return false;
    // No named inner functions here: tsx would wrap them in a helper the page does not have.
    const [mine, theirs] = [focused, other].map((el) => {
      const st = getComputedStyle(el);
      return [st.outlineStyle, st.outlineWidth, st.outlineColor, st.boxShadow, st.borderTopColor, st.borderTopWidth].join('|');
    });
    const s = getComputedStyle(focused);
    const drawn = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '') || parseFloat(s.borderTopWidth) >= 2;
    return drawn && mine !== theirs;
  });
}
