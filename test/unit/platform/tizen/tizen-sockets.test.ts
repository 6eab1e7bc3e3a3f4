// The Tizen platform's sockets, run against the rule-enforcing fake of the Sockets
// Extension on virtual time. Every test also checks that no rule of the API was broken.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeRuleViolation,
  createFakeTizen,
  echoPeer,
  greetingPeer,
  silentPeer,
  stalledPeer,
  udpEchoPeer,
  type FakeTizen,
  type FakeTizenOptions,
} from '../../../fakes/tizen/sockets-manager.fake.ts';
import { createTizenPlatform } from '../../../../src/platform/tizen/tizen-platform.ts';
import { parseTizenTvWasm } from '../../../../src/platform/tizen/tizen-socket-calls.ts';
import type { Sockets, TcpConnection } from '../../../../src/platform/platform.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function setup(t: TestContext, options: FakeTizenOptions = {}): { fake: FakeTizen; sockets: Sockets } {
  const fake = createFakeTizen(options);
  const platform = createTizenPlatform({
    coreWasmUrl: 'unused',
    tizentvwasm: fake.tizentvwasm,
    workerLoop: { nowMs: fake.nowMs, yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)) },
  });
  t.after(() => assert.deepEqual(fake.violations, [], 'the platform broke a rule of the Sockets Extension'));
  return { fake, sockets: platform.sockets };
}

async function connected(sockets: Sockets, host: string, port: number): Promise<TcpConnection> {
  const r = await sockets.connectTcp(host, port, 1000);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
  return r.value;
}

test('bytes written to an echo peer come back through read', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 47984, echoPeer);
  const conn = await connected(sockets, '10.0.0.2', 47984);
  assert.deepEqual(await conn.write(hex('474554202f736572766572696e666f')), { ok: true, value: undefined });
  const r = await conn.read(1000);
  assert.ok(r.ok && r.value !== null);
  assert.equal(toHex(r.value), '474554202f736572766572696e666f');
  conn.close();
  assert.deepEqual(fake.openSocketIds(), []);
});

test('a connection that takes a while to complete is waited for across several polls', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 47984, echoPeer, { acceptAfterMs: 120 });
  const conn = await connected(sockets, '10.0.0.2', 47984);
  assert.ok(fake.nowMs() >= 120);
  conn.close();
});

test('a large write goes out whole, over many partial sends, and in order', async (t) => {
  const { fake, sockets } = setup(t);
  const received: Uint8Array[] = [];
  fake.network.listenTcp('10.0.0.2', 1, (conn) => {
    conn.onData = (bytes) => received.push(bytes);
  });
  const conn = await connected(sockets, '10.0.0.2', 1);
  const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
  const [a, b] = await Promise.all([conn.write(payload), conn.write(hex('ffee'))]);
  assert.ok(a.ok && b.ok);
  const all = Buffer.concat(received);
  assert.equal(all.length, 100_002);
  assert.ok(all.subarray(0, 100_000).equals(Buffer.from(payload)));
  assert.equal(all.subarray(100_000).toString('hex'), 'ffee', 'a second write waits for the first');
  conn.close();
});

test('when the peer sends and closes, read gives the bytes, then null; writes then fail with closed', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 1, greetingPeer(hex('cafebabe'), 'close'));
  const conn = await connected(sockets, '10.0.0.2', 1);
  const first = await conn.read(1000);
  assert.ok(first.ok && first.value !== null && toHex(first.value) === 'cafebabe');
  assert.deepEqual(await conn.read(1000), { ok: true, value: null });
  assert.deepEqual(await conn.read(1000), { ok: true, value: null });
  const w = await conn.write(hex('00'));
  assert.ok(!w.ok && w.error.kind === 'closed');
  conn.close();
});

test('a read with nothing arriving fails with timeout once its time has passed, without blocking the worker', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 1, silentPeer);
  const conn = await connected(sockets, '10.0.0.2', 1);
  const before = fake.nowMs();
  const r = await conn.read(500);
  assert.ok(!r.ok && r.error.kind === 'timeout');
  assert.ok(fake.nowMs() - before >= 500);
  conn.close();
});

