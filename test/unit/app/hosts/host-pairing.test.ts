import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostRecord } from '../../../../src/app/hosts/host-record.ts';
import { bytesToHex } from '../../../../src/lib/hex.ts';
import { startServices, type Harness } from './services-harness.fake.ts';
import type { ScriptedHost } from './scripted-hosts.fake.ts';

const ID = 'host-uuid-1';
const ADDRESS = '192.168.1.20';

async function withAddedHost(seed = 7): Promise<{ h: Harness; pc: ScriptedHost }> {
  const h = startServices({ seed });
  const pc = h.scripted.add(ADDRESS, { uniqueId: ID, mac: 'aa:bb:cc:dd:ee:01' });
  await h.settle();
  const added = await h.services.addHost(ADDRESS);
  assert.ok(added.ok);
  return { h, pc };
}

function storedRecord(h: Harness) {
  const text = h.platform.storage.data.get(`hosts/${ID}`);
  assert.ok(text !== undefined);
  const record = parseHostRecord(text);
  assert.ok(record.ok);
  return record.value;
}

test('pairing with the PIN typed on the PC succeeds and pins the certificate and MAC', async () => {
  const { h, pc } = await withAddedHost();
  const handle = await h.services.pair(ID, '4321');
  assert.ok(handle.ok);
  assert.equal(handle.value.pin, '4321');
  h.scripted.enterPin(ADDRESS, '4321');
  assert.deepEqual(await handle.value.done, { ok: true, value: undefined });
  const record = storedRecord(h);
  assert.equal(bytesToHex(record.pinnedCertDer ?? new Uint8Array()), bytesToHex(pc.serverCertDer));
  assert.equal(record.mac, 'aa:bb:cc:dd:ee:01');
  const view = await h.host(ID);
  assert.equal(view.paired, true);
  assert.equal(view.canWake, true);
});

test('pairing reports its stages in order', async () => {
  const { h } = await withAddedHost();
  const handle = await h.services.pair(ID, '1111');
  assert.ok(handle.ok);
  h.scripted.enterPin(ADDRESS, '1111');
  await handle.value.done;
  const stages = h.events.flatMap((e) => (e.kind === 'pairing-progress' && e.hostId === ID ? [e.stage] : []));
  assert.deepEqual(stages, ['waiting-for-pin', 'challenge', 'exchanging-secrets', 'confirming']);
});

test('without a PIN the services pick a random 4-digit one, the same for the same seed', async () => {
  const pins: string[] = [];
  for (const seed of [11, 11, 12]) {
    const { h } = await withAddedHost(seed);
    const handle = await h.services.pair(ID);
    assert.ok(handle.ok);
    assert.match(handle.value.pin, /^\d{4}$/);
    pins.push(handle.value.pin);
    handle.value.cancel();
    await handle.value.done;
  }
  assert.equal(pins[0], pins[1]);
  assert.notEqual(pins[0], pins[2]);
});

test('a wrong PIN fails with wrong-pin and stores nothing', async () => {
  const { h } = await withAddedHost();
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin(ADDRESS, '9999');
  assert.deepEqual(await handle.value.done, { ok: false, error: { kind: 'wrong-pin' } });
  assert.equal(storedRecord(h).pinnedCertDer, null);
  assert.equal((await h.host(ID)).paired, false);
});

test('cancelling a pairing ends it with cancelled and stores nothing', async () => {
  const { h } = await withAddedHost();
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  handle.value.cancel();
  assert.deepEqual(await handle.value.done, { ok: false, error: { kind: 'cancelled' } });
  assert.equal(storedRecord(h).pinnedCertDer, null);
});

test('a second pairing of the same host while one runs is refused', async () => {
  const { h } = await withAddedHost();
  const first = await h.services.pair(ID, '1234');
  assert.ok(first.ok);
  assert.deepEqual(await h.services.pair(ID, '5678'), { ok: false, error: { kind: 'pairing-in-progress' } });
  first.value.cancel();
  await first.value.done;
  const again = await h.services.pair(ID, '5678');
  assert.ok(again.ok, 'a new attempt is possible once the first ended');
  again.value.cancel();
});

test('a PIN that is not 4 digits is refused before contacting the host', async () => {
  const { h } = await withAddedHost();
  h.scripted.clearCalls();
  const r = await h.services.pair(ID, '12a4');
  assert.equal(r.ok, false);
  assert.equal(h.scripted.count('pairWithHost'), 0);
});

test('pairing an unknown host fails with unknown-host', async () => {
  const { h } = await withAddedHost();
  assert.deepEqual(await h.services.pair('nope', '1234'), { ok: false, error: { kind: 'unknown-host', hostId: 'nope' } });
});

test('when the pairing cannot be saved the host stays unpaired and the error says so', async () => {
  const { h } = await withAddedHost();
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.platform.storage.failWrites = true;
  h.scripted.enterPin(ADDRESS, '1234');
  const done = await handle.value.done;
  assert.equal(done.ok ? 'ok' : done.error.kind, 'storage');
  h.platform.storage.failWrites = false;
  assert.equal(storedRecord(h).pinnedCertDer, null);
  assert.equal((await h.host(ID)).paired, false);
});

test('unpairing forgets the certificate, tells the host, and polling goes back to HTTP', async () => {
  const { h } = await withAddedHost();
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin(ADDRESS, '1234');
  await handle.value.done;
  await h.services.whenIdle();
  h.scripted.clearCalls();
  assert.deepEqual(await h.services.unpair(ID), { ok: true, value: undefined });
  assert.equal(h.scripted.count('sendUnpair'), 1);
  assert.equal(storedRecord(h).pinnedCertDer, null);
  assert.equal((await h.host(ID)).paired, false);
  await h.rounds(1);
  assert.equal(h.scripted.count('getServerInfo', true), 0);
  assert.equal(h.scripted.count('getServerInfo', false), 1);
});

test('unpairing works while the host is off: the /unpair failure is ignored', async () => {
  const { h, pc } = await withAddedHost();
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin(ADDRESS, '1234');
  await handle.value.done;
  pc.online = false;
  assert.deepEqual(await h.services.unpair(ID), { ok: true, value: undefined });
  assert.equal(storedRecord(h).pinnedCertDer, null);
});

test('a poll that started before pairing finished does not undo the pairing, not even for a moment', async () => {
  const { h } = await withAddedHost();
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  // A round asks the host (over HTTP: not paired yet) and its answer is held back...
  const release = h.scripted.holdServerInfo();
  h.platform.clock.advance(3000);
  // ...while the pairing completes.
  h.scripted.enterPin(ADDRESS, '1234');
  await handle.value.done;
  const eventsBefore = h.hostEvents().length;
  release();
  await h.services.whenIdle();
  const later = h.hostEvents().slice(eventsBefore).map((hosts) => hosts[0]?.paired);
  assert.ok(!later.includes(false), `views after pairing: ${JSON.stringify(later)}`);
  assert.equal((await h.host(ID)).paired, true);
});
