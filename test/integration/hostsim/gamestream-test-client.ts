// The client side of the GameStream control plane, just enough to drive the host simulator
// from tests: raw HTTP/HTTPS GETs (so tests see the exact bytes), and pairing written from
// control-plane.md 4.3 with node:crypto. A protocol check, not the product's client.

import { createCipheriv, createDecipheriv, createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { XMLParser } from 'fast-xml-parser';
import { buildSelfSignedCertificate, derToPem, parseCertificate, pemToDer } from '../../../src/app/identity/x509.ts';
import type { HostSim } from '../../hostsim/host-sim.ts';

export interface ClientIdentity {
  certPem: string;
  keyPem: string;
}

export interface RawReply {
  /** Everything the host sent before closing. */
  raw: Buffer;
  statusLine: string;
  headers: Map<string, string>;
  /** The body as delimited by Content-Length. */
  body: Buffer;
  /** Bytes after the Content-Length body (Sunshine's 404 leaves some). */
  trailing: Buffer;
}

/** A reference-client identity: RSA-2048, CN "NVIDIA GameStream Client", serial 0. */
export function makeClientIdentity(): ClientIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const nowMs = Date.UTC(2026, 0, 1);
  const der = buildSelfSignedCertificate({
    commonName: 'NVIDIA GameStream Client',
    serial: new Uint8Array([0]),
    notBeforeMs: nowMs,
    notAfterMs: nowMs + 20 * 365 * 86400 * 1000,
    rsa: { modulus: Buffer.from(jwk.n ?? '', 'base64url'), exponent: Buffer.from(jwk.e ?? '', 'base64url') },
    sign: (tbs) => sign('sha256', tbs, privateKey),
  });
  return { certPem: derToPem(der, 'CERTIFICATE'), keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/** Bound on any one exchange in these tests. */
export const EXCHANGE_TIMEOUT_MS = 10_000;

export function httpGet(port: number, target: string, timeoutMs = EXCHANGE_TIMEOUT_MS): Promise<RawReply> {
  return exchange(() => netConnect({ host: '127.0.0.1', port }), `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, timeoutMs);
}

export function httpsGet(port: number, target: string, client: ClientIdentity | null, timeoutMs = EXCHANGE_TIMEOUT_MS): Promise<RawReply> {
  return exchange(
    () =>
      tlsConnect({
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false,
        ...(client === null ? {} : { cert: client.certPem, key: client.keyPem }),
      }),
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    timeoutMs,
  );
}

/** Sends `request`, reads until the host closes; rejects on timeout or a connection reset. */
export function exchange(open: () => import('node:net').Socket, request: string | Buffer, timeoutMs: number): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = open();
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      clearTimeout(timer);
      socket.end();
      resolve(splitReply(Buffer.concat(chunks)));
    });
    socket.write(request);
  });
}

export function splitReply(raw: Buffer): RawReply {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, headEnd < 0 ? raw.length : headEnd).toString('latin1').split('\r\n');
  const headers = new Map<string, string>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const start = headEnd < 0 ? raw.length : headEnd + 4;
  const length = Number(headers.get('content-length') ?? raw.length - start);
  return {
    raw,
    statusLine: head[0] ?? '',
    headers,
    body: raw.subarray(start, start + length),
    trailing: raw.subarray(start + length),
  };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'App' });

/** The <root> element as an object: attributes under "@name", children by tag name. */
export function rootOf(reply: RawReply): Record<string, unknown> {
  const doc: unknown = parser.parse(reply.body.toString('utf8'));
  const root = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>).root : undefined;
  if (typeof root !== 'object' || root === null) throw new Error(`no root in ${reply.body.toString('utf8')}`);
  return root as Record<string, unknown>;
}

export function text(root: Record<string, unknown>, name: string): string {
  const v = root[name];
  if (typeof v !== 'string') throw new Error(`no <${name}> text in ${JSON.stringify(root)}`);
  return v;
}

export interface PairingOutcome {
  /** <paired> of phase 4, or null when the client stopped before it. */
  phase4Paired: string | null;
  signatureVerified: boolean;
  pinMatched: boolean;
  plaincertPem: string | null;
}

/**
 * Pairs like a reference client: phases 1-4 over HTTP, phase 5 over HTTPS. The person at the
 * host types `enteredPin` into the web UI once the host holds phase 1; the client used `pin`.
 * Like moonlight-qt, the client stops after phase 3 when the signature or the PIN check fails.
 */
export async function pair(sim: HostSim, client: ClientIdentity, pin: string, enteredPin: string, uniqueId = 'a1b2c3'): Promise<PairingOutcome> {
  const base = `/pair?uniqueid=${uniqueId}&uuid=${randomBytes(16).toString('hex')}&devicename=roth&updateState=1`;
  const salt = randomBytes(16);
  const key = createHash('sha256').update(salt).update(pin).digest().subarray(0, 16);
  const pending = sim.waitForEvent((e) => e.kind === 'pin-pending' && e.uniqueId === uniqueId, EXCHANGE_TIMEOUT_MS);
  const phase1 = httpGet(sim.httpPort, `${base}&phrase=getservercert&salt=${salt.toString('hex')}&clientcert=${Buffer.from(client.certPem).toString('hex')}`);
  await pending;
  sim.enterPin(enteredPin, 'Test TV');
  const r1 = rootOf(await phase1);
  if (r1.paired !== '1' || typeof r1.plaincert !== 'string') return { phase4Paired: null, signatureVerified: false, pinMatched: false, plaincertPem: null };
  const hostPem = Buffer.from(r1.plaincert, 'hex').toString('latin1');
  const hostCert = parseCertificateOrThrow(hostPem);
  const hostKey = createPublicKey({ key: Buffer.from(hostCert.spki), format: 'der', type: 'spki' });

  const clientChallenge = randomBytes(16);
  const r2 = rootOf(await httpGet(sim.httpPort, `${base}&clientchallenge=${ecb(key, clientChallenge, true).toString('hex')}`));
  const decrypted = ecb(key, Buffer.from(text(r2, 'challengeresponse'), 'hex'), false);
  const serverResponse = decrypted.subarray(0, 32);
  const serverChallenge = decrypted.subarray(32, 48);

  const clientCert = parseCertificateOrThrow(client.certPem);
  const clientSecret = randomBytes(16);
  const clientHash = createHash('sha256').update(serverChallenge).update(clientCert.signature).update(clientSecret).digest();
  const r3 = rootOf(await httpGet(sim.httpPort, `${base}&serverchallengeresp=${ecb(key, clientHash, true).toString('hex')}`));
  const pairingSecret = Buffer.from(text(r3, 'pairingsecret'), 'hex');
  const serverSecret = pairingSecret.subarray(0, 16);
  const signatureVerified = verify('sha256', serverSecret, hostKey, pairingSecret.subarray(16));
  const expected = createHash('sha256').update(clientChallenge).update(hostCert.signature).update(serverSecret).digest();
  const pinMatched = expected.equals(serverResponse);
  if (!signatureVerified || !pinMatched) return { phase4Paired: null, signatureVerified, pinMatched, plaincertPem: hostPem };

  const secretAndSig = Buffer.concat([clientSecret, sign('sha256', clientSecret, client.keyPem)]);
  const r4 = rootOf(await httpGet(sim.httpPort, `${base}&clientpairingsecret=${secretAndSig.toString('hex')}`));
  const r5 = rootOf(await httpsGet(sim.httpsPort, `${base}&phrase=pairchallenge`, client));
  if (r5.paired !== '1') throw new Error('pairchallenge over HTTPS failed');
  return { phase4Paired: text(r4, 'paired'), signatureVerified, pinMatched, plaincertPem: hostPem };
}

export function ecb(key: Uint8Array, data: Uint8Array, encrypt: boolean): Buffer {
  const c = encrypt ? createCipheriv('aes-128-ecb', key, null) : createDecipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function parseCertificateOrThrow(pem: string): { spki: Uint8Array; signature: Uint8Array } {
  const der = pemToDer(pem, 'CERTIFICATE');
  if (!der.ok) throw new Error(der.error);
  const parsed = parseCertificate(der.value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}
