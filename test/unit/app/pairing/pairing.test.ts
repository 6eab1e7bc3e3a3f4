import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePin, pairWithHost, PIN_WAIT_MAX_MS } from '../../../../src/app/pairing/pairing.ts';
import { createCancelSource } from '../../../../src/lib/cancel.ts';
import { bytesToHex } from '../../../../src/lib/hex.ts';
import type { PairingStage, ServiceError } from '../../../../src/app/services.ts';
import type { Core } from '../../../../wasm/core.ts';
import type { HostEndpoint, NvHttpContext } from '../../../../src/nvhttp/nvhttp-client.ts';
import { createFakeClock, createFakePlatform, createMemoryStorage, createScriptedSockets, settle, type FakeClock, type ScriptedSockets } from '../../nvhttp/fake-platform.fake.ts';
import { createNodeCryptoCore, makeClientIdentity } from '../../nvhttp/node-crypto-core.fake.ts';
import { createPairingHost, HTTP_PORT, HTTPS_PORT, type PairingHost, type PairingHostOptions } from './scripted-pairing-host.fake.ts';

const SEED = Number(process.env['PAIRING_TEST_SEED'] ?? 7);
const PIN = '4821';
const STEP_TIMEOUT_MS = 5000;
// One client identity for the whole file: RSA key generation is the slow part.
const identity = makeClientIdentity();

interface Harness {
  host: PairingHost;
  clock: FakeClock;
  sockets: ScriptedSockets;
  storage: ReturnType<typeof createMemoryStorage>;
  ctx: NvHttpContext;
  endpoint: HostEndpoint;
  stages: PairingStage[];
}

function harness(options: PairingHostOptions = {}): Harness {
  const host = createPairingHost(options);
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, (req) => host.handle(req));
  const storage = createMemoryStorage();
  const platform = createFakePlatform({ clock, sockets, seed: SEED, storage });
  const ctx: NvHttpContext = { platform, core: createNodeCryptoCore() as Core, identity, openTls: host.openTls };
  return { host, clock, sockets, storage, ctx, endpoint: { address: '192.168.1.20', httpPort: HTTP_PORT, httpsPort: HTTPS_PORT, pinnedCertDer: null }, stages: [] };
}

function pair(h: Harness, pin = PIN, cancel = createCancelSource().signal) {
  return pairWithHost(h.ctx, h.endpoint, { pin, onStage: (s) => h.stages.push(s), cancel, stepTimeoutMs: STEP_TIMEOUT_MS });
}

function pathsOf(h: Harness): string[] {
  return h.host.requests.map((r) => {
    const q = new URL(`http://x${r.target}`).searchParams;
    const what = q.get('phrase') ?? ['clientchallenge', 'serverchallengeresp', 'clientpairingsecret'].find((k) => q.has(k)) ?? '';
    return `${r.port === HTTPS_PORT ? 'https' : 'http'} ${new URL(`http://x${r.target}`).pathname}${what === '' ? '' : ` ${what}`}`;
  });
}

function assertFailedCleanly(h: Harness, result: Awaited<ReturnType<typeof pair>>, expected: ServiceError): void {
  assert.deepEqual(result, { ok: false, error: expected });
  assert.equal(h.host.pairedCerts.length, 0, 'the host stored no certificate');
  assert.equal(h.host.unpairCalls, 1, 'the client sent /unpair');
  assert.equal(h.storage.data.size, 0, 'nothing persisted');
  assert.ok(h.sockets.connections.every((c) => c.closed), 'every socket closed');
}

test('pairing with a Sunshine host succeeds, pins the host certificate and reads HTTPS serverinfo', async () => {
  const h = harness({ autoPin: PIN });
  const result = await pair(h);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(bytesToHex(result.value.serverCertDer), bytesToHex(h.host.certDer));
  assert.equal(result.value.serverInfo.paired, true);
  assert.equal(result.value.serverInfo.mac, '11:22:33:44:55:66');
  assert.deepEqual(h.stages, ['waiting-for-pin', 'challenge', 'exchanging-secrets', 'confirming']);
  assert.deepEqual(pathsOf(h), ['http /serverinfo', 'http /pair getservercert', 'http /pair clientchallenge', 'http /pair serverchallengeresp', 'http /pair clientpairingsecret', 'https /pair pairchallenge', 'https /serverinfo']);
  assert.equal(h.host.pairedCerts.length, 1);
  assert.equal(bytesToHex(h.host.pairedCerts[0] ?? new Uint8Array(0)), bytesToHex(identity.certDer));
  assert.equal(h.host.unpairCalls, 0);
  assert.equal(h.storage.data.size, 0, 'pairing itself persists nothing');
  assert.ok(h.sockets.connections.every((c) => c.closed));
});

