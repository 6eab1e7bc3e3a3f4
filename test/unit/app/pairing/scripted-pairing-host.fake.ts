// A GameStream host reduced to what pairing touches, written from control-plane.md §4 with
// Node's OpenSSL: serverinfo, the five /pair phases as Sunshine answers them, /unpair (XML
// 404), and a fake TLS layer that checks the pinned certificate and passes the client
// certificate to the host. Each way a host can fail pairing is a switch.
import { createPublicKey, verify } from 'node:crypto';
import { bytesEqual, concatBytes } from '../../../../src/lib/bytes.ts';
import { bytesToHex, hexToBytes } from '../../../../src/lib/hex.ts';
import { err, ok } from '../../../../src/lib/result.ts';
import { parseCertificate, pemToDer } from '../../../../src/app/identity/x509.ts';
import type { TlsOpener } from '../../../../src/nvhttp/nvhttp-client.ts';
import { createSeededEntropy, httpResponse, type FakeConnection, type HostAction, type ScriptedRequest } from '../../nvhttp/fake-platform.fake.ts';
import { createNodeCryptoCore, makeCertifiedKey, signSha256 } from '../../nvhttp/node-crypto-core.fake.ts';

export const HTTP_PORT = 47989;
export const HTTPS_PORT = 47984;

export interface PairingHostOptions {
  appVersion?: string;
  /** Phase 1 answers at once with this PIN; otherwise it waits for enterPin(). */
  autoPin?: string;
  /** The pairing secret is signed with a key other than plaincert's. */
  mitm?: boolean;
  /** Phase 1 answers paired=1 without plaincert (GFE: another client is pairing). */
  busy?: boolean;
  /** This phase answers status 200 with paired=0. */
  refuseAtPhase?: number;
  /** This phase answers Sunshine's 400 "Out of order call". */
  outOfOrderAtPhase?: number;
  /** The first getservercert meets a stale session from an earlier attempt (§4.5). */
  staleSessionOnce?: boolean;
  /** challengeresponse has one AES block only. */
  shortChallengeResponse?: boolean;
  /** plaincert is not a certificate. */
  garbledPlaincert?: boolean;
  /** TLS presents a certificate other than plaincert. */
  tlsCertChanged?: boolean;
  /** The HTTPS side does not know the client even after phase 4 (XML 401). */
  forgetOnHttps?: boolean;
  /** Phase 2 never answers. */
  hangAtPhase2?: boolean;
  /** HTTP serverinfo never answers. */
  hangServerInfo?: boolean;
}

export interface PairingHost {
  readonly certDer: Uint8Array;
  readonly requests: ScriptedRequest[];
  readonly pairedCerts: Uint8Array[];
  unpairCalls: number;
  enterPin(pin: string): void;
  handle(req: ScriptedRequest): Promise<HostAction>;
  openTls: TlsOpener;
}

