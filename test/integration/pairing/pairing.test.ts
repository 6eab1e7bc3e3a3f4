// Pairing and the nvhttp client against the host simulator on loopback, with the Node
// platform's real sockets and the real core.wasm (BearSSL for HTTPS and the pairing crypto).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { createNodePlatform } from '../../../src/platform/node/node-platform.ts';
import { loadOrCreateIdentity, type ClientIdentity } from '../../../src/app/identity/identity.ts';
import { pemToDer } from '../../../src/app/identity/x509.ts';
import { pairWithHost } from '../../../src/app/pairing/pairing.ts';
import { createCancelSource } from '../../../src/lib/cancel.ts';
import { bytesToHex } from '../../../src/lib/hex.ts';
import { getAppList, getBoxArt, getServerInfo, type HostEndpoint, type NvHttpContext } from '../../../src/nvhttp/nvhttp-client.ts';
import type { PairingStage } from '../../../src/app/services.ts';
import type { Platform } from '../../../src/platform/platform.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { generateIdentity, type HostIdentity } from '../../hostsim/host-identity.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url);
const PIN = '5190';
const STEP_TIMEOUT_MS = 5000;
// Bounds each wait for the simulator's events; never reached when things work.
const EVENT_WAIT_MS = 10_000;
const PNG_SIGNATURE = '89504e470d0a1a0a';

let stateDir = '';
let platform: Platform;
let core: Core;
let identity: ClientIdentity;
let hostIdentity: HostIdentity;
const sims: HostSim[] = [];
const servers: Server[] = [];

before(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'pairing-it-'));
  platform = createNodePlatform({ stateDir, coreWasmPath: CORE_WASM.pathname });
  const loaded = await loadCore(new Uint8Array(readFileSync(CORE_WASM)));
  if (!loaded.ok) throw new Error(`core.wasm: ${loaded.error.detail} (build it with bash native/build.sh)`);
  core = loaded.value;
  const id = await loadOrCreateIdentity(platform, core);
  if (!id.ok) throw new Error(JSON.stringify(id.error));
  identity = id.value;
  // One host key for every simulator: key generation is the slow part of starting one.
  hostIdentity = generateIdentity();
});

