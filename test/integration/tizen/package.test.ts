import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { packageErrorText, packageWidget, type PackageOptions } from '../../../tizen/package.ts';
import { readZip, type ReadEntry } from './zip-reader.ts';

const root = new URL('../../../', import.meta.url).pathname;
const configPath = join(root, 'config.xml');

/** A built app as Vite lays it out, plus the files that must stay out of a package. */
const fakeApp: Record<string, string | Uint8Array> = {
  'index.html': [
    '<!doctype html><html><head>',
    '<meta charset="utf-8"><title>GameStream</title>',
    '<!-- <script src="./commented-out.js"></script> -->',
    '<script type="module" crossorigin src="./assets/index-3f2a.js"></script>',
    "<link rel='stylesheet' href='./assets/index-9c1d.css'>",
    '<link rel="icon" href="favicon.svg?v=2">',
    '<a href="https://example.org/help">help</a>',
    '</head><body><main id="app"></main></body></html>',
  ].join('\n'),
  'assets/index-3f2a.js': 'new Worker(new URL("./services-worker-77aa.js", import.meta.url));\n'.repeat(50),
  'assets/index-3f2a.js.map': '{"version":3}',
  'assets/index-9c1d.css': 'body { background: #000; }\n',
  'assets/services-worker-77aa.js': 'self.onmessage = () => {};\n',
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'core.wasm': seededBytes(4096, 7),
  'core-simd.wasm': seededBytes(4096, 8),
  '.DS_Store': 'junk',
  'assets/.hidden': 'junk',
  'app-config.json': '{"relayUrl":"ws://127.0.0.1:1","token":"x"}',
};

test('the .wgt is a valid zip with config.xml and the icon at its root and every app file inside', (t) => {
  const { options } = fakeWorkspace(t);
  const result = packageWidget(options);
  assert.ok(result.ok, result.ok ? '' : packageErrorText(result.error));
  assert.equal(result.value.wgtPath, join(options.outDir, 'GameStream.wgt'));

  const entries = readZip(readFileSync(result.value.wgtPath));
  const names = entries.map((e) => e.name).sort();
  assert.deepEqual(names, [
    'assets/index-3f2a.js',
    'assets/index-9c1d.css',
    'assets/services-worker-77aa.js',
    'config.xml',
    'core-simd.wasm',
    'core.wasm',
    'favicon.svg',
    'icon.png',
    'index.html',
  ]);
  for (const [name, content] of Object.entries(fakeApp)) {
    const entry = entries.find((e) => e.name === name);
    if (entry === undefined) continue;
    assert.deepEqual(entry.bytes, typeof content === 'string' ? new TextEncoder().encode(content) : content, name);
  }
  // Compressible text is deflated; incompressible bytes are stored as they are.
  assert.equal(entry(entries, 'assets/index-3f2a.js').method, 8);
  assert.equal(entry(entries, 'core.wasm').method, 0);
});

test('unzip accepts the package and reports no errors', { skip: !hasUnzip() && 'unzip is not installed' }, (t) => {
  const { options } = fakeWorkspace(t);
  const result = packageWidget(options);
  assert.ok(result.ok);
  const check = spawnSync('unzip', ['-t', result.value.wgtPath], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /No errors detected/);
});

test('config.xml in the package is well-formed and declares what a Tizen TV requires', (t) => {
  const { options } = fakeWorkspace(t);
  const result = packageWidget(options);
  assert.ok(result.ok);
  const xml = new TextDecoder().decode(entry(readZip(readFileSync(result.value.wgtPath)), 'config.xml').bytes);
  assert.equal(XMLValidator.validate(xml), true);
  const widget = parseWidget(xml);

  assert.equal(widget['@xmlns'], 'http://www.w3.org/ns/widgets');
  assert.equal(widget['@xmlns:tizen'], 'http://tizen.org/ns/widgets');
  assert.match(String(widget['@id']), /^[a-z][a-z0-9+.-]*:\/\/\S+$/, 'the widget id is an IRI');
  assert.match(String(widget['@version']), /^\d{1,3}\.\d{1,3}\.\d{1,5}$/);
  assert.equal(widget['@viewmodes'], 'fullscreen');

  const app = record(widget['tizen:application']);
  const packageId = String(app['@package']);
  assert.match(packageId, /^[0-9a-zA-Z]{10}$/);
  assert.notEqual(packageId, 'MoonLightS', 'a package id of our own, so both apps can be installed');
  assert.match(String(app['@id']), new RegExp(`^${packageId}\\.[A-Za-z0-9_]{1,52}$`));
  assert.equal(app['@required_version'], '5.5');
  assert.equal(record(widget['tizen:profile'])['@name'], 'tv-samsung');
  assert.equal(record(widget['content'])['@src'], 'index.html');
  assert.ok(String(widget['name']).length > 0);

  const privileges = list(widget['tizen:privilege']).map((p) => record(p)['@name']);
  assert.deepEqual(privileges.sort(), ['http://tizen.org/privilege/internet', 'http://tizen.org/privilege/tv.inputdevice']);
  const metadata = new Map(list(widget['tizen:metadata']).map((m) => [record(m)['@key'], record(m)['@value']]));
  assert.equal(metadata.get('http://samsung.com/tv/metadata/floating.navigation'), 'false');
  assert.equal(metadata.get('http://samsung.com/tv/metadata/use.game.mode'), 'true');
  const settings = record(list(widget['tizen:setting'])[0]);
  assert.equal(settings['@screen-orientation'], 'landscape');
  assert.equal(settings['@hwkey-event'], 'enable');
  // Either element switches the runtime to a CSP that may block WebAssembly (tizen.md §4.5).
  assert.equal(widget['tizen:content-security-policy'], undefined);
  assert.equal(widget['tizen:allow-navigation'], undefined);
});

