// The pairing crypto of core.wasm, run in Node: the native known-answer vectors again, then
// interop with node:crypto (OpenSSL) in both directions. Needs build/wasm/core.wasm
// (`bash native/build.sh wasm`, part of `npm test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createCipheriv, createPrivateKey, createPublicKey, createSign, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadCore, type Core } from '../../../wasm/core.ts';
import { readInterface } from './wasm-sections.ts';

const wasmPath = new URL('../../../build/wasm/core.wasm', import.meta.url);
const wasmBytes = new Uint8Array(readFileSync(wasmPath));

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

async function core(): Promise<Core> {
  const r = await loadCore(wasmBytes);
  if (!r.ok) assert.fail(r.error.detail);
  return r.value;
}

/** Seed bytes first, first+1, ... as in native/test/crypto_test.cpp. */
function seedOf(first: number, size = 32): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (first + i) & 0xff);
}

/** Deterministic test data (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(next: () => number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, () => Math.floor(next() * 256));
}

function publicKeyOf(modulus: Uint8Array, exponent: Uint8Array): ReturnType<typeof createPublicKey> {
  return createPublicKey({ key: { kty: 'RSA', n: base64url(modulus), e: base64url(exponent) }, format: 'jwk' });
}

// FIPS 180-2 examples and the empty message.
const HASH_CASES = [
  { name: 'empty', message: '', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
  { name: 'abc', message: 'abc', sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
  {
    name: 'two blocks', message: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    sha256: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1', sha1: '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
  },
];

// FIPS-197 appendices C.1 and B, and NIST SP 800-38A F.1.1 (four blocks of ECB-AES128).
const AES_CASES = [
  { name: 'fips-197 c.1', key: '000102030405060708090a0b0c0d0e0f', plain: '00112233445566778899aabbccddeeff', cipher: '69c4e0d86a7b0430d8cdb78070b4c55a' },
  { name: 'fips-197 b', key: '2b7e151628aed2a6abf7158809cf4f3c', plain: '3243f6a8885a308d313198a2e0370734', cipher: '3925841d02dc09fbdc118597196a0b32' },
  {
    name: 'sp800-38a f.1.1', key: '2b7e151628aed2a6abf7158809cf4f3c',
    plain: '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
    cipher: '3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4',
  },
];

// SHA-256 of the DER of the key from seed 00 01 .. 1f, recorded from the native core
// (native/test/crypto_test.cpp): the same seed must give the same key in WebAssembly.
const SEED0_KEY_DER_SHA256 = '8c173f0cbd7c2a4471b45174e892c29bb3063cc83f5bdcba3e29385d21dde6ec';

// A P-256 private key: well-formed DER that is not RSA.
const EC_KEY_DER = hex(`30770201010420c5c94861dc4db97ff1708592502d606604de0a47b58839c58a46066906e792bca00a06082a8648ce3d030107a14403420004550439
  a026fc2bc9eed8473f296cdbb01df696ad47ac01a2309dc17fc0f813dcad1f77184f3deb9792dffe442301f42149e698524eb8cecc7576847c1e450f
  95`);

test('sha256 and sha1 match the FIPS 180 vectors', async () => {
  const c = await core();
  for (const k of HASH_CASES) {
    assert.equal(toHex(c.sha256(ascii(k.message))), k.sha256, k.name);
    assert.equal(toHex(c.sha1(ascii(k.message))), k.sha1, k.name);
  }
});

test('sha256 and sha1 agree with node:crypto on seeded random messages of 0 to 300 bytes', async () => {
  const c = await core();
  const next = prng(1);
  for (let size = 0; size <= 300; size += 7) {
    const message = randomBytes(next, size);
    assert.equal(toHex(c.sha256(message)), createHash('sha256').update(message).digest('hex'), `size ${size}`);
    assert.equal(toHex(c.sha1(message)), createHash('sha1').update(message).digest('hex'), `size ${size}`);
  }
});

test('aes-128-ecb matches FIPS-197 and SP 800-38A in both directions', async () => {
  const c = await core();
  for (const k of AES_CASES) {
    assert.deepEqual(c.aes128EcbEncrypt(hex(k.key), hex(k.plain)), { ok: true, value: hex(k.cipher) }, k.name);
    assert.deepEqual(c.aes128EcbDecrypt(hex(k.key), hex(k.cipher)), { ok: true, value: hex(k.plain) }, k.name);
  }
});

test('aes-128-ecb agrees with node:crypto without padding', async () => {
  const c = await core();
  const next = prng(2);
  for (let blocks = 0; blocks <= 6; blocks++) {
    const key = randomBytes(next, 16);
    const data = randomBytes(next, blocks * 16);
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    const expected = Buffer.concat([cipher.update(data), cipher.final()]);
    assert.deepEqual(c.aes128EcbEncrypt(key, data), { ok: true, value: new Uint8Array(expected) }, `${blocks} blocks`);
  }
});

test('aes-128-ecb refuses a partial block or a key that is not 16 bytes', async () => {
  const c = await core();
  const key = hex(AES_CASES[0]!.key);
  for (const [k, data] of [[key, new Uint8Array(15)], [key, new Uint8Array(17)], [new Uint8Array(15), new Uint8Array(16)]] as const) {
    const r = c.aes128EcbDecrypt(k, data);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.error, { kind: 'core-status', call: 'aes128EcbDecrypt', status: -2, name: 'GSC_ERR_BAD_LENGTH' });
  }
});

test('a generated key loads in node:crypto as PKCS#1 DER and has the returned modulus and exponent', async () => {
  const c = await core();
  const r = c.rsaGenerate2048(seedOf(0));
  if (!r.ok) assert.fail(JSON.stringify(r.error));
  const key = createPrivateKey({ key: Buffer.from(r.value.privateKeyDer), format: 'der', type: 'pkcs1' });
  assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  const jwk = key.export({ format: 'jwk' });
  assert.equal(jwk.n, base64url(r.value.modulus));
  assert.equal(jwk.e, 'AQAB');
  assert.deepEqual(r.value.exponent, Uint8Array.from([1, 0, 1]));
  assert.equal(r.value.modulus.length, 256);
});

test('key generation is a function of the seed, identical to the native core', async () => {
  const c = await core();
  const first = c.rsaGenerate2048(seedOf(0));
  const again = c.rsaGenerate2048(seedOf(0));
  const other = c.rsaGenerate2048(seedOf(1));
  if (!first.ok || !again.ok || !other.ok) assert.fail('key generation failed');
  assert.deepEqual(again.value.privateKeyDer, first.value.privateKeyDer);
  assert.notDeepEqual(other.value.modulus, first.value.modulus);
  assert.equal(createHash('sha256').update(first.value.privateKeyDer).digest('hex'), SEED0_KEY_DER_SHA256);
});

test('key generation refuses a seed shorter than 32 bytes', async () => {
  const c = await core();
  const r = c.rsaGenerate2048(seedOf(0, 31));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.name, 'GSC_ERR_CRYPTO_SEED_TOO_SHORT');
});

test('our signature verifies with node:crypto and is the one node:crypto makes', async () => {
  const c = await core();
  const pair = c.rsaGenerate2048(seedOf(7));
  if (!pair.ok) assert.fail('key generation failed');
  const message = ascii('server secret 0123456789abcdef');
  const signature = c.rsaSignSha256(pair.value.privateKeyDer, message);
  if (!signature.ok) assert.fail(JSON.stringify(signature.error));
  assert.equal(signature.value.length, 256);
  const publicKey = publicKeyOf(pair.value.modulus, pair.value.exponent);
  assert.equal(createVerify('sha256').update(message).verify(publicKey, signature.value), true);
  const privateKey = createPrivateKey({ key: Buffer.from(pair.value.privateKeyDer), format: 'der', type: 'pkcs1' });
  assert.equal(toHex(signature.value), createSign('sha256').update(message).sign(privateKey).toString('hex'));
});

test('a node:crypto signature verifies with ours, and any flipped bit is rejected', async () => {
  const c = await core();
  const pair = c.rsaGenerate2048(seedOf(9));
  if (!pair.ok) assert.fail('key generation failed');
  const privateKey = createPrivateKey({ key: Buffer.from(pair.value.privateKeyDer), format: 'der', type: 'pkcs1' });
  const message = ascii('client secret');
  const signature = new Uint8Array(createSign('sha256').update(message).sign(privateKey));
  const { modulus, exponent } = pair.value;
  assert.equal(c.rsaVerifySha256(modulus, exponent, message, signature), true);
  for (let bit = 0; bit < signature.length * 8; bit += 97) {
    const flipped = signature.slice();
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    assert.equal(c.rsaVerifySha256(modulus, exponent, message, flipped), false, `signature bit ${bit}`);
  }
  const otherMessage = message.slice();
  otherMessage[0]! ^= 1;
  assert.equal(c.rsaVerifySha256(modulus, exponent, otherMessage, signature), false);
  assert.equal(c.rsaVerifySha256(modulus, exponent, message, signature.subarray(1)), false);
});

test('signing accepts PKCS#8 DER and refuses malformed or non-RSA keys with their status', async () => {
  const c = await core();
  const pair = c.rsaGenerate2048(seedOf(0));
  if (!pair.ok) assert.fail('key generation failed');
  const message = ascii('m');
  const pkcs8 = createPrivateKey({ key: Buffer.from(pair.value.privateKeyDer), format: 'der', type: 'pkcs1' }).export({ format: 'der', type: 'pkcs8' });
  assert.deepEqual(c.rsaSignSha256(new Uint8Array(pkcs8), message), c.rsaSignSha256(pair.value.privateKeyDer, message));
  const truncated = c.rsaSignSha256(pair.value.privateKeyDer.subarray(0, 600), message);
  assert.equal(truncated.ok ? 'ok' : truncated.error.name, 'GSC_ERR_CRYPTO_BAD_PRIVATE_KEY');
  const ec = c.rsaSignSha256(EC_KEY_DER, message);
  assert.equal(ec.ok ? 'ok' : ec.error.name, 'GSC_ERR_CRYPTO_UNSUPPORTED_KEY');
});

test('status names come from the core, and unknown codes have a name too', async () => {
  const c = await core();
  assert.equal(c.exports.statusName(0), 'GSC_OK');
  assert.equal(c.exports.statusName(-105), 'GSC_ERR_CRYPTO_BAD_SIGNATURE');
  assert.equal(c.exports.statusName(-99), 'GSC_STATUS_UNKNOWN');
});

test('copied-out bytes survive memory growth, and growth is counted', async () => {
  const c = await core();
  const x = c.exports;
  const ptr = x.copyIn(ascii('kept'));
  const before = x.copyOut(ptr, 4);
  const generation = x.memoryGeneration();
  const big = x.alloc(16 * 1024 * 1024);
  assert.ok(x.memoryGeneration() > generation, 'a 16 MiB allocation should grow a 4 MiB memory');
  assert.deepEqual(before, ascii('kept'));
  assert.deepEqual(x.copyOut(ptr, 4), ascii('kept'));
  x.free(big);
  x.free(ptr);
});

test('scoped allocations are freed even when the body throws', async () => {
  const c = await core();
  const x = c.exports;
  let inside = 0;
  assert.throws(() => x.scoped((s) => {
    inside = s.alloc(64);
    throw new Error('boom');
  }), /boom/);
  // dlmalloc hands the freed block back for the same size.
  const again = x.alloc(64);
  assert.equal(again, inside);
  x.free(again);
});

test('exhausting core memory throws instead of returning a null pointer', async () => {
  const c = await core();
  assert.throws(() => c.exports.alloc(0xffff_ff00), /core memory exhausted/);
});

test('core.wasm imports only what the loader provides, and no export passes a 64-bit integer', () => {
  const { imports, exports } = readInterface(wasmBytes);
  for (const i of imports) {
    assert.ok(
      (i.module === 'env' && i.name === 'emscripten_notify_memory_growth') ||
        (i.module === 'wasi_snapshot_preview1' && ['fd_write', 'fd_close', 'fd_seek', 'proc_exit', 'environ_sizes_get', 'environ_get'].includes(i.name)),
      `unexpected import ${i.module}.${i.name}`,
    );
  }
  assert.ok(exports.some((e) => e.name === 'gsc_rsa_verify_sha256'), 'the export section was read');
  for (const e of exports) {
    const types = [...e.signature.params, ...e.signature.results];
    assert.ok(!types.includes('i64'), `${e.name} passes an i64, which engines before Chromium 85 cannot call`);
  }
});