test('a reset by the peer fails the read with closed', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 1, greetingPeer(hex('01'), 'reset'));
  const conn = await connected(sockets, '10.0.0.2', 1);
  const r = await conn.read(1000);
  assert.ok(!r.ok && r.error.kind === 'closed');
  conn.close();
});

test('connecting where nobody listens fails with unreachable and leaves no socket open', async (t) => {
  const { fake, sockets } = setup(t);
  const r = await sockets.connectTcp('10.0.0.2', 47989, 1000);
  assert.ok(!r.ok && r.error.kind === 'unreachable' && /ECONNREFUSED/.test(r.error.detail));
  assert.deepEqual(fake.openSocketIds(), []);
});

test('an unreachable host fails with unreachable', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.unreachableHost('10.9.9.9', 300);
  const r = await sockets.connectTcp('10.9.9.9', 47989, 1000);
  assert.ok(!r.ok && r.error.kind === 'unreachable' && /EHOSTUNREACH/.test(r.error.detail));
});

test('a host that never answers fails with timeout after the connect timeout', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.blackholeTcp('10.0.0.3', 47989);
  const r = await sockets.connectTcp('10.0.0.3', 47989, 700);
  assert.ok(!r.ok && r.error.kind === 'timeout');
  assert.ok(fake.nowMs() >= 700);
  assert.deepEqual(fake.openSocketIds(), []);
});

test('a write to a peer that stopped reading fails with timeout instead of hanging', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 1, stalledPeer);
  const conn = await connected(sockets, '10.0.0.2', 1);
  const w = await conn.write(new Uint8Array(200_000));
  assert.ok(!w.ok && w.error.kind === 'timeout');
  conn.close();
});

test('close is idempotent; a pending read ends with closed and later calls fail with closed', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('10.0.0.2', 1, silentPeer);
  const conn = await connected(sockets, '10.0.0.2', 1);
  const pending = conn.read(5000);
  conn.close();
  conn.close();
  const r = await pending;
  assert.ok(!r.ok && r.error.kind === 'closed');
  const w = await conn.write(hex('00'));
  assert.ok(!w.ok && w.error.kind === 'closed');
  assert.deepEqual(fake.openSocketIds(), []);
});

test('IPv6 literals and host names reach the right peer', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.listenTcp('fd00::2', 47984, echoPeer);
  fake.network.listenTcp('192.168.1.20', 47984, greetingPeer(hex('4e'), 'stay'));
  fake.network.addHostName('gaming-pc.lan', '192.168.1.20');
  const six = await connected(sockets, 'fd00::2', 47984);
  await six.write(hex('36'));
  const echoed = await six.read(1000);
  assert.ok(echoed.ok && echoed.value !== null && toHex(echoed.value) === '36');
  const named = await connected(sockets, 'gaming-pc.lan', 47984);
  const greeting = await named.read(1000);
  assert.ok(greeting.ok && greeting.value !== null && toHex(greeting.value) === '4e');
  const unknown = await sockets.connectTcp('nowhere.lan', 47984, 1000);
  assert.ok(!unknown.ok && unknown.error.kind === 'unreachable');
  six.close();
  named.close();
});

test('errno values are compared by name, so another numbering gives the same outcomes', async (t) => {
  const { fake, sockets } = setup(t, { errnoOffset: 1000 });
  fake.network.listenTcp('10.0.0.2', 1, greetingPeer(hex('01'), 'close'));
  const conn = await connected(sockets, '10.0.0.2', 1);
  const data = await conn.read(1000);
  assert.ok(data.ok && data.value !== null);
  assert.deepEqual(await conn.read(1000), { ok: true, value: null });
  const refused = await sockets.connectTcp('10.0.0.2', 2, 1000);
  assert.ok(!refused.ok && refused.error.kind === 'unreachable' && /ECONNREFUSED/.test(refused.error.detail));
  conn.close();
});

