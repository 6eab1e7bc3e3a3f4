// The services as the UI sees them: the proxy on one end of a MessageChannel, the worker logic
// on the other, booting the real services on the Node platform (real sockets, real core.wasm)
// against the host simulator on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootServices } from '../../../src/app/worker/boot-services.ts';
import type { BootServices } from '../../../src/app/worker/serve-services.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { generateIdentity, type HostIdentity } from '../../hostsim/host-identity.ts';
import { connect, nextEvent, type Channel } from '../../unit/app/worker/worker-channel.fake.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url).pathname;
// Bounds each wait; never reached when things work.
const EVENT_WAIT_MS = 30_000;
const PNG_SIGNATURE = '89504e470d0a1a0a';

let workDir = '';
let hostIdentity: HostIdentity;
const sims: HostSim[] = [];
const channels: Channel[] = [];

function bootOn(stateDir: string): BootServices {
  return (_init, onStage) => bootServices(createNodePlatform({ stateDir, coreWasmPath: CORE_WASM }), onStage);
}

function open(stateDir: string): Channel {
  const channel = connect(bootOn(stateDir));
  channels.push(channel);
  return channel;
}

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'services-worker-it-'));
  hostIdentity = generateIdentity();
});

after(async () => {
  for (const channel of channels) {
    channel.proxy.dispose();
    channel.close();
  }
  for (const sim of sims) await sim.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('add, pair with a random PIN, list apps, get box art, unpair and remove, all through the worker', async () => {
  const sim = await startHostSim({ httpPort: 0, identity: hostIdentity, hostName: 'sim-pc' });
  sims.push(sim);
  const { proxy } = open(mkdtempSync(join(workDir, 'state-')));
  await nextEvent(proxy, (e) => e.kind === 'startup' && e.stage === 'ready', EVENT_WAIT_MS);

  const added = await proxy.addHost(`127.0.0.1:${sim.httpPort}`);
  assert.ok(added.ok, JSON.stringify(added));
  assert.equal(added.value.id, sim.uniqueId);
  assert.equal(added.value.name, 'sim-pc');
  assert.equal(added.value.paired, false);

  const handle = await proxy.pair(sim.uniqueId);
  assert.ok(handle.ok, JSON.stringify(handle));
  assert.match(handle.value.pin, /^\d{4}$/);
  await sim.waitForEvent((e) => e.kind === 'pin-pending', EVENT_WAIT_MS);
  assert.equal(sim.enterPin(handle.value.pin, 'worker test'), true);
  assert.deepEqual(await handle.value.done, { ok: true, value: undefined });

  const [host] = await proxy.listHosts();
  assert.equal(host?.paired, true);
  assert.equal(host?.reachability, 'online');

  const apps = await proxy.apps(sim.uniqueId);
  assert.ok(apps.ok, JSON.stringify(apps));
  assert.deepEqual(apps.value.map((a) => ({ id: a.id, title: a.title })), sim.apps().map((a) => ({ id: a.id, title: a.title })));

  const firstApp = apps.value[0];
  assert.ok(firstApp !== undefined);
  const art = await proxy.boxArt(sim.uniqueId, firstApp.id);
  assert.ok(art.ok, JSON.stringify(art));
  assert.equal(Buffer.from(art.value.subarray(0, 8)).toString('hex'), PNG_SIGNATURE);

  assert.deepEqual(await proxy.unpair(sim.uniqueId), { ok: true, value: undefined });
  assert.equal((await proxy.listHosts())[0]?.paired, false);
  assert.deepEqual(await proxy.apps(sim.uniqueId), { ok: false, error: { kind: 'not-paired' } });

  assert.deepEqual(await proxy.removeHost(sim.uniqueId), { ok: true, value: undefined });
  assert.deepEqual(await proxy.listHosts(), []);
});

test('a paired host is still listed as paired by a new worker on the same state', async () => {
  const sim = await startHostSim({ httpPort: 0, identity: hostIdentity, hostName: 'sim-pc' });
  sims.push(sim);
  const stateDir = mkdtempSync(join(workDir, 'state-'));
  const first = open(stateDir).proxy;
  assert.ok((await first.addHost(`127.0.0.1:${sim.httpPort}`)).ok);
  const handle = await first.pair(sim.uniqueId, '2468');
  assert.ok(handle.ok);
  await sim.waitForEvent((e) => e.kind === 'pin-pending', EVENT_WAIT_MS);
  sim.enterPin('2468');
  assert.ok((await handle.value.done).ok);
  first.dispose();

  const second = open(stateDir).proxy;
  const [host] = await second.listHosts();
  assert.equal(host?.id, sim.uniqueId);
  assert.equal(host?.paired, true);
  const apps = await second.apps(sim.uniqueId);
  assert.ok(apps.ok, JSON.stringify(apps));
});
