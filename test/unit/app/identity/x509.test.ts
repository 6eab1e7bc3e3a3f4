import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import {
  OID_SHA256_WITH_RSA,
  buildSelfSignedCertificate,
  derToPem,
  parseCertificate,
  pemToDer,
} from '../../../../src/app/identity/x509.ts';

const NOT_BEFORE_MS = Date.UTC(2026, 10, 21, 12, 0, 0);
const TWENTY_YEARS_MS = 20 * 365 * 24 * 3600 * 1000;

function rsaParts(publicKey: KeyObject): { modulus: Uint8Array; exponent: Uint8Array } {
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    modulus: new Uint8Array(Buffer.from(jwk.n ?? '', 'base64url')),
    exponent: new Uint8Array(Buffer.from(jwk.e ?? '', 'base64url')),
  };
}

// One key for the file: RSA-2048 generation is the slow part and each test only reads it.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });

function build(commonName: string, serialHex: string, notAfterMs = NOT_BEFORE_MS + TWENTY_YEARS_MS): Uint8Array {
  return buildSelfSignedCertificate({
    commonName,
    serial: new Uint8Array(Buffer.from(serialHex, 'hex')),
    notBeforeMs: NOT_BEFORE_MS,
    notAfterMs,
    rsa: rsaParts(keys.publicKey),
    sign: (tbs) => new Uint8Array(sign('sha256', tbs, keys.privateKey)),
  });
}

test('a built certificate is accepted by node and its self-signature verifies', () => {
  const der = build('NVIDIA GameStream Client', '5f3a0c');
  const x509 = new X509Certificate(der);
  assert.equal(x509.subject, 'CN=NVIDIA GameStream Client');
  assert.equal(x509.issuer, 'CN=NVIDIA GameStream Client');
  assert.equal(x509.serialNumber.toLowerCase(), '5f3a0c');
  assert.equal(new Date(x509.validFrom).getTime(), NOT_BEFORE_MS);
  assert.equal(new Date(x509.validTo).getTime(), NOT_BEFORE_MS + TWENTY_YEARS_MS);
  assert.equal(x509.verify(keys.publicKey), true);
  assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
});

test('openssl reads a built certificate as v3 with sha256WithRSAEncryption', () => {
  const pem = derToPem(build('Sunshine Gamestream Host', '5f3a0c'), 'CERTIFICATE');
  const r = spawnSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Version: 3 \(0x2\)/);
  assert.match(r.stdout, /Signature Algorithm: sha256WithRSAEncryption/);
  assert.match(r.stdout, /Subject: CN ?= ?Sunshine Gamestream Host/);
  assert.match(r.stdout, /Public-Key: \(2048 bit\)/);
  assert.match(r.stdout, /Exponent: 65537/);
  assert.match(r.stdout, /Serial Number: 6240780 \(0x5f3a0c\)/);
});

test('a parsed certificate gives back every field it was built from', () => {
  const der = build('NVIDIA GameStream Client', '8001');
  const parsed = parseCertificate(der);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  const c = parsed.value;
  assert.deepEqual(c.der, der);
  assert.equal(c.signatureAlgorithmOid, OID_SHA256_WITH_RSA);
  assert.equal(c.subjectCommonName, 'NVIDIA GameStream Client');
  assert.equal(Buffer.from(c.serial).toString('hex'), '8001');
  assert.equal(c.notBeforeMs, NOT_BEFORE_MS);
  assert.equal(c.notAfterMs, NOT_BEFORE_MS + TWENTY_YEARS_MS);
  assert.equal(c.signature.length, 256);
  const parts = rsaParts(keys.publicKey);
  assert.deepEqual(c.rsa, parts);
  // The SPKI we extract is the key node derives from the certificate.
  const spkiFromNode = keys.publicKey.export({ format: 'der', type: 'spki' });
  assert.equal(Buffer.from(c.spki).toString('hex'), spkiFromNode.toString('hex'));
});

test('the extracted signature verifies over the extracted tbs with the certificate key', () => {
  const parsed = parseCertificate(build('NVIDIA GameStream Client', '00'));
  assert.ok(parsed.ok);
  const key = createPublicKey({ key: Buffer.from(parsed.value.spki), format: 'der', type: 'spki' });
  assert.equal(verify('sha256', parsed.value.tbs, key, parsed.value.signature), true);
  const tampered = parsed.value.tbs.slice();
  tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
  assert.equal(verify('sha256', tampered, key, parsed.value.signature), false);
});

/** A certificate made by `openssl req` from a key; openssl reads the key from a temp file. */
function opensslSelfSigned(keyPem: string, args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'x509-test-'));
  try {
    const keyPath = join(dir, 'key.pem');
    writeFileSync(keyPath, keyPem);
    const r = spawnSync('openssl', ['req', '-new', '-x509', '-key', keyPath, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a certificate made by openssl parses, with its validity after 2049 in GeneralizedTime', () => {
  const keyPem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const pem = opensslSelfSigned(keyPem, ['-subj', '/O=Example/CN=Other Host', '-days', '10000', '-sha256', '-set_serial', '0x0102030405']);
  const der = pemToDer(pem, 'CERTIFICATE');
  assert.ok(der.ok);
  const parsed = parseCertificate(der.value);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.value.subjectCommonName, 'Other Host');
  assert.equal(Buffer.from(parsed.value.serial).toString('hex'), '0102030405');
  const x509 = new X509Certificate(der.value);
  assert.equal(parsed.value.notAfterMs, new Date(x509.validTo).getTime());
  assert.ok(parsed.value.notAfterMs > Date.UTC(2050, 0, 1));
});

test('every proper prefix of a valid certificate fails cleanly', () => {
  const der = build('NVIDIA GameStream Client', '00');
  for (let n = 0; n < der.length; n += 1) {
    const r = parseCertificate(der.subarray(0, n));
    assert.equal(r.ok, false, `prefix of ${n} bytes`);
  }
});

test('bytes appended to a certificate are refused', () => {
  const der = build('NVIDIA GameStream Client', '00');
  const longer = new Uint8Array(der.length + 1);
  longer.set(der);
  assert.equal(parseCertificate(longer).ok, false);
});

test('corrupting any single byte gives a result or an error, never a throw', () => {
  const der = build('NVIDIA GameStream Client', '00');
  for (let i = 0; i < der.length; i += 1) {
    for (const value of [0x00, 0xff, der[i]! ^ 0x80]) {
      const copy = der.slice();
      copy[i] = value;
      assert.doesNotThrow(() => parseCertificate(copy), `byte ${i} = ${value}`);
    }
  }
});

test('an oversized length claim and plain garbage are errors', () => {
  const cases = [
    { name: 'length far beyond the input', input: '3084' + '7fffffff' + '00' },
    { name: 'empty', input: '' },
    { name: 'not a sequence', input: '0500' },
    { name: 'sequence of nothing', input: '3000' },
    { name: 'text', input: Buffer.from('-----BEGIN CERTIFICATE-----').toString('hex') },
  ];
  for (const c of cases) {
    assert.equal(parseCertificate(new Uint8Array(Buffer.from(c.input, 'hex'))).ok, false, c.name);
  }
});

test('a certificate whose key is not RSA parses with rsa = null', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keyPem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const der = pemToDer(opensslSelfSigned(keyPem, ['-subj', '/CN=ec', '-days', '1']), 'CERTIFICATE');
  assert.ok(der.ok);
  const parsed = parseCertificate(der.value);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.value.rsa, null);
  assert.equal(parsed.value.subjectCommonName, 'ec');
});
