import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepFocus } from '../../../../src/ui/focus/focus-keep.ts';

const cases: Array<{ name: string; before: string[]; after: string[]; focused: string | null; expected: string | null }> = [
  { name: 'the focused item stays focused when others are added', before: ['a', 'b', 'add'], after: ['a', 'x', 'b', 'add'], focused: 'b', expected: 'b' },
  { name: 'the focused item stays focused when it moves in the list', before: ['a', 'b', 'c'], after: ['c', 'a', 'b'], focused: 'b', expected: 'b' },
  { name: 'a removed item hands focus to the one that followed it', before: ['a', 'b', 'c', 'add'], after: ['a', 'c', 'add'], focused: 'b', expected: 'c' },
  { name: 'a removed last item hands focus to the one before it', before: ['a', 'b', 'c'], after: ['a', 'b'], focused: 'c', expected: 'b' },
  { name: 'when the followers went too, the nearest survivor before it', before: ['a', 'b', 'c', 'd'], after: ['a', 'x'], focused: 'c', expected: 'a' },
  { name: 'a removed item whose neighbours all went falls back to the first item', before: ['a', 'b'], after: ['x', 'y'], focused: 'a', expected: 'x' },
  { name: 'no focus yet gives the first item', before: [], after: ['a', 'b'], focused: null, expected: 'a' },
  { name: 'an empty list gives no focus', before: ['a'], after: [], focused: 'a', expected: null },
];

for (const c of cases) {
  test(c.name, () => {
    assert.equal(keepFocus(c.before, c.after, c.focused), c.expected);
  });
}
