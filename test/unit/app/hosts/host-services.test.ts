import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStorage } from './memory-platform.fake.ts';
import { startServices } from './services-harness.fake.ts';
import { createScriptedHosts } from './scripted-hosts.fake.ts';

const ID = 'host-uuid-1';

test('adding a reachable host stores its id, name, address and HTTPS port', async () => {
  const h = startServices();
  h.scripted.add('10.0.0.7', { uniqueId: ID, hostName: 'Study PC', httpPort: 48989, httpsPort: 48984 });
  const added = await h.services.addHost('10.0.0.7:48989');
  assert.ok(added.ok, JSON.stringify(added));
  assert.deepEqual(added.value, {
    id: ID,
    name: 'Study PC',
    address: '10.0.0.7:48989',
    reachability: 'online',
    paired: false,
    busy: false,
    runningAppId: 0,
    canWake: false,
    lastError: null,
  });
  const stored = JSON.parse(h.platform.storage.data.get(`hosts/${ID}`) ?? 'null') as Record<string, unknown>;
  assert.equal(stored.name, 'Study PC');
  assert.equal(stored.httpsPort, 48984);
  assert.equal(stored.uniqueId, ID);
  assert.equal(stored.mac, null, 'a MAC is only learnt over HTTPS');
  assert.deepEqual(h.hostEvents().at(-1)?.map((v) => v.id), [ID]);
});

test('hosts survive a restart of the services', async () => {
  const storage = createMemoryStorage();
  const scripted = createScriptedHosts();
  scripted.add('10.0.0.7', { uniqueId: 'a', hostName: 'Alpha' });
  scripted.add('10.0.0.8', { uniqueId: 'b', hostName: 'Beta' });
  const first = startServices({ storage, scripted });
  assert.ok((await first.services.addHost('10.0.0.7')).ok);
  assert.ok((await first.services.addHost('10.0.0.8')).ok);
  first.services.dispose();
  const second = startServices({ storage, scripted });
  const hosts = await second.services.listHosts();
  assert.deepEqual(hosts.map((v) => [v.id, v.name, v.address, v.reachability]), [
    ['a', 'Alpha', '10.0.0.7', 'unknown'],
    ['b', 'Beta', '10.0.0.8', 'unknown'],
  ]);
  await second.settle();
  assert.deepEqual((await second.services.listHosts()).map((v) => v.reachability), ['online', 'online']);
  second.services.dispose();
});

test('a corrupt stored record is reported and skipped, the others load, and it is not deleted', async () => {
  const storage = createMemoryStorage();
  const scripted = createScriptedHosts();
  scripted.add('10.0.0.7', { uniqueId: 'good' });
  const first = startServices({ storage, scripted });
  assert.ok((await first.services.addHost('10.0.0.7')).ok);
  first.services.dispose();
  storage.data.set('hosts/broken', '{"v":1,"id":"broken","name":');

  const second = startServices({ storage, scripted });
  assert.deepEqual((await second.services.listHosts()).map((v) => v.id), ['good']);
  await second.settle();
  const problems = second.events.filter((e) => e.kind === 'problem');
  assert.equal(problems.length, 1);
  assert.match(JSON.stringify(problems[0]), /hosts\/broken/);
  assert.equal(storage.data.get('hosts/broken'), '{"v":1,"id":"broken","name":');
});

test('an invalid address is refused with invalid-address and nothing is stored', async () => {
  const h = startServices();
  const r = await h.services.addHost('192.168.1.300');
  assert.deepEqual(r, { ok: false, error: { kind: 'invalid-address', input: '192.168.1.300', reason: 'bad-ipv4' } });
  assert.equal(h.platform.storage.data.size, 0);
  assert.equal(h.scripted.calls.length, 0);
});

test('adding the same address twice is refused as a duplicate', async () => {
  const h = startServices();
  h.scripted.add('10.0.0.7', { uniqueId: ID });
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  assert.deepEqual(await h.services.addHost(' 10.0.0.7:47989 '), { ok: false, error: { kind: 'duplicate-host', hostId: ID } });
});

test('the same PC under another address is recognised by its uniqueid and refused', async () => {
  const h = startServices();
  h.scripted.add('10.0.0.7', { uniqueId: ID });
  h.scripted.add('gaming-pc', { uniqueId: ID });
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  assert.deepEqual(await h.services.addHost('gaming-pc'), { ok: false, error: { kind: 'duplicate-host', hostId: ID } });
  assert.equal((await h.services.listHosts()).length, 1);
});

