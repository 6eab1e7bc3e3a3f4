import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppServer, type AppConfig, type AppServer } from '../../scripts/app-server.ts';

const config: AppConfig = { relayUrl: 'ws://127.0.0.1:5', token: 'a-token-of-this-run', demoHost: '127.0.0.1:47989', hostPinPage: 'http://127.0.0.1:47990/' };

test('the app server serves the built app with the types a browser needs', async (t) => {
  const server = await serveFakeApp(t);
  const index = await get(server.port, '/');
  assert.equal(index.status, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(index.body, /<main>/);

  const cases: [string, string][] = [
    ['/core.wasm', 'application/wasm'],
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/app.css', 'text/css; charset=utf-8'],
    ['/index.html', 'text/html; charset=utf-8'],
  ];
  for (const [path, type] of cases) {
    const r = await get(server.port, path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
  }
  const wasm = await get(server.port, '/core.wasm');
  assert.equal(wasm.body, '\0asm\x01\0\0\0');
});

test('/app-config.json tells the page the relay, its token and the demo host', async (t) => {
  const server = await serveFakeApp(t);
  const r = await get(server.port, '/app-config.json');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.deepEqual(JSON.parse(r.body), config);
});

test('paths outside the app folder, dotfiles and unknown files are not served', async (t) => {
  const server = await serveFakeApp(t);
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/.env', '/assets/.git/config', '/missing.js', '/assets', '/a%5c..%5csecret.txt', '/%E0%A4%A']) {
    const r = await get(server.port, path);
    assert.ok(r.status === 404 || r.status === 400, `${path} answered ${r.status}`);
    assert.doesNotMatch(r.body, /secret|token/, path);
  }
});

test('a request naming a foreign host is refused, so a rebound domain cannot read the relay token', async (t) => {
  const server = await serveFakeApp(t);
  const foreign = await get(server.port, '/app-config.json', 'evil.example:8080');
  assert.equal(foreign.status, 421);
  assert.doesNotMatch(foreign.body, /a-token-of-this-run/);
  const local = await get(server.port, '/app-config.json', `localhost:${server.port}`);
  assert.equal(local.status, 200);
});

test('only GET and HEAD are answered', async (t) => {
  const server = await serveFakeApp(t);
  const r = await get(server.port, '/index.html', undefined, 'POST');
  assert.equal(r.status, 405);
  const head = await get(server.port, '/core.wasm', undefined, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '8');
  assert.equal(head.body, '');
});

test('when the preferred port is taken the next candidate is used', async (t) => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => blocker.close(() => done())));
  const taken = (blocker.address() as AddressInfo).port;
  const dir = fakeApp(t);
  const started = await startAppServer({ rootDir: dir, config, ports: [taken, 0] });
  assert.ok(started.ok);
  t.after(() => started.value.close());
  assert.notEqual(started.value.port, taken);
  assert.equal(started.value.url, `http://127.0.0.1:${started.value.port}/`);

  const only = await startAppServer({ rootDir: dir, config, ports: [taken] });
  assert.ok(!only.ok);
  assert.match(only.error.detail, /port in use/);
});

test('the app server refuses to listen beyond loopback', async (t) => {
  const started = await startAppServer({ rootDir: fakeApp(t), config, host: '0.0.0.0' });
  assert.ok(!started.ok);
  assert.match(started.error.detail, /loopback/);
});

function fakeApp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'app-server-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = join(dir, 'app');
  mkdirSync(join(app, 'assets', '.git'), { recursive: true });
  writeFileSync(join(app, 'index.html'), '<!doctype html><main></main>');
  writeFileSync(join(app, 'core.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(app, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(app, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(app, 'assets', '.git', 'config'), 'secret');
  writeFileSync(join(app, '.env'), 'secret');
  writeFileSync(join(dir, 'secret.txt'), 'secret');
  return app;
}

async function serveFakeApp(t: TestContext): Promise<AppServer> {
  const dir = fakeApp(t);
  const started = await startAppServer({ rootDir: dir, config });
  assert.ok(started.ok);
  t.after(() => started.value.close());
  return started.value;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so that paths reach the server exactly as written (no URL normalisation). */
function get(port: number, path: string, hostHeader?: string, method = 'GET'): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: hostHeader ?? `127.0.0.1:${port}`, connection: 'close' }, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end();
  });
}
