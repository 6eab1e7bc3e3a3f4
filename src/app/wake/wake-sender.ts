// Sends the magic packet where a sleeping host's network card may hear it (control-plane.md
// 7.3): to each known address of the host and to the broadcast addresses, on the static ports
// and on the dynamic ports shifted by the host's HTTP port offset from the default 47989.

import { err, ok, type Result } from '../../lib/result.ts';
import type { Sockets, UdpSocket } from '../../platform/platform.ts';
import { DEFAULT_HTTP_PORT, isIpv6Literal } from '../hosts/host-address.ts';
import type { ServiceError } from '../services.ts';

export interface WakePorts {
  /** Sent to as they are: 9 (the standard port) and 47009 (Moonlight's Internet Hosting Tool). */
  staticPorts: number[];
  /** GameStream ports for the default base port; shifted by (httpPort - 47989). */
  dynamicPorts: number[];
  broadcastAddresses: string[];
}

export const DEFAULT_WAKE_PORTS: WakePorts = {
  staticPorts: [9, 47009],
  dynamicPorts: [47998, 47999, 48000, 48002, 48010],
  broadcastAddresses: ['255.255.255.255'],
};

export interface WakeTarget {
  /** Host name or IP literal (IPv6 without brackets). */
  host: string;
  port: number;
}

/** Every (address, port) the packet goes to, without repeats. */
export function wakeTargets(addresses: string[], httpPort: number, ports: WakePorts): WakeTarget[] {
  const shift = httpPort - DEFAULT_HTTP_PORT;
  const portList = [...ports.staticPorts, ...ports.dynamicPorts.map((p) => p + shift)].filter(
    (p) => Number.isInteger(p) && p >= 1 && p <= 65535,
  );
  const seen = new Set<string>();
  const targets: WakeTarget[] = [];
  for (const host of [...addresses, ...ports.broadcastAddresses]) {
    for (const port of portList) {
      const key = `${host}|${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({ host, port });
    }
  }
  return targets;
}

/** Succeeds when at least one send was accepted: a wake has no answer to wait for. */
export async function sendWakePackets(
  sockets: Sockets,
  packet: Uint8Array,
  targets: WakeTarget[],
): Promise<Result<void, ServiceError>> {
  const v4 = targets.filter((t) => !isIpv6Literal(t.host));
  const v6 = targets.filter((t) => isIpv6Literal(t.host));
  let sent = 0;
  let lastError = 'no address to send to';
  for (const [family, group] of [[4, v4], [6, v6]] as const) {
    if (group.length === 0) continue;
    const opened = await sockets.openUdp({ broadcast: true, family });
    if (!opened.ok) {
      lastError = opened.error.detail;
      continue;
    }
    const socket: UdpSocket = opened.value;
    try {
      for (const target of group) {
        const r = await socket.send(packet, target.host, target.port);
        if (r.ok) sent += 1;
        else lastError = `${target.host}:${target.port}: ${r.error.detail}`;
      }
    } finally {
      socket.close();
    }
  }
  return sent > 0 ? ok(undefined) : err({ kind: 'unreachable', detail: `Wake-on-LAN: ${lastError}` });
}
