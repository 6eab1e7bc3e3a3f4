// The browser platform in a real browser (Debian's Chromium through playwright-core), in a
// Web Worker and in a window: sockets through the relay to loopback echo peers, IndexedDB
// storage, entropy and the wasm fetch. The sources are served as TypeScript transpiled
// per file, so the browser runs exactly the modules the app bundles.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createSocket, type Socket as UdpPeer } from 'node:dgram';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startRelay, type RunningRelay } from '../../../../src/relay/relay-server.ts';

const CHROMIUM_PATH = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const FAKE_WASM_HEX = '0061736d0100000001';
const STEP_TIMEOUT_MS = 15_000;
const STORAGE_MODULE_URL = '/src/platform/browser/indexeddb-storage.ts';

// What the worker and the window run; `platform` is built from the query the page passes.
const HARNESS = `
import { createBrowserPlatform } from '/src/platform/browser/browser-platform.ts';
import { createIndexedDbStorage } from '/src/platform/browser/indexeddb-storage.ts';

const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (s) => Uint8Array.from(s.match(/../g), (x) => parseInt(x, 16));

export async function runChecks(config) {
  const platform = createBrowserPlatform({ relayUrl: config.relayUrl, token: config.token, coreWasmUrl: '/core.wasm' });
  const out = {};
  const tcp = await platform.sockets.connectTcp('127.0.0.1', config.echoPort, 3000);
  if (tcp.ok) {
    await tcp.value.write(fromHex('00ff10deadbeef'));
    const r = await tcp.value.read(3000);
    out.tcpEcho = r.ok && r.value !== null ? toHex(r.value) : JSON.stringify(r);
    const idle = await tcp.value.read(20);
    out.tcpIdle = idle.ok ? 'data' : idle.error.kind;
    tcp.value.close();
  } else {
    out.tcpEcho = JSON.stringify(tcp.error);
  }
  const refused = await platform.sockets.connectTcp('127.0.0.1', config.closedPort, 3000);
  out.refused = refused.ok ? 'connected' : refused.error.kind;
  const udp = await platform.sockets.openUdp({ broadcast: false, family: 4 });
  if (udp.ok) {
    await udp.value.send(fromHex('8061cafe'), '127.0.0.1', config.udpPort);
    const r = await udp.value.receive(3000);
    out.udpEcho = r.ok ? [toHex(r.value.bytes), r.value.host, r.value.port] : JSON.stringify(r.error);
    udp.value.close();
  }
  const badToken = createBrowserPlatform({ relayUrl: config.relayUrl, token: 'wrong-token-wrong-token', coreWasmUrl: '/core.wasm' });
  const denied = await badToken.sockets.connectTcp('127.0.0.1', config.echoPort, 3000);
  out.badToken = denied.ok ? 'connected' : denied.error.kind;

  const s = platform.storage;
  out.storage = [];
  out.storage.push(await s.set('hosts/a', 'first'));
  out.storage.push(await s.set('hosts/b', 'ünïcode ✓'));
  out.storage.push(await s.set('apps/1', 'x'));
  out.storage.push(await s.set('hosts/a', 'second'));
  out.storage.push(await s.get('hosts/a'));
  out.storage.push(await createIndexedDbStorage().get('hosts/b'));
  out.storage.push(await s.keys('hosts/'));
  out.storage.push(await s.remove('hosts/a'));
  out.storage.push(await s.get('hosts/a'));
  out.storage.push(await s.keys(''));

  const random = platform.entropy.randomBytes(200000);
  out.randomLength = random.length;
  out.randomTailNonZero = random.subarray(150000).some((b) => b !== 0);
  const wasm = await platform.assets.coreWasm();
  out.wasm = wasm.ok ? toHex(wasm.value) : JSON.stringify(wasm.error);
  const missing = await createBrowserPlatform({ relayUrl: config.relayUrl, token: config.token, coreWasmUrl: '/missing.wasm' }).assets.coreWasm();
  out.missingWasm = missing.ok ? 'loaded' : missing.error.kind;
  const t0 = platform.clock.nowMs();
  await new Promise((resolve) => platform.clock.setTimer(5, resolve));
  out.timerFired = platform.clock.nowMs() >= t0;
  // The same shape from a worker (structured clone) and a window (Playwright): no undefined fields.
  return JSON.parse(JSON.stringify(out));
}
`;

const WORKER = `
import { runChecks } from '/harness.js';
self.onmessage = async (event) => self.postMessage(await runChecks(event.data));
`;

let browser: Browser | null = null;
let relay: RunningRelay;
let site: HttpServer;
let siteUrl: string;
let echo: Server;
let udpPeer: UdpPeer;
let config: { relayUrl: string; token: string; echoPort: number; closedPort: number; udpPort: number };

before(async () => {
  if (!existsSync(CHROMIUM_PATH)) return;
  relay = await startRelay();
  echo = createServer((s) => s.pipe(s));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const closedPort = (closed.address() as AddressInfo).port;
  closed.close();
  udpPeer = createSocket('udp4');
  udpPeer.on('message', (msg, from) => udpPeer.send(msg, from.port, from.address));
  udpPeer.bind(0, '127.0.0.1');
  await once(udpPeer, 'listening');
  site = createHttpServer((request, response) => void serve(request.url ?? '/', response));
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  config = {
    relayUrl: relay.url,
    token: relay.token,
    echoPort: (echo.address() as AddressInfo).port,
    closedPort,
    udpPort: udpPeer.address().port,
  };
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
});

after(async () => {
  if (browser === null) return;
  await browser.close();
  await relay.close();
  echo.close();
  udpPeer.close();
  site.close();
});

