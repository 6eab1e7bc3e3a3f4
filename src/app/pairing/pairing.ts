// The client side of GameStream pairing (control-plane.md §4.2-4.7).
//
// Theory of operation. A PIN shared out of band (shown here, typed on the PC) keys AES-128
// through H(salt ‖ PIN); each side then proves it knows the key and binds the exchange to
// its certificate's signature bytes. In order:
//   0  HTTP serverinfo: the host generation picks H (SHA-256 from appversion 7, else SHA-1)
//   1  getservercert        send salt and our certificate; the host holds the answer until a
//                           person types the PIN, then sends its certificate (plaincert)
//   2  clientchallenge      E_K(clientChallenge) -> E_K(serverResponse ‖ serverChallenge)
//   3  serverchallengeresp  E_K(H(serverChallenge ‖ sig(ours) ‖ clientSecret)) ->
//                           serverSecret ‖ Sign_host(serverSecret); we verify the signature
//                           with plaincert's key (man in the middle), then the host's
//                           response to our challenge (wrong PIN)
//   4  clientpairingsecret  clientSecret ‖ Sign_ours(clientSecret): the host checks us
//   5  pairchallenge        over HTTPS pinning plaincert: the TLS handshake proves the host
//                           now accepts our certificate; then HTTPS serverinfo
// Any failure once phase 1 was sent is followed by /unpair (ignored by Sunshine, cleans up
// GFE). Nothing is stored here: the caller persists the returned certificate on success.

import type { Core, CryptoError } from '../../../wasm/core.ts';
import { bytesEqual, concatBytes } from '../../lib/bytes.ts';
import type { CancelSignal } from '../../lib/cancel.ts';
import { bytesToHex, hexToBytes } from '../../lib/hex.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import type { Entropy } from '../../platform/platform.ts';
import { requestChecked, sendUnpair, type HostEndpoint, type NvHttpContext, type ServerInfo } from '../../nvhttp/nvhttp-client.ts';
import { parseAppVersionMajor, parseServerInfo } from '../../nvhttp/serverinfo.ts';
import { childText, type XmlReply } from '../../nvhttp/xml-reply.ts';
import { parseCertificate, pemToDer, type ParsedCertificate } from '../identity/x509.ts';
import type { PairingStage, ServiceError } from '../services.ts';

export interface PairingOptions {
  /** Four decimal digits, shown to the person who types them on the host. */
  pin: string;
  onStage: (stage: PairingStage) => void;
  cancel: CancelSignal;
  /** Bounds each step but the first, which waits for a person (PIN_WAIT_MAX_MS). */
  stepTimeoutMs: number;
}

export interface PairingSuccess {
  /** The host certificate to pin from now on. */
  serverCertDer: Uint8Array;
  /** HTTPS serverinfo read with the new pairing (paired, MAC). */
  serverInfo: ServerInfo;
}

export async function pairWithHost(ctx: NvHttpContext, host: HostEndpoint, options: PairingOptions): Promise<Result<PairingSuccess, ServiceError>> {
  if (!/^\d{4}$/.test(options.pin)) return err({ kind: 'internal', detail: 'the pairing PIN must be 4 digits' });
  if (options.cancel.cancelled) return err({ kind: 'cancelled' });
  const plainHost: HostEndpoint = { ...host, pinnedCertDer: null };
  const info = await readServerInfo(ctx, plainHost, options);
  if (!info.ok) return info;
  const major = parseAppVersionMajor(info.value.appVersion) ?? 0;
  const hash = major >= SHA256_FROM_GENERATION ? { fn: (b: Uint8Array) => ctx.core.sha256(b), lengthBytes: 32 } : { fn: (b: Uint8Array) => ctx.core.sha1(b), lengthBytes: 20 };

  const result = await runPhases(ctx, host, options, hash);
  if (result.ok) return result;
  // The host may hold a half-done pairing for our uniqueid; /unpair is GFE's way to drop it.
  await sendUnpair(ctx, plainHost, options.stepTimeoutMs);
  return options.cancel.cancelled ? err({ kind: 'cancelled' }) : result;
}

