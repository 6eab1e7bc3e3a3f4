import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startupText } from '../../../../src/ui/shell/startup-text.ts';

test('while the identity is created, the start-up screen says the first start takes a while', () => {
  assert.match(startupText('preparing-identity'), /first start/);
});

test('before any report and while the core loads, it just says it is starting', () => {
  assert.equal(startupText(null), startupText('loading-core'));
});
