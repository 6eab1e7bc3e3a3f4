// The core's AES-128-GCM through its binding (wasm/gcm.ts): the NIST vectors again, then
// interop with node:crypto (OpenSSL) both ways on seeded random messages, and the error
// answers. Needs build/wasm/core.wasm.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadCore } from '../../../wasm/core.ts';
import { createAes128Gcm, type Aes128Gcm } from '../../../wasm/gcm.ts';
import { createSeededEntropy } from '../nvhttp/fake-platform.fake.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
let gcm: Aes128Gcm;

before(async () => {
  const core = await loadCore(new Uint8Array(readFileSync(new URL('../../../build/wasm/core.wasm', import.meta.url))));
  if (!core.ok) throw new Error(core.error.detail);
  gcm = createAes128Gcm(core.value);
});

// Test cases 2 and 4 of the GCM specification (McGrew and Viega), as in native/test/crypto_gcm_test.cpp.
const VECTORS = [
  { key: '00000000000000000000000000000000', nonce: '000000000000000000000000', plain: '00000000000000000000000000000000', aad: '', cipher: '0388dace60b6a392f328c2b971b2fe78', tag: 'ab6e47d42cec13bdf53a67b21257bddf' },
  {
    key: 'feffe9928665731c6d6a8f9467308308',
    nonce: 'cafebabefacedbaddecaf888',
    plain: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    cipher: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47',
  },
];

test('seal and open match the GCM specification\'s test cases', () => {
  for (const v of VECTORS) {
    const sealed = gcm.seal(hex(v.key), hex(v.nonce), hex(v.plain), hex(v.aad));
    assert.ok(sealed.ok);
    assert.equal(toHex(sealed.value.ciphertext), v.cipher);
    assert.equal(toHex(sealed.value.tag), v.tag);
    const opened = gcm.open(hex(v.key), hex(v.nonce), hex(v.cipher), hex(v.tag), hex(v.aad));
    assert.ok(opened.ok);
    assert.equal(toHex(opened.value), v.plain);
  }
});

test('what the core seals OpenSSL opens, and the other way round, for random sizes 0-3000 (seed 7)', () => {
  const random = createSeededEntropy(7);
  for (let round = 0; round < 40; round += 1) {
    const sizeBytes = ((random.randomBytes(1)[0] ?? 0) * 256 + (random.randomBytes(1)[0] ?? 0)) % 3001;
    const key = random.randomBytes(16);
    const nonce = random.randomBytes(12);
    const plain = random.randomBytes(sizeBytes);
    const aad = random.randomBytes(round % 3 === 0 ? 0 : 20);
    const sealed = gcm.seal(key, nonce, plain, aad);
    assert.ok(sealed.ok);
    const decipher = createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.value.tag);
    assert.equal(Buffer.concat([decipher.update(sealed.value.ciphertext), decipher.final()]).toString('hex'), toHex(plain), `round ${round}`);
    const cipher = createCipheriv('aes-128-gcm', key, nonce);
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
    const opened = gcm.open(key, nonce, ciphertext, cipher.getAuthTag(), aad);
    assert.ok(opened.ok);
    assert.equal(toHex(opened.value), toHex(plain));
  }
});

test('an altered ciphertext, tag or nonce does not open', () => {
  const v = VECTORS[1];
  assert.ok(v !== undefined);
  const flip = (h: string, at: number): Uint8Array => {
    const b = hex(h);
    b[at] = (b[at] ?? 0) ^ 1;
    return b;
  };
  assert.deepEqual(gcm.open(hex(v.key), hex(v.nonce), flip(v.cipher, 3), hex(v.tag), hex(v.aad)), { ok: false, error: { kind: 'auth-failed' } });
  assert.deepEqual(gcm.open(hex(v.key), hex(v.nonce), hex(v.cipher), flip(v.tag, 15), hex(v.aad)), { ok: false, error: { kind: 'auth-failed' } });
  assert.deepEqual(gcm.open(hex(v.key), flip(v.nonce, 11), hex(v.cipher), hex(v.tag), hex(v.aad)), { ok: false, error: { kind: 'auth-failed' } });
  assert.deepEqual(gcm.open(hex(v.key), hex(v.nonce), hex(v.cipher), hex(v.tag)), { ok: false, error: { kind: 'auth-failed' } });
});

test('wrong key, nonce and tag lengths are refused before reaching the core', () => {
  const bad = (r: ReturnType<Aes128Gcm['open']>): void => {
    assert.ok(!r.ok && r.error.kind === 'core-status', JSON.stringify(r));
    assert.equal(r.error.status, -2);
    assert.equal(r.error.name, 'GSC_ERR_BAD_LENGTH');
  };
  const sealBad = (key: number, nonce: number): void => {
    const r = gcm.seal(new Uint8Array(key), new Uint8Array(nonce), new Uint8Array(1));
    bad(r.ok ? { ok: true, value: r.value.ciphertext } : r);
  };
  sealBad(15, 12);
  sealBad(16, 0);
  sealBad(16, 129);
  bad(gcm.open(new Uint8Array(16), new Uint8Array(12), new Uint8Array(1), new Uint8Array(12)));
});
