import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGetRequest, httpGet } from '../../../src/nvhttp/http-client.ts';
import { createCancelSource } from '../../../src/lib/cancel.ts';
import { createFakeClock, createScriptedSockets, httpResponse, settle, type HostScript, type ScriptedRequest } from './fake-platform.fake.ts';
import { fixtureResponse } from './fixture-replies.ts';

const MIB = 1024 * 1024;

async function connect(script: HostScript): Promise<{ clock: ReturnType<typeof createFakeClock>; sockets: ReturnType<typeof createScriptedSockets> }> {
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, script);
  return { clock, sockets };
}

async function get(script: HostScript, options: { timeoutMs?: number; maxBodyBytes?: number } = {}) {
  const { clock, sockets } = await connect(script);
  const conn = await sockets.connectTcp('127.0.0.1', 47989, 1000);
  assert.ok(conn.ok);
  const result = await httpGet(conn.value, { host: '127.0.0.1', port: 47989, target: '/serverinfo?uniqueid=1' }, { timeoutMs: options.timeoutMs ?? 5000, maxBodyBytes: options.maxBodyBytes ?? MIB, clock });
  return { result, conn: sockets.connections[0], clock };
}

test('the request is one GET with Host and Connection: close', () => {
  assert.equal(new TextDecoder().decode(formatGetRequest({ host: '192.168.1.20', port: 47989, target: '/serverinfo?uniqueid=ab&uuid=cd' })), 'GET /serverinfo?uniqueid=ab&uuid=cd HTTP/1.1\r\nHost: 192.168.1.20:47989\r\nConnection: close\r\n\r\n');
});

test('an IPv6 host goes in brackets in the Host header', () => {
  assert.match(new TextDecoder().decode(formatGetRequest({ host: 'fe80::1', port: 47984, target: '/' })), /\r\nHost: \[fe80::1\]:47984\r\n/);
});

test('a real Sunshine reply delivered in small pieces is read whole and the connection closed', async () => {
  const seen: ScriptedRequest[] = [];
  const { result, conn } = await get((req) => {
    seen.push(req);
    return { kind: 'respond', bytes: fixtureResponse('v2026.817', 'serverinfo-http'), chunkBytes: 7 };
  });
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value.statusCode, 200);
  assert.equal(result.value.body.length, 545);
  assert.equal(seen[0]?.target, '/serverinfo?uniqueid=1');
  assert.equal(conn?.closed, true);
});

test('the connection is closed as soon as the body is complete, without waiting for the host to close', async () => {
  // Current Sunshine's HTTPS port keeps the connection open after its answer (§2.3).
  const { result, conn } = await get(() => ({ kind: 'respond', bytes: httpResponse('<root status_code="200"/>'), close: false }));
  assert.ok(result.ok);
  assert.equal(conn?.closed, true);
});

test('a host that accepts but never answers times out with a clear message, and the socket is closed', async () => {
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, () => ({ kind: 'hang' }));
  const conn = await sockets.connectTcp('h', 1, 1);
  assert.ok(conn.ok);
  const pending = httpGet(conn.value, { host: 'h', port: 1, target: '/serverinfo' }, { timeoutMs: 3000, maxBodyBytes: MIB, clock });
  await settle();
  clock.advance(2999);
  await settle();
  let done = false;
  void pending.then(() => (done = true));
  await settle();
  assert.equal(done, false, 'still waiting before the timeout');
  clock.advance(1);
  const result = await pending;
  assert.deepEqual(result, { ok: false, error: { kind: 'timeout', detail: 'the host accepted the connection but sent no answer within 3000 ms' } });
  assert.equal(sockets.connections[0]?.closed, true);
});

test('the timeout bounds the whole answer, not each read', async () => {
  const clock = createFakeClock();
  // One piece every 1.1 s: each read succeeds, but the whole answer takes 11 s.
  const sockets = createScriptedSockets(clock, () => ({ kind: 'trickle', bytes: httpResponse('x'.repeat(160)), chunkBytes: 20, intervalMs: 1100 }));
  const conn = await sockets.connectTcp('h', 1, 1);
  assert.ok(conn.ok);
  const pending = httpGet(conn.value, { host: 'h', port: 1, target: '/' }, { timeoutMs: 5000, maxBodyBytes: MIB, clock });
  for (let i = 0; i < 10; i += 1) {
    await settle();
    clock.advance(1000);
  }
  assert.deepEqual(await pending, { ok: false, error: { kind: 'timeout', detail: 'no complete answer within 5000 ms (80 bytes received)' } });
  assert.equal(sockets.connections[0]?.closed, true);
});

test('a slow answer that completes within the timeout is read whole', async () => {
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, () => ({ kind: 'trickle', bytes: httpResponse('x'.repeat(160)), chunkBytes: 20, intervalMs: 100 }));
  const conn = await sockets.connectTcp('h', 1, 1);
  assert.ok(conn.ok);
  const pending = httpGet(conn.value, { host: 'h', port: 1, target: '/' }, { timeoutMs: 5000, maxBodyBytes: MIB, clock });
  for (let i = 0; i < 20; i += 1) {
    await settle();
    clock.advance(100);
  }
  const result = await pending;
  assert.ok(result.ok);
  assert.equal(result.value.body.length, 160);
});

test('an answer larger than the limit fails as too large and closes the connection at once', async () => {
  const { result, conn } = await get(() => ({ kind: 'respond', bytes: httpResponse('y'.repeat(2000), { headers: [] }), close: false, chunkBytes: 100 }), { maxBodyBytes: 1000 });
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'malformed-reply');
  if (result.error.kind === 'malformed-reply') assert.match(result.error.detail, /^answer too large/);
  assert.equal(conn?.closed, true);
});

test('a host that closes without a byte is reported as closed', async () => {
  const { result } = await get(() => ({ kind: 'close' }));
  assert.deepEqual(result, { ok: false, error: { kind: 'closed', detail: 'the host closed the connection without answering' } });
});

test('a body cut short by the close is malformed', async () => {
  const { result } = await get(() => ({ kind: 'respond', bytes: new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc') }));
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'malformed-reply');
});

test('cancelling while waiting ends the call with cancelled and closes the socket', async () => {
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, () => ({ kind: 'hang' }));
  const conn = await sockets.connectTcp('h', 1, 1);
  assert.ok(conn.ok);
  const source = createCancelSource();
  const pending = httpGet(conn.value, { host: 'h', port: 1, target: '/pair' }, { timeoutMs: 300_000, maxBodyBytes: MIB, clock, cancel: source.signal });
  await settle();
  source.cancel();
  assert.deepEqual(await pending, { ok: false, error: { kind: 'cancelled' } });
  assert.equal(sockets.connections[0]?.closed, true);
  assert.equal(clock.pendingTimers(), 0);
});
