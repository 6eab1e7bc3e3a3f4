// The host's own TLS identity, made like Sunshine's (control-plane.md 2.3): RSA-2048,
// self-signed, CN "Sunshine Gamestream Host", 20 years, random 159-bit serial. Built with the
// project's X.509 module so that the simulator exercises it too.

import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { buildSelfSignedCertificate, derToPem, parseCertificate, pemToDer } from '../../src/app/identity/x509.ts';

export interface HostIdentity {
  certPem: string;
  keyPem: string;
}

export interface LoadedIdentity extends HostIdentity {
  key: KeyObject;
  certDer: Uint8Array;
  /** sig(hostCert) of control-plane.md 4.2. */
  certSignature: Uint8Array;
}

export const HOST_COMMON_NAME = 'Sunshine Gamestream Host';
/** Sunshine's host certificate lasts 7300 days (observed, control-plane.md 10.2). */
const VALIDITY_MS = 7300 * 24 * 3600 * 1000;
/** 20 random bytes with the top bit clear: a positive 159-bit serial, as observed. */
const SERIAL_BYTES = 20;

export function generateIdentity(commonName = HOST_COMMON_NAME, nowMs = Date.now()): HostIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const jwk = publicKey.export({ format: 'jwk' });
  const serial = new Uint8Array(randomBytes(SERIAL_BYTES));
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const der = buildSelfSignedCertificate({
    commonName,
    serial,
    notBeforeMs: nowMs,
    notAfterMs: nowMs + VALIDITY_MS,
    rsa: {
      modulus: new Uint8Array(Buffer.from(jwk.n ?? '', 'base64url')),
      exponent: new Uint8Array(Buffer.from(jwk.e ?? '', 'base64url')),
    },
    sign: (tbs) => new Uint8Array(sign('sha256', tbs, privateKey)),
  });
  return {
    certPem: derToPem(der, 'CERTIFICATE'),
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

/** Checks that the certificate parses and belongs to the key; a mismatch is a broken state dir. */
export function loadIdentity(identity: HostIdentity): { ok: true; value: LoadedIdentity } | { ok: false; error: string } {
  const der = pemToDer(identity.certPem, 'CERTIFICATE');
  if (!der.ok) return { ok: false, error: `host certificate: ${der.error}` };
  const parsed = parseCertificate(der.value);
  if (!parsed.ok) return { ok: false, error: `host certificate: ${parsed.error}` };
  let key: KeyObject;
  try {
    key = createPrivateKey(identity.keyPem);
  } catch (e) {
    return { ok: false, error: `host key: ${String(e)}` };
  }
  const fromKey = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(Buffer.from(parsed.value.spki))) return { ok: false, error: 'host key does not match the certificate' };
  return { ok: true, value: { ...identity, key, certDer: der.value, certSignature: parsed.value.signature } };
}
