// What the client remembers about a host between runs (control-plane.md 2.4), and its
// stored text form. Records are parsed, never trusted: storage can hold anything from an
// older or newer version of the app, or a half-written value.

import { bytesToHex, hexToBytes } from '../../lib/hex.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import { isIpv4Literal, parseHostAddress, type HostAddress } from './host-address.ts';

export interface HostRecord {
  /** Local id, the storage key: the host's uniqueid, or `pending-…` until the host first answers. */
  id: string;
  /** The host's `<uniqueid>` once it has answered; answers with another id are refused. */
  uniqueId: string | null;
  name: string;
  address: HostAddress;
  /** From `<HttpsPort>`; the protocol default until the host said otherwise. */
  httpsPort: number;
  /** `aa:bb:cc:dd:ee:ff`, learnt over HTTPS only (control-plane.md 3.2). */
  mac: string | null;
  /** The host's LAN IPv4 from `<LocalIP>`, another address to wake it on. */
  localAddress: string | null;
  /** The certificate received while pairing; HTTPS is only used against it (control-plane.md 2.3). */
  pinnedCertDer: Uint8Array | null;
}

/** `<HttpsPort>` missing or 0 means 47984 (control-plane.md 1.2). */
export const DEFAULT_HTTPS_PORT = 47984;

export const HOST_KEY_PREFIX = 'hosts/';

export function hostKey(id: string): string {
  return `${HOST_KEY_PREFIX}${id}`;
}

export function serializeHostRecord(record: HostRecord): string {
  const stored: StoredHostV1 = {
    v: 1,
    id: record.id,
    uniqueId: record.uniqueId,
    name: record.name,
    address: record.address.display,
    httpsPort: record.httpsPort,
    mac: record.mac,
    localAddress: record.localAddress,
    pinnedCertDer: record.pinnedCertDer === null ? null : bytesToHex(record.pinnedCertDer),
  };
  return JSON.stringify(stored);
}

/** The record in `text`, or why it cannot be read. */
export function parseHostRecord(text: string): Result<HostRecord, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err('not JSON');
  }
  if (!isObject(value)) return err('not an object');
  if (value.v !== 1) return err(`unknown record version ${JSON.stringify(value.v)}`);

  const { id, uniqueId, name, address, httpsPort, mac, localAddress, pinnedCertDer } = value;
  if (typeof id !== 'string' || id.length === 0) return err('missing id');
  if (uniqueId !== null && typeof uniqueId !== 'string') return err('bad uniqueId');
  if (typeof name !== 'string') return err('missing name');
  if (typeof address !== 'string') return err('missing address');
  const parsedAddress = parseHostAddress(address);
  if (!parsedAddress.ok) return err(`bad address ${JSON.stringify(address)}`);
  if (!isPort(httpsPort)) return err('bad httpsPort');
  if (mac !== null && !(typeof mac === 'string' && isMacText(mac))) return err('bad mac');
  if (localAddress !== null && !(typeof localAddress === 'string' && isIpv4Literal(localAddress))) {
    return err('bad localAddress');
  }
  let cert: Uint8Array | null = null;
  if (pinnedCertDer !== null) {
    cert = typeof pinnedCertDer === 'string' ? hexToBytes(pinnedCertDer) : null;
    if (cert === null || cert.length === 0) return err('bad pinnedCertDer');
  }
  return ok({
    id,
    uniqueId,
    name,
    address: parsedAddress.value,
    httpsPort,
    mac,
    localAddress,
    pinnedCertDer: cert,
  });
}

/** Six colon-separated hex pairs, the form ServerInfo.mac has. */
export function isMacText(text: string): boolean {
  return /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/.test(text);
}

interface StoredHostV1 {
  v: 1;
  id: string;
  uniqueId: string | null;
  name: string;
  address: string;
  httpsPort: number;
  mac: string | null;
  localAddress: string | null;
  pinnedCertDer: string | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
