// The pairing and identity primitives of the core, done with Node's OpenSSL instead of the
// wasm: an independent implementation to test our protocol code against, and fast enough
// for unit tests. Also makes RSA identities (key + self-signed certificate) for test peers.
import { createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { Core } from '../../../wasm/core.ts';
import { buildSelfSignedCertificate, derToPem } from '../../../src/app/identity/x509.ts';
import { err, ok } from '../../../src/lib/result.ts';
import type { ClientIdentity } from '../../../src/app/identity/identity.ts';

export type CryptoCore = Pick<Core, 'sha256' | 'sha1' | 'aes128EcbEncrypt' | 'aes128EcbDecrypt' | 'rsaGenerate2048' | 'rsaSignSha256' | 'rsaVerifySha256'>;

export function createNodeCryptoCore(): CryptoCore {
  const ecb = (decrypt: boolean, key: Uint8Array, data: Uint8Array) => {
    if (key.length !== 16 || data.length % 16 !== 0) return err({ kind: 'core-status' as const, call: 'aes', status: -2, name: 'GSC_ERR_BAD_LENGTH' });
    const c = decrypt ? createDecipheriv('aes-128-ecb', key, null) : createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    return ok(new Uint8Array(Buffer.concat([c.update(data), c.final()])));
  };
  return {
    sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
    sha1: (data) => new Uint8Array(createHash('sha1').update(data).digest()),
    aes128EcbEncrypt: (key, data) => ecb(false, key, data),
    aes128EcbDecrypt: (key, data) => ecb(true, key, data),
    rsaGenerate2048: () => {
      const key = generateRsaKey();
      return ok({ privateKeyDer: key.privateKeyDer, modulus: key.modulus, exponent: key.exponent });
    },
    rsaSignSha256: (privateKeyDer, message) => {
      try {
        const key = createPrivateKey({ key: Buffer.from(privateKeyDer), format: 'der', type: 'pkcs1' });
        return ok(new Uint8Array(sign('sha256', message, key)));
      } catch (e) {
        return err({ kind: 'core-status' as const, call: `rsaSignSha256 (${String(e)})`, status: -102, name: 'GSC_ERR_CRYPTO_BAD_PRIVATE_KEY' });
      }
    },
    rsaVerifySha256: (modulus, exponent, message, signature) => {
      try {
        const key = createPublicKey({ key: { kty: 'RSA', n: b64url(modulus), e: b64url(exponent) }, format: 'jwk' });
        return verify('sha256', message, key, signature);
      } catch {
        return false;
      }
    },
  };
}

export interface TestRsaKey {
  privateKeyDer: Uint8Array;
  modulus: Uint8Array;
  exponent: Uint8Array;
}

export function generateRsaKey(): TestRsaKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const jwk = privateKey.export({ format: 'jwk' });
  const modulus = new Uint8Array(Buffer.from(jwk.n ?? '', 'base64url'));
  const exponent = new Uint8Array(Buffer.from(jwk.e ?? '', 'base64url'));
  return { privateKeyDer: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs1' })), modulus, exponent };
}

export function signSha256(privateKeyDer: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', message, createPrivateKey({ key: Buffer.from(privateKeyDer), format: 'der', type: 'pkcs1' })));
}

/** A key and a self-signed certificate, as a client or a host has. */
export function makeCertifiedKey(commonName: string): { key: TestRsaKey; certDer: Uint8Array; certPem: string } {
  const key = generateRsaKey();
  const certDer = buildSelfSignedCertificate({
    commonName,
    serial: new Uint8Array([0]),
    notBeforeMs: Date.UTC(2026, 0, 1),
    notAfterMs: Date.UTC(2046, 0, 1),
    rsa: { modulus: key.modulus, exponent: key.exponent },
    sign: (tbs) => signSha256(key.privateKeyDer, tbs),
  });
  return { key, certDer, certPem: derToPem(certDer, 'CERTIFICATE') };
}

export function makeClientIdentity(uniqueId = '1a2b3c4d5e6f7081'): ClientIdentity {
  const { key, certDer, certPem } = makeCertifiedKey('NVIDIA GameStream Client');
  return { uniqueId, certPem, certDer, privateKeyDer: key.privateKeyDer };
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