/** A PIN of 4 decimal digits, each value 0000-9999 equally likely. */
export function generatePin(entropy: Entropy): string {
  // Rejection sampling over 16-bit values: 65536 is not a multiple of 10000, and taking the
  // remainder of every value would favour 0000-5535.
  for (let attempt = 0; attempt < PIN_MAX_DRAWS; attempt += 1) {
    const bytes = entropy.randomBytes(2);
    const value = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
    if (value < PIN_ACCEPT_BELOW) return String(value % PIN_VALUES).padStart(4, '0');
  }
  throw new Error('entropy source returned only values above the PIN range');
}

interface PairingHash {
  fn: (bytes: Uint8Array) => Uint8Array;
  lengthBytes: number;
}

async function runPhases(ctx: NvHttpContext, host: HostEndpoint, options: PairingOptions, hash: PairingHash): Promise<Result<PairingSuccess, ServiceError>> {
  const { core, identity } = ctx;
  const random = (n: number): Uint8Array => ctx.platform.entropy.randomBytes(n);
  const ourCert = parseCertificate(identity.certDer);
  if (!ourCert.ok) return err({ kind: 'internal', detail: `our certificate: ${ourCert.error}` });
  const plain: HostEndpoint = { ...host, pinnedCertDer: null };
  const step = (phase: number, query: Array<[string, string]>, timeoutMs: number, endpoint = plain): Promise<Result<XmlReply, ServiceError>> =>
    requestChecked(ctx, endpoint, { secure: endpoint.pinnedCertDer !== null, path: '/pair', query: [...PAIR_COMMON_QUERY, ...query], timeoutMs, cancel: options.cancel }, (reply) =>
      childText(reply.root, 'paired') === '1' ? ok(reply) : err({ kind: 'host-error', code: reply.statusCode, message: `the PC refused pairing at step ${phase}` }),
    );

  // Phase 1: the answer waits for the person at the PC.
  options.onStage('waiting-for-pin');
  const salt = random(SALT_BYTES);
  const aesKey = hash.fn(concatBytes(salt, new TextEncoder().encode(options.pin))).slice(0, AES_KEY_BYTES);
  const certHex = bytesToHex(new TextEncoder().encode(identity.certPem));
  const phase1Query: Array<[string, string]> = [['phrase', 'getservercert'], ['salt', bytesToHex(salt)], ['clientcert', certHex]];
  let phase1 = await step(1, phase1Query, PIN_WAIT_MAX_MS);
  // A pairing session left half-done on Sunshine (a client that vanished mid-way) swallows
  // the next PIN and answers this 400, deleting itself (§4.5). The person is still at the PC
  // with our PIN on screen, so ask once more instead of failing.
  if (!phase1.ok && isStaleSessionRefusal(phase1.error)) {
    options.onStage('waiting-for-pin');
    phase1 = await step(1, phase1Query, PIN_WAIT_MAX_MS);
  }
  if (!phase1.ok) return phase1;
  const plaincertHex = childText(phase1.value.root, 'plaincert') ?? '';
  // GFE answers paired=1 without a certificate while another client is pairing (§4.3).
  if (plaincertHex === '') return err({ kind: 'pairing-in-progress' });
  const hostCert = parsePlaincert(plaincertHex);
  if (!hostCert.ok) return hostCert;
  const hostRsa = hostCert.value.rsa;
  if (hostRsa === null) return malformed('the PC certificate has no RSA key');

  // Phase 2.
  options.onStage('challenge');
  const clientChallenge = random(CHALLENGE_BYTES);
  const encChallenge = aes(core, 'encrypt', aesKey, clientChallenge);
  if (!encChallenge.ok) return encChallenge;
  const phase2 = await step(2, [['clientchallenge', bytesToHex(encChallenge.value)]], options.stepTimeoutMs);
  if (!phase2.ok) return phase2;
  const challengeResponse = decryptHexField(core, aesKey, phase2.value, 'challengeresponse');
  if (!challengeResponse.ok) return challengeResponse;
  if (challengeResponse.value.length < hash.lengthBytes + CHALLENGE_BYTES) return malformed('challengeresponse is too short');
  const serverResponse = challengeResponse.value.slice(0, hash.lengthBytes);
  const serverChallenge = challengeResponse.value.slice(hash.lengthBytes, hash.lengthBytes + CHALLENGE_BYTES);

  // Phase 3.
  options.onStage('exchanging-secrets');
  const clientSecret = random(SECRET_BYTES);
  const clientHash = padTo(hash.fn(concatBytes(serverChallenge, ourCert.value.signature, clientSecret)), HASHED_RESPONSE_BYTES);
  const encClientHash = aes(core, 'encrypt', aesKey, clientHash);
  if (!encClientHash.ok) return encClientHash;
  const phase3 = await step(3, [['serverchallengeresp', bytesToHex(encClientHash.value)]], options.stepTimeoutMs);
  if (!phase3.ok) return phase3;
  const pairingSecret = hexToBytes(childText(phase3.value.root, 'pairingsecret') ?? '');
  if (pairingSecret === null || pairingSecret.length <= SECRET_BYTES) return malformed('pairingsecret is missing or too short');
  const serverSecret = pairingSecret.slice(0, SECRET_BYTES);
  const serverSignature = pairingSecret.slice(SECRET_BYTES);
  // Only the holder of plaincert's private key can sign serverSecret: anyone else in the
  // path, even one who relays the PIN-keyed messages faithfully, fails here.
  if (!core.rsaVerifySha256(hostRsa.modulus, hostRsa.exponent, serverSecret, serverSignature)) return err({ kind: 'man-in-the-middle' });
  const expectedResponse = hash.fn(concatBytes(clientChallenge, hostCert.value.signature, serverSecret));
  const pinMatched = bytesEqual(expectedResponse, serverResponse);

  // Phase 4: our proof. It is sent even after a PIN mismatch: the host then fails the check
  // itself and drops its pairing session, where stopping here would leave Sunshine holding a
  // session that swallows the person's next attempt (§4.5). clientSecret is fresh random data
  // and reveals nothing about the PIN.
  const ourSignature = core.rsaSignSha256(identity.privateKeyDer, clientSecret);
  if (!ourSignature.ok) return err({ kind: 'internal', detail: `signing the pairing secret failed: ${describe(ourSignature.error)}` });
  const phase4 = await requestChecked(ctx, plain, { secure: false, path: '/pair', query: [...PAIR_COMMON_QUERY, ['clientpairingsecret', bytesToHex(concatBytes(clientSecret, ourSignature.value))]], timeoutMs: options.stepTimeoutMs, cancel: options.cancel }, ok);
  if (!pinMatched) return err({ kind: 'wrong-pin' });
  if (!phase4.ok) return phase4;
  // The PIN is known good at this point (the host derived the same key), so a refusal means
  // the host checked our signature or hash against a certificate other than the one we sent:
  // it was replaced on the way, which we report as a man in the middle.
  if (childText(phase4.value.root, 'paired') !== '1') return err({ kind: 'man-in-the-middle' });

  // Phase 5: only over HTTPS does the answer mean anything (§4.3).
  options.onStage('confirming');
  const pinned: HostEndpoint = { ...host, pinnedCertDer: hostCert.value.der };
  const phase5 = await step(5, [['phrase', 'pairchallenge']], options.stepTimeoutMs, pinned);
  if (!phase5.ok) return phase5;
  const info = await readServerInfo(ctx, pinned, options);
  if (!info.ok) return info;
  return ok({ serverCertDer: hostCert.value.der, serverInfo: info.value });
}

