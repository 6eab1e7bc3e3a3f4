import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileStorage, decodeKey, encodeKey } from '../../../../src/platform/node/file-storage.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gs-storage-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a value written can be read back, also by a fresh storage over the same folder', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(join(dir, 'state'));
    assert.deepEqual(await storage.set('hosts/1', 'désktop ✓'), { ok: true, value: undefined });
    assert.deepEqual(await storage.get('hosts/1'), { ok: true, value: 'désktop ✓' });
    assert.deepEqual(await createFileStorage(join(dir, 'state')).get('hosts/1'), { ok: true, value: 'désktop ✓' });
  }));

test('a key never written reads as null, and removing it is not an error', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    assert.deepEqual(await storage.get('missing'), { ok: true, value: null });
    assert.deepEqual(await storage.remove('missing'), { ok: true, value: undefined });
  }));

test('overwriting replaces the value whole and leaves no temporary file behind', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    await storage.set('cert', 'x'.repeat(100_000));
    await storage.set('cert', 'short');
    assert.deepEqual(await storage.get('cert'), { ok: true, value: 'short' });
    assert.deepEqual(await readdir(dir), ['cert.value']);
  }));

test('concurrent writes to one key end with one of the written values, never a mix', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    const values = ['a'.repeat(50_000), 'b'.repeat(70_000), 'c'.repeat(30_000)];
    const results = await Promise.all(values.map((value) => storage.set('k', value)));
    assert.ok(results.every((r) => r.ok));
    const read = await storage.get('k');
    assert.ok(read.ok && read.value !== null && values.includes(read.value));
  }));

test('a removed key reads as null and is no longer listed', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    await storage.set('a', '1');
    await storage.remove('a');
    assert.deepEqual(await storage.get('a'), { ok: true, value: null });
    assert.deepEqual(await storage.keys(''), { ok: true, value: [] });
  }));

test('keys(prefix) lists exactly the keys that start with the prefix, including odd characters', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    for (const key of ['host/a', 'host/b.c', 'host/../x', 'hostess', 'apps/1', '', '.hidden', 'ключ']) {
      assert.ok((await storage.set(key, key)).ok, key);
    }
    assert.deepEqual(await storage.keys('host/'), { ok: true, value: ['host/../x', 'host/a', 'host/b.c'] });
    const all = await storage.keys('');
    assert.ok(all.ok);
    assert.equal(all.value.length, 8);
    assert.deepEqual(await storage.get('host/../x'), { ok: true, value: 'host/../x' });
    // Nothing escaped the folder.
    assert.ok((await readdir(dir)).every((name) => !name.includes('/')));
  }));

test('keys of a folder that does not exist yet is an empty list', async () => {
  const storage = createFileStorage(join(tmpdir(), 'gs-storage-never-created-' + process.pid));
  assert.deepEqual(await storage.keys(''), { ok: true, value: [] });
});

test('a corrupt file is an error for its key only; other keys still read and list', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    await storage.set('good', 'fine');
    await storage.set('bad', 'will be damaged');
    await writeFile(join(dir, `${encodeKey('bad')}.value`), Buffer.from('fffe80', 'hex'));
    const bad = await storage.get('bad');
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.error.kind === 'storage' && /corrupt/.test(bad.error.detail));
    assert.deepEqual(await storage.get('good'), { ok: true, value: 'fine' });
    assert.deepEqual(await storage.keys(''), { ok: true, value: ['bad', 'good'] });
    // Writing again repairs it.
    await storage.set('bad', 'repaired');
    assert.deepEqual(await storage.get('bad'), { ok: true, value: 'repaired' });
  }));

test('an unreadable entry (a folder where a value should be) is an error for that key only', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    await storage.set('good', 'fine');
    await mkdir(join(dir, `${encodeKey('odd')}.value`));
    const odd = await storage.get('odd');
    assert.ok(!odd.ok && odd.error.kind === 'storage');
    assert.deepEqual(await storage.get('good'), { ok: true, value: 'fine' });
  }));

const runningAsRoot = process.getuid?.() === 0;

test('a failed write reports an error and keeps the previous value', { skip: runningAsRoot && 'root ignores folder permissions' }, () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    await storage.set('k', 'old');
    await chmod(dir, 0o500);
    try {
      const result = await storage.set('k', 'new');
      assert.ok(!result.ok && result.error.kind === 'storage');
    } finally {
      await chmod(dir, 0o700);
    }
    assert.deepEqual(await storage.get('k'), { ok: true, value: 'old' });
  }));

test('value files are readable by their owner only', () =>
  withDir(async (dir) => {
    const storage = createFileStorage(dir);
    await storage.set('private-key', 'secret');
    const info = await stat(join(dir, 'private-key.value'));
    assert.equal(info.mode & 0o077, 0);
  }));

test('a key too long for a file name is refused with an error', () =>
  withDir(async (dir) => {
    const result = await createFileStorage(dir).set('k'.repeat(300), 'v');
    assert.ok(!result.ok && /too long/.test(result.error.detail));
  }));

test('key encoding maps back to the same key and rejects names it did not make', () => {
  const cases = [
    { key: 'plain-key_1', name: 'plain-key_1' },
    { key: 'a/b', name: 'a%2Fb' },
    { key: '..', name: '%2E%2E' },
    { key: 'é', name: '%C3%A9' },
    { key: '', name: '' },
  ];
  for (const { key, name } of cases) {
    assert.equal(encodeKey(key), name);
    assert.equal(decodeKey(name), key);
  }
  for (const foreign of ['a.b', '%2e', '%C3', 'a%2', 'a b']) assert.equal(decodeKey(foreign), null, foreign);
});

test('a write where the state folder cannot exist (a file is in the way) is an error, not a crash', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'blocker'), 'not a folder');
    const storage = createFileStorage(join(dir, 'blocker', 'state'));
    const result = await storage.set('k', 'v');
    assert.ok(!result.ok && result.error.kind === 'storage');
    const listed = await storage.keys('');
    assert.ok(!listed.ok && listed.error.kind === 'storage');
  }));