after(async () => {
  for (const sim of sims) await sim.close();
  for (const server of servers) server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function startSim(): Promise<{ sim: HostSim; host: HostEndpoint; ctx: NvHttpContext }> {
  const sim = await startHostSim({ httpPort: 0, identity: hostIdentity, hostName: 'sim-pc' });
  sims.push(sim);
  return { sim, host: { address: '127.0.0.1', httpPort: sim.httpPort, httpsPort: sim.httpsPort, pinnedCertDer: null }, ctx: { platform, core, identity } };
}

async function storageSnapshot(): Promise<string> {
  const keys = await platform.storage.keys('');
  assert.ok(keys.ok);
  const entries: string[] = [];
  for (const key of keys.value.sort()) entries.push(`${key}=${JSON.stringify(await platform.storage.get(key))}`);
  return entries.join('\n');
}

/** Pairs, typing `typedPin` into the simulator once it holds the PIN request. */
async function pairTyping(sim: HostSim, host: HostEndpoint, ctx: NvHttpContext, typedPin: string | null, stages: PairingStage[] = []) {
  const pending = pairWithHost(ctx, host, { pin: PIN, onStage: (s) => stages.push(s), cancel: createCancelSource().signal, stepTimeoutMs: STEP_TIMEOUT_MS });
  if (typedPin !== null) {
    await sim.waitForEvent((e) => e.kind === 'pin-pending', EVENT_WAIT_MS);
    assert.equal(sim.enterPin(typedPin, 'Living room TV'), true);
  }
  return pending;
}

/** A TCP server on loopback that accepts connections and never writes a byte. */
async function startSilentServer(): Promise<number> {
  const held: Socket[] = [];
  const server = createServer((socket) => held.push(socket));
  server.on('close', () => held.forEach((s) => s.destroy()));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

test('pairing succeeds; then HTTPS serverinfo says paired, the app list works and box art is a PNG', async () => {
  const { sim, host, ctx } = await startSim();
  const before = await storageSnapshot();
  const stages: PairingStage[] = [];
  const result = await pairTyping(sim, host, ctx, PIN, stages);
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(stages, ['waiting-for-pin', 'challenge', 'exchanging-secrets', 'confirming']);
  const simCert = pemToDer(sim.certPem, 'CERTIFICATE');
  assert.ok(simCert.ok);
  assert.equal(bytesToHex(result.value.serverCertDer), bytesToHex(simCert.value));
  assert.equal(result.value.serverInfo.paired, true);
  assert.equal(result.value.serverInfo.uniqueId, sim.uniqueId);
  assert.equal(sim.pairedClients().length, 1);
  assert.equal(sim.pairedClients()[0]?.certPem.trim(), identity.certPem.trim());
  assert.equal(await storageSnapshot(), before, 'pairing itself stores nothing');

  const pinned: HostEndpoint = { ...host, pinnedCertDer: result.value.serverCertDer };
  const info = await getServerInfo(ctx, pinned, { secure: true, timeoutMs: STEP_TIMEOUT_MS });
  assert.ok(info.ok, JSON.stringify(info));
  assert.equal(info.value.paired, true);
  assert.equal(info.value.secure, true);
  const apps = await getAppList(ctx, pinned, STEP_TIMEOUT_MS);
  assert.ok(apps.ok, JSON.stringify(apps));
  assert.ok(apps.value.length > 0);
  assert.deepEqual(apps.value.map((a) => a.id), sim.apps().map((a) => a.id));
  const firstApp = apps.value[0];
  assert.ok(firstApp !== undefined);
  const art = await getBoxArt(ctx, pinned, firstApp.id, STEP_TIMEOUT_MS);
  assert.ok(art.ok, JSON.stringify(art));
  assert.equal(bytesToHex(art.value.subarray(0, 8)), PNG_SIGNATURE);
});

test('a wrong PIN fails cleanly: wrong-pin, the simulator stores nothing, our storage is unchanged', async () => {
  const { sim, host, ctx } = await startSim();
  const before = await storageSnapshot();
  const result = await pairTyping(sim, host, ctx, '0000');
  assert.deepEqual(result, { ok: false, error: { kind: 'wrong-pin' } });
  assert.equal(sim.pairedClients().length, 0);
  assert.equal(await storageSnapshot(), before);
  assert.ok(sim.events().some((e) => e.kind === 'request' && e.path === '/unpair'), 'the client sent /unpair');
});

test('after a wrong PIN, the next attempt pairs with the PIN typed once (no stale session on the host)', async () => {
  const { sim, host, ctx } = await startSim();
  const first = await pairTyping(sim, host, ctx, '0000');
  assert.deepEqual(first, { ok: false, error: { kind: 'wrong-pin' } });
  const pinPending = new Promise<void>((resolve) => {
    const stop = sim.onEvent((e) => {
      if (e.kind !== 'pin-pending') return;
      stop();
      resolve();
    });
  });
  const second = pairWithHost(ctx, host, { pin: PIN, onStage: () => {}, cancel: createCancelSource().signal, stepTimeoutMs: STEP_TIMEOUT_MS });
  await pinPending;
  assert.equal(sim.enterPin(PIN, 'Living room TV'), true);
  const result = await second;
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(sim.pairedClients().length, 1);
});

test('a host whose pairing secret is not signed by its certificate is refused as a man in the middle', async () => {
  const { sim, host, ctx } = await startSim();
  sim.setMisbehaviour({ mitm: true });
  const result = await pairTyping(sim, host, ctx, PIN);
  assert.deepEqual(result, { ok: false, error: { kind: 'man-in-the-middle' } });
  assert.equal(sim.pairedClients().length, 0);
  assert.ok(!sim.events().some((e) => e.kind === 'request' && e.phase === 'clientpairingsecret'), 'our pairing secret was never sent');
});

test('a host already pairing another client answers pairing-in-progress', async () => {
  const { sim, host, ctx } = await startSim();
  sim.setMisbehaviour({ busyPairing: true });
  const result = await pairTyping(sim, host, ctx, null);
  assert.deepEqual(result, { ok: false, error: { kind: 'pairing-in-progress' } });
  assert.equal(sim.pairedClients().length, 0);
});

test('a closed port is unreachable, without waiting for any timeout', async () => {
  const { ctx } = await startSim();
  const port = await freePort();
  const host: HostEndpoint = { address: '127.0.0.1', httpPort: port, httpsPort: port, pinnedCertDer: null };
  // Timeouts far above the test's own: a timeout path would show as 'timeout', not 'unreachable'.
  const info = await getServerInfo(ctx, host, { secure: false, timeoutMs: 600_000 });
  assert.ok(!info.ok);
  assert.equal(info.error.kind, 'unreachable');
  const paired = await pairWithHost(ctx, host, { pin: PIN, onStage: () => {}, cancel: createCancelSource().signal, stepTimeoutMs: 600_000 });
  assert.ok(!paired.ok);
  assert.equal(paired.error.kind, 'unreachable');
});

test('a host that accepts but never answers times out with a clear message', async () => {
  const { ctx } = await startSim();
  const port = await startSilentServer();
  const host: HostEndpoint = { address: '127.0.0.1', httpPort: port, httpsPort: port, pinnedCertDer: null };
  const info = await getServerInfo(ctx, host, { secure: false, timeoutMs: 300 });
  assert.deepEqual(info, { ok: false, error: { kind: 'timeout', detail: `127.0.0.1:${port}: the host accepted the connection but sent no answer within 300 ms` } });
});

test('cancel while waiting for the PIN ends with cancelled and the host pairs nobody', async () => {
  const { sim, host, ctx } = await startSim();
  const source = createCancelSource();
  const pending = pairWithHost(ctx, host, { pin: PIN, onStage: () => {}, cancel: source.signal, stepTimeoutMs: STEP_TIMEOUT_MS });
  await sim.waitForEvent((e) => e.kind === 'pin-pending', EVENT_WAIT_MS);
  source.cancel();
  assert.deepEqual(await pending, { ok: false, error: { kind: 'cancelled' } });
  // The person types the PIN after all: the client is gone, nothing gets paired.
  sim.enterPin(PIN);
  assert.equal(sim.pairedClients().length, 0);
});

test('malformed XML from the host is a malformed reply, for serverinfo and for pairing', async () => {
  const { sim, host, ctx } = await startSim();
  sim.setMisbehaviour({ malformedXml: true });
  const info = await getServerInfo(ctx, host, { secure: false, timeoutMs: STEP_TIMEOUT_MS });
  assert.ok(!info.ok);
  assert.equal(info.error.kind, 'malformed-reply');
  const paired = await pairWithHost(ctx, host, { pin: PIN, onStage: () => {}, cancel: createCancelSource().signal, stepTimeoutMs: STEP_TIMEOUT_MS });
  assert.ok(!paired.ok);
  assert.equal(paired.error.kind, 'malformed-reply');
});

test('an oversized answer is refused as too large', async () => {
  const { sim, host, ctx } = await startSim();
  sim.setMisbehaviour({ oversizedBytes: 4 * 1024 * 1024 });
  const info = await getServerInfo(ctx, host, { secure: false, timeoutMs: STEP_TIMEOUT_MS });
  assert.ok(!info.ok);
  assert.equal(info.error.kind, 'malformed-reply');
  if (info.error.kind === 'malformed-reply') assert.match(info.error.detail, /answer too large/);
});

test('HTTPS app list without pairing is not-paired', async () => {
  const { sim, host, ctx } = await startSim();
  const simCert = pemToDer(sim.certPem, 'CERTIFICATE');
  assert.ok(simCert.ok);
  const pinned: HostEndpoint = { ...host, pinnedCertDer: simCert.value };
  assert.deepEqual(await getAppList(ctx, pinned, STEP_TIMEOUT_MS), { ok: false, error: { kind: 'not-paired' } });
  assert.deepEqual(await getServerInfo(ctx, pinned, { secure: true, timeoutMs: STEP_TIMEOUT_MS }), { ok: false, error: { kind: 'not-paired' } });
});

test('after the host removes the client, HTTPS answers not-paired again', async () => {
  const { sim, host, ctx } = await startSim();
  const result = await pairTyping(sim, host, ctx, PIN);
  assert.ok(result.ok, JSON.stringify(result));
  sim.unpairAll();
  const pinned: HostEndpoint = { ...host, pinnedCertDer: result.value.serverCertDer };
  assert.deepEqual(await getServerInfo(ctx, pinned, { secure: true, timeoutMs: STEP_TIMEOUT_MS }), { ok: false, error: { kind: 'not-paired' } });
});

test('a pinned certificate that is not the host’s fails at the TLS layer', async () => {
  const { host, ctx } = await startSim();
  const other = pemToDer(generateIdentity().certPem, 'CERTIFICATE');
  assert.ok(other.ok);
  const info = await getServerInfo(ctx, { ...host, pinnedCertDer: other.value }, { secure: true, timeoutMs: STEP_TIMEOUT_MS });
  assert.ok(!info.ok);
  assert.equal(info.error.kind, 'tls');
});
