// Persistence of the host's identity and paired clients, laid out like Sunshine's files
// (control-plane.md 2.5): sunshine_state.json holds root.uniqueid and root.named_devices,
// credentials/ holds the host certificate and key. A restart with the same directory keeps
// the host id, the certificate clients pinned, and every pairing.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, type HostIdentity } from './host-identity.ts';

export interface NamedDevice {
  /** What the person typed with the PIN in the web UI, not the client's devicename. */
  name: string;
  /** The PEM text the client sent in getservercert, kept as sent. */
  certPem: string;
  /** Made by the host for this pairing (upper-case UUID). */
  uuid: string;
  enabled: boolean;
}

export interface HostState {
  uniqueId: string;
  devices: NamedDevice[];
}

const STATE_FILE = 'sunshine_state.json';
const CERT_FILE = join('credentials', 'cacert.pem');
const KEY_FILE = join('credentials', 'cakey.pem');

/** Sunshine's ids are upper-case UUIDs (captures: BD8DD6CC-667B-972F-EA08-8EBA6FFB8B01). */
export function newUuid(): string {
  return randomUUID().toUpperCase();
}

/** The state in `dir`, or a fresh one (written at the first save) when there is none. */
export function loadState(dir: string | null): { ok: true; value: HostState } | { ok: false; error: string } {
  const fresh: HostState = { uniqueId: newUuid(), devices: [] };
  if (dir === null || !existsSync(join(dir, STATE_FILE))) return { ok: true, value: fresh };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8'));
  } catch (e) {
    return { ok: false, error: `${STATE_FILE}: ${String(e)}` };
  }
  const root = field(json, 'root');
  const uniqueId = field(root, 'uniqueid');
  if (typeof uniqueId !== 'string') return { ok: true, value: fresh };
  const devices: NamedDevice[] = [];
  const list = field(root, 'named_devices');
  for (const entry of Array.isArray(list) ? list : []) {
    const name = field(entry, 'name');
    const cert = field(entry, 'cert');
    const uuid = field(entry, 'uuid');
    const enabled = field(entry, 'enabled');
    if (typeof name !== 'string' || typeof cert !== 'string' || typeof uuid !== 'string') continue;
    // Boost's JSON writer stores booleans as the strings "true"/"false"; accept both forms.
    devices.push({ name, certPem: cert, uuid, enabled: enabled === undefined || enabled === true || enabled === 'true' });
  }
  return { ok: true, value: { uniqueId, devices } };
}

export function saveState(dir: string | null, state: HostState): void {
  if (dir === null) return;
  mkdirSync(dir, { recursive: true });
  const json = {
    root: {
      uniqueid: state.uniqueId,
      named_devices: state.devices.map((d) => ({ name: d.name, cert: d.certPem, uuid: d.uuid, enabled: String(d.enabled) })),
    },
  };
  // Write then rename, so a crash never leaves half a state file behind.
  const tmp = join(dir, `${STATE_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(json, null, 4)}\n`);
  renameSync(tmp, join(dir, STATE_FILE));
}

/** The host certificate and key from `dir`, made and saved on first use. */
export function loadOrCreateIdentity(dir: string | null): HostIdentity {
  if (dir !== null && existsSync(join(dir, CERT_FILE)) && existsSync(join(dir, KEY_FILE))) {
    return { certPem: readFileSync(join(dir, CERT_FILE), 'utf8'), keyPem: readFileSync(join(dir, KEY_FILE), 'utf8') };
  }
  const identity = generateIdentity();
  if (dir !== null) {
    mkdirSync(join(dir, 'credentials'), { recursive: true });
    writeFileSync(join(dir, CERT_FILE), identity.certPem);
    writeFileSync(join(dir, KEY_FILE), identity.keyPem, { mode: 0o600 });
  }
  return identity;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
