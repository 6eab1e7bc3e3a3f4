// The composition of the client services with the real nvhttp client and pairing: what the
// services worker and the CLI call.

import { generatePin, pairWithHost } from './pairing/pairing.ts';
import type { ClientIdentity } from './identity/identity.ts';
import { createHostServices, type HostServices } from './hosts/host-services.ts';
import type { HostApi } from './hosts/host-api.ts';
import type { Services } from './services.ts';
import type { BoxArtLimits } from './apps/box-art-cache.ts';
import type { WakePorts } from './wake/wake-sender.ts';
import type { SessionOpener, StartStreamApi } from '../session/start-stream.ts';
import { getAppList, getBoxArt, getServerInfo, sendUnpair } from '../nvhttp/nvhttp-client.ts';
import type { Platform } from '../platform/platform.ts';
import type { Core } from '../../wasm/core.ts';

export interface ServicesDeps {
  platform: Platform;
  core: Core;
  identity: ClientIdentity;
  pollIntervalMs?: number;
  /** False for one-shot tools (the CLI): hosts are then only asked when a call needs it. */
  autoPoll?: boolean;
  wakePorts?: WakePorts;
  boxArtLimits?: BoxArtLimits;
  streamApi?: StartStreamApi;
  /** Runs a prepared stream's session; absent where sessions run elsewhere (the services worker). */
  openSession?: SessionOpener;
}

export const nvhttpApi: HostApi = { getServerInfo, getAppList, getBoxArt, sendUnpair, pairWithHost, generatePin };

export function createServices(deps: ServicesDeps): Services & Pick<HostServices, 'whenIdle' | 'prepareStream'> {
  const { platform, core, identity, ...options } = deps;
  return createHostServices({ platform, ctx: { platform, core, identity }, api: nvhttpApi, ...options });
}
