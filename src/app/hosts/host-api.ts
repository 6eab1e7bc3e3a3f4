// The nvhttp and pairing calls the host services make, gathered as one injectable value so
// that the services run against the real client in production and against scripted hosts on
// a fake clock in tests.

import type { generatePin, pairWithHost } from '../pairing/pairing.ts';
import type {
  getAppList,
  getBoxArt,
  getServerInfo,
  HostEndpoint,
  NvHttpContext,
  sendUnpair,
} from '../../nvhttp/nvhttp-client.ts';
import type { HostRecord } from './host-record.ts';

export interface HostApi {
  getServerInfo: typeof getServerInfo;
  getAppList: typeof getAppList;
  getBoxArt: typeof getBoxArt;
  sendUnpair: typeof sendUnpair;
  pairWithHost: typeof pairWithHost;
  generatePin: typeof generatePin;
}

export type { HostEndpoint, NvHttpContext };

export function endpointOf(record: HostRecord): HostEndpoint {
  return {
    address: record.address.host,
    httpPort: record.address.httpPort,
    httpsPort: record.httpsPort,
    pinnedCertDer: record.pinnedCertDer,
  };
}

/** Polling fails fast so that one dead host does not hold up the list (control-plane.md 3.1). */
export const POLL_TIMEOUT_MS = 2000;
/** Requests a person waits for: adding a host, app lists, box art, unpair (control-plane.md 3.1, 4.7). */
export const REQUEST_TIMEOUT_MS = 5000;
