import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGamepadIntents } from '../../../src/input/gamepad-intents.ts';
import type { GamepadSnapshot } from '../../../src/input/gamepad-snapshot.ts';
import type { Intent } from '../../../src/input/intent.ts';

const timing = { initialDelayMs: 400, repeatIntervalMs: 100 };

function pad(options: { buttons?: number[]; axes?: number[]; standard?: boolean; id?: string } = {}): GamepadSnapshot {
  const pressed = new Array<boolean>(17).fill(false);
  for (const b of options.buttons ?? []) pressed[b] = true;
  return { id: options.id ?? 'pad-0', standard: options.standard ?? true, pressed, axes: options.axes ?? [0, 0, 0, 0] };
}

/** Feeds readings at the given times and records what each produced. */
function run(readings: Array<[number, GamepadSnapshot[]]>): Array<[number, Intent[]]> {
  const intents = createGamepadIntents(timing);
  return readings.map(([nowMs, pads]) => [nowMs, intents.sample(pads, nowMs)]);
}

test('the first reading of a pad only records what is held, so the waking press does nothing', () => {
  assert.deepEqual(run([[0, [pad({ buttons: [0] })]], [16, [pad({ buttons: [0] })]], [32, [pad()]]]), [[0, []], [16, []], [32, []]]);
});

test('a press after the first reading gives its intent once', () => {
  assert.deepEqual(run([[0, [pad()]], [16, [pad({ buttons: [0] })]], [32, [pad({ buttons: [0] })]], [48, [pad()]]]), [
    [0, []],
    [16, ['confirm']],
    [32, []],
    [48, []],
  ]);
});

test('a button held since the first reading counts once released and pressed again', () => {
  const result = run([[0, [pad({ buttons: [1] })]], [16, [pad()]], [32, [pad({ buttons: [1] })]]]);
  assert.deepEqual(result[2], [32, ['back']]);
});

test('a held D-pad direction repeats after the initial delay, then at the interval', () => {
  const held = pad({ buttons: [15] });
  const result = run([
    [0, [pad()]],
    [100, [held]],
    [499, [held]],
    [500, [held]],
    [599, [held]],
    [600, [held]],
    [700, [held]],
    [710, [pad()]],
    [1200, [pad()]],
  ]);
  assert.deepEqual(result, [
    [0, []],
    [100, ['right']],
    [499, []],
    [500, ['right']],
    [599, []],
    [600, ['right']],
    [700, ['right']],
    [710, []],
    [1200, []],
  ]);
});

test('a late reading repeats once and does not burst to catch up', () => {
  const held = pad({ buttons: [13] });
  const result = run([[0, [pad()]], [10, [held]], [2000, [held]], [2050, [held]], [2100, [held]]]);
  assert.deepEqual(result, [[0, []], [10, ['down']], [2000, ['down']], [2050, []], [2100, ['down']]]);
});

test('confirm and back never repeat while held', () => {
  const held = pad({ buttons: [0, 1] });
  const result = run([[0, [pad()]], [10, [held]], [1000, [held]], [5000, [held]]]);
  assert.deepEqual(result, [[0, []], [10, ['confirm', 'back']], [1000, []], [5000, []]]);
});

const stickCases: Array<{ name: string; axes: number[]; expected: Intent[] }> = [
  { name: 'inside the dead zone', axes: [0.3, -0.3], expected: [] },
  { name: 'pushed right', axes: [0.9, 0.1], expected: ['right'] },
  { name: 'pushed left', axes: [-0.7, 0], expected: ['left'] },
  { name: 'pushed up (negative y)', axes: [0, -0.8], expected: ['up'] },
  { name: 'pushed down', axes: [0.2, 0.6], expected: ['down'] },
  { name: 'diagonal with y dominant', axes: [0.6, -0.7], expected: ['up'] },
  { name: 'reporting NaN', axes: [Number.NaN, Number.NaN], expected: [] },
];

for (const c of stickCases) {
  test(`the left stick ${c.name} gives ${JSON.stringify(c.expected)}`, () => {
    const result = run([[0, [pad()]], [16, [pad({ axes: c.axes })]]]);
    assert.deepEqual(result[1], [16, c.expected]);
  });
}

test('a stick easing back but still past the release threshold keeps its direction and its repeat timing', () => {
  const result = run([
    [0, [pad()]],
    [10, [pad({ axes: [0.8, 0] })]],
    [200, [pad({ axes: [0.4, 0] })]],
    [410, [pad({ axes: [0.4, 0] })]],
    [420, [pad({ axes: [0.2, 0] })]],
    [430, [pad({ axes: [0.4, 0] })]],
  ]);
  assert.deepEqual(result, [[0, []], [10, ['right']], [200, []], [410, ['right']], [420, []], [430, []]]);
});

test('a pad without the standard mapping is read for A, B and the stick only', () => {
  const result = run([
    [0, [pad({ standard: false })]],
    [10, [pad({ standard: false, buttons: [0, 12, 9] })]],
    [20, [pad({ standard: false, buttons: [1], axes: [0, 0.9] })]],
  ]);
  assert.deepEqual(result, [[0, []], [10, ['confirm']], [20, ['back', 'down']]]);
});

test('two pads are read independently, and a pad that reconnects starts from a fresh baseline', () => {
  const result = run([
    [0, [pad({ id: 'a' }), pad({ id: 'b', buttons: [0] })]],
    [10, [pad({ id: 'a', buttons: [12] }), pad({ id: 'b', buttons: [0] })]],
    [20, [pad({ id: 'a' })]],
    [30, [pad({ id: 'a' }), pad({ id: 'b', buttons: [0] })]],
  ]);
  assert.deepEqual(result, [[0, []], [10, ['up']], [20, []], [30, []]]);
});
