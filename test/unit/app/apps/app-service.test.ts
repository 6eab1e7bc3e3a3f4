import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServices, type Harness } from '../hosts/services-harness.fake.ts';
import type { ScriptedHost } from '../hosts/scripted-hosts.fake.ts';
import type { AppView } from '../../../../src/app/services.ts';

const ID = 'host-uuid-1';
const APPS: AppView[] = [
  { id: 881448767, title: 'Desktop', hdrSupported: false },
  { id: 1093255277, title: 'Steam Big Picture', hdrSupported: true },
];

async function paired(h: Harness, partial: Partial<ScriptedHost> = {}): Promise<ScriptedHost> {
  const pc = h.scripted.add('10.0.0.7', { uniqueId: ID, apps: APPS, ...partial });
  await h.settle();
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin('10.0.0.7', '1234');
  assert.ok((await handle.value.done).ok);
  await h.services.whenIdle();
  return pc;
}

test('a paired host lists its apps', async () => {
  const h = startServices();
  await paired(h);
  assert.deepEqual(await h.services.apps(ID), { ok: true, value: APPS });
});

test('an offline host shows the apps it had last time', async () => {
  const h = startServices();
  const pc = await paired(h);
  pc.online = false;
  await h.rounds(2);
  assert.equal((await h.host(ID)).reachability, 'offline');
  h.scripted.clearCalls();
  assert.deepEqual(await h.services.apps(ID), { ok: true, value: APPS });
  assert.equal(h.scripted.count('getAppList'), 0, 'an offline host is not asked');
});

test('the cached list survives a restart and is shown while the host is off', async () => {
  const h = startServices();
  const pc = await paired(h);
  h.services.dispose();
  pc.online = false;
  const again = startServices({ storage: h.platform.storage, scripted: h.scripted });
  await again.settle();
  assert.deepEqual(await again.services.apps(ID), { ok: true, value: APPS });
});

test('a host that cannot answer right now falls back to the cached list', async () => {
  const h = startServices();
  const pc = await paired(h);
  pc.online = false;
  assert.equal((await h.host(ID)).reachability, 'online', 'not yet noticed by polling');
  assert.deepEqual(await h.services.apps(ID), { ok: true, value: APPS });
});

test('a newer list from the host replaces the cached one', async () => {
  const h = startServices();
  const pc = await paired(h);
  pc.apps = [{ id: 7, title: 'New Game', hdrSupported: false }];
  await h.rounds(10);
  pc.online = false;
  await h.rounds(2);
  assert.deepEqual(await h.services.apps(ID), { ok: true, value: [{ id: 7, title: 'New Game', hdrSupported: false }] });
});

test('an offline host never seen paired has no apps to show and says it is unreachable', async () => {
  const h = startServices();
  const pc = await paired(h);
  h.platform.storage.data.delete(`apps/${ID}`);
  pc.online = false;
  await h.rounds(2);
  const r = await h.services.apps(ID);
  assert.equal(r.ok ? 'ok' : r.error.kind, 'unreachable');
});

test('an unpaired host has no app list: not-paired', async () => {
  const h = startServices();
  h.scripted.add('10.0.0.7', { uniqueId: ID, apps: APPS });
  assert.ok((await h.services.addHost('10.0.0.7')).ok);
  assert.deepEqual(await h.services.apps(ID), { ok: false, error: { kind: 'not-paired' } });
  assert.equal(h.scripted.count('getAppList'), 0);
});

test('box art is fetched once and then served from the cache, also after a restart', async () => {
  const h = startServices();
  const pc = await paired(h);
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x01]);
  pc.boxArt.set(881448767, png);
  const first = await h.services.boxArt(ID, 881448767);
  const second = await h.services.boxArt(ID, 881448767);
  assert.deepEqual(first, { ok: true, value: png });
  assert.deepEqual(second, { ok: true, value: png });
  assert.equal(h.scripted.count('getBoxArt'), 1);
  h.services.dispose();
  pc.online = false;
  const again = startServices({ storage: h.platform.storage, scripted: h.scripted });
  assert.deepEqual(await again.services.boxArt(ID, 881448767), { ok: true, value: png });
});

test('box art the host cannot give is an error, and nothing is cached', async () => {
  const h = startServices();
  await paired(h);
  const r = await h.services.boxArt(ID, 42);
  assert.equal(r.ok ? 'ok' : r.error.kind, 'host-error');
  assert.equal([...h.platform.storage.data.keys()].filter((k) => k.startsWith('boxart/')).length, 0);
});
