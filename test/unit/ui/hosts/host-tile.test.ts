import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostView } from '../../../../src/app/services.ts';
import { activationFor, statusWords, type HostActivation } from '../../../../src/ui/hosts/host-tile.ts';

function host(overrides: Partial<HostView>): HostView {
  return {
    id: 'h1',
    name: 'Gaming PC',
    address: '192.168.1.20',
    reachability: 'online',
    paired: false,
    busy: false,
    runningAppId: 0,
    canWake: false,
    lastError: null,
    ...overrides,
  };
}

const cases: Array<{ name: string; host: HostView; words: string[]; activation: HostActivation }> = [
  { name: 'online, not paired', host: host({}), words: ['Online', 'Not paired'], activation: { kind: 'pair' } },
  { name: 'online, paired', host: host({ paired: true }), words: ['Online', 'Paired'], activation: { kind: 'open-apps' } },
  { name: 'online, paired, busy', host: host({ paired: true, busy: true, runningAppId: 7 }), words: ['Online', 'Paired', 'Busy'], activation: { kind: 'open-apps' } },
  { name: 'offline, paired', host: host({ reachability: 'offline', paired: true, canWake: true }), words: ['Offline', 'Paired'], activation: { kind: 'details' } },
  { name: 'offline with a stale busy flag', host: host({ reachability: 'offline', busy: true }), words: ['Offline', 'Not paired'], activation: { kind: 'details' } },
  { name: 'still being checked, paired', host: host({ reachability: 'unknown', paired: true }), words: ['Checking', 'Paired'], activation: { kind: 'open-apps' } },
  { name: 'still being checked, not paired', host: host({ reachability: 'unknown' }), words: ['Checking', 'Not paired'], activation: { kind: 'pair' } },
];

for (const c of cases) {
  test(`a host ${c.name} reads ${c.words.join(', ')} and Enter does ${c.activation.kind}`, () => {
    assert.deepEqual(statusWords(c.host), c.words);
    assert.deepEqual(activationFor(c.host), c.activation);
  });
}