/** serverinfo over HTTPS when `host` has a pinned certificate, else over HTTP; cancellable. */
function readServerInfo(ctx: NvHttpContext, host: HostEndpoint, options: PairingOptions): Promise<Result<ServerInfo, ServiceError>> {
  const secure = host.pinnedCertDer !== null;
  return requestChecked(ctx, host, { secure, path: '/serverinfo', query: [], timeoutMs: options.stepTimeoutMs, cancel: options.cancel }, (reply) =>
    parseServerInfo(reply, { secure, httpPort: host.httpPort }),
  );
}

function isStaleSessionRefusal(error: ServiceError): boolean {
  return error.kind === 'host-error' && error.code === 400 && /out of order call to getservercert/i.test(error.message);
}

function parsePlaincert(hex: string): Result<ParsedCertificate, ServiceError> {
  const pemBytes = hexToBytes(hex);
  if (pemBytes === null) return malformed('plaincert is not hex');
  const der = pemToDer(new TextDecoder().decode(pemBytes), 'CERTIFICATE');
  if (!der.ok) return malformed(`plaincert: ${der.error}`);
  const cert = parseCertificate(der.value);
  return cert.ok ? cert : malformed(`plaincert: ${cert.error}`);
}

function decryptHexField(core: Core, key: Uint8Array, reply: XmlReply, tag: string): Result<Uint8Array, ServiceError> {
  const bytes = hexToBytes(childText(reply.root, tag) ?? '');
  if (bytes === null || bytes.length === 0 || bytes.length % AES_BLOCK_BYTES !== 0) return malformed(`${tag} is missing or not whole AES blocks`);
  return aes(core, 'decrypt', key, bytes);
}