test('every privilege in config.xml is explained by the comment just before it', () => {
  const xml = readFileSync(configPath, 'utf8');
  const privileges = [...xml.matchAll(/<tizen:privilege\b/g)];
  assert.ok(privileges.length > 0);
  for (const m of privileges) {
    const before = xml.slice(0, m.index).trimEnd();
    assert.ok(before.endsWith('-->'), `no comment before the privilege at offset ${m.index}`);
  }
});

test('the manifest version is the version in package.json', () => {
  const pkg: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const widget = parseWidget(readFileSync(configPath, 'utf8'));
  assert.equal(widget['@version'], record(pkg)['version']);
});

test('the icon named by the manifest is a 512x512 PNG inside the package', (t) => {
  const { options } = fakeWorkspace(t);
  const result = packageWidget(options);
  assert.ok(result.ok);
  const entries = readZip(readFileSync(result.value.wgtPath));
  const iconName = String(record(parseWidget(new TextDecoder().decode(entry(entries, 'config.xml').bytes))['icon'])['@src']);
  const png = entry(entries, iconName).bytes;
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = new DataView(png.buffer, png.byteOffset + 8);
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), 'IHDR');
  assert.equal(ihdr.getUint32(8), 512);
  assert.equal(ihdr.getUint32(12), 512);
  assert.equal(new TextDecoder().decode(png.subarray(png.length - 8, png.length - 4)), 'IEND');
  // ffmpeg is a project dependency; decoding the icon with it proves the PNG is readable.
  const pngPath = join(dirname(result.value.wgtPath), 'icon-check.png');
  writeFileSync(pngPath, png);
  const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', pngPath, '-f', 'null', '-'], { encoding: 'utf8' });
  assert.equal(decode.status, 0, decode.stderr);
  assert.equal(decode.stderr, '');
});

test('every file index.html references is inside the package', (t) => {
  const { options } = fakeWorkspace(t);
  const result = packageWidget(options);
  assert.ok(result.ok);
  assertPageComplete(readZip(readFileSync(result.value.wgtPath)));
});

test('the game mode build option writes use.game.mode and changes nothing else', (t) => {
  const { options } = fakeWorkspace(t);
  const off = packageWidget({ ...options, gameMode: false });
  assert.ok(off.ok);
  const xmlOff = new TextDecoder().decode(entry(readZip(readFileSync(off.value.wgtPath)), 'config.xml').bytes);
  const on = packageWidget({ ...options, gameMode: true });
  assert.ok(on.ok);
  const xmlOn = new TextDecoder().decode(entry(readZip(readFileSync(on.value.wgtPath)), 'config.xml').bytes);
  assert.match(xmlOff, /key="http:\/\/samsung.com\/tv\/metadata\/use.game.mode" value="false"/);
  assert.match(xmlOn, /key="http:\/\/samsung.com\/tv\/metadata\/use.game.mode" value="true"/);
  assert.equal(xmlOn.replace('value="true"', ''), xmlOff.replace('value="false"', ''));
});

test('packaging the same app twice gives the same bytes', (t) => {
  const { options } = fakeWorkspace(t);
  const first = packageWidget(options);
  assert.ok(first.ok);
  const firstBytes = readFileSync(first.value.wgtPath);
  const second = packageWidget(options);
  assert.ok(second.ok);
  assert.deepEqual(readFileSync(second.value.wgtPath), firstBytes);
});

