import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodePlatform } from '../../../../src/platform/node/node-platform.ts';
import type { Sockets, TcpConnection } from '../../../../src/platform/platform.ts';
import { startBlackhole } from '../loopback-blackhole.ts';
import { closeServer, connectedVia, hex, listen, readBytes, toHex } from '../tcp-test-helpers.ts';

const sockets: Sockets = createNodePlatform({ stateDir: join(tmpdir(), 'gs-unused-state') }).sockets;
const connected = (port: number): Promise<TcpConnection> => connectedVia(sockets, port);





test('bytes written to an echo server come back through read', async () => {
  const { server, port } = await listen((s) => s.pipe(s));
  const conn = await connected(port);
  assert.deepEqual(await conn.write(hex('00ff10204000deadbeef')), { ok: true, value: undefined });
  assert.equal(toHex(await readBytes(conn, 10)), '00ff10204000deadbeef');
  conn.close();
  await closeServer(server);
});

test('a read with nothing arriving fails with timeout and the connection stays usable', async () => {
  const { server, port } = await listen((s) => s.pipe(s));
  const conn = await connected(port);
  const r = await conn.read(20);
  assert.ok(!r.ok && r.error.kind === 'timeout');
  await conn.write(hex('0102'));
  assert.equal(toHex(await readBytes(conn, 2)), '0102');
  conn.close();
  await closeServer(server);
});

test('when the server sends and closes, read gives the bytes, then null, then null again', async () => {
  const { server, port } = await listen((s) => s.end(Buffer.from('cafe', 'hex')));
  const conn = await connected(port);
  const first = await conn.read(2000);
  assert.ok(first.ok && first.value !== null && toHex(first.value) === 'cafe');
  assert.deepEqual(await conn.read(2000), { ok: true, value: null });
  assert.deepEqual(await conn.read(2000), { ok: true, value: null });
  const w = await conn.write(hex('01'));
  assert.ok(!w.ok && w.error.kind === 'closed');
  conn.close();
  await closeServer(server);
});

test('connecting to a port nobody listens on fails with unreachable', async () => {
  const { server, port } = await listen(() => undefined);
  await closeServer(server);
  const r = await sockets.connectTcp('127.0.0.1', port, 2000);
  assert.ok(!r.ok);
  assert.equal(r.error.kind, 'unreachable');
});

test('a connection the host never completes fails with timeout', async (t) => {
  const blackhole = await startBlackhole();
  t.after(() => blackhole.stop());
  // The listener's accept queue holds two connections; the kernel drops the SYN of the next.
  const opened: TcpConnection[] = [];
  let outcome = 'no attempt timed out';
  for (let attempt = 0; attempt < 16; attempt++) {
    const r = await sockets.connectTcp('127.0.0.1', blackhole.port, 150);
    if (r.ok) {
      opened.push(r.value);
      continue;
    }
    outcome = r.error.kind;
    break;
  }
  for (const conn of opened) conn.close();
  assert.equal(outcome, 'timeout');
});

test('close is idempotent and later reads and writes fail with closed', async () => {
  const { server, port } = await listen((s) => s.pipe(s));
  const conn = await connected(port);
  const pendingRead = conn.read(10_000);
  conn.close();
  conn.close();
  const r = await pendingRead;
  assert.ok(!r.ok && r.error.kind === 'closed');
  const w = await conn.write(hex('01'));
  assert.ok(!w.ok && w.error.kind === 'closed');
  await closeServer(server);
});

test('several megabytes through an echo server arrive intact while both sides apply back-pressure', async () => {
  const { server, port } = await listen((s) => s.pipe(s));
  const conn = await connected(port);
  const sizeBytes = 6 * 1024 * 1024;
  const payload = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
  const writing = (async () => {
    for (let offset = 0; offset < sizeBytes; offset += 256 * 1024) {
      const w = await conn.write(payload.subarray(offset, offset + 256 * 1024));
      assert.ok(w.ok);
    }
  })();
  const echoed = await readBytes(conn, sizeBytes);
  await writing;
  assert.equal(echoed.length, sizeBytes);
  assert.ok(Buffer.from(echoed).equals(Buffer.from(payload)));
  conn.close();
  await closeServer(server);
});

test('a UDP datagram sent to an echo peer comes back with the peer address', async () => {
  const peer = createSocket('udp4');
  peer.on('message', (msg, from) => peer.send(msg, from.port, from.address));
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  const peerPort = peer.address().port;
  const opened = await sockets.openUdp({ broadcast: false, family: 4 });
  assert.ok(opened.ok);
  const udp = opened.value;
  assert.deepEqual(await udp.send(hex('8001aabb'), '127.0.0.1', peerPort), { ok: true, value: undefined });
  const r = await udp.receive(2000);
  assert.ok(r.ok);
  assert.equal(toHex(r.value.bytes), '8001aabb');
  assert.equal(r.value.host, '127.0.0.1');
  assert.equal(r.value.port, peerPort);
  udp.close();
  peer.close();
});

test('a UDP receive with nothing arriving fails with timeout; after close it fails with closed', async () => {
  const opened = await sockets.openUdp({ broadcast: false, family: 4 });
  assert.ok(opened.ok);
  const r = await opened.value.receive(10);
  assert.ok(!r.ok && r.error.kind === 'timeout');
  opened.value.close();
  opened.value.close();
  const after = await opened.value.receive(10);
  assert.ok(!after.ok && after.error.kind === 'closed');
  const sent = await opened.value.send(hex('00'), '127.0.0.1', 9);
  assert.ok(!sent.ok && sent.error.kind === 'closed');
});

test('without the broadcast option the system refuses a broadcast send (nothing leaves the machine)', async () => {
  const opened = await sockets.openUdp({ broadcast: false, family: 4 });
  assert.ok(opened.ok);
  const r = await opened.value.send(hex('ffffffffffff'), '255.255.255.255', 9);
  assert.ok(!r.ok, 'the kernel answers EACCES without SO_BROADCAST');
  opened.value.close();
});

test('IPv6 UDP works over ::1', async (t) => {
  const peer = createSocket('udp6');
  peer.on('message', (msg, from) => peer.send(msg, from.port, from.address));
  try {
    peer.bind(0, '::1');
    await once(peer, 'listening');
  } catch {
    peer.close();
    t.skip('no IPv6 loopback here');
    return;
  }
  const opened = await sockets.openUdp({ broadcast: false, family: 6 });
  assert.ok(opened.ok);
  await opened.value.send(hex('0600'), '::1', peer.address().port);
  const r = await opened.value.receive(2000);
  assert.ok(r.ok && toHex(r.value.bytes) === '0600' && r.value.host === '::1');
  opened.value.close();
  peer.close();
});

test('the core wasm is read from the configured path, and a missing file is a load error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gs-assets-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'core.wasm'), hex('0061736d01000000'));
    const platform = createNodePlatform({ stateDir: dir, coreWasmPath: join(dir, 'core.wasm') });
    const r = await platform.assets.coreWasm();
    assert.ok(r.ok && toHex(r.value) === '0061736d01000000');
    const missing = await createNodePlatform({ stateDir: dir, coreWasmPath: join(dir, 'none.wasm') }).assets.coreWasm();
    assert.ok(!missing.ok && missing.error.kind === 'load');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