test('UDP: a datagram sent to an echo peer comes back with the peer address and port', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.bindUdp('10.0.0.2', 47998, udpEchoPeer);
  const opened = await sockets.openUdp({ broadcast: false, family: 4 });
  assert.ok(opened.ok);
  const udp = opened.value;
  const idle = await udp.receive(50);
  assert.ok(!idle.ok && idle.error.kind === 'timeout');
  assert.deepEqual(await udp.send(hex('80610001'), '10.0.0.2', 47998), { ok: true, value: undefined });
  const r = await udp.receive(1000);
  assert.ok(r.ok);
  assert.deepEqual({ bytes: toHex(r.value.bytes), host: r.value.host, port: r.value.port }, { bytes: '80610001', host: '10.0.0.2', port: 47998 });
  udp.close();
  udp.close();
  const after = await udp.receive(10);
  assert.ok(!after.ok && after.error.kind === 'closed');
  assert.deepEqual(fake.openSocketIds(), []);
});

test('UDP: an IPv6 socket reaches an IPv4 peer, and the reply names the IPv4 address', async (t) => {
  const { fake, sockets } = setup(t);
  fake.network.bindUdp('10.0.0.2', 47998, udpEchoPeer);
  const opened = await sockets.openUdp({ broadcast: false, family: 6 });
  assert.ok(opened.ok);
  await opened.value.send(hex('06'), '10.0.0.2', 47998);
  const r = await opened.value.receive(1000);
  assert.ok(r.ok && r.value.host === '10.0.0.2');
  opened.value.close();
});

test('UDP: broadcasting works only on a socket opened with the broadcast option', async (t) => {
  const { fake, sockets } = setup(t);
  const plain = await sockets.openUdp({ broadcast: false, family: 4 });
  const wake = await sockets.openUdp({ broadcast: true, family: 4 });
  assert.ok(plain.ok && wake.ok);
  const refused = await plain.value.send(hex('ffffffffffff'), '255.255.255.255', 9);
  assert.ok(!refused.ok && refused.error.kind === 'io' && /EACCES/.test(refused.error.detail));
  assert.deepEqual(await wake.value.send(hex('ffffffffffff'), '255.255.255.255', 9), { ok: true, value: undefined });
  assert.deepEqual(fake.network.sentDatagrams.map((d) => d.host), ['255.255.255.255']);
  plain.value.close();
  wake.value.close();
});

test('socket use from the main thread fails loudly rather than as a network error', async () => {
  const fake = createFakeTizen({ context: 'main' });
  const platform = createTizenPlatform({
    coreWasmUrl: 'unused',
    tizentvwasm: fake.tizentvwasm,
    workerLoop: { nowMs: fake.nowMs, yieldToEventLoop: () => new Promise((resolve) => setImmediate(resolve)) },
  });
  await assert.rejects(platform.sockets.connectTcp('10.0.0.2', 1, 100), FakeRuleViolation);
});

test('without the Sockets Extension the platform still builds and its sockets fail with io', async () => {
  const platform = createTizenPlatform({ coreWasmUrl: 'unused', tizentvwasm: {} });
  assert.equal(platform.name, 'tizen');
  const r = await platform.sockets.connectTcp('10.0.0.2', 1, 100);
  assert.ok(!r.ok && r.error.kind === 'io' && /unavailable/.test(r.error.detail));
  const u = await platform.sockets.openUdp({ broadcast: false, family: 4 });
  assert.ok(!u.ok && u.error.kind === 'io');
});

test('a tizentvwasm global missing a piece the sockets need is reported by name', () => {
  const whole = createFakeTizen().tizentvwasm;
  assert.ok(parseTizenTvWasm(whole).ok);
  const cases = [
    { name: 'not an object', value: undefined, detail: /not available/ },
    { name: 'no SocketsManager', value: { ...whole, SocketsManager: undefined }, detail: /SocketsManager is missing/ },
    { name: 'no PollFd', value: { ...whole, PollFd: undefined }, detail: /PollFd is missing/ },
    { name: 'no SOCK_NONBLOCK', value: { ...whole, SockFlags: {} }, detail: /SOCK_NONBLOCK/ },
    { name: 'no EINPROGRESS', value: { ...whole, ErrorCodes: { EAGAIN: 11 } }, detail: /EINPROGRESS/ },
  ];
  for (const { name, value, detail } of cases) {
    const parsed = parseTizenTvWasm(value);
    assert.ok(!parsed.ok, name);
    assert.match(parsed.error, detail, name);
  }
});
