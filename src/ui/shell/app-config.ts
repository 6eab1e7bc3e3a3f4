// The desktop page's settings, read from ./app-config.json, which the start server writes
// next to index.html: where the relay listens and the token it expects, and optionally a
// demo host to add on first sight and the page where that host takes the PIN.

import { err, ok, type Result } from '../../lib/result.ts';

export interface AppConfig {
  relayUrl: string;
  token: string;
  /** `host:port` added once when the host list is empty. */
  demoHost: string | null;
  /** Where the user types the PIN for the demo host, shown in the pairing dialog. */
  hostPinPage: string | null;
}

export type ConfigError = { kind: 'config'; detail: string };

export function parseAppConfig(json: unknown): Result<AppConfig, ConfigError> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return err({ kind: 'config', detail: 'not a JSON object' });
  const record = json as Record<string, unknown>;
  const relayUrl = record['relayUrl'];
  if (typeof relayUrl !== 'string' || !/^wss?:\/\/./.test(relayUrl)) return err({ kind: 'config', detail: 'relayUrl must be a ws:// or wss:// URL' });
  const token = record['token'];
  if (typeof token !== 'string') return err({ kind: 'config', detail: 'token must be a string' });
  const demoHost = optionalString(record, 'demoHost');
  if (!demoHost.ok) return demoHost;
  const hostPinPage = optionalString(record, 'hostPinPage');
  if (!hostPinPage.ok) return hostPinPage;
  return ok({ relayUrl, token, demoHost: demoHost.value, hostPinPage: hostPinPage.value });
}

function optionalString(record: Record<string, unknown>, name: string): Result<string | null, ConfigError> {
  const value = record[name];
  if (value === undefined || value === null || value === '') return ok(null);
  if (typeof value !== 'string') return err({ kind: 'config', detail: `${name} must be a string` });
  return ok(value);
}