export function createPairingHost(options: PairingHostOptions = {}): PairingHost {
  const crypto = createNodeCryptoCore();
  const entropy = createSeededEntropy(0x5eed);
  const major = Number(/^(\d+)/.exec(options.appVersion ?? '7')?.[1]);
  const H = (b: Uint8Array): Uint8Array => (major >= 7 ? crypto.sha256(b) : crypto.sha1(b));
  const { host, impostor } = hostKeys();
  const hostSig = certSignature(host.certDer);
  const requests: ScriptedRequest[] = [];
  const pairedCerts: Uint8Array[] = [];
  let pinEntered: (pin: string) => void = () => {};
  const pinPromise = new Promise<string>((resolve) => (pinEntered = resolve));
  type Session = { key: Uint8Array; clientCertDer: Uint8Array; serverSecret?: Uint8Array; serverChallenge?: Uint8Array; claimedHash?: Uint8Array };
  const sessions = new Map<string, Session>();
  let staleSession = options.staleSessionOnce === true;

  const xmlReply = (inner: string, status = 200, message?: string): HostAction => ({
    kind: 'respond',
    bytes: httpResponse(`<?xml version="1.0" encoding="utf-8"?>\n<root status_code="${status}"${message === undefined ? '' : ` status_message="${message}"`}>${inner}</root>`),
  });
  const paired = (value: 0 | 1, extra = ''): HostAction => xmlReply(`<paired>${value}</paired>${extra}`);
  const aes = (decrypt: boolean, key: Uint8Array, data: Uint8Array): Uint8Array => {
    const r = decrypt ? crypto.aes128EcbDecrypt(key, data) : crypto.aes128EcbEncrypt(key, data);
    if (!r.ok) throw new Error('test host AES failed');
    return r.value;
  };
  const knownOnHttps = (der: Uint8Array | null): boolean => !options.forgetOnHttps && der !== null && pairedCerts.some((c) => bytesEqual(c, der));

  const self: PairingHost = {
    certDer: host.certDer,
    requests,
    pairedCerts,
    unpairCalls: 0,
    enterPin: (pin) => pinEntered(pin),
    async handle(req) {
      requests.push(req);
      const url = new URL(`http://x${req.target}`);
      const q = url.searchParams;
      const https = req.port === HTTPS_PORT;
      if (https && !knownOnHttps(req.tlsClientCertDer)) return xmlReply('', 401, 'The client is not authorized. Certificate verification failed.');
      if (url.pathname === '/serverinfo') {
        if (options.hangServerInfo === true) return { kind: 'hang' };
        return xmlReply(`<hostname>test-pc</hostname><appversion>${options.appVersion ?? '7.1.431.-1'}</appversion><GfeVersion>3.23.0.74</GfeVersion><uniqueid>HOST-ID</uniqueid><HttpsPort>${HTTPS_PORT}</HttpsPort><ExternalPort>${HTTP_PORT}</ExternalPort><mac>${https ? '11:22:33:44:55:66' : '00:00:00:00:00:00'}</mac><PairStatus>${https ? 1 : 0}</PairStatus><currentgame>0</currentgame><state>SUNSHINE_SERVER_FREE</state>`);
      }
      if (url.pathname === '/unpair') {
        self.unpairCalls += 1;
        return xmlReply('', 404, 'Not Found');
      }
      if (url.pathname !== '/pair') return xmlReply('', 404, 'Not Found');
      const uniqueId = q.get('uniqueid') ?? '';
      const phase = q.get('phrase') === 'getservercert' ? 1 : q.has('clientchallenge') ? 2 : q.has('serverchallengeresp') ? 3 : q.has('clientpairingsecret') ? 4 : q.get('phrase') === 'pairchallenge' ? 5 : 0;
      if (options.outOfOrderAtPhase === phase) return xmlReply('<paired>0</paired>', 400, `Out of order call to phase ${phase}`);
      if (phase === 1 && staleSession) {
        staleSession = false;
        return xmlReply('<paired>0</paired>', 400, 'Out of order call to getservercert');
      }
      if (options.refuseAtPhase === phase) return paired(0);
      if (phase === 5) return paired(1);
      if (phase === 1) {
        const salt = hexToBytes(q.get('salt') ?? '');
        const pem = new TextDecoder().decode(hexToBytes(q.get('clientcert') ?? '') ?? new Uint8Array(0));
        const clientCertDer = pemToDer(pem, 'CERTIFICATE');
        if (salt === null || salt.length !== 16 || !clientCertDer.ok) return xmlReply('<paired>0</paired>', 400, 'Invalid client certificate');
        const pin = options.autoPin ?? (await pinPromise);
        sessions.set(uniqueId, { key: H(concatBytes(salt, new TextEncoder().encode(pin))).slice(0, 16), clientCertDer: clientCertDer.value });
        if (options.busy === true) return paired(1);
        const cert = options.garbledPlaincert === true ? 'not a certificate' : host.certPem;
        return paired(1, `<plaincert>${bytesToHex(new TextEncoder().encode(cert)).toUpperCase()}</plaincert>`);
      }
      const session = sessions.get(uniqueId);
      if (session === undefined) return xmlReply('<paired>0</paired>', 400, 'Invalid uniqueid');
      if (phase === 2) {
        if (options.hangAtPhase2 === true) return { kind: 'hang' };
        const challenge = aes(true, session.key, hexToBytes(q.get('clientchallenge') ?? '') ?? new Uint8Array(0));
        session.serverSecret = entropy.randomBytes(16);
        session.serverChallenge = entropy.randomBytes(16);
        const plain = concatBytes(H(concatBytes(challenge, hostSig, session.serverSecret)), session.serverChallenge);
        const padded = new Uint8Array(options.shortChallengeResponse === true ? 16 : 48);
        padded.set(plain.subarray(0, padded.length));
        return paired(1, `<challengeresponse>${bytesToHex(aes(false, session.key, padded)).toUpperCase()}</challengeresponse>`);
      }
      if (phase === 3) {
        session.claimedHash = aes(true, session.key, hexToBytes(q.get('serverchallengeresp') ?? '') ?? new Uint8Array(0));
        const secret = session.serverSecret ?? new Uint8Array(16);
        const signer = options.mitm === true ? impostor.key.privateKeyDer : host.key.privateKeyDer;
        return xmlReply(`<pairingsecret>${bytesToHex(concatBytes(secret, signSha256(signer, secret))).toUpperCase()}</pairingsecret><paired>1</paired>`);
      }
      if (phase === 4) {
        sessions.delete(uniqueId);
        const bytes = hexToBytes(q.get('clientpairingsecret') ?? '') ?? new Uint8Array(0);
        const clientSecret = bytes.subarray(0, 16);
        const expected = new Uint8Array(32);
        expected.set(H(concatBytes(session.serverChallenge ?? new Uint8Array(0), certSignature(session.clientCertDer), clientSecret)));
        const hashOk = session.claimedHash !== undefined && bytesEqual(session.claimedHash, expected);
        if (hashOk && verifyWithCert(session.clientCertDer, clientSecret, bytes.subarray(16))) {
          pairedCerts.push(session.clientCertDer);
          return paired(1);
        }
        return paired(0);
      }
      return xmlReply('', 404, 'Invalid pairing request');
    },
    async openTls(_core, tcp, tlsOptions) {
      const presented = options.tlsCertChanged === true ? impostor.certDer : host.certDer;
      if (!bytesEqual(tlsOptions.pinnedServerCertDer, presented)) {
        tcp.close();
        return err({ kind: 'tls', detail: 'the server certificate is not the pinned one' });
      }
      (tcp as FakeConnection).tlsClientCertDer = tlsOptions.clientCertDer;
      return ok(tcp);
    },
  };
  return self;
}

// RSA key generation is the slow part of these tests: the host keys are made once per process.
let cachedHostKeys: { host: ReturnType<typeof makeCertifiedKey>; impostor: ReturnType<typeof makeCertifiedKey> } | null = null;
function hostKeys(): NonNullable<typeof cachedHostKeys> {
  cachedHostKeys ??= { host: makeCertifiedKey('Sunshine Gamestream Host'), impostor: makeCertifiedKey('Sunshine Gamestream Host') };
  return cachedHostKeys;
}

function certSignature(der: Uint8Array): Uint8Array {
  const cert = parseCertificate(der);
  if (!cert.ok) throw new Error(cert.error);
  return cert.value.signature;
}

function verifyWithCert(certDer: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const cert = parseCertificate(certDer);
  if (!cert.ok || cert.value.rsa === null) return false;
  const key = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(cert.value.rsa.modulus).toString('base64url'), e: Buffer.from(cert.value.rsa.exponent).toString('base64url') }, format: 'jwk' });
  return verify('sha256', message, key, signature);
}
