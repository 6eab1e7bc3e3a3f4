import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAppList, getBoxArt, getServerInfo, sendUnpair, type HostEndpoint, type NvHttpContext, type TlsOpener } from '../../../src/nvhttp/nvhttp-client.ts';
import type { ClientIdentity } from '../../../src/app/identity/identity.ts';
import type { Core } from '../../../wasm/core.ts';
import { err, ok } from '../../../src/lib/result.ts';
import { createFakeClock, createFakePlatform, createScriptedSockets, httpResponse, settle, type FakeConnection, type HostScript, type ScriptedRequest } from './fake-platform.fake.ts';
import { fixtureResponse } from './fixture-replies.ts';

const HTTP_PORT = 47989;
const HTTPS_PORT = 47984;
const PINNED = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]);
// No crypto happens in these tests (TLS is faked), so the identity needs no real key.
const identity: ClientIdentity = { uniqueId: 'c0ffee', certPem: '', certDer: new Uint8Array([1, 2, 3]), privateKeyDer: new Uint8Array([4, 5, 6]) };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

/** TLS that succeeds when the pinned certificate is PINNED and records the client certificate. */
const fakeTls: TlsOpener = async (_core, tcp, options) => {
  if (options.pinnedServerCertDer.join() !== PINNED.join()) return err({ kind: 'tls', detail: 'certificate mismatch' });
  (tcp as FakeConnection).tlsClientCertDer = options.clientCertDer;
  return ok(tcp);
};

function setup(script: HostScript, endpoint: Partial<HostEndpoint> = {}) {
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, script);
  const ctx: NvHttpContext = { platform: createFakePlatform({ clock, sockets, seed: 3 }), core: {} as Core, identity, openTls: fakeTls };
  const host: HostEndpoint = { address: '127.0.0.1', httpPort: HTTP_PORT, httpsPort: HTTPS_PORT, pinnedCertDer: PINNED, ...endpoint };
  return { clock, sockets, ctx, host };
}

const xml = (inner: string, status = 200): Uint8Array => httpResponse(`<?xml version="1.0" encoding="utf-8"?>\n<root status_code="${status}">${inner}</root>`);
const NOT_AUTHORIZED = httpResponse('<?xml version="1.0" encoding="utf-8"?>\n<root status_code="401" query="/serverinfo" status_message="The client is not authorized. Certificate verification failed."/>');

test('HTTP serverinfo goes to the HTTP port with uniqueid and a fresh uuid', async () => {
  const seen: ScriptedRequest[] = [];
  const { ctx, host } = setup((req) => {
    seen.push(req);
    return { kind: 'respond', bytes: fixtureResponse('v2026.817', 'serverinfo-http') };
  });
  const first = await getServerInfo(ctx, host, { secure: false, timeoutMs: 5000 });
  const second = await getServerInfo(ctx, host, { secure: false, timeoutMs: 5000 });
  assert.ok(first.ok && second.ok);
  assert.equal(first.value.uniqueId, 'BD8DD6CC-667B-972F-EA08-8EBA6FFB8B01');
  assert.equal(first.value.secure, false);
  assert.deepEqual(seen.map((r) => r.port), [HTTP_PORT, HTTP_PORT]);
  const uuids = seen.map((r) => /^\/serverinfo\?uniqueid=c0ffee&uuid=([0-9a-f]{32})$/.exec(r.target)?.[1]);
  assert.ok(uuids[0] !== undefined && uuids[1] !== undefined && uuids[0] !== uuids[1], seen.map((r) => r.target).join(' '));
  assert.equal(seen[0]?.tlsClientCertDer, null, 'no TLS on the HTTP port');
});

test('HTTPS serverinfo goes through TLS with our certificate to the HTTPS port, and reads paired', async () => {
  const seen: ScriptedRequest[] = [];
  const { ctx, host } = setup((req) => {
    seen.push(req);
    return { kind: 'respond', bytes: fixtureResponse('v2026.817', 'serverinfo-https') };
  });
  const info = await getServerInfo(ctx, host, { secure: true, timeoutMs: 5000 });
  assert.ok(info.ok);
  assert.equal(info.value.paired, true);
  assert.equal(info.value.secure, true);
  assert.equal(seen[0]?.port, HTTPS_PORT);
  assert.deepEqual(seen[0]?.tlsClientCertDer, identity.certDer);
});

test('no HTTPS request is ever made without a pinned certificate', async () => {
  const { ctx, host, sockets } = setup(() => ({ kind: 'respond', bytes: xml('') }), { pinnedCertDer: null });
  assert.deepEqual(await getServerInfo(ctx, host, { secure: true, timeoutMs: 5000 }), { ok: false, error: { kind: 'not-paired' } });
  assert.deepEqual(await getAppList(ctx, host, 5000), { ok: false, error: { kind: 'not-paired' } });
  assert.deepEqual(await getBoxArt(ctx, host, 1, 5000), { ok: false, error: { kind: 'not-paired' } });
  assert.equal(sockets.connections.length, 0);
});

test('XML 401 over HTTPS means not paired', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: NOT_AUTHORIZED }));
  assert.deepEqual(await getServerInfo(ctx, host, { secure: true, timeoutMs: 5000 }), { ok: false, error: { kind: 'not-paired' } });
  assert.deepEqual(await getAppList(ctx, host, 5000), { ok: false, error: { kind: 'not-paired' } });
  assert.deepEqual(await getBoxArt(ctx, host, 1, 5000), { ok: false, error: { kind: 'not-paired' } });
});

