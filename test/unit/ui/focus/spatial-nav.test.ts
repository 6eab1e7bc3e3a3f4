import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextFocus, type FocusCandidate } from '../../../../src/ui/focus/spatial-nav.ts';
import type { Direction } from '../../../../src/input/intent.ts';

/**
 * Lays out `counts[r]` tiles on row r, left-aligned, like a wrapping grid:
 * tiles 200 wide and 100 high with 20 px gaps, keys "r,c".
 */
function grid(counts: number[]): FocusCandidate[] {
  const out: FocusCandidate[] = [];
  counts.forEach((count, row) => {
    for (let col = 0; col < count; col++) out.push({ key: `${row},${col}`, rect: { x: col * 220, y: row * 120, width: 200, height: 100 } });
  });
  return out;
}

const cases: Array<{ name: string; items: FocusCandidate[]; from: string; direction: Direction; expected: string | null }> = [
  { name: 'right moves to the next tile in the row', items: grid([4, 4]), from: '0,1', direction: 'right', expected: '0,2' },
  { name: 'left moves to the previous tile in the row', items: grid([4, 4]), from: '1,2', direction: 'left', expected: '1,1' },
  { name: 'down moves to the tile below', items: grid([4, 4]), from: '0,2', direction: 'down', expected: '1,2' },
  { name: 'up moves to the tile above', items: grid([4, 4]), from: '1,3', direction: 'up', expected: '0,3' },
  { name: 'right at the end of a row stays (an edge, not a jump to the next row)', items: grid([4, 4]), from: '0,3', direction: 'right', expected: null },
  { name: 'left at the start of a row stays', items: grid([4, 4]), from: '1,0', direction: 'left', expected: null },
  { name: 'up on the top row stays', items: grid([4, 4]), from: '0,1', direction: 'up', expected: null },
  { name: 'down on the bottom row stays', items: grid([4, 4]), from: '1,1', direction: 'down', expected: null },
  { name: 'down from past the end of a shorter last row goes to its last tile', items: grid([5, 2]), from: '0,4', direction: 'down', expected: '1,1' },
  { name: 'down from above the short row keeps the column', items: grid([5, 2]), from: '0,0', direction: 'down', expected: '1,0' },
  { name: 'up from a short row keeps the column', items: grid([5, 2]), from: '1,1', direction: 'up', expected: '0,1' },
  { name: 'down skips nothing: it takes the nearest row first', items: grid([3, 3, 3]), from: '0,1', direction: 'down', expected: '1,1' },
  { name: 'a single tile cannot move anywhere', items: grid([1]), from: '0,0', direction: 'right', expected: null },
  { name: 'an unknown focus goes to the first item', items: grid([2]), from: 'gone', direction: 'down', expected: '0,0' },
];

for (const c of cases) {
  test(`in a grid, ${c.name}`, () => {
    assert.equal(nextFocus(c.items, c.from, c.direction), c.expected);
  });
}

test('nothing to focus gives null', () => {
  assert.equal(nextFocus([], 'x', 'down'), null);
});

// A dialog: a wide text field, a 3-column keypad under it, and two buttons at the bottom.
const dialog: FocusCandidate[] = [
  { key: 'field', rect: { x: 0, y: 0, width: 600, height: 60 } },
  { key: '1', rect: { x: 0, y: 80, width: 180, height: 60 } },
  { key: '2', rect: { x: 210, y: 80, width: 180, height: 60 } },
  { key: '3', rect: { x: 420, y: 80, width: 180, height: 60 } },
  { key: 'delete', rect: { x: 0, y: 160, width: 600, height: 60 } },
  { key: 'add', rect: { x: 0, y: 240, width: 280, height: 60 } },
  { key: 'cancel', rect: { x: 320, y: 240, width: 280, height: 60 } },
];

const dialogCases: Array<{ from: string; direction: Direction; expected: string | null }> = [
  { from: 'field', direction: 'down', expected: '2' },
  { from: '3', direction: 'up', expected: 'field' },
  { from: '1', direction: 'down', expected: 'delete' },
  { from: 'delete', direction: 'down', expected: 'add' },
  { from: 'cancel', direction: 'up', expected: 'delete' },
  { from: 'add', direction: 'right', expected: 'cancel' },
  { from: 'cancel', direction: 'left', expected: 'add' },
  { from: 'field', direction: 'right', expected: null },
];

for (const c of dialogCases) {
  test(`in the add dialog, ${c.direction} from ${c.from} goes to ${String(c.expected)}`, () => {
    assert.equal(nextFocus(dialog, c.from, c.direction), c.expected);
  });
}

// Host cards: each a tall tile with a small Details button under it, then the add tile
// spanning the card's full height.
const cards: FocusCandidate[] = [
  { key: 'host:a', rect: { x: 0, y: 0, width: 300, height: 200 } },
  { key: 'details:a', rect: { x: 0, y: 210, width: 300, height: 50 } },
  { key: 'host:b', rect: { x: 330, y: 0, width: 300, height: 200 } },
  { key: 'details:b', rect: { x: 330, y: 210, width: 300, height: 50 } },
  { key: 'add', rect: { x: 660, y: 0, width: 300, height: 260 } },
];

const cardCases: Array<{ from: string; direction: Direction; expected: string | null }> = [
  { from: 'host:a', direction: 'down', expected: 'details:a' },
  { from: 'details:a', direction: 'up', expected: 'host:a' },
  { from: 'host:a', direction: 'right', expected: 'host:b' },
  { from: 'details:a', direction: 'right', expected: 'details:b' },
  { from: 'details:b', direction: 'right', expected: 'add' },
  { from: 'add', direction: 'left', expected: 'host:b' },
];

for (const c of cardCases) {
  test(`on the hosts screen, ${c.direction} from ${c.from} goes to ${String(c.expected)}`, () => {
    assert.equal(nextFocus(cards, c.from, c.direction), c.expected);
  });
}

test('every tile of an uneven grid can reach every other (no traps)', () => {
  const items = grid([5, 3, 4, 1]);
  const directions: Direction[] = ['up', 'down', 'left', 'right'];
  const reached = new Set<string>(['0,0']);
  const queue = ['0,0'];
  for (let steps = 0; queue.length > 0 && steps < 1000; steps++) {
    const from = queue.shift() as string;
    for (const d of directions) {
      const to = nextFocus(items, from, d);
      if (to !== null && !reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  assert.deepEqual([...reached].sort(), items.map((i) => i.key).sort());
});

test('sub-pixel overlap from layout rounding does not block a move', () => {
  const items: FocusCandidate[] = [
    { key: 'a', rect: { x: 0, y: 0, width: 100.4, height: 50 } },
    { key: 'b', rect: { x: 100, y: 0, width: 100, height: 50 } },
  ];
  assert.equal(nextFocus(items, 'a', 'right'), 'b');
  assert.equal(nextFocus(items, 'b', 'left'), 'a');
});
