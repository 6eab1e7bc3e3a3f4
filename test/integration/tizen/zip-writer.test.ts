import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../../tizen/crc32.ts';
import { writeZip } from '../../../tizen/zip-writer.ts';
import { readZip } from './zip-reader.ts';

test('crc32 matches the known check value and zlib on split input', () => {
  // The CRC-32/ISO-HDLC check value for "123456789".
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  const bytes = new TextEncoder().encode('the quick brown fox jumps over the lazy dog');
  for (let split = 0; split <= bytes.length; split++) {
    const running = crc32(bytes.subarray(split), crc32(bytes.subarray(0, split)));
    assert.equal(running, zlibCrc32(bytes) >>> 0, `split at ${split}`);
  }
});

test('entries come back with their names, bytes and order, including empty and UTF-8 named files', () => {
  const entries = [
    { name: 'config.xml', bytes: new TextEncoder().encode('<widget/>') },
    { name: 'empty.txt', bytes: new Uint8Array(0) },
    { name: 'assets/données ☃.js', bytes: new TextEncoder().encode('x'.repeat(1000)) },
  ];
  const zip = writeZip(entries);
  assert.ok(zip.ok);
  const read = readZip(zip.value);
  assert.deepEqual(read.map((e) => e.name), entries.map((e) => e.name));
  read.forEach((e, i) => assert.deepEqual(e.bytes, entries[i]?.bytes));
});

test('unzip lists exactly the written entries', { skip: spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status !== 0 && 'unzip is not installed' }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zip-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const zip = writeZip([
    { name: 'a.txt', bytes: new TextEncoder().encode('hello '.repeat(100)) },
    { name: 'dir/b.bin', bytes: new Uint8Array([0, 1, 2, 3]) },
  ]);
  assert.ok(zip.ok);
  const path = join(dir, 'x.zip');
  writeFileSync(path, zip.value);
  const listing = spawnSync('unzip', ['-Z1', path], { encoding: 'utf8' });
  assert.equal(listing.status, 0, listing.stderr);
  assert.deepEqual(listing.stdout.trim().split('\n'), ['a.txt', 'dir/b.bin']);
  const check = spawnSync('unzip', ['-t', path], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout);
});

test('a duplicate entry name is refused', () => {
  const bytes = new Uint8Array([1]);
  const zip = writeZip([{ name: 'index.html', bytes }, { name: 'index.html', bytes }]);
  assert.deepEqual(zip, { ok: false, error: { kind: 'duplicate-name', name: 'index.html' } });
});

test('names that could escape the install folder or are not portable are refused', () => {
  for (const name of ['', '/etc/passwd', '../up.js', 'a/../../b', 'a//b', 'dir\\file', './x']) {
    const zip = writeZip([{ name, bytes: new Uint8Array([1]) }]);
    assert.ok(!zip.ok, `"${name}" was accepted`);
    assert.equal(zip.error.kind, 'bad-name');
  }
});
