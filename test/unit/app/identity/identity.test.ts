import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { IDENTITY_STORAGE_KEY, loadOrCreateIdentity, parseStoredIdentity } from '../../../../src/app/identity/identity.ts';
import { derToPem, parseCertificate } from '../../../../src/app/identity/x509.ts';
import { err } from '../../../../src/lib/result.ts';
import type { Core } from '../../../../wasm/core.ts';
import type { Entropy, Platform, Storage } from '../../../../src/platform/platform.ts';
import { createFakeClock, createFakePlatform, createMemoryStorage, createScriptedSockets, createSeededEntropy } from '../../nvhttp/fake-platform.fake.ts';
import { createNodeCryptoCore, makeCertifiedKey } from '../../nvhttp/node-crypto-core.fake.ts';

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

function countingCore(): { core: Core; generated: () => number } {
  const inner = createNodeCryptoCore();
  let count = 0;
  const core = {
    ...inner,
    rsaGenerate2048: (seed: Uint8Array) => {
      count += 1;
      assert.ok(seed.length >= 32, 'the core needs at least 32 bytes of seed');
      return inner.rsaGenerate2048(seed);
    },
  } as Core;
  return { core, generated: () => count };
}

function platformWith(storage: Storage, entropy?: Entropy): Platform {
  const clock = createFakeClock();
  const platform = createFakePlatform({ clock, sockets: createScriptedSockets(clock, () => ({ kind: 'close' })), seed: 11, storage });
  return entropy === undefined ? platform : { ...platform, entropy };
}

test('the first start creates an RSA-2048 identity with a self-signed client certificate and stores it', async () => {
  const storage = createMemoryStorage();
  const platform = platformWith(storage);
  const { core, generated } = countingCore();
  const r = await loadOrCreateIdentity(platform, core);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(generated(), 1);
  assert.match(r.value.uniqueId, /^[1-9a-f][0-9a-f]{0,15}$/);
  const cert = parseCertificate(r.value.certDer);
  assert.ok(cert.ok);
  assert.equal(cert.value.subjectCommonName, 'NVIDIA GameStream Client');
  assert.deepEqual([...cert.value.serial], [0]);
  assert.equal(cert.value.signatureAlgorithmOid, '1.2.840.113549.1.1.11');
  assert.equal(cert.value.rsa?.modulus.length, 256);
  assert.deepEqual([...(cert.value.rsa?.exponent ?? [])], [1, 0, 1]);
  assert.equal(cert.value.notBeforeMs, Math.floor(platform.clock.wallMs() / 1000) * 1000);
  assert.ok(Math.abs(cert.value.notAfterMs - cert.value.notBeforeMs - 20 * YEAR_MS) < 2 * 24 * 3600 * 1000, '20 years');
  // Self-signed: the certificate's own key verifies its signature.
  const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(cert.value.rsa?.modulus ?? []).toString('base64url'), e: 'AQAB' }, format: 'jwk' });
  assert.ok(verify('sha256', cert.value.tbs, key, cert.value.signature));
  assert.equal(r.value.certPem, derToPem(r.value.certDer, 'CERTIFICATE'));
  assert.deepEqual([...storage.data.keys()], [IDENTITY_STORAGE_KEY]);
});

test('later starts load the same identity without making a new key', async () => {
  const storage = createMemoryStorage();
  const { core, generated } = countingCore();
  const first = await loadOrCreateIdentity(platformWith(storage), core);
  const second = await loadOrCreateIdentity(platformWith(storage, createSeededEntropy(99)), core);
  assert.ok(first.ok && second.ok);
  assert.equal(generated(), 1);
  assert.deepEqual(second.value, first.value);
});

test('the uniqueid is printed without leading zeros', async () => {
  const queue = [new Uint8Array(48).fill(7), new Uint8Array([0x00, 0x00, 0x0a, 0xbc, 0x00, 0x01, 0x02, 0x03])];
  const entropy: Entropy = { randomBytes: (n) => queue.shift() ?? new Uint8Array(n) };
  const r = await loadOrCreateIdentity(platformWith(createMemoryStorage(), entropy), countingCore().core);
  assert.ok(r.ok);
  assert.equal(r.value.uniqueId, 'abc00010203');
});

const other = makeCertifiedKey('NVIDIA GameStream Client');

async function storedValid(): Promise<Record<string, unknown>> {
  const storage = createMemoryStorage();
  const r = await loadOrCreateIdentity(platformWith(storage), countingCore().core);
  assert.ok(r.ok);
  return JSON.parse(storage.data.get(IDENTITY_STORAGE_KEY) ?? '') as Record<string, unknown>;
}

const corruptions: Array<{ name: string; make: (valid: Record<string, unknown>) => string; detail: RegExp }> = [
  { name: 'text that is not JSON', make: () => '{"version":1,', detail: /not JSON/ },
  { name: 'an unknown version', make: (v) => JSON.stringify({ ...v, version: 2 }), detail: /unknown version/ },
  { name: 'a uniqueid that is not hex', make: (v) => JSON.stringify({ ...v, uniqueId: 'XYZ' }), detail: /bad uniqueId/ },
  { name: 'a certificate that is not PEM', make: (v) => JSON.stringify({ ...v, certPem: 'garbage' }), detail: /certificate/ },
  { name: 'a missing key', make: (v) => JSON.stringify({ ...v, keyPem: undefined }), detail: /missing certificate or key/ },
  { name: 'a key that belongs to another certificate', make: (v) => JSON.stringify({ ...v, certPem: other.certPem }), detail: /does not belong/ },
];

for (const c of corruptions) {
  test(`a stored identity with ${c.name} is an error and is left untouched`, async () => {
    const text = c.make(await storedValid());
    const storage = createMemoryStorage({ [IDENTITY_STORAGE_KEY]: text });
    const { core, generated } = countingCore();
    const r = await loadOrCreateIdentity(platformWith(storage), core);
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'storage');
    if (r.error.kind === 'storage') assert.match(r.error.detail, c.detail);
    assert.equal(generated(), 0, 'no new key');
    assert.equal(storage.data.get(IDENTITY_STORAGE_KEY), text);
  });
}

test('a storage read failure is returned and nothing is created', async () => {
  const storage: Storage = { ...createMemoryStorage(), get: async () => err({ kind: 'storage', detail: 'disk on fire' }) };
  const { core, generated } = countingCore();
  assert.deepEqual(await loadOrCreateIdentity(platformWith(storage), core), { ok: false, error: { kind: 'storage', detail: 'disk on fire' } });
  assert.equal(generated(), 0);
});

test('a storage write failure is returned', async () => {
  const storage: Storage = { ...createMemoryStorage(), set: async () => err({ kind: 'storage', detail: 'full' }) };
  assert.deepEqual(await loadOrCreateIdentity(platformWith(storage), countingCore().core), { ok: false, error: { kind: 'storage', detail: 'full' } });
});

test('parseStoredIdentity accepts what was stored', async () => {
  const valid = await storedValid();
  const r = parseStoredIdentity(JSON.stringify(valid));
  assert.ok(r.ok);
  assert.equal(r.value.uniqueId, valid['uniqueId']);
});
