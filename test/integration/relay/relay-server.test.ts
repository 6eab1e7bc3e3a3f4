import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { WebSocket } from 'ws';
import { startRelay, type RunningRelay } from '../../../src/relay/relay-server.ts';
import { createBrowserPlatform } from '../../../src/platform/browser/browser-platform.ts';
import { RELAY_MAX_FRAME_BYTES, RELAY_CLOSE_POLICY, RELAY_CLOSE_TOO_BIG } from '../../../src/platform/browser/relay-protocol.ts';
import type { NetError, Sockets, TcpConnection } from '../../../src/platform/platform.ts';
import type { Result } from '../../../src/lib/result.ts';
import { startBlackhole } from '../platform/loopback-blackhole.ts';
import { closeServer, connectedVia as connected, hex, listen, readBytes, toHex } from '../platform/tcp-test-helpers.ts';


function socketsThrough(relay: { url: string; token: string }): Sockets {
  return createBrowserPlatform({ relayUrl: relay.url, token: relay.token, coreWasmUrl: 'unused', webSocket: WebSocket }).sockets;
}

async function withRelay(fn: (relay: RunningRelay, sockets: Sockets) => Promise<void>, options = {}): Promise<void> {
  const relay = await startRelay(options);
  try {
    await fn(relay, socketsThrough(relay));
  } finally {
    await relay.close();
  }
}





/** Opens a raw WebSocket to the relay and reports how it was closed. */
async function rawClose(url: string, send?: Uint8Array): Promise<{ code: number; reason: string; texts: string[] }> {
  const ws = new WebSocket(url);
  const texts: string[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) texts.push(data.toString());
  });
  ws.on('error', () => undefined);
  if (send !== undefined) ws.on('open', () => ws.send(send));
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { code, reason: reason.toString(), texts };
}

test('bytes written through the relay reach a TCP echo server and come back', () =>
  withRelay(async (_relay, sockets) => {
    const { server, port } = await listen((s) => s.pipe(s));
    const conn = await connected(sockets, port);
    assert.deepEqual(await conn.write(hex('00ff7f80deadbeef')), { ok: true, value: undefined });
    assert.equal(toHex(await readBytes(conn, 8)), '00ff7f80deadbeef');
    const idle = await conn.read(20);
    assert.ok(!idle.ok && idle.error.kind === 'timeout');
    conn.close();
    conn.close();
    await closeServer(server);
  }));

test('when the target sends and closes, the app reads the bytes, then null, and writes fail with closed', () =>
  withRelay(async (_relay, sockets) => {
    const { server, port } = await listen((s) => s.end(Buffer.from('0102030405', 'hex')));
    const conn = await connected(sockets, port);
    assert.equal(toHex(await readBytes(conn, 5)), '0102030405');
    assert.deepEqual(await conn.read(2000), { ok: true, value: null });
    const w = await conn.write(hex('00'));
    assert.ok(!w.ok && w.error.kind === 'closed');
    await closeServer(server);
  }));

test('a target that refuses the connection gives unreachable', () =>
  withRelay(async (_relay, sockets) => {
    const { server, port } = await listen(() => undefined);
    await closeServer(server);
    const r = await sockets.connectTcp('127.0.0.1', port, 2000);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'unreachable');
  }));

test('a target that never completes the connection gives timeout', (t) =>
  withRelay(async (_relay, sockets) => {
    const blackhole = await startBlackhole();
    t.after(() => blackhole.stop());
    const opened: TcpConnection[] = [];
    let outcome = 'no attempt timed out';
    for (let attempt = 0; attempt < 16; attempt++) {
      const r = await sockets.connectTcp('127.0.0.1', blackhole.port, 150);
      if (!r.ok) {
        outcome = r.error.kind;
        break;
      }
      opened.push(r.value);
    }
    for (const conn of opened) conn.close();
    assert.equal(outcome, 'timeout');
  }));

test('megabytes through the relay arrive intact and in order', () =>
  withRelay(async (_relay, sockets) => {
    const { server, port } = await listen((s) => s.pipe(s));
    const conn = await connected(sockets, port);
    const sizeBytes = 5 * 1024 * 1024;
    const payload = new Uint8Array(sizeBytes);
    for (let i = 0; i < sizeBytes; i++) payload[i] = (i * 13 + (i >> 9)) & 0xff;
    const writing = (async () => {
      for (let offset = 0; offset < sizeBytes; offset += 300 * 1024) {
        assert.ok((await conn.write(payload.subarray(offset, offset + 300 * 1024))).ok);
      }
    })();
    const echoed = await readBytes(conn, sizeBytes);
    await writing;
    assert.ok(Buffer.from(echoed).equals(Buffer.from(payload)));
    conn.close();
    await closeServer(server);
  }));

test('a UDP datagram goes through the relay to an echo peer and comes back with its source', () =>
  withRelay(async (_relay, sockets) => {
    const peer = createSocket('udp4');
    peer.on('message', (msg, from) => peer.send(msg, from.port, from.address));
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    const opened = await sockets.openUdp({ broadcast: false, family: 4 });
    assert.ok(opened.ok);
    const udp = opened.value;
    assert.deepEqual(await udp.send(hex('80610001cafe'), '127.0.0.1', peer.address().port), { ok: true, value: undefined });
    const r = await udp.receive(2000);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    assert.equal(toHex(r.value.bytes), '80610001cafe');
    assert.equal(r.value.host, '127.0.0.1');
    assert.equal(r.value.port, peer.address().port);
    const idle = await udp.receive(20);
    assert.ok(!idle.ok && idle.error.kind === 'timeout');
    udp.close();
    const after = await udp.send(hex('00'), '127.0.0.1', peer.address().port);
    assert.ok(!after.ok && after.error.kind === 'closed');
    peer.close();
  }));

