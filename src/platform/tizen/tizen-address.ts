// Host strings to the addresses the Sockets Extension takes. IP literals are converted
// here; names go to the platform's synchronous resolver, which blocks the worker while it
// asks DNS. GameStream hosts are nearly always given as IP addresses, so that is rare.

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError } from '../platform.ts';
import { parseIpLiteral, type IpBytes } from './ip-literal.ts';
import type { SocketsApi } from './tizen-socket-calls.ts';
import type { TizenNetAddress } from './tizentvwasm-types.ts';

/** Addresses for `host`, IPv4 first (GameStream hosts listen on IPv4 at least). */
export function resolveHost(api: SocketsApi, host: string): Result<IpBytes[], NetError> {
  const literal = parseIpLiteral(host);
  if (literal !== null) return ok([literal]);
  if (host.includes('%')) return err({ kind: 'unreachable', detail: `${host}: scoped IPv6 addresses are not supported` });
  let list: ArrayLike<{ family: string; bytes: ArrayLike<number> }>;
  try {
    list = new api.raw.HostResolverSync().getHostByName(host).getAddrList();
  } catch (e) {
    if (e instanceof TypeError) throw e;
    return err({ kind: 'unreachable', detail: `${host}: the name could not be resolved` });
  }
  const found: IpBytes[] = [];
  for (const entry of Array.from(list)) {
    const bytes = Uint8Array.from(Array.from(entry.bytes));
    if (entry.family === 'af_inet' && bytes.length === 4) found.push({ family: 4, bytes });
    if (entry.family === 'af_inet6' && bytes.length === 16) found.push({ family: 6, bytes });
  }
  found.sort((a, b) => a.family - b.family);
  return found.length > 0 ? ok(found) : err({ kind: 'unreachable', detail: `${host}: the name has no address` });
}

export function netAddress(api: SocketsApi, ip: IpBytes, port: number): TizenNetAddress {
  return new api.raw.NetAddress(ip.family === 4 ? 'af_inet' : 'af_inet6', ip.bytes, port);
}
