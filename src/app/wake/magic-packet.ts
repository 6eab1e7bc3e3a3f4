// The Wake-on-LAN magic packet (control-plane.md 7.3): six 0xFF bytes, then the target's
// MAC address sixteen times, 102 bytes in all.

import { err, ok, type Result } from '../../lib/result.ts';

export const MAGIC_PACKET_BYTES = 102;
const SYNC_BYTES = 6;
const MAC_REPEATS = 16;

/** `mac` as six hex pairs separated by ':' or '-'. */
export function parseMac(mac: string): Result<Uint8Array, string> {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9A-Fa-f]{2}$/.test(p))) return err(`not a MAC address: ${mac}`);
  return ok(Uint8Array.from(parts.map((p) => parseInt(p, 16))));
}

export function buildMagicPacket(mac: Uint8Array): Uint8Array {
  if (mac.length !== 6) throw new Error(`a MAC address has 6 bytes, not ${mac.length}`);
  const packet = new Uint8Array(MAGIC_PACKET_BYTES);
  packet.fill(0xff, 0, SYNC_BYTES);
  for (let i = 0; i < MAC_REPEATS; i += 1) packet.set(mac, SYNC_BYTES + i * mac.length);
  return packet;
}