test('a wrong token is closed with a policy code and no connection reaches the target', () =>
  withRelay(async (relay) => {
    const { server, port, connections } = await listen((s) => s.pipe(s));
    const sockets = socketsThrough({ url: relay.url, token: 'x'.repeat(43) });
    const r = await sockets.connectTcp('127.0.0.1', port, 2000);
    assert.ok(!r.ok && r.error.kind === 'io' && /refused/.test(r.error.detail));
    const udp = await sockets.openUdp({ broadcast: false, family: 4 });
    assert.ok(!udp.ok);
    const raw = await rawClose(`${relay.url}/tcp?host=127.0.0.1&port=${port}`);
    assert.equal(raw.code, RELAY_CLOSE_POLICY);
    assert.deepEqual(raw.texts, []);
    assert.equal(connections(), 0);
    await closeServer(server);
  }));

test('the relay refuses to bind to anything but loopback', async () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'localhost', 'fe80::1%lo', '::ffff:127.0.0.1']) {
    await assert.rejects(startRelay({ host }), /loopback/, host);
  }
  await assert.rejects(startRelay({ token: 'short' }), /token/);
  const relay = await startRelay({ host: '127.0.0.2' });
  assert.match(relay.url, /^ws:\/\/127\.0\.0\.2:\d+$/);
  await relay.close();
});

test('the relay serves on IPv6 loopback too', async (t) => {
  let relay: RunningRelay;
  try {
    relay = await startRelay({ host: '::1' });
  } catch {
    t.skip('no IPv6 loopback here');
    return;
  }
  try {
    assert.match(relay.url, /^ws:\/\/\[::1\]:\d+$/);
    const { server, port } = await listen((s) => s.pipe(s));
    const conn = await connected(socketsThrough(relay), port);
    await conn.write(hex('06'));
    assert.equal(toHex(await readBytes(conn, 1)), '06');
    conn.close();
    await closeServer(server);
  } finally {
    await relay.close();
  }
});

test('a frame over the size limit closes the socket with 1009 and is not forwarded', () =>
  withRelay(async (relay) => {
    const received: Buffer[] = [];
    const { server, port } = await listen((s) => s.on('data', (d: Buffer) => received.push(d)));
    const url = `${relay.url}/tcp?token=${relay.token}&host=127.0.0.1&port=${port}`;
    const raw = await rawClose(url, new Uint8Array(RELAY_MAX_FRAME_BYTES + 1));
    assert.equal(raw.code, RELAY_CLOSE_TOO_BIG);
    assert.equal(Buffer.concat(received).length, 0);
    await closeServer(server);
  }));

test('a frame exactly at the size limit is forwarded whole', () =>
  withRelay(async (relay) => {
    let total = 0;
    const { server, port } = await listen((s) => s.on('data', (d: Buffer) => { total += d.length; }));
    const ws = new WebSocket(`${relay.url}/tcp?token=${relay.token}&host=127.0.0.1&port=${port}`);
    await once(ws, 'open');
    ws.send(new Uint8Array(RELAY_MAX_FRAME_BYTES));
    for (let i = 0; i < 200 && total < RELAY_MAX_FRAME_BYTES; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(total, RELAY_MAX_FRAME_BYTES);
    ws.close();
    await closeServer(server);
  }));

test('requests without a target or with a bad one are refused with a policy code', () =>
  withRelay(async (relay) => {
    for (const query of ['/tcp?', '/tcp?host=127.0.0.1', '/tcp?host=127.0.0.1&port=0', '/tcp?host=127.0.0.1&port=70000', '/udp?family=5', '/other?']) {
      const raw = await rawClose(`${relay.url}${query}&token=${relay.token}`);
      assert.equal(raw.code, RELAY_CLOSE_POLICY, query);
    }
  }));

test('beyond the socket limit a new socket is refused, and a freed slot can be used again', () =>
  withRelay(
    async (_relay, sockets) => {
      const { server, port } = await listen((s) => s.pipe(s));
      const a = await connected(sockets, port);
      const b = await connected(sockets, port);
      const c = await sockets.connectTcp('127.0.0.1', port, 2000);
      assert.ok(!c.ok && c.error.kind === 'io' && /too many/.test(c.error.detail));
      a.close();
      let d: Result<TcpConnection, NetError> = c;
      for (let i = 0; i < 50 && !d.ok; i++) d = await sockets.connectTcp('127.0.0.1', port, 2000);
      assert.ok(d.ok);
      b.close();
      d.value.close();
      await closeServer(server);
    },
    { maxSockets: 2 },
  ));

test('closing the relay ends the open connections with closed', async () => {
  const relay = await startRelay();
  const { server, port } = await listen((s) => s.pipe(s));
  const conn = await connected(socketsThrough(relay), port);
  const pending = conn.read(10_000);
  await relay.close();
  const r = await pending;
  assert.ok(!r.ok && r.error.kind === 'closed');
  await closeServer(server);
});