/** A page on the test site, with the app's database deleted so tests do not depend on order. */
async function freshPage(): Promise<Page> {
  assert.ok(browser !== null);
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(`${siteUrl}/index.html`);
  await page.evaluate(
    () =>
      new Promise<void>((done, fail) => {
        const request = indexedDB.deleteDatabase('gamestream');
        request.onsuccess = () => done();
        request.onerror = () => fail(new Error('could not delete the database'));
      }),
  );
  return page;
}

const expectedStorage = [
  { ok: true },
  { ok: true },
  { ok: true },
  { ok: true },
  { ok: true, value: 'second' },
  { ok: true, value: 'ünïcode ✓' },
  { ok: true, value: ['hosts/a', 'hosts/b'] },
  { ok: true },
  { ok: true, value: null },
  { ok: true, value: ['apps/1', 'hosts/b'] },
];

function checkResults(out: Record<string, unknown>): void {
  assert.equal(out['tcpEcho'], '00ff10deadbeef');
  assert.equal(out['tcpIdle'], 'timeout');
  assert.equal(out['refused'], 'unreachable');
  assert.deepEqual(out['udpEcho'], ['8061cafe', '127.0.0.1', config.udpPort]);
  assert.equal(out['badToken'], 'io');
  assert.deepEqual(out['storage'], expectedStorage);
  assert.equal(out['randomLength'], 200000);
  assert.equal(out['randomTailNonZero'], true);
  assert.equal(out['wasm'], FAKE_WASM_HEX);
  assert.equal(out['missingWasm'], 'load');
  assert.equal(out['timerFired'], true);
}

test('in a Web Worker: relay sockets, IndexedDB storage, entropy, clock and the wasm fetch work', { skip: !existsSync(CHROMIUM_PATH) && 'no Chromium' }, async () => {
  const page = await freshPage();
  const out = await page.evaluate(
    (cfg) =>
      new Promise<Record<string, unknown>>((resolveOut, reject) => {
        const worker = new Worker('/worker.js', { type: 'module' });
        worker.onmessage = (event: MessageEvent<Record<string, unknown>>) => resolveOut(event.data);
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage(cfg);
      }),
    config,
  );
  checkResults(out);
  await page.close();
});

test('in a window: the same checks pass, and stored values survive a reload', { skip: !existsSync(CHROMIUM_PATH) && 'no Chromium' }, async () => {
  const page = await freshPage();
  const out = await page.evaluate(
    async ({ cfg, url }) => {
      const harness = (await import(url)) as { runChecks: (c: unknown) => Promise<Record<string, unknown>> };
      return harness.runChecks(cfg);
    },
    { cfg: config, url: '/harness.js' },
  );
  checkResults(out);
  await page.reload();
  const kept = await page.evaluate(async (url) => {
    const mod = (await import(url)) as { createIndexedDbStorage: () => { get(key: string): Promise<unknown> } };
    return mod.createIndexedDbStorage().get('hosts/b');
  }, STORAGE_MODULE_URL);
  assert.deepEqual(kept, { ok: true, value: 'ünïcode ✓' });
  await page.close();
});

test('a stored value that is not text is an error for its key only', { skip: !existsSync(CHROMIUM_PATH) && 'no Chromium' }, async () => {
  const page = await freshPage();
  const out = await page.evaluate(async (url) => {
    const mod = (await import(url)) as {
      createIndexedDbStorage: (o: { databaseName: string }) => {
        set(k: string, v: string): Promise<unknown>;
        get(k: string): Promise<unknown>;
        keys(p: string): Promise<unknown>;
      };
    };
    const storage = mod.createIndexedDbStorage({ databaseName: 'corrupt-test' });
    await storage.set('good', 'fine');
    // Someone else (an older app version, a bug) put a number where text belongs.
    await new Promise<void>((done, fail) => {
      const open = indexedDB.open('corrupt-test');
      open.onsuccess = () => {
        const tx = open.result.transaction('kv', 'readwrite');
        tx.objectStore('kv').put(42, 'bad');
        tx.oncomplete = () => {
          open.result.close();
          done();
        };
        tx.onerror = () => fail(new Error('put failed'));
      };
    });
    return [await storage.get('bad'), await storage.get('good'), await storage.keys('')];
  }, STORAGE_MODULE_URL);
  const [bad, good, keys] = out as [{ ok: boolean; error?: { kind: string } }, unknown, unknown];
  assert.equal(bad.ok, false);
  assert.equal(bad.error?.kind, 'storage');
  assert.deepEqual(good, { ok: true, value: 'fine' });
  assert.deepEqual(keys, { ok: true, value: ['bad', 'good'] });
  await page.close();
});

async function serve(url: string, response: import('node:http').ServerResponse): Promise<void> {
  const path = url.split('?')[0] ?? '/';
  const send = (type: string, body: string | Uint8Array): void => {
    response.writeHead(200, { 'content-type': type }).end(body);
  };
  if (path === '/index.html') return send('text/html', '<!doctype html><title>platform test</title>');
  if (path === '/harness.js') return send('text/javascript', HARNESS);
  if (path === '/worker.js') return send('text/javascript', WORKER);
  if (path === '/core.wasm') return send('application/wasm', Buffer.from(FAKE_WASM_HEX, 'hex'));
  const file = resolve(ROOT, `.${path}`);
  if (path.startsWith('/src/') && file.startsWith(ROOT + 'src' + sep) && file.endsWith('.ts') && existsSync(file)) {
    const source = await readFile(file, 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    }).outputText;
    return send('text/javascript', js);
  }
  response.writeHead(404).end();
}
