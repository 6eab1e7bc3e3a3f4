import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServices, type Harness } from './services-harness.fake.ts';
import type { ScriptedHost } from './scripted-hosts.fake.ts';

const ID = 'host-uuid-1';

async function withAddedHost(partial: Partial<ScriptedHost> = {}): Promise<{ h: Harness; pc: ScriptedHost }> {
  const h = startServices();
  const pc = h.scripted.add('192.168.1.20', { uniqueId: ID, ...partial });
  await h.settle();
  const added = await h.services.addHost('192.168.1.20');
  assert.ok(added.ok, JSON.stringify(added));
  await h.settle();
  return { h, pc };
}

async function withPairedHost(partial: Partial<ScriptedHost> = {}): Promise<{ h: Harness; pc: ScriptedHost }> {
  const { h, pc } = await withAddedHost(partial);
  const handle = await h.services.pair(ID, '1234');
  assert.ok(handle.ok);
  h.scripted.enterPin('192.168.1.20', '1234');
  assert.deepEqual(await handle.value.done, { ok: true, value: undefined });
  await h.services.whenIdle();
  return { h, pc };
}

test('an online host that does not change produces no hosts-changed event', async () => {
  const { h } = await withAddedHost();
  const before = h.hostEvents().length;
  await h.rounds(5);
  assert.equal(h.hostEvents().length, before);
  assert.equal((await h.host(ID)).reachability, 'online');
});

test('a host is declared offline only after two failed rounds, with the reason kept', async () => {
  const { h, pc } = await withAddedHost();
  pc.online = false;
  await h.rounds(1);
  assert.equal((await h.host(ID)).reachability, 'online');
  await h.rounds(1);
  const view = await h.host(ID);
  assert.equal(view.reachability, 'offline');
  assert.equal(view.lastError?.kind, 'unreachable');
  assert.equal(h.hostEvents().at(-1)?.[0]?.reachability, 'offline');
});

test('an offline host that answers again is online after one round, with no error', async () => {
  const { h, pc } = await withAddedHost();
  pc.online = false;
  await h.rounds(2);
  pc.online = true;
  await h.rounds(1);
  const view = await h.host(ID);
  assert.equal(view.reachability, 'online');
  assert.equal(view.lastError, null);
});

test('an unpaired host is polled over HTTP only', async () => {
  const { h } = await withAddedHost();
  h.scripted.clearCalls();
  await h.rounds(3);
  assert.equal(h.scripted.count('getServerInfo', false), 3);
  assert.equal(h.scripted.count('getServerInfo', true), 0);
});

test('a paired host is polled over HTTPS only and shows as paired', async () => {
  const { h } = await withPairedHost();
  h.scripted.clearCalls();
  await h.rounds(3);
  assert.equal(h.scripted.count('getServerInfo', true), 3);
  assert.equal(h.scripted.count('getServerInfo', false), 0);
  assert.equal((await h.host(ID)).paired, true);
});

test('a host that forgot us (HTTPS 401) falls back to HTTP and shows as not paired', async () => {
  const { h, pc } = await withPairedHost();
  pc.knowsUs = false;
  h.scripted.clearCalls();
  await h.rounds(1);
  const view = await h.host(ID);
  assert.equal(view.paired, false);
  assert.equal(view.reachability, 'online');
  assert.equal(view.lastError, null);
  assert.equal(h.scripted.count('getServerInfo', false), 1);
});

test('a host whose certificate changed falls back to HTTP, shows not paired and says why', async () => {
  const { h, pc } = await withPairedHost();
  pc.serverCertDer = Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x07]);
  await h.rounds(1);
  const view = await h.host(ID);
  assert.equal(view.paired, false);
  assert.equal(view.reachability, 'online');
  assert.equal(view.lastError?.kind, 'tls');
});

test('a different PC answering at the address counts as no answer', async () => {
  const { h, pc } = await withAddedHost();
  pc.uniqueId = 'some-other-pc';
  pc.hostName = 'Neighbour PC';
  await h.rounds(2);
  const view = await h.host(ID);
  assert.equal(view.reachability, 'offline');
  assert.equal(view.name, 'Gaming PC');
  assert.equal(view.lastError?.kind, 'unreachable');
  assert.match(view.lastError?.kind === 'unreachable' ? view.lastError.detail : '', /another PC/);
});

test('a running app shows as busy with its id, and clears when it ends', async () => {
  const { h, pc } = await withAddedHost();
  pc.busy = true;
  pc.currentGame = 881448767;
  await h.rounds(1);
  let view = await h.host(ID);
  assert.equal(view.busy, true);
  assert.equal(view.runningAppId, 881448767);
  pc.busy = false;
  await h.rounds(1);
  view = await h.host(ID);
  assert.equal(view.busy, false);
  assert.equal(view.runningAppId, 0);
});

test('a renamed host shows its new name after the next round, and keeps it after a restart', async () => {
  const { h, pc } = await withAddedHost();
  pc.hostName = 'Living Room PC';
  await h.rounds(1);
  assert.equal((await h.host(ID)).name, 'Living Room PC');
  h.services.dispose();
  const again = startServices({ storage: h.platform.storage });
  assert.equal((await again.host(ID)).name, 'Living Room PC');
  again.services.dispose();
});

test('the app list is fetched on the first paired round, then every 10 rounds', async () => {
  const { h } = await withPairedHost();
  // Pairing triggers a poll that fetched the list once.
  assert.equal(h.scripted.count('getAppList'), 1);
  await h.rounds(9);
  assert.equal(h.scripted.count('getAppList'), 1);
  await h.rounds(1);
  assert.equal(h.scripted.count('getAppList'), 2);
  await h.rounds(10);
  assert.equal(h.scripted.count('getAppList'), 3);
});

test('the app list is not fetched while the host is not paired', async () => {
  const { h } = await withAddedHost();
  await h.rounds(12);
  assert.equal(h.scripted.count('getAppList'), 0);
});

test('after dispose no more rounds run and no timer is left', async () => {
  const { h } = await withAddedHost();
  h.services.dispose();
  h.scripted.clearCalls();
  await h.rounds(3);
  assert.equal(h.scripted.calls.length, 0);
  assert.equal(h.platform.clock.pendingTimers(), 0);
});
