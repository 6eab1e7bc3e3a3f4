// The client's identity toward every host (control-plane.md §2.1, §2.2, §2.4): one RSA-2048
// key, one self-signed certificate, one uniqueid, created on first start and kept for ever.
// Hosts authorise by certificate, so losing or replacing it silently would unpair every PC;
// a stored identity that cannot be read is therefore an error for the caller to report,
// never a reason to make a new one.

import type { Core, CryptoError } from '../../../wasm/core.ts';
import { bytesEqual } from '../../lib/bytes.ts';
import { bytesToHex } from '../../lib/hex.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import type { Platform } from '../../platform/platform.ts';
import type { ServiceError } from '../services.ts';
import { decodeUnsignedInteger, DerTag, expectTag, parseDer } from './der.ts';
import { buildSelfSignedCertificate, derToPem, parseCertificate, pemToDer } from './x509.ts';

export interface ClientIdentity {
  /** Random 64-bit, lowercase hex without zero padding, persisted. */
  uniqueId: string;
  certPem: string;
  certDer: Uint8Array;
  /** PKCS#1 RSAPrivateKey. */
  privateKeyDer: Uint8Array;
}

/** The one storage key: a single value, so that a crash never leaves half an identity. */
export const IDENTITY_STORAGE_KEY = 'identity/client';

export async function loadOrCreateIdentity(platform: Platform, core: Core): Promise<Result<ClientIdentity, ServiceError>> {
  const stored = await platform.storage.get(IDENTITY_STORAGE_KEY);
  if (!stored.ok) return stored;
  if (stored.value !== null) return parseStoredIdentity(stored.value);
  const created = createIdentity(platform, core);
  if (!created.ok) return created;
  const saved = await platform.storage.set(IDENTITY_STORAGE_KEY, serializeIdentity(created.value));
  return saved.ok ? created : saved;
}

function createIdentity(platform: Platform, core: Core): Result<ClientIdentity, ServiceError> {
  const key = core.rsaGenerate2048(platform.entropy.randomBytes(RSA_SEED_BYTES));
  if (!key.ok) return internal(`generating the client key failed: ${describe(key.error)}`);
  const { privateKeyDer, modulus } = key.value;
  const signErrors: string[] = []; // buildSelfSignedCertificate's callback cannot return a Result
  const nowMs = platform.clock.wallMs();
  const certDer = buildSelfSignedCertificate({
    commonName: CLIENT_COMMON_NAME,
    serial: new Uint8Array([0]),
    notBeforeMs: nowMs,
    notAfterMs: nowMs + CERT_VALIDITY_MS,
    rsa: { modulus, exponent: key.value.exponent },
    sign: (tbs) => {
      const signature = core.rsaSignSha256(privateKeyDer, tbs);
      if (signature.ok) return signature.value;
      signErrors.push(describe(signature.error));
      return new Uint8Array(0);
    },
  });
  if (signErrors.length > 0) return internal(`signing the client certificate failed: ${signErrors.join('; ')}`);
  return ok({ uniqueId: newUniqueId(platform), certPem: derToPem(certDer, 'CERTIFICATE'), certDer, privateKeyDer });
}

/** §2.2: a random 64-bit number in lowercase hex without leading zeros, as moonlight-qt does. */
function newUniqueId(platform: Platform): string {
  const hex = bytesToHex(platform.entropy.randomBytes(8)).replace(/^0+/, '');
  return hex === '' ? '0' : hex;
}

function serializeIdentity(identity: ClientIdentity): string {
  return JSON.stringify({ version: STORED_VERSION, uniqueId: identity.uniqueId, certPem: identity.certPem, keyPem: derToPem(identity.privateKeyDer, KEY_PEM_LABEL) });
}

/** The stored identity, checked whole: id format, certificate, and key matching the certificate. */
export function parseStoredIdentity(text: string): Result<ClientIdentity, ServiceError> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return corrupt('not JSON');
  }
  if (typeof value !== 'object' || value === null) return corrupt('not an object');
  const record = value as Record<string, unknown>;
  if (record['version'] !== STORED_VERSION) return corrupt(`unknown version ${JSON.stringify(record['version'])}`);
  const { uniqueId, certPem, keyPem } = record;
  if (typeof uniqueId !== 'string' || !/^[0-9a-f]{1,16}$/.test(uniqueId)) return corrupt('bad uniqueId');
  if (typeof certPem !== 'string' || typeof keyPem !== 'string') return corrupt('missing certificate or key');
  const certDer = pemToDer(certPem, 'CERTIFICATE');
  if (!certDer.ok) return corrupt(`certificate: ${certDer.error}`);
  const cert = parseCertificate(certDer.value);
  if (!cert.ok) return corrupt(`certificate: ${cert.error}`);
  if (cert.value.rsa === null) return corrupt('the certificate has no RSA key');
  const privateKeyDer = pemToDer(keyPem, KEY_PEM_LABEL);
  if (!privateKeyDer.ok) return corrupt(`key: ${privateKeyDer.error}`);
  const keyModulus = pkcs1Modulus(privateKeyDer.value);
  if (!keyModulus.ok) return corrupt(`key: ${keyModulus.error}`);
  if (!bytesEqual(keyModulus.value, cert.value.rsa.modulus)) return corrupt('the key does not belong to the certificate');
  return ok({ uniqueId, certPem, certDer: certDer.value, privateKeyDer: privateKeyDer.value });
}

/** The modulus of a PKCS#1 RSAPrivateKey: SEQUENCE { version, n, e, d, p, q, dp, dq, qinv }. */
function pkcs1Modulus(der: Uint8Array): Result<Uint8Array, string> {
  const root = parseDer(der);
  if (!root.ok) return root;
  const seq = expectTag(root.value, DerTag.SEQUENCE, 'RSAPrivateKey');
  if (!seq.ok) return seq;
  if (seq.value.children.length < PKCS1_FIELD_COUNT) return err('RSAPrivateKey: too few fields');
  const n = expectTag(seq.value.children[1], DerTag.INTEGER, 'modulus');
  return n.ok ? decodeUnsignedInteger(n.value) : n;
}

function corrupt(why: string): { ok: false; error: ServiceError } {
  return err({ kind: 'storage', detail: `the stored client identity is corrupt (${why}); it was left as it is` });
}

function internal(detail: string): { ok: false; error: ServiceError } {
  return err({ kind: 'internal', detail });
}

function describe(error: CryptoError): string {
  return `${error.call}: ${error.name} (${error.status})`;
}

// §2.1: every reference client presents this name; hosts list it, none checks it.
const CLIENT_COMMON_NAME = 'NVIDIA GameStream Client';
// §9 item 2: 20 years, as moonlight-qt; Sunshine ignores validity anyway.
const CERT_VALIDITY_MS = 20 * 365.25 * 24 * 60 * 60 * 1000;
const KEY_PEM_LABEL = 'RSA PRIVATE KEY';
const STORED_VERSION = 1;
// The core needs at least 32 bytes (GSC_RSA_SEED_MIN_SIZE); more costs nothing.
const RSA_SEED_BYTES = 48;
const PKCS1_FIELD_COUNT = 9;
