// The contract between the UI (or the CLI) and the client services: hosts, pairing, apps.
// The services run in a worker on the TV and in the browser (the Tizen sockets exist only
// there) and in-process in Node; the UI sees this interface either way.

import type { Result } from '../lib/result.ts';

/** Why a service call failed. Every kind has a sentence in src/app/error-text.ts. */
export type ServiceError =
  | { kind: 'invalid-address'; input: string; reason?: InvalidAddressReason }
  | { kind: 'unreachable'; detail: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'host-error'; code: number; message: string } // status_code != 200 in the host's XML
  | { kind: 'malformed-reply'; detail: string } // XML or HTTP we cannot read, or an oversized answer
  | { kind: 'tls'; detail: string } // handshake failed, e.g. the pinned certificate changed
  | { kind: 'not-paired' }
  | { kind: 'wrong-pin' }
  | { kind: 'pairing-in-progress' } // the host is pairing another client
  | { kind: 'man-in-the-middle' } // the host's pairing signature did not verify
  | { kind: 'cancelled' }
  | { kind: 'unknown-host'; hostId: string }
  | { kind: 'duplicate-host'; hostId: string }
  | { kind: 'no-mac' } // Wake-on-LAN needs a MAC learned while paired
  | { kind: 'storage'; detail: string }
  | { kind: 'internal'; detail: string };

/** What is wrong with a typed address, so the sentence can say what to fix. */
export type InvalidAddressReason = 'empty' | 'bad-port' | 'bad-ipv4' | 'bad-ipv6' | 'bad-name';

export type HostReachability = 'unknown' | 'online' | 'offline';

/** What the UI shows for a host. */
export interface HostView {
  /** Stable local id (the host's uniqueid once known). */
  id: string;
  name: string;
  /** As the user typed it, normalised: `host` or `host:port`, IPv6 in brackets. */
  address: string;
  reachability: HostReachability;
  paired: boolean;
  /** An app is running on the host (by this or another client). */
  busy: boolean;
  /** The running app's id, 0 when none. */
  runningAppId: number;
  /** A MAC is known, so Wake-on-LAN can be offered. */
  canWake: boolean;
  /** The last polling failure, for the details screen. */
  lastError: ServiceError | null;
}

export interface AppView {
  id: number;
  title: string;
  hdrSupported: boolean;
}

/** A pairing attempt: show `pin`, await `done`; `cancel()` ends it with `cancelled`. */
export interface PairingHandle {
  pin: string;
  done: Promise<Result<void, ServiceError>>;
  cancel(): void;
}

export type PairingStage = 'waiting-for-pin' | 'challenge' | 'exchanging-secrets' | 'confirming';

/**
 * Start-up of the services in their worker: creating the client's RSA key on first start can
 * take seconds on a TV, so the UI shows these. In-process services are ready at once.
 */
export type StartupStage = 'loading-core' | 'preparing-identity' | 'loading-hosts' | 'ready';

export type ServiceEvent =
  | { kind: 'hosts-changed'; hosts: HostView[] }
  | { kind: 'pairing-progress'; hostId: string; stage: PairingStage }
  | { kind: 'startup'; stage: StartupStage }
  /** The services could not start; every call answers with `error` from then on. */
  | { kind: 'startup-failed'; error: ServiceError }
  /** Something went wrong outside any call, e.g. a saved PC could not be read and was skipped. */
  | { kind: 'problem'; error: ServiceError };

export interface Services {
  listHosts(): Promise<HostView[]>;
  addHost(address: string): Promise<Result<HostView, ServiceError>>;
  removeHost(hostId: string): Promise<Result<void, ServiceError>>;
  /** `pin` is for tests and scripting; the UI lets the services pick a random one. */
  pair(hostId: string, pin?: string): Promise<Result<PairingHandle, ServiceError>>;
  unpair(hostId: string): Promise<Result<void, ServiceError>>;
  wake(hostId: string): Promise<Result<void, ServiceError>>;
  apps(hostId: string): Promise<Result<AppView[], ServiceError>>;
  /** PNG bytes, cached per host and app. */
  boxArt(hostId: string, appId: number): Promise<Result<Uint8Array, ServiceError>>;
  subscribe(listener: (event: ServiceEvent) => void): () => void;
  /** Stop polling and release sockets. */
  dispose(): void;
}