function aes(core: Core, direction: 'encrypt' | 'decrypt', key: Uint8Array, data: Uint8Array): Result<Uint8Array, ServiceError> {
  const r = direction === 'encrypt' ? core.aes128EcbEncrypt(key, data) : core.aes128EcbDecrypt(key, data);
  return r.ok ? r : err({ kind: 'internal', detail: `AES ${direction}: ${describe(r.error)}` });
}

/** SHA-1 hashes are zero-padded to the 32 bytes the host decrypts (§4.3 phase 3). */
function padTo(bytes: Uint8Array, lengthBytes: number): Uint8Array {
  if (bytes.length >= lengthBytes) return bytes;
  const out = new Uint8Array(lengthBytes);
  out.set(bytes);
  return out;
}

function malformed(detail: string): { ok: false; error: ServiceError } {
  return err({ kind: 'malformed-reply', detail: `pairing: ${detail}` });
}

function describe(error: CryptoError): string {
  return `${error.call}: ${error.name} (${error.status})`;
}

// §4.3: every pairing request carries these; Sunshine ignores them, GFE may not.
const PAIR_COMMON_QUERY: ReadonlyArray<readonly [string, string]> = [['devicename', 'roth'], ['updateState', '1']];
// §4.2: SHA-256 from host generation 7 (every Sunshine), SHA-1 before.
const SHA256_FROM_GENERATION = 7;
const SALT_BYTES = 16;
const CHALLENGE_BYTES = 16;
const SECRET_BYTES = 16;
const AES_KEY_BYTES = 16;
const AES_BLOCK_BYTES = 16;
// The phase-3 hash is sent as two AES blocks whatever the hash length.
const HASHED_RESPONSE_BYTES = 32;
// §4.7: phase 1 has no per-step timeout in the reference clients. Ours is capped so that a
// forgotten pairing screen does not hold a socket for ever; Sunshine itself may drop a held
// answer after 300 s (§9 item 5).
export const PIN_WAIT_MAX_MS = 5 * 60 * 1000;
const PIN_VALUES = 10000;
const PIN_ACCEPT_BELOW = 60000; // the largest multiple of 10000 below 2^16
// With 8.4 % rejection per draw, 64 draws all rejected has probability ~1e-69.
const PIN_MAX_DRAWS = 64;
