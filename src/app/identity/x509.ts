// X.509 certificates as GameStream uses them (control-plane.md 2.1, 4.2): self-signed RSA
// certificates whose raw signature bytes feed the pairing hashes. Parsing reads only what
// pairing and pinning need; building makes the one shape both the client and the host
// simulator use (v3, sha256WithRSAEncryption, issuer = subject = CN, no extensions).

import { err, ok, type Result } from '../../lib/result.ts';
import {
  DerTag,
  contextTag,
  decodeOid,
  decodeString,
  decodeTime,
  decodeUnsignedInteger,
  derBitString,
  derCertificateTime,
  derExplicit,
  derNull,
  derOid,
  derPrintableString,
  derSequence,
  derSet,
  derSmallInteger,
  derUnsignedInteger,
  derUtf8String,
  expectTag,
  isPrintableString,
  parseDer,
  type DerElement,
} from './der.ts';

export { derToPem, pemToDer } from './pem.ts';

export interface ParsedCertificate {
  /** The whole certificate (a copy of the parsed input). */
  der: Uint8Array;
  /** The DER of tbsCertificate: the bytes the issuer signed. */
  tbs: Uint8Array;
  signatureAlgorithmOid: string;
  /** Raw BIT STRING contents of signatureValue: sig() of control-plane.md 4.2. */
  signature: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** Unsigned big-endian modulus and exponent when the key is RSA, else null. */
  rsa: { modulus: Uint8Array; exponent: Uint8Array } | null;
  /** The first commonName of the subject, "" when it has none. */
  subjectCommonName: string;
  /** serialNumber as unsigned big-endian bytes (one 0x00 byte for zero). */
  serial: Uint8Array;
  notBeforeMs: number;
  notAfterMs: number;
}

export const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_COMMON_NAME = '2.5.4.3';

/** X.509 version field value for v3 (RFC 5280 4.1.2.1). */
const X509_V3 = 2;

export function parseCertificate(der: Uint8Array): Result<ParsedCertificate, string> {
  const root = parseDer(der);
  if (!root.ok) return err(`certificate: ${root.error}`);
  const cert = expectTag(root.value, DerTag.SEQUENCE, 'Certificate');
  if (!cert.ok) return cert;
  const [tbsEl, algEl, sigEl] = cert.value.children;
  if (cert.value.children.length !== 3) return err('Certificate: expected 3 fields');
  const tbsSeq = expectTag(tbsEl, DerTag.SEQUENCE, 'tbsCertificate');
  if (!tbsSeq.ok) return tbsSeq;
  const algorithm = readAlgorithmOid(algEl, 'signatureAlgorithm');
  if (!algorithm.ok) return algorithm;
  const signature = readWholeByteBitString(sigEl, 'signatureValue');
  if (!signature.ok) return signature;
  const tbs = parseTbs(tbsSeq.value);
  if (!tbs.ok) return tbs;
  return ok({
    der: der.slice(),
    tbs: tbsSeq.value.encoded.slice(),
    signatureAlgorithmOid: algorithm.value,
    signature: signature.value.slice(),
    ...tbs.value,
  });
}

/**
 * A self-signed X.509 v3 certificate (control-plane.md 2.1): sha256WithRSAEncryption,
 * issuer = subject = `CN=<commonName>`, no extensions. `sign` must return the
 * RSASSA-PKCS1-v1_5 SHA-256 signature of its input with the key whose public half is `rsa`.
 */
export function buildSelfSignedCertificate(options: {
  commonName: string;
  serial: Uint8Array;
  notBeforeMs: number;
  notAfterMs: number;
  rsa: { modulus: Uint8Array; exponent: Uint8Array };
  sign: (tbs: Uint8Array) => Uint8Array;
}): Uint8Array {
  const algorithm = derSequence(derOid(OID_SHA256_WITH_RSA), derNull());
  // OpenSSL, which the reference clients and Sunshine use, stores an ASCII CN as a
  // PrintableString; UTF8String only when the text needs it.
  const cnValue = isPrintableString(options.commonName)
    ? derPrintableString(options.commonName)
    : derUtf8String(options.commonName);
  const name = derSequence(derSet(derSequence(derOid(OID_COMMON_NAME), cnValue)));
  const rsaPublicKey = derSequence(derUnsignedInteger(options.rsa.modulus), derUnsignedInteger(options.rsa.exponent));
  const spki = derSequence(derSequence(derOid(OID_RSA_ENCRYPTION), derNull()), derBitString(rsaPublicKey));
  const tbs = derSequence(
    derExplicit(0, derSmallInteger(X509_V3)),
    derUnsignedInteger(options.serial),
    algorithm,
    name,
    derSequence(derCertificateTime(options.notBeforeMs), derCertificateTime(options.notAfterMs)),
    name,
    spki,
  );
  return derSequence(tbs, algorithm, derBitString(options.sign(tbs)));
}

// ---- helpers ----

type TbsFields = Pick<
  ParsedCertificate,
  'spki' | 'rsa' | 'subjectCommonName' | 'serial' | 'notBeforeMs' | 'notAfterMs'
