import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backAction, createStack, pop, popTo, push, rememberFocus, top } from '../../../../src/ui/focus/screen-stack.ts';

test('Back at the root asks to exit on a TV', () => {
  assert.deepEqual(backAction(createStack('hosts'), true), { kind: 'ask-exit' });
});

test('Back at the root does nothing in a browser', () => {
  assert.deepEqual(backAction(createStack('hosts'), false), { kind: 'ignore' });
});

test('Back above the root pops, on a TV and in a browser', () => {
  const stack = push(createStack('hosts'), 'apps', 'screen');
  assert.deepEqual(backAction(stack, true), { kind: 'pop' });
  assert.deepEqual(backAction(stack, false), { kind: 'pop' });
});

test('popping returns to the screen below with the focus it remembered', () => {
  let stack = createStack('hosts');
  stack = rememberFocus(stack, 'host:b');
  stack = push(stack, 'apps', 'screen');
  stack = rememberFocus(stack, 'app:3');
  stack = pop(stack);
  assert.equal(top(stack).screen, 'hosts');
  assert.equal(top(stack).focusKey, 'host:b');
});

test('the root is never popped', () => {
  const stack = createStack('hosts');
  assert.equal(pop(stack), stack);
});

test('popTo closes everything above the matching entry', () => {
  const stack = push(push(push(createStack('hosts'), 'apps', 'screen'), 'details', 'dialog'), 'confirm', 'dialog');
  assert.deepEqual(popTo(stack, (s) => s === 'apps').entries.map((e) => e.screen), ['hosts', 'apps']);
  assert.equal(popTo(stack, (s) => s === 'nothing'), stack);
});

test('remembering focus does not change the state it was given', () => {
  const stack = createStack('hosts');
  rememberFocus(stack, 'host:a');
  assert.equal(top(stack).focusKey, null);
});
