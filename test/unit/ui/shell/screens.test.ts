import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStack, top } from '../../../../src/ui/focus/screen-stack.ts';
import { goBack, openScreen, topScreen, type Screen } from '../../../../src/ui/shell/screens.ts';

const hosts: Screen = { kind: 'hosts' };

test('opening the apps screen and pressing Back returns to the hosts screen focused on the host that opened it', () => {
  let stack = createStack<Screen>(hosts);
  stack = openScreen(stack, { kind: 'apps', hostId: 'h1' }, 'host:h1');
  assert.equal(topScreen(stack).kind, 'apps');
  stack = goBack(stack, true, 'app:1');
  assert.equal(topScreen(stack), hosts);
  assert.equal(top(stack).focusKey, 'host:h1');
});

test('a dialog opens over its screen and Back closes it, focus returning to its opener', () => {
  let stack = createStack<Screen>(hosts);
  stack = openScreen(stack, { kind: 'details', hostId: 'h1' }, 'host-details:h1');
  assert.equal(top(stack).layer, 'dialog');
  stack = goBack(stack, false, 'close');
  assert.equal(topScreen(stack), hosts);
  assert.equal(top(stack).focusKey, 'host-details:h1');
});

test('on a TV, Back on the hosts screen opens the exit question and Back again closes it', () => {
  let stack = createStack<Screen>(hosts);
  stack = goBack(stack, true, 'host:h1');
  assert.deepEqual(topScreen(stack), { kind: 'exit-confirm' });
  assert.equal(top(stack).layer, 'dialog');
  stack = goBack(stack, true, 'exit-cancel');
  assert.equal(topScreen(stack), hosts);
  assert.equal(top(stack).focusKey, 'host:h1');
});

test('in a browser, Back on the hosts screen leaves everything as it was', () => {
  const stack = createStack<Screen>(hosts);
  assert.equal(goBack(stack, false, 'host:h1'), stack);
});

test('on a TV, Back on the start-up screen also asks before leaving', () => {
  const stack = goBack(createStack<Screen>({ kind: 'starting' }), true, null);
  assert.deepEqual(topScreen(stack), { kind: 'exit-confirm' });
});
