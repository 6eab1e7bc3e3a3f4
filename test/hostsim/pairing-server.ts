// The host side of GameStream pairing, following Sunshine's handlers step for step
// (control-plane.md 4.3-4.5).
//
// Theory of operation. Sessions live in a table keyed by the client's uniqueid. Phase 1
// (getservercert) inserts a session, or reuses the one already under that id, stores the
// salt and holds the HTTP answer until a PIN arrives: from the web UI (enterPin, applied to
// the FIRST session of the table, as Sunshine does) or at once when the host was started with
// a fixed PIN. Phases must then come in order; any step out of order, or with bad inputs,
// answers 400 with paired=0 and deletes the session. Phase 4 checks the client's hash and
// signature and answers paired=1 (the certificate is stored) or paired=0 (wrong PIN), with
// status 200 either way, and deletes the session.

import { createCipheriv, createDecipheriv, createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { parseCertificate, pemToDer } from '../../src/app/identity/x509.ts';
import type { EventLog, PairRequestPhase } from './events.ts';
import type { Misbehaviour } from './misbehaviour.ts';
import { xml, type Reply } from './reply.ts';
import { hexUpper, sunshineHexDecode } from './sunshine-text.ts';
import { statusReply, type XmlReply } from './xml-reply.ts';
import type { QueryArgs } from './http-wire.ts';

export interface PairingDeps {
  /** The certificate sent as plaincert (Sunshine's own), its key, and sig() of it. */
  hostCertPem: string;
  hostKey: KeyObject;
  hostCertSignature: Uint8Array;
  /** What a man in the middle would present instead of the host certificate. */
  mitmCertPem: () => string;
  misbehaviour: () => Misbehaviour;
  /** A PIN typed at start (like Sunshine's PIN-on-stdin mode): phase 1 is answered at once. */
  presetPin: string | null;
  /** Stores the certificate of a client that completed pairing; returns its new uuid. */
  addClient: (name: string, certPem: string) => string;
  log: EventLog;
}

export interface PairingServer {
  handle(query: QueryArgs): Reply | Promise<Reply>;
  /** As the person typing the PIN into Sunshine's web UI; false when nothing took it. */
  enterPin(pin: string, name: string): boolean;
  /** Sessions still in the table (pending or part-way). */
  sessionCount(): number;
  /** Answers every held phase-1 request with nothing, for shutdown. */
  dropHeld(): void;
}

type Phase = 'none' | 'getservercert' | 'clientchallenge' | 'serverchallengeresp' | 'clientpairingsecret';

interface PairSession {
  uniqueId: string;
  clientCertPem: string;
  name: string;
  salt: string;
  lastPhase: Phase;
  cipherKey: Uint8Array | null;
  serverSecret: Uint8Array;
  serverChallenge: Uint8Array;
  clientHash: Uint8Array;
  /** The held phase-1 answer, if one is waiting. */
  respond: ((reply: Reply) => void) | null;
}

/** Sunshine reads exactly 32 hex characters of salt (16 bytes). */
const SALT_HEX_CHARS = 32;
const SECRET_BYTES = 16;
const PIN_DIGITS = 4;

export function createPairingServer(deps: PairingDeps): PairingServer {
  const sessions = new Map<string, PairSession>();

  const fail = (sess: PairSession, message: string): XmlReply => {
    sessions.delete(sess.uniqueId);
    deps.log.emit({ kind: 'pairing-failed', uniqueId: sess.uniqueId, reason: message });
    return { attributes: [['status_code', 400], ['status_message', message]], children: [{ name: 'paired', text: 0 }] };
  };

  const getServerCert = (sess: PairSession, pin: string): XmlReply => {
    if (sess.lastPhase !== 'none') return fail(sess, 'Out of order call to getservercert');
    sess.lastPhase = 'getservercert';
    if (sess.salt.length < SALT_HEX_CHARS) return fail(sess, 'Salt too short');
    const salt = fixedLength(sunshineHexDecode(sess.salt.slice(0, SALT_HEX_CHARS)), 16);
    sess.cipherKey = sha256(salt, Buffer.from(pin, 'latin1')).subarray(0, 16);
    const presented = deps.misbehaviour().mitm === true ? deps.mitmCertPem() : deps.hostCertPem;
    return statusReply(200, null, [
      { name: 'paired', text: 1 },
      { name: 'plaincert', text: hexUpper(Buffer.from(presented, 'latin1')) },
    ]);
  };

  const clientChallenge = (sess: PairSession, hex: string): XmlReply => {
    if (sess.lastPhase !== 'getservercert') return fail(sess, 'Out of order call to clientchallenge');
    sess.lastPhase = 'clientchallenge';
    if (sess.cipherKey === null) return fail(sess, 'Cipher key not set');
    const challenge = ecb(sess.cipherKey, sunshineHexDecode(hex), 'decrypt');
    const serverSecret = new Uint8Array(randomBytes(SECRET_BYTES));
    const hash = sha256(challenge, deps.hostCertSignature, serverSecret);
    const serverChallenge = new Uint8Array(randomBytes(SECRET_BYTES));
    sess.serverSecret = serverSecret;
    sess.serverChallenge = serverChallenge;
    const response = ecb(sess.cipherKey, Buffer.concat([hash, serverChallenge]), 'encrypt');
    return statusReply(200, null, [
      { name: 'paired', text: 1 },
      { name: 'challengeresponse', text: hexUpper(response) },
    ]);
  };

  const serverChallengeResp = (sess: PairSession, hex: string): XmlReply => {
    if (sess.lastPhase !== 'clientchallenge') return fail(sess, 'Out of order call to serverchallengeresp');
    sess.lastPhase = 'serverchallengeresp';
    if (sess.cipherKey === null || sess.serverSecret.length === 0) return fail(sess, 'Cipher key or serversecret not set');
    sess.clientHash = ecb(sess.cipherKey, sunshineHexDecode(hex), 'decrypt');
    const signature = sign('sha256', sess.serverSecret, deps.hostKey);
    return statusReply(200, null, [
      { name: 'pairingsecret', text: hexUpper(Buffer.concat([sess.serverSecret, signature])) },
      { name: 'paired', text: 1 },
    ]);
  };

  const clientPairingSecret = (sess: PairSession, hex: string): XmlReply => {
    if (sess.lastPhase !== 'serverchallengeresp') return fail(sess, 'Out of order call to clientpairingsecret');
    sess.lastPhase = 'clientpairingsecret';
    const bytes = sunshineHexDecode(hex);
    if (bytes.length <= SECRET_BYTES) return fail(sess, 'Client pairing secret too short');
    const secret = bytes.subarray(0, SECRET_BYTES);
    const signature = bytes.subarray(SECRET_BYTES);
    const client = readClientCert(sess.clientCertPem);
    if (client === null) return fail(sess, 'Invalid client certificate');
    const hash = sha256(sess.serverChallenge, client.signature, secret);
    const sameHash = Buffer.from(hash).equals(Buffer.from(sess.clientHash));
    const verified = safeVerify(secret, client.key, signature);
    sessions.delete(sess.uniqueId);
    if (sameHash && verified) {
      const uuid = deps.addClient(sess.name, sess.clientCertPem);
      deps.log.emit({ kind: 'paired', uniqueId: sess.uniqueId, name: sess.name, uuid });
      return statusReply(200, null, [{ name: 'paired', text: 1 }]);
    }
    deps.log.emit({ kind: 'pairing-failed', uniqueId: sess.uniqueId, reason: sameHash ? 'bad signature' : 'hash mismatch (wrong PIN)' });
    return statusReply(200, null, [{ name: 'paired', text: 0 }]);
  };

  const startSession = (query: QueryArgs, uniqueId: string): Reply | Promise<Reply> => {
    if (deps.misbehaviour().busyPairing === true) {
      return xml(statusReply(200, null, [{ name: 'paired', text: 1 }]));
    }
    const clientCert = query.get('clientcert');
    // Sunshine reads clientcert with a throwing lookup before touching its table: the
    // exception leaves an empty reply (the bare XML declaration).
    if (clientCert === undefined) return xml(null);
    let sess = sessions.get(uniqueId);
    if (sess === undefined) {
      sess = {
        uniqueId,
        clientCertPem: Buffer.from(sunshineHexDecode(clientCert)).toString('latin1'),
        name: '',
        salt: '',
        lastPhase: 'none',
        cipherKey: null,
        serverSecret: new Uint8Array(0),
        serverChallenge: new Uint8Array(0),
        clientHash: new Uint8Array(0),
        respond: null,
      };
      sessions.set(uniqueId, sess);
    }
    const salt = query.get('salt');
    // The salt is read after the session is in the table, so a missing salt leaves it there.
    if (salt === undefined) return xml(null);
    sess.salt = salt;
    if (deps.presetPin !== null) return xml(getServerCert(sess, deps.presetPin));
    // A second phase 1 under the same id replaces the held answer; the first gets none.
    sess.respond?.({ kind: 'none' });
    const held = sess;
    deps.log.emit({ kind: 'pin-pending', uniqueId });
    return new Promise<Reply>((resolve) => {
      held.respond = resolve;
    });
  };

  return {
    handle(query) {
      const uniqueId = query.get('uniqueid');
      if (uniqueId === undefined) return xml(statusReply(400, 'Missing uniqueid parameter', []));
      const phrase = query.get('phrase');
      if (phrase === 'getservercert') return startSession(query, uniqueId);
      if (phrase === 'pairchallenge') return xml(statusReply(200, null, [{ name: 'paired', text: 1 }]));
      const sess = sessions.get(uniqueId);
      if (sess === undefined) return xml(statusReply(400, 'Invalid uniqueid', []));
      const challenge = query.get('clientchallenge');
      if (challenge !== undefined) return xml(clientChallenge(sess, challenge));
      const response = query.get('serverchallengeresp');
      if (response !== undefined) return xml(serverChallengeResp(sess, response));
      const secret = query.get('clientpairingsecret');
      if (secret !== undefined) return xml(clientPairingSecret(sess, secret));
      return xml(statusReply(404, 'Invalid pairing request', []));
    },

    enterPin(pin, name) {
      const sess = sessions.values().next().value;
      if (sess === undefined) return false;
      if (pin.length !== PIN_DIGITS || !/^[0-9]+$/.test(pin)) return false;
      const reply = getServerCert(sess, pin);
      sess.name = name;
      const respond = sess.respond;
      sess.respond = null;
      if (respond === null) return false;
      respond(xml(reply));
      return true;
    },

    sessionCount: () => sessions.size,

    dropHeld() {
      for (const sess of sessions.values()) {
        sess.respond?.({ kind: 'none' });
        sess.respond = null;
      }
    },
  };
}

/** Which pairing step a /pair request is, for the event log (same precedence as handle()). */
export function pairPhaseOf(query: QueryArgs): PairRequestPhase {
  const phrase = query.get('phrase');
  if (phrase === 'getservercert' || phrase === 'pairchallenge') return phrase;
  for (const p of ['clientchallenge', 'serverchallengeresp', 'clientpairingsecret'] as const) {
    if (query.has(p)) return p;
  }
  return 'other';
}

// ---- helpers ----

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** AES-128-ECB without padding over the whole blocks of `data` (Sunshine disables padding). */
function ecb(key: Uint8Array, data: Uint8Array, direction: 'encrypt' | 'decrypt'): Uint8Array {
  const whole = data.subarray(0, data.length - (data.length % 16));
  const cipher = direction === 'encrypt' ? createCipheriv('aes-128-ecb', key, null) : createDecipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(whole), cipher.final()]));
}

/** Sunshine's fixed-size hex read: too few digits leave zero bytes at the front. */
function fixedLength(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const kept = bytes.subarray(Math.max(0, bytes.length - length));
  out.set(kept, length - kept.length);
  return out;
}

function readClientCert(pem: string): { key: KeyObject; signature: Uint8Array } | null {
  const der = pemToDer(pem, 'CERTIFICATE');
  if (!der.ok) return null;
  const parsed = parseCertificate(der.value);
  if (!parsed.ok) return null;
  try {
    return { key: createPublicKey({ key: Buffer.from(parsed.value.spki), format: 'der', type: 'spki' }), signature: parsed.value.signature };
  } catch {
    return null;
  }
}

function safeVerify(data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}