test('an unreachable host is kept as offline with the reason, and comes online when it answers', async () => {
  const h = startServices();
  await h.settle();
  const added = await h.services.addHost('10.0.0.9');
  assert.ok(added.ok);
  assert.equal(added.value.reachability, 'offline');
  assert.equal(added.value.lastError?.kind, 'unreachable');
  assert.equal(added.value.name, '10.0.0.9');
  const localId = added.value.id;
  assert.match(localId, /^pending-[0-9a-f]+$/);

  h.scripted.add('10.0.0.9', { uniqueId: ID, hostName: 'Late PC' });
  await h.rounds(1);
  const view = await h.host(localId);
  assert.equal(view.reachability, 'online');
  assert.equal(view.name, 'Late PC');
  assert.equal(view.lastError, null);
  const stored = JSON.parse(h.platform.storage.data.get(`hosts/${localId}`) ?? 'null') as Record<string, unknown>;
  assert.equal(stored.uniqueId, ID);
});

test('a host added while off that turns out to be a listed PC is merged into it', async () => {
  const h = startServices();
  h.scripted.add('10.0.0.7', { uniqueId: ID });
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  const pending = await h.services.addHost('gaming-pc');
  assert.ok(pending.ok);
  assert.equal((await h.services.listHosts()).length, 2);
  h.scripted.add('gaming-pc', { uniqueId: ID });
  await h.rounds(1);
  assert.deepEqual((await h.services.listHosts()).map((v) => v.id), [ID]);
  assert.equal(h.platform.storage.data.has(`hosts/${pending.value.id}`), false);
});

test('something that answers but is not a GameStream host is refused', async () => {
  const h = startServices();
  h.scripted.api.getServerInfo = async () => ({ ok: false, error: { kind: 'malformed-reply', detail: 'not XML' } });
  const r = await h.services.addHost('10.0.0.7');
  assert.deepEqual(r, { ok: false, error: { kind: 'malformed-reply', detail: 'not XML' } });
  assert.equal((await h.services.listHosts()).length, 0);
});

test('when storage refuses, adding fails with storage and the host is not listed', async () => {
  const h = startServices();
  h.scripted.add('10.0.0.7', { uniqueId: ID });
  h.platform.storage.failWrites = true;
  const r = await h.services.addHost('10.0.0.7');
  assert.equal(r.ok ? 'ok' : r.error.kind, 'storage');
  assert.deepEqual(await h.services.listHosts(), []);
});

test('removing a host deletes its record, cached apps and box art, and it stops being polled', async () => {
  const h = startServices();
  const pc = h.scripted.add('10.0.0.7', { uniqueId: ID, apps: [{ id: 5, title: 'Desktop', hdrSupported: false }] });
  pc.boxArt.set(5, Uint8Array.from([0x89, 0x50, 0x4e, 0x47]));
  h.scripted.add('10.0.0.8', { uniqueId: 'other' });
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  assert.ok((await h.services.addHost('10.0.0.8')).ok);
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin('10.0.0.7', '1234');
  await handle.value.done;
  assert.ok((await h.services.apps(ID)).ok);
  assert.ok((await h.services.boxArt(ID, 5)).ok);
  assert.ok([...h.platform.storage.data.keys()].some((k) => k.startsWith(`boxart/${ID}/`)));

  assert.deepEqual(await h.services.removeHost(ID), { ok: true, value: undefined });
  const left = [...h.platform.storage.data.keys()].filter((k) => k.includes(ID));
  assert.deepEqual(left, []);
  assert.ok(h.platform.storage.data.has('hosts/other'));
  assert.deepEqual((await h.services.listHosts()).map((v) => v.id), ['other']);
  h.scripted.clearCalls();
  await h.rounds(2);
  assert.equal(h.scripted.calls.filter((c) => c.address === '10.0.0.7').length, 0);
});

test('calls about an unknown host fail with unknown-host', async () => {
  const h = startServices();
  const expected = { ok: false, error: { kind: 'unknown-host', hostId: 'ghost' } };
  assert.deepEqual(await h.services.removeHost('ghost'), expected);
  assert.deepEqual(await h.services.unpair('ghost'), expected);
  assert.deepEqual(await h.services.wake('ghost'), expected);
  assert.deepEqual(await h.services.apps('ghost'), expected);
  assert.deepEqual(await h.services.boxArt('ghost', 1), expected);
});

test('a listener that unsubscribed hears nothing more', async () => {
  const h = startServices();
  const heard: string[] = [];
  const stop = h.services.subscribe((e) => heard.push(e.kind));
  h.scripted.add('10.0.0.7', { uniqueId: ID });
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  assert.deepEqual(heard, ['hosts-changed']);
  stop();
  assert.ok((await h.services.removeHost(ID)).ok);
  assert.deepEqual(heard, ['hosts-changed']);
});
