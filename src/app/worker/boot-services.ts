// Start-up of the client services on a built platform: load the core, load (or, on first
// start, create) the client identity, then the services. Creating the RSA key can take
// seconds on a TV, which is why each stage is reported.

import { loadCore } from '../../../wasm/core.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import type { Platform } from '../../platform/platform.ts';
import { createServices, type ServicesDeps } from '../create-services.ts';
import type { HostServices } from '../hosts/host-services.ts';
import type { NvHttpContext } from '../hosts/host-api.ts';
import { loadOrCreateIdentity } from '../identity/identity.ts';
import type { ServiceError, Services, StartupStage } from '../services.ts';

export type BootOptions = Omit<ServicesDeps, 'platform' | 'core' | 'identity'>;

export async function bootServices(
  platform: Platform,
  onStage: (stage: StartupStage) => void,
  options: BootOptions = {},
): Promise<Result<Services & Pick<HostServices, 'whenIdle' | 'prepareStream'>, ServiceError>> {
  const ctx = await bootContext(platform, onStage);
  if (!ctx.ok) return ctx;
  onStage('loading-hosts');
  return ok(createServices({ ...options, ...ctx.value }));
}

/** The core and identity every nvhttp call needs (the CLI also makes calls of its own). */
export async function bootContext(
  platform: Platform,
  onStage: (stage: StartupStage) => void,
): Promise<Result<NvHttpContext, ServiceError>> {
  onStage('loading-core');
  const wasm = await platform.assets.coreWasm();
  if (!wasm.ok) return err({ kind: 'internal', detail: wasm.error.detail });
  const core = await loadCore(wasm.value);
  if (!core.ok) return err({ kind: 'internal', detail: core.error.detail });
  onStage('preparing-identity');
  const identity = await loadOrCreateIdentity(platform, core.value);
  if (!identity.ok) return identity;
  return ok({ platform, core: core.value, identity: identity.value });
}
