import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAppConfig } from '../../../../src/ui/shell/app-config.ts';

test('a full config is read', () => {
  const parsed = parseAppConfig({ relayUrl: 'ws://127.0.0.1:9000', token: 't0k', demoHost: '127.0.0.1:47989', hostPinPage: 'http://127.0.0.1:47990/' });
  assert.deepEqual(parsed, { ok: true, value: { relayUrl: 'ws://127.0.0.1:9000', token: 't0k', demoHost: '127.0.0.1:47989', hostPinPage: 'http://127.0.0.1:47990/' } });
});

test('demoHost and hostPinPage are optional', () => {
  assert.deepEqual(parseAppConfig({ relayUrl: 'wss://relay', token: '' }), { ok: true, value: { relayUrl: 'wss://relay', token: '', demoHost: null, hostPinPage: null } });
});

const bad: Array<{ name: string; json: unknown }> = [
  { name: 'not an object', json: [1] },
  { name: 'null', json: null },
  { name: 'an http relay URL', json: { relayUrl: 'http://127.0.0.1', token: 'x' } },
  { name: 'a missing token', json: { relayUrl: 'ws://127.0.0.1:1' } },
  { name: 'a numeric demo host', json: { relayUrl: 'ws://127.0.0.1:1', token: 'x', demoHost: 5 } },
];

for (const c of bad) {
  test(`a config with ${c.name} is refused`, () => {
    assert.equal(parseAppConfig(c.json).ok, false);
  });
}
