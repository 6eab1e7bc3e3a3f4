import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { tcpRelayUrl } from '../../src/platform/browser/relay-protocol.ts';
import { demoStackErrorText, startDemoStack, type DemoStack, type DemoStackOptions } from '../../scripts/demo-stack.ts';
import { sharedHostIdentity } from './fixture.ts';

test('the page is told the relay, its token, the demo host and the PIN page, and each of them answers', async (t) => {
  const stack = await start(t, {});
  const config = await fetchText(`${stack.appUrl}app-config.json`);
  assert.deepEqual(JSON.parse(config.body), stack.config);
  assert.equal(stack.config.demoHost, `127.0.0.1:${stack.hostSim.httpPort}`);
  assert.equal(stack.config.hostPinPage, `http://127.0.0.1:${stack.hostSim.webUiPort}/`);
  assert.match(stack.config.relayUrl, /^ws:\/\/127\.0\.0\.1:\d+$/);

  const pinPage = await fetchText(stack.config.hostPinPage);
  assert.equal(pinPage.status, 200);
  assert.match(String(pinPage.headers['content-type']), /text\/html/);

  // What the page does first: reach the demo host's /serverinfo through the relay.
  const [host, port] = stack.config.demoHost.split(':');
  const reply = await relayHttpGet(tcpRelayUrl(stack.config.relayUrl, stack.config.token, host ?? '', Number(port), 5000), '/serverinfo?uniqueid=0123456789ABCDEF');
  assert.match(reply, /^HTTP\/1\.[01] 200/);
  assert.match(reply, new RegExp(`<uniqueid>${stack.hostSim.uniqueId}</uniqueid>`));
});

test('the relay refuses a socket without the token the page was given', async (t) => {
  const stack = await start(t, {});
  const [host, port] = stack.config.demoHost.split(':');
  const url = tcpRelayUrl(stack.config.relayUrl, 'not-the-token-of-this-run', host ?? '', Number(port), 5000);
  const code = await new Promise<number>((done, fail) => {
    const ws = new WebSocket(url);
    ws.on('close', (c) => done(c));
    ws.on('error', fail);
  });
  assert.equal(code, 1008);
});

test('when the preferred host ports are taken the demo host moves to free ports and says so', async (t) => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => blocker.close(() => done())));
  const taken = (blocker.address() as AddressInfo).port;
  const stack = await start(t, { hostPorts: { httpPort: taken, httpsPort: 0, webUiPort: 0 } });
  assert.notEqual(stack.hostSim.httpPort, taken);
  assert.equal(stack.config.demoHost, `127.0.0.1:${stack.hostSim.httpPort}`);
  assert.equal(stack.notes.length, 1);
  assert.match(stack.notes[0] ?? '', new RegExp(`${taken}.*free ports`));
});

test('when the preferred app port is taken the app is served elsewhere and the note says where', async (t) => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => blocker.close(() => done())));
  const taken = (blocker.address() as AddressInfo).port;
  const stack = await start(t, { appPorts: [taken, 0] });
  assert.notEqual(stack.appServer.port, taken);
  assert.ok(stack.notes.some((n) => n.includes(String(taken)) && n.includes(String(stack.appServer.port))));
});

test('a build without a core module starts, with a note naming the missing build and how to make it', async (t) => {
  for (const file of ['core.wasm', 'core-simd.wasm']) {
    const appDir = fakeAppDir(t);
    rmSync(join(appDir, file));
    const stack = await start(t, { appDir });
    assert.equal(stack.notes.length, 1);
    assert.ok(stack.notes[0]?.includes(`/${file} is missing`), stack.notes[0]);
    assert.match(stack.notes[0] ?? '', /native\/build\.sh/);
  }
});

test('without a built app nothing starts and the error says to build', async () => {
  const result = await startDemoStack({ appDir: join(tmpdir(), 'no-such-app-dir'), hostPorts: 'ephemeral', appPorts: [0] });
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'missing-app');
  assert.match(demoStackErrorText(result.error), /npm run build/);
});

test('close stops all three services and can be called twice', async (t) => {
  const stack = await start(t, {});
  const ports = [stack.appServer.port, stack.relay.port, stack.hostSim.httpPort, stack.hostSim.webUiPort];
  await Promise.all([stack.close(), stack.close()]);
  for (const port of ports) assert.equal(await canConnect(port), false, `port ${port} still accepts connections`);
});

async function start(t: TestContext, overrides: Partial<DemoStackOptions>): Promise<DemoStack> {
  const result = await startDemoStack({
    appDir: overrides.appDir ?? fakeAppDir(t),
    hostPorts: 'ephemeral',
    hostOptions: { identity: sharedHostIdentity() },
    appPorts: [0],
    ...overrides,
  });
  assert.ok(result.ok, result.ok ? '' : demoStackErrorText(result.error));
  t.after(() => result.value.close());
  return result.value;
}

/** A built app as far as the stack cares: a page and the core module. */
function fakeAppDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'demo-stack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'index.html'), '<!doctype html><main></main>');
  for (const file of ['core.wasm', 'core-simd.wasm']) writeFileSync(join(dir, 'app', file), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  return join(dir, 'app');
}

function fetchText(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = get(url, { timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', fail);
  });
}

/** One HTTP request through a relayed TCP socket, as the browser platform makes it. */
function relayHttpGet(url: string, path: string): Promise<string> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(url);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      fail(new Error('no answer through the relay within 5 s'));
    }, 5000);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        if (String(data).includes('"connected"')) ws.send(Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
        return;
      }
      chunks.push(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
    });
    ws.on('close', () => {
      clearTimeout(timer);
      done(Buffer.concat(chunks).toString('utf8'));
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
