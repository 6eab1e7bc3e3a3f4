// Adding a host the user typed. The host is asked for /serverinfo over HTTP to learn its
// uniqueid (the identity used for duplicate detection), name and HTTPS port.
// A host that does not answer (switched off, asleep) is still added, as offline, with the
// reason kept in lastError: refusing would make a person retype it once the PC is on. It gets
// a local `pending-…` id until it first answers. Something that answers but is not a
// GameStream host (an error status, unreadable XML) is refused, since it would never work.

import { bytesToHex } from '../../lib/hex.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import type { Entropy } from '../../platform/platform.ts';
import type { HostView, ServiceError } from '../services.ts';
import { parseHostAddress } from './host-address.ts';
import { endpointOf, REQUEST_TIMEOUT_MS, type HostApi, type NvHttpContext } from './host-api.ts';
import { learnFromServerInfo } from './host-poller.ts';
import { DEFAULT_HTTPS_PORT, type HostRecord } from './host-record.ts';
import type { HostRegistry, HostStatus } from './host-registry.ts';

export const PENDING_ID_PREFIX = 'pending-';

export async function addHost(
  deps: { registry: HostRegistry; api: Pick<HostApi, 'getServerInfo'>; ctx: NvHttpContext; entropy: Entropy },
  input: string,
): Promise<Result<HostView, ServiceError>> {
  const parsed = parseHostAddress(input);
  if (!parsed.ok) return parsed;
  const address = parsed.value;
  const sameAddress = deps.registry.findByAddress(address.display);
  if (sameAddress !== undefined) return err({ kind: 'duplicate-host', hostId: sameAddress.record.id });

  const draft: HostRecord = {
    id: '',
    uniqueId: null,
    name: address.display,
    address,
    httpsPort: DEFAULT_HTTPS_PORT,
    mac: null,
    localAddress: null,
    pinnedCertDer: null,
  };
  const info = await deps.api.getServerInfo(deps.ctx, endpointOf(draft), { secure: false, timeoutMs: REQUEST_TIMEOUT_MS });

  let record: HostRecord;
  let status: HostStatus;
  if (info.ok) {
    const known = deps.registry.findByUniqueId(info.value.uniqueId);
    if (known !== undefined) return err({ kind: 'duplicate-host', hostId: known.record.id });
    record = { ...learnFromServerInfo(draft, info.value), id: info.value.uniqueId };
    status = {
      reachability: 'online',
      paired: false,
      busy: info.value.busy,
      runningAppId: info.value.currentGame,
      lastError: null,
      failedRounds: 0,
    };
  } else if (info.error.kind === 'unreachable' || info.error.kind === 'timeout') {
    record = { ...draft, id: PENDING_ID_PREFIX + bytesToHex(deps.entropy.randomBytes(PENDING_ID_BYTES)) };
    status = { reachability: 'offline', paired: false, busy: false, runningAppId: 0, lastError: info.error, failedRounds: 0 };
  } else {
    return info;
  }

  const added = await deps.registry.add(record, status);
  if (!added.ok) return added;
  const view = deps.registry.view(record.id);
  if (view === undefined) return err({ kind: 'unknown-host', hostId: record.id });
  return ok(view);
}

const PENDING_ID_BYTES = 8;
