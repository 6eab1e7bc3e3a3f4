import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostServices } from '../../../../src/app/hosts/host-services.ts';
import type { NvHttpContext } from '../../../../src/app/hosts/host-api.ts';
import type { BootServices } from '../../../../src/app/worker/serve-services.ts';
import type { InitMessage } from '../../../../src/app/worker/protocol.ts';
import type { ServiceEvent, StartupStage } from '../../../../src/app/services.ts';
import { createMemoryPlatform, createMemoryStorage } from '../hosts/memory-platform.fake.ts';
import { createScriptedHosts, type ScriptedHosts } from '../hosts/scripted-hosts.fake.ts';
import { BROWSER_INIT, connect, nextEvent, type Channel } from './worker-channel.fake.ts';

const ID = 'host-uuid-1';

interface World {
  channel: Channel;
  scripted: ScriptedHosts;
  inits: InitMessage[];
  /** Lets the boot finish (it waits for this when `gated`). */
  openGate(): void;
}

function world(options: { gated?: boolean; failBoot?: boolean; storedHosts?: Record<string, string> } = {}): World {
  const scripted = createScriptedHosts();
  const pc = scripted.add('10.0.0.7', { uniqueId: ID, apps: [{ id: 3, title: 'Desktop', hdrSupported: false }] });
  pc.boxArt.set(3, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const inits: InitMessage[] = [];
  let openGate = (): void => {};
  const gate = options.gated === true ? new Promise<void>((resolve) => (openGate = resolve)) : Promise.resolve();
  const boot: BootServices = async (init, onStage) => {
    inits.push(init);
    onStage('loading-core');
    await gate;
    onStage('preparing-identity');
    if (options.failBoot === true) return { ok: false, error: { kind: 'storage', detail: 'identity unreadable' } };
    onStage('loading-hosts');
    const platform = createMemoryPlatform({ storage: createMemoryStorage(options.storedHosts ?? {}) });
    return { ok: true, value: createHostServices({ platform, ctx: { platform } as unknown as NvHttpContext, api: scripted.api }) };
  };
  return { channel: connect(boot), scripted, inits, openGate };
}

async function until(channel: Channel, kind: ServiceEvent['kind']): Promise<ServiceEvent> {
  return nextEvent(channel.proxy, (e) => e.kind === kind || (kind === 'startup' && e.kind === 'startup-failed'));
}

test('the worker receives the init message and reports each start-up stage, then ready', async (t) => {
  const w = world({ gated: true });
  t.after(() => w.channel.close());
  const stages: StartupStage[] = [];
  const ready = nextEvent(w.channel.proxy, (e) => e.kind === 'startup' && e.stage === 'ready');
  w.channel.proxy.subscribe((e) => {
    if (e.kind === 'startup') stages.push(e.stage);
  });
  await nextEvent(w.channel.proxy, (e) => e.kind === 'startup' && e.stage === 'loading-core');
  w.openGate();
  await ready;
  assert.deepEqual(stages, ['loading-core', 'preparing-identity', 'loading-hosts', 'ready']);
  assert.deepEqual(w.inits, [BROWSER_INIT]);
});

test('a screen that subscribes after start-up still learns that the services are ready', async (t) => {
  const w = world();
  t.after(() => w.channel.close());
  await nextEvent(w.channel.proxy, (e) => e.kind === 'startup' && e.stage === 'ready');
  const late = await nextEvent(w.channel.proxy, () => true);
  assert.deepEqual(late, { kind: 'startup', stage: 'ready' });
});

test('calls made before start-up finished are answered once it has', async (t) => {
  const w = world({ gated: true });
  t.after(() => w.channel.close());
  const adding = w.channel.proxy.addHost('10.0.0.7');
  const listing = w.channel.proxy.listHosts();
  w.openGate();
  const added = await adding;
  assert.ok(added.ok);
  assert.equal(added.value.id, ID);
  assert.ok(Array.isArray(await listing));
  assert.deepEqual((await w.channel.proxy.listHosts()).map((h) => h.id), [ID]);
});

test('results and errors cross unchanged, and host changes arrive as events', async (t) => {
  const w = world();
  t.after(() => w.channel.close());
  const changed = until(w.channel, 'hosts-changed');
  const added = await w.channel.proxy.addHost('10.0.0.7');
  assert.ok(added.ok);
  assert.equal(added.value.name, 'Gaming PC');
  assert.equal(added.value.reachability, 'online');
  const event = await changed;
  assert.deepEqual(event, { kind: 'hosts-changed', hosts: [added.value] });
  assert.deepEqual(await w.channel.proxy.addHost('10.0.0.300'), {
    ok: false,
    error: { kind: 'invalid-address', input: '10.0.0.300', reason: 'bad-ipv4' },
  });
  assert.deepEqual(await w.channel.proxy.apps('nope'), { ok: false, error: { kind: 'unknown-host', hostId: 'nope' } });
});

test('pairing through the worker: the PIN comes back, progress arrives, and done resolves on success', async (t) => {
  const w = world();
  t.after(() => w.channel.close());
  assert.ok((await w.channel.proxy.addHost('10.0.0.7')).ok);
  const stages: string[] = [];
  w.channel.proxy.subscribe((e) => {
    if (e.kind === 'pairing-progress') stages.push(e.stage);
  });
  const handle = await w.channel.proxy.pair(ID);
  assert.ok(handle.ok);
  assert.match(handle.value.pin, /^\d{4}$/);
  w.scripted.enterPin('10.0.0.7', handle.value.pin);
  assert.deepEqual(await handle.value.done, { ok: true, value: undefined });
  assert.deepEqual(stages, ['waiting-for-pin', 'challenge', 'exchanging-secrets', 'confirming']);
  const [host] = await w.channel.proxy.listHosts();
  assert.equal(host?.paired, true);
});

test('cancelling a pairing from the UI thread ends it in the worker', async (t) => {
  const w = world();
  t.after(() => w.channel.close());
  assert.ok((await w.channel.proxy.addHost('10.0.0.7')).ok);
  const handle = await w.channel.proxy.pair(ID, '1234');
  assert.ok(handle.ok);
  handle.value.cancel();
  assert.deepEqual(await handle.value.done, { ok: false, error: { kind: 'cancelled' } });
});

test('box art bytes arrive intact as a Uint8Array', async (t) => {
  const w = world();
  t.after(() => w.channel.close());
  assert.ok((await w.channel.proxy.addHost('10.0.0.7')).ok);
  const handle = await w.channel.proxy.pair(ID, '1234');
  assert.ok(handle.ok);
  w.scripted.enterPin('10.0.0.7', '1234');
  assert.ok((await handle.value.done).ok);
  for (let i = 0; i < 2; i += 1) {
    const art = await w.channel.proxy.boxArt(ID, 3);
    assert.ok(art.ok);
    assert.ok(art.value instanceof Uint8Array);
    assert.equal(Buffer.from(art.value).toString('hex'), '89504e470d0a1a0a');
  }
});

test('when start-up fails the UI is told why, and every call answers with that error', async (t) => {
  const w = world({ failBoot: true });
  t.after(() => w.channel.close());
  const failed = await nextEvent(w.channel.proxy, (e) => e.kind === 'startup-failed');
  const error = { kind: 'storage', detail: 'identity unreadable' };
  assert.deepEqual(failed, { kind: 'startup-failed', error });
  assert.deepEqual(await w.channel.proxy.addHost('10.0.0.7'), { ok: false, error });
  assert.deepEqual(await w.channel.proxy.listHosts(), []);
});

test('dispose stops the worker and settles calls still waiting', async (t) => {
  const w = world({ gated: true });
  t.after(() => w.channel.close());
  const waiting = w.channel.proxy.addHost('10.0.0.7');
  w.channel.proxy.dispose();
  assert.equal(w.channel.terminated(), true);
  const r = await waiting;
  assert.equal(r.ok ? 'ok' : r.error.kind, 'internal');
  const after = await w.channel.proxy.wake(ID);
  assert.equal(after.ok ? 'ok' : after.error.kind, 'internal');
  assert.deepEqual(w.channel.sentByProxy.map((m) => (m as { kind: string }).kind), ['init', 'request', 'dispose']);
});

test('messages that do not follow the protocol are ignored by both sides', async (t) => {
  const w = world();
  t.after(() => w.channel.close());
  w.channel.postToWorker({ kind: 'request', id: -1, call: { kind: 'addHost' } });
  w.channel.postToWorker('hello');
  w.channel.postToProxy({ kind: 'response', id: 1, call: 'addHost', result: { ok: true, value: { id: 5 } } });
  w.channel.postToProxy({ kind: 'event', event: { kind: 'hosts-changed', hosts: 'all' } });
  const added = await w.channel.proxy.addHost('10.0.0.7');
  assert.ok(added.ok, JSON.stringify(added));
  assert.equal(added.value.id, ID);
});

test('a saved PC that cannot be read is reported to the UI, and the others still load', async (t) => {
  const good = '{"v":1,"id":"good","uniqueId":"good","name":"Good PC","address":"10.0.0.7","httpsPort":47984,"mac":null,"localAddress":null,"pinnedCertDer":null}';
  const w = world({ gated: true, storedHosts: { 'hosts/good': good, 'hosts/bad': '{"v":1,' } });
  t.after(() => w.channel.close());
  const problem = nextEvent(w.channel.proxy, (e) => e.kind === 'problem');
  w.openGate();
  const event = await problem;
  assert.ok(event.kind === 'problem' && event.error.kind === 'storage');
  assert.match(event.error.detail, /hosts\/bad/);
  assert.deepEqual((await w.channel.proxy.listHosts()).map((h) => h.name), ['Good PC']);
});
