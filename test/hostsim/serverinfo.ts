// /serverinfo as current Sunshine writes it (control-plane.md 3.2-3.3, 10.2): thirteen tags
// in a fixed order, PairStatus 1 only over HTTPS with a uniqueid, the MAC only over HTTPS.

import { networkInterfaces } from 'node:os';
import { statusReply, type XmlReply } from './xml-reply.ts';

/** Sunshine poses as GFE generation 7.1.431; the negative last field marks it as Sunshine. */
export const APP_VERSION = '7.1.431.-1';
export const GFE_VERSION = '3.23.0.74';
/** Sunshine's MaxLumaPixelsHEVC when HEVC is enabled. */
export const MAX_LUMA_PIXELS_HEVC = '1869449984';
export const SCM_HEVC = 0x100;
export const SCM_HEVC_MAIN10 = 0x200;
export const ZERO_MAC = '00:00:00:00:00:00';

export interface ServerInfoInput {
  hostName: string;
  uniqueId: string;
  httpPort: number;
  httpsPort: number;
  serverCodecModeSupport: number;
  overHttps: boolean;
  hasUniqueId: boolean;
  /** The local address the request arrived on. */
  localAddress: string;
  runningAppId: number;
  externalIp: string | null;
}

export function serverInfoReply(input: ServerInfoInput): XmlReply {
  const hevc = (input.serverCodecModeSupport & SCM_HEVC) !== 0;
  const children = [
    { name: 'hostname', text: input.hostName },
    { name: 'appversion', text: APP_VERSION },
    { name: 'GfeVersion', text: GFE_VERSION },
    { name: 'uniqueid', text: input.uniqueId },
    { name: 'HttpsPort', text: input.httpsPort },
    { name: 'ExternalPort', text: input.httpPort },
    { name: 'MaxLumaPixelsHEVC', text: hevc ? MAX_LUMA_PIXELS_HEVC : '0' },
    { name: 'mac', text: input.overHttps ? macOf(input.localAddress) : ZERO_MAC },
    { name: 'LocalIP', text: localIpOf(input.localAddress) },
    { name: 'ServerCodecModeSupport', text: input.serverCodecModeSupport },
    ...(input.externalIp === null ? [] : [{ name: 'ExternalIP', text: input.externalIp }]),
    { name: 'PairStatus', text: input.overHttps && input.hasUniqueId ? 1 : 0 },
    { name: 'currentgame', text: input.runningAppId },
    { name: 'state', text: input.runningAppId > 0 ? 'SUNSHINE_SERVER_BUSY' : 'SUNSHINE_SERVER_FREE' },
  ];
  return statusReply(200, null, children);
}

/** Sunshine answers 127.0.0.1 for requests over native IPv6, so clients keep their IPv4 LocalIP. */
export function localIpOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] ?? address;
  return address.includes(':') ? '127.0.0.1' : address;
}

/** MAC of the interface holding `address`; loopback and unknown addresses give all zeros. */
function macOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const wanted = mapped?.[1] ?? address.split('%')[0];
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) {
      if (nic.address === wanted) return nic.mac;
    }
  }
  return ZERO_MAC;
}