test('every pairing request carries our uniqueid, a fresh uuid, and phase 1 our certificate as hex PEM', async () => {
  const h = harness({ autoPin: PIN });
  assert.ok((await pair(h)).ok);
  const queries = h.host.requests.map((r) => new URL(`http://x${r.target}`).searchParams);
  assert.ok(queries.every((q) => q.get('uniqueid') === identity.uniqueId));
  const uuids = queries.map((q) => q.get('uuid') ?? '');
  assert.ok(uuids.every((u) => /^[0-9a-f]{32}$/.test(u)));
  assert.equal(new Set(uuids).size, uuids.length);
  const phase1 = queries[1];
  assert.equal(phase1?.get('clientcert'), bytesToHex(new TextEncoder().encode(identity.certPem)));
  assert.match(phase1?.get('salt') ?? '', /^[0-9a-f]{32}$/);
  assert.ok(queries.slice(1, 6).every((q) => q.get('devicename') === 'roth' && q.get('updateState') === '1'));
});

test('an older host (appversion 5) pairs with SHA-1 and zero-padded hashes', async () => {
  const h = harness({ autoPin: PIN, appVersion: '5.0.4.0' });
  const result = await pair(h);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(h.host.pairedCerts.length, 1);
});

test('a PIN typed wrong on the PC fails with wrong-pin, after phase 4 lets the host drop its pairing session', async () => {
  const h = harness({ autoPin: '1111' });
  const result = await pair(h);
  assertFailedCleanly(h, result, { kind: 'wrong-pin' });
  assert.ok(pathsOf(h).includes('http /pair clientpairingsecret'));
  assert.ok(!pathsOf(h).some((p) => p.includes('pairchallenge')));
});

test('a stale pairing session on the host (400 out of order at phase 1) is retried once and pairing succeeds', async () => {
  const h = harness({ autoPin: PIN, staleSessionOnce: true });
  const result = await pair(h);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(pathsOf(h).filter((p) => p === 'http /pair getservercert').length, 2);
  assert.deepEqual(h.stages.slice(0, 2), ['waiting-for-pin', 'waiting-for-pin']);
  assert.equal(h.host.pairedCerts.length, 1);
});

test('a pairing secret not signed by plaincert’s key is refused as a man in the middle', async () => {
  const h = harness({ autoPin: PIN, mitm: true });
  assertFailedCleanly(h, await pair(h), { kind: 'man-in-the-middle' });
  assert.ok(!pathsOf(h).some((p) => p.includes('clientpairingsecret')));
});

test('a host that refuses our proof in phase 4 although the PIN matched is treated as a man in the middle', async () => {
  const h = harness({ autoPin: PIN, refuseAtPhase: 4 });
  assertFailedCleanly(h, await pair(h), { kind: 'man-in-the-middle' });
});

test('phase 1 without plaincert means another pairing is in progress', async () => {
  const h = harness({ autoPin: PIN, busy: true });
  assertFailedCleanly(h, await pair(h), { kind: 'pairing-in-progress' });
});

for (const phase of [1, 2, 3]) {
  test(`paired=0 at phase ${phase} fails as a host error`, async () => {
    const h = harness({ autoPin: PIN, refuseAtPhase: phase });
    assertFailedCleanly(h, await pair(h), { kind: 'host-error', code: 200, message: `the PC refused pairing at step ${phase}` });
  });
}

test('paired=0 at phase 5 fails as a host error', async () => {
  const h = harness({ autoPin: PIN, refuseAtPhase: 5 });
  const result = await pair(h);
  assert.deepEqual(result, { ok: false, error: { kind: 'host-error', code: 200, message: 'the PC refused pairing at step 5' } });
  assert.equal(h.host.unpairCalls, 1);
});

test("Sunshine's 400 Out of order call is a host error with its message", async () => {
  const h = harness({ autoPin: PIN, outOfOrderAtPhase: 2 });
  assertFailedCleanly(h, await pair(h), { kind: 'host-error', code: 400, message: 'Out of order call to phase 2' });
});

test('a host that still answers XML 401 over HTTPS after phase 4 leaves us not paired', async () => {
  const h = harness({ autoPin: PIN, forgetOnHttps: true });
  const result = await pair(h);
  assert.deepEqual(result, { ok: false, error: { kind: 'not-paired' } });
  assert.equal(h.host.unpairCalls, 1);
  assert.equal(h.storage.data.size, 0);
});

test('a TLS certificate other than plaincert fails phase 5 at the TLS layer', async () => {
  const h = harness({ autoPin: PIN, tlsCertChanged: true });
  const result = await pair(h);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'tls');
  assert.equal(h.host.unpairCalls, 1);
});

test('a plaincert that is not a certificate is a malformed reply', async () => {
  const h = harness({ autoPin: PIN, garbledPlaincert: true });
  const result = await pair(h);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'malformed-reply');
  assert.equal(h.host.unpairCalls, 1);
});