>;

function parseTbs(tbs: DerElement): Result<TbsFields, string> {
  const fields = tbs.children;
  // version is [0] EXPLICIT and optional (absent means v1).
  const skip = fields[0]?.tag === contextTag(0, true) ? 1 : 0;
  const [serialEl, sigAlgEl, issuerEl, validityEl, subjectEl, spkiEl] = fields.slice(skip);
  const serialInt = expectTag(serialEl, DerTag.INTEGER, 'serialNumber');
  if (!serialInt.ok) return serialInt;
  const serial = decodeUnsignedInteger(serialInt.value);
  if (!serial.ok) return serial;
  const innerAlg = readAlgorithmOid(sigAlgEl, 'tbsCertificate.signature');
  if (!innerAlg.ok) return innerAlg;
  const issuer = expectTag(issuerEl, DerTag.SEQUENCE, 'issuer');
  if (!issuer.ok) return issuer;
  const validity = expectTag(validityEl, DerTag.SEQUENCE, 'validity');
  if (!validity.ok) return validity;
  if (validity.value.children.length !== 2) return err('validity: expected 2 times');
  const notBefore = decodeTime(validity.value.children[0] as DerElement);
  if (!notBefore.ok) return err(`notBefore: ${notBefore.error}`);
  const notAfter = decodeTime(validity.value.children[1] as DerElement);
  if (!notAfter.ok) return err(`notAfter: ${notAfter.error}`);
  const subject = expectTag(subjectEl, DerTag.SEQUENCE, 'subject');
  if (!subject.ok) return subject;
  const commonName = findCommonName(subject.value);
  if (!commonName.ok) return commonName;
  const spki = expectTag(spkiEl, DerTag.SEQUENCE, 'subjectPublicKeyInfo');
  if (!spki.ok) return spki;
  const rsa = readRsaKey(spki.value);
  if (!rsa.ok) return rsa;
  return ok({
    spki: spki.value.encoded.slice(),
    rsa: rsa.value,
    subjectCommonName: commonName.value,
    serial: serial.value,
    notBeforeMs: notBefore.value,
    notAfterMs: notAfter.value,
  });
}

function readAlgorithmOid(element: DerElement | undefined, what: string): Result<string, string> {
  const seq = expectTag(element, DerTag.SEQUENCE, what);
  if (!seq.ok) return seq;
  const oid = expectTag(seq.value.children[0], DerTag.OID, `${what}.algorithm`);
  if (!oid.ok) return oid;
  return decodeOid(oid.value.contents);
}

function readWholeByteBitString(element: DerElement | undefined, what: string): Result<Uint8Array, string> {
  const bits = expectTag(element, DerTag.BIT_STRING, what);
  if (!bits.ok) return bits;
  if (bits.value.contents.length === 0) return err(`${what}: empty BIT STRING`);
  if (bits.value.contents[0] !== 0) return err(`${what}: BIT STRING with unused bits`);
  return ok(bits.value.contents.subarray(1));
}

/** Name ::= SEQUENCE OF SET OF { type OID, value string }. */
function findCommonName(name: DerElement): Result<string, string> {
  for (const rdn of name.children) {
    if (rdn.tag !== DerTag.SET) return err('subject: relative name is not a SET');
    for (const attribute of rdn.children) {
      const [typeEl, valueEl] = attribute.children;
      if (attribute.tag !== DerTag.SEQUENCE || typeEl?.tag !== DerTag.OID || valueEl === undefined) {
        return err('subject: malformed attribute');
      }
      const type = decodeOid(typeEl.contents);
      if (!type.ok) return type;
      if (type.value === OID_COMMON_NAME) return decodeString(valueEl);
    }
  }
  return ok('');
}

function readRsaKey(spki: DerElement): Result<ParsedCertificate['rsa'], string> {
  const algorithm = readAlgorithmOid(spki.children[0], 'subjectPublicKeyInfo.algorithm');
  if (!algorithm.ok) return algorithm;
  const keyBits = readWholeByteBitString(spki.children[1], 'subjectPublicKey');
  if (!keyBits.ok) return keyBits;
  if (algorithm.value !== OID_RSA_ENCRYPTION) return ok(null);
  const key = parseDer(keyBits.value);
  if (!key.ok) return err(`RSAPublicKey: ${key.error}`);
  const seq = expectTag(key.value, DerTag.SEQUENCE, 'RSAPublicKey');
  if (!seq.ok) return seq;
  const modulusEl = expectTag(seq.value.children[0], DerTag.INTEGER, 'modulus');
  if (!modulusEl.ok) return modulusEl;
  const exponentEl = expectTag(seq.value.children[1], DerTag.INTEGER, 'publicExponent');
  if (!exponentEl.ok) return exponentEl;
  const modulus = decodeUnsignedInteger(modulusEl.value);
  if (!modulus.ok) return modulus;
  const exponent = decodeUnsignedInteger(exponentEl.value);
  if (!exponent.ok) return exponent;
  return ok({ modulus: modulus.value, exponent: exponent.value });
}