test('a TLS failure (the pinned certificate changed) is a tls error and closes the socket', async () => {
  const { ctx, host, sockets } = setup(() => ({ kind: 'respond', bytes: xml('') }), { pinnedCertDer: new Uint8Array([9]) });
  const r = await getServerInfo(ctx, host, { secure: true, timeoutMs: 5000 });
  assert.deepEqual(r, { ok: false, error: { kind: 'tls', detail: 'certificate mismatch' } });
  assert.ok(sockets.connections.every((c) => c.closed));
});

test('a refused port is unreachable', async () => {
  const { ctx, host, sockets } = setup(() => ({ kind: 'respond', bytes: xml('') }));
  sockets.refusedPorts.add(HTTP_PORT);
  const r = await getServerInfo(ctx, host, { secure: false, timeoutMs: 5000 });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, 'unreachable');
});

test('a host that never answers times out with a message naming the host', async () => {
  const { ctx, host, clock } = setup(() => ({ kind: 'hang' }));
  const pending = getServerInfo(ctx, host, { secure: false, timeoutMs: 2000 });
  await settle();
  clock.advance(2000);
  assert.deepEqual(await pending, { ok: false, error: { kind: 'timeout', detail: '127.0.0.1:47989: the host accepted the connection but sent no answer within 2000 ms' } });
});

test('garbled XML is a malformed reply', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: httpResponse('<?xml version="1.0"?>\n<root status_code="200"><hostname>pc</hos<</root status_code=&>') }));
  const r = await getServerInfo(ctx, host, { secure: false, timeoutMs: 5000 });
  assert.ok(!r.ok);
  assert.equal(r.error.kind, 'malformed-reply');
});

test('an XML answer over 1 MiB is malformed as too large', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: httpResponse('A'.repeat(1024 * 1024 + 1), { headers: [] }), chunkBytes: 65536 }));
  const r = await getServerInfo(ctx, host, { secure: false, timeoutMs: 5000 });
  assert.ok(!r.ok && r.error.kind === 'malformed-reply');
  if (!r.ok && r.error.kind === 'malformed-reply') assert.match(r.error.detail, /answer too large/);
});

test('an XML host error keeps its code and message', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: xml('', 503) }));
  const r = await getAppList(ctx, host, 5000);
  assert.deepEqual(r, { ok: false, error: { kind: 'host-error', code: 503, message: '' } });
});

test('a non-2xx HTTP status without XML is a host error with the HTTP status', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: httpResponse('nope', { status: '404 Not Found' }) }));
  assert.deepEqual(await getServerInfo(ctx, host, { secure: false, timeoutMs: 5000 }), { ok: false, error: { kind: 'host-error', code: 404, message: 'Not Found' } });
});

test('the app list of a real Sunshine reply', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: fixtureResponse('v0.23.1', 'applist-https') }));
  assert.deepEqual(await getAppList(ctx, host, 5000), { ok: true, value: [{ id: 881448767, title: 'Desktop', hdrSupported: false }] });
});

test('box art asks /appasset for the app and returns the PNG bytes', async () => {
  const seen: string[] = [];
  const { ctx, host } = setup((req) => {
    seen.push(req.target);
    return { kind: 'respond', bytes: httpResponse(PNG, { headers: ['Content-Type: image/png', `Content-Length: ${PNG.length}`] }) };
  });
  const r = await getBoxArt(ctx, host, 881448767, 5000);
  assert.deepEqual(r, { ok: true, value: PNG });
  assert.match(seen[0] ?? '', /^\/appasset\?uniqueid=c0ffee&uuid=[0-9a-f]{32}&appid=881448767&AssetType=2&AssetIdx=0$/);
});

test('box art that is not a PNG is malformed', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: httpResponse(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])) }));
  const r = await getBoxArt(ctx, host, 1, 5000);
  assert.ok(!r.ok && r.error.kind === 'malformed-reply');
});

test('box art above 8 MiB is too large', async () => {
  const big = new Uint8Array(8 * 1024 * 1024 + 1);
  big.set(PNG);
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: httpResponse(big), chunkBytes: 1 << 20 }));
  const r = await getBoxArt(ctx, host, 1, 5000);
  assert.ok(!r.ok && r.error.kind === 'malformed-reply' && /answer too large/.test(r.error.detail));
});

test("unpair accepts Sunshine's XML 404 and goes over plain HTTP", async () => {
  const seen: ScriptedRequest[] = [];
  const { ctx, host } = setup((req) => {
    seen.push(req);
    return { kind: 'respond', bytes: xml('', 404) };
  });
  assert.deepEqual(await sendUnpair(ctx, host, 5000), { ok: true, value: undefined });
  assert.equal(seen[0]?.port, HTTP_PORT);
  assert.match(seen[0]?.target ?? '', /^\/unpair\?uniqueid=c0ffee&uuid=/);
});

test('unpair still reports a network failure', async () => {
  const { ctx, host, sockets } = setup(() => ({ kind: 'respond', bytes: xml('') }));
  sockets.refusedPorts.add(HTTP_PORT);
  const r = await sendUnpair(ctx, host, 5000);
  assert.ok(!r.ok && r.error.kind === 'unreachable');
});

test('query values are URL-encoded', async () => {
  const seen: string[] = [];
  const { ctx, host } = setup((req) => {
    seen.push(req.target);
    return { kind: 'respond', bytes: xml('', 404) };
  });
  ctx.identity = { ...identity, uniqueId: 'a&b=c' };
  await sendUnpair(ctx, host, 5000);
  assert.match(seen[0] ?? '', /^\/unpair\?uniqueid=a%26b%3Dc&uuid=/);
});