test('a challengeresponse shorter than hash + challenge is a malformed reply', async () => {
  const h = harness({ autoPin: PIN, shortChallengeResponse: true });
  const result = await pair(h);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'malformed-reply');
});

test('pairing waits for the PIN without a step timeout, then completes', async () => {
  const h = harness();
  const pending = pair(h);
  await settle(50);
  h.clock.advance(4 * 60 * 1000); // far beyond stepTimeoutMs: a person is walking to the PC
  await settle(50);
  assert.deepEqual(h.stages, ['waiting-for-pin']);
  h.host.enterPin(PIN);
  const result = await pending;
  assert.ok(result.ok, JSON.stringify(result));
});

test('a PIN never entered ends with a timeout after the overall cap', async () => {
  const h = harness();
  const pending = pair(h);
  await settle(50);
  h.clock.advance(PIN_WAIT_MAX_MS - 1);
  await settle(50);
  assert.equal(h.host.unpairCalls, 0, 'still waiting just before the cap');
  h.clock.advance(1);
  const result = await pending;
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'timeout');
  assert.ok(h.sockets.connections.every((c) => c.closed));
});

test('cancel while waiting for the PIN ends with cancelled, sends /unpair and closes every socket', async () => {
  const h = harness();
  const source = createCancelSource();
  const pending = pair(h, PIN, source.signal);
  await settle(50);
  assert.deepEqual(h.stages, ['waiting-for-pin']);
  source.cancel();
  const result = await pending;
  assert.deepEqual(result, { ok: false, error: { kind: 'cancelled' } });
  assert.equal(h.host.unpairCalls, 1);
  assert.ok(h.sockets.connections.every((c) => c.closed));
  assert.equal(h.clock.pendingTimers(), 0, 'no timer left behind');
});

test('cancel while reading serverinfo, before any pairing request, ends at once without /unpair', async () => {
  const h = harness({ hangServerInfo: true });
  const source = createCancelSource();
  const pending = pair(h, PIN, source.signal);
  await settle(50);
  source.cancel();
  assert.deepEqual(await pending, { ok: false, error: { kind: 'cancelled' } });
  assert.equal(h.host.unpairCalls, 0);
  assert.deepEqual(h.stages, []);
  assert.ok(h.sockets.connections.every((c) => c.closed));
});

test('a host that stops answering in phase 2 times out after the step timeout', async () => {
  const h = harness({ autoPin: PIN, hangAtPhase2: true });
  const pending = pair(h);
  await settle(200);
  h.clock.advance(STEP_TIMEOUT_MS);
  const result = await pending;
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'timeout');
  assert.equal(h.host.unpairCalls, 1);
});

test('an unreachable host fails at once, before any pairing request', async () => {
  const h = harness({ autoPin: PIN });
  h.sockets.refusedPorts.add(HTTP_PORT);
  const result = await pair(h);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'unreachable');
  assert.equal(h.host.requests.length, 0);
});

test('a PIN that is not 4 digits is refused before any request', async () => {
  const h = harness({ autoPin: PIN });
  const result = await pair(h, '12345');
  assert.ok(!result.ok);
  assert.equal(h.host.requests.length, 0);
});

test('generatePin maps 16-bit draws to 0000-9999 and rejects draws of 60000 and above', () => {
  const draws = [
    [0xea, 0x60], // 60000: rejected
    [0xff, 0xff], // 65535: rejected
    [0x00, 0x05], // 5
  ];
  let i = 0;
  const entropy = { randomBytes: (n: number) => new Uint8Array(draws[i++] ?? new Array<number>(n).fill(0)) };
  assert.equal(generatePin(entropy), '0005');
  const one = (bytes: number[]) => generatePin({ randomBytes: () => new Uint8Array(bytes) });
  assert.equal(one([0xea, 0x5f]), '9999'); // 59999
  assert.equal(one([0x27, 0x10]), '0000'); // 10000
  assert.equal(one([0x30, 0x39]), '2345'); // 12345
});

test('generatePin gives every leading digit about equally often', () => {
  let state = SEED;
  const entropy = {
    randomBytes: (n: number) =>
      Uint8Array.from({ length: n }, () => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return state >>> 24;
      }),
  };
  const counts = new Array<number>(10).fill(0);
  const draws = 20000;
  for (let k = 0; k < draws; k += 1) {
    const pin = generatePin(entropy);
    assert.match(pin, /^\d{4}$/);
    counts[Number(pin[0])] = (counts[Number(pin[0])] ?? 0) + 1;
  }
  // Taking every 16-bit value modulo 10000 would give digits 0-5 about 1.2 times the share of 6-9.
  for (const c of counts) assert.ok(Math.abs(c - draws / 10) < draws / 10 * 0.08, `counts ${counts.join(',')} (seed ${SEED})`);
});