test('packaging refuses a page that loads a file the build did not produce', (t) => {
  const { options, appDir } = fakeWorkspace(t);
  rmSync(join(appDir, 'assets', 'index-9c1d.css'));
  const result = packageWidget(options);
  assert.ok(!result.ok);
  assert.deepEqual(result.error, { kind: 'missing-reference', page: 'index.html', file: 'assets/index-9c1d.css' });
  assert.match(packageErrorText(result.error), /index.html loads assets\/index-9c1d.css/);
});

test('packaging refuses root-absolute paths, which break when the TV opens the page from the package', (t) => {
  const { options, appDir } = fakeWorkspace(t);
  writeFileSync(join(appDir, 'index.html'), '<script type="module" src="/assets/index-3f2a.js"></script>');
  const result = packageWidget(options);
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'absolute-reference');
  assert.match(packageErrorText(result.error), /base: '\.\/'/);
});

test('packaging without a build says to run the build first', (t) => {
  const { options } = fakeWorkspace(t);
  const result = packageWidget({ ...options, appDir: join(options.outDir, 'no-such-app') });
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'missing-app');
  assert.match(packageErrorText(result.error), /run the build first/);
});

test('packaging refuses an app without either build of the core, naming the missing one', (t) => {
  for (const file of ['core.wasm', 'core-simd.wasm']) {
    const { options, appDir } = fakeWorkspace(t);
    rmSync(join(appDir, file));
    const result = packageWidget(options);
    assert.ok(!result.ok);
    assert.equal(result.error.kind, 'missing-app');
    assert.ok(packageErrorText(result.error).includes(file), packageErrorText(result.error));
  }
});

test('packaging refuses a config.xml whose package id is not 10 characters', (t) => {
  const { options, dir } = fakeWorkspace(t);
  const badConfig = join(dir, 'config.xml');
  writeFileSync(badConfig, readFileSync(configPath, 'utf8').replace(/package="[^"]*"/, 'package="Short"'));
  const result = packageWidget({ ...options, configPath: badConfig });
  assert.ok(!result.ok);
  assert.equal(result.error.kind, 'manifest');
  assert.match(packageErrorText(result.error), /10 letters or digits/);
});

const builtApp = join(root, 'dist', 'app');
test('the real build packages, with every file its index.html references', { skip: !existsSync(join(builtApp, 'index.html')) && 'dist/app is not built' }, (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'wgt-real-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const result = packageWidget({ configPath, appDir: builtApp, outDir, gameMode: true });
  assert.ok(result.ok, result.ok ? '' : packageErrorText(result.error));
  const entries = readZip(readFileSync(result.value.wgtPath));
  assertPageComplete(entries);
  assert.ok(entries.some((e) => e.name === 'core.wasm'));
  assert.ok(entries.every((e) => !e.name.split('/').some((part) => part.startsWith('.'))), 'no dotfiles');
});

/** Every local file the start page references is an entry of the archive. */
function assertPageComplete(entries: readonly ReadEntry[]): void {
  const html = new TextDecoder().decode(entry(entries, 'index.html').bytes).replace(/<!--[\s\S]*?-->/g, '');
  const names = new Set(entries.map((e) => e.name));
  let checked = 0;
  for (const m of html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']+)["']/g)) {
    const url = (m[1] ?? '').replace(/[?#].*$/, '');
    if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(url)) continue;
    assert.ok(!url.startsWith('/'), `${url} is root-absolute`);
    assert.ok(names.has(url.replace(/^\.\//, '')), `index.html references ${url}, which is not in the package`);
    checked++;
  }
  assert.ok(checked > 0, 'index.html references no local file at all');
}

function fakeWorkspace(t: TestContext): { options: PackageOptions; appDir: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wgt-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const appDir = join(dir, 'app');
  for (const [name, content] of Object.entries(fakeApp)) {
    const path = join(appDir, ...name.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return { dir, appDir, options: { configPath, appDir, outDir: join(dir, 'out'), gameMode: true } };
}

function parseWidget(xml: string): Record<string, unknown> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (tag) => tag.startsWith('tizen:') && tag !== 'tizen:application' && tag !== 'tizen:profile' });
  return record(record(parser.parse(xml))['widget']);
}

function entry(entries: readonly ReadEntry[], name: string): ReadEntry {
  const found = entries.find((e) => e.name === name);
  assert.ok(found, `${name} is not in the package`);
  return found;
}

function record(x: unknown): Record<string, unknown> {
  assert.ok(typeof x === 'object' && x !== null && !Array.isArray(x), `expected an element, got ${JSON.stringify(x)}`);
  return x as Record<string, unknown>;
}

function list(x: unknown): unknown[] {
  assert.ok(Array.isArray(x));
  return x;
}

function hasUnzip(): boolean {
  return spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
}

/** Deterministic bytes that deflate cannot shrink (xorshift32). */
function seededBytes(count: number, seed: number): Uint8Array {
  const out = new Uint8Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}
