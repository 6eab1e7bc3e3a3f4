// Scripted GameStream hosts behind the HostApi seam: each host answers /serverinfo over HTTP
// and HTTPS as Sunshine does (control-plane.md 3.2: HTTPS only with the pinned certificate,
// 401 for a client it does not know, the MAC over HTTPS only), pairs when the PIN matches,
// and serves its app list and box art. Tests switch hosts on and off and count requests.

import { err, ok, type Result } from '../../../../src/lib/result.ts';
import { bytesEqual } from '../../../../src/lib/bytes.ts';
import type { HostApi } from '../../../../src/app/hosts/host-api.ts';
import type { AppView, PairingStage, ServiceError } from '../../../../src/app/services.ts';
import type { ServerInfo } from '../../../../src/nvhttp/nvhttp-client.ts';

export interface ScriptedHost {
  uniqueId: string;
  hostName: string;
  httpPort: number;
  httpsPort: number;
  mac: string;
  localIp: string;
  serverCertDer: Uint8Array;
  online: boolean;
  /** The host accepts our client certificate (we paired, and nobody unpaired us on the PC). */
  knowsUs: boolean;
  busy: boolean;
  currentGame: number;
  apps: AppView[];
  boxArt: Map<number, Uint8Array>;
  /** The PIN a person typed on the PC; pairing waits for `enterPin` (or cancellation) while null. */
  typedPin: string | null;
}

export type Call = { fn: keyof HostApi; address: string; secure?: boolean };

export interface ScriptedHosts {
  api: HostApi;
  add(address: string, host: Partial<ScriptedHost> & { uniqueId: string }): ScriptedHost;
  calls: Call[];
  /** A person types `pin` on the PC at `address`: a waiting pairing goes on. */
  enterPin(address: string, pin: string, httpPort?: number): void;
  /** Holds every /serverinfo answer until the returned function is called. */
  holdServerInfo(): () => void;
  /** Number of calls of `fn` since the start (or since `clearCalls`). */
  count(fn: keyof HostApi, secure?: boolean): number;
  clearCalls(): void;
}

export function createScriptedHosts(): ScriptedHosts {
  const hosts = new Map<string, ScriptedHost>();
  const calls: Call[] = [];
  let waiters: Array<() => void> = [];
  let hold: Promise<void> | null = null;
  const find = (address: string, httpPort: number): Result<ScriptedHost, ServiceError> => {
    const host = hosts.get(`${address}|${httpPort}`);
    if (host === undefined || !host.online) return err({ kind: 'unreachable', detail: `connect ECONNREFUSED ${address}:${httpPort}` });
    return ok(host);
  };
  const info = (host: ScriptedHost, secure: boolean): ServerInfo => ({
    hostName: host.hostName,
    appVersion: '7.1.431.-1',
    gfeVersion: '3.23.0.74',
    uniqueId: host.uniqueId,
    httpsPort: host.httpsPort,
    externalPort: host.httpPort,
    maxLumaPixelsHevc: 0,
    mac: secure ? host.mac : null,
    localIp: host.localIp,
    codecModeSupport: 1,
    paired: secure,
    currentGame: host.busy ? host.currentGame : 0,
    state: host.busy ? 'SUNSHINE_SERVER_BUSY' : 'SUNSHINE_SERVER_FREE',
    busy: host.busy,
    isNvidia: false,
    secure,
  });
  const secureCheck = (host: ScriptedHost, pinned: Uint8Array | null): Result<void, ServiceError> => {
    if (pinned === null || !bytesEqual(pinned, host.serverCertDer)) return err({ kind: 'tls', detail: 'certificate mismatch' });
    if (!host.knowsUs) return err({ kind: 'host-error', code: 401, message: 'The client is not authorized. Certificate verification failed.' });
    return ok(undefined);
  };

  const api: HostApi = {
    async getServerInfo(_ctx, endpoint, options) {
      calls.push({ fn: 'getServerInfo', address: endpoint.address, secure: options.secure });
      if (hold !== null) await hold;
      const host = find(endpoint.address, endpoint.httpPort);
      if (!host.ok) return host;
      if (options.secure) {
        const checked = secureCheck(host.value, endpoint.pinnedCertDer);
        if (!checked.ok) return checked;
      }
      return ok(info(host.value, options.secure));
    },
    async getAppList(_ctx, endpoint) {
      calls.push({ fn: 'getAppList', address: endpoint.address });
      const host = find(endpoint.address, endpoint.httpPort);
      if (!host.ok) return host;
      const checked = secureCheck(host.value, endpoint.pinnedCertDer);
      return checked.ok ? ok(host.value.apps.map((a) => ({ ...a }))) : checked;
    },
    async getBoxArt(_ctx, endpoint, appId) {
      calls.push({ fn: 'getBoxArt', address: endpoint.address });
      const host = find(endpoint.address, endpoint.httpPort);
      if (!host.ok) return host;
      const checked = secureCheck(host.value, endpoint.pinnedCertDer);
      if (!checked.ok) return checked;
      const art = host.value.boxArt.get(appId);
      return art === undefined ? err({ kind: 'host-error', code: 404, message: 'no such app' }) : ok(art.slice());
    },
    async sendUnpair(_ctx, endpoint) {
      calls.push({ fn: 'sendUnpair', address: endpoint.address });
      const host = find(endpoint.address, endpoint.httpPort);
      if (!host.ok) return host;
      // Sunshine has no /unpair route (control-plane.md 4.8).
      return err({ kind: 'host-error', code: 404, message: 'Not Found' });
    },
    async pairWithHost(_ctx, endpoint, options) {
      calls.push({ fn: 'pairWithHost', address: endpoint.address });
      const found = find(endpoint.address, endpoint.httpPort);
      if (!found.ok) return found;
      const host = found.value;
      const stage = (s: PairingStage): void => options.onStage(s);
      stage('waiting-for-pin');
      if (host.typedPin === null) {
        await new Promise<void>((resolve) => {
          options.cancel.onCancel(resolve);
          waiters.push(resolve);
        });
      }
      if (options.cancel.cancelled) return err({ kind: 'cancelled' });
      stage('challenge');
      if (host.typedPin !== options.pin) return err({ kind: 'wrong-pin' });
      stage('exchanging-secrets');
      stage('confirming');
      host.knowsUs = true;
      return ok({ serverCertDer: host.serverCertDer.slice(), serverInfo: info(host, true) });
    },
    generatePin(entropy) {
      const b = entropy.randomBytes(2);
      return String((((b[0] ?? 0) << 8) | (b[1] ?? 0)) % 10000).padStart(4, '0');
    },
  };

  return {
    api,
    calls,
    add(address, partial) {
      const host: ScriptedHost = {
        hostName: 'Gaming PC',
        httpPort: 47989,
        httpsPort: 47984,
        mac: '00:11:22:33:44:55',
        localIp: '192.168.1.20',
        serverCertDer: Uint8Array.from([0x30, 0x82, 0x01, 0x0a, ...partial.uniqueId.split('').map((c) => c.charCodeAt(0) & 0xff)]),
        online: true,
        knowsUs: false,
        busy: false,
        currentGame: 0,
        apps: [],
        boxArt: new Map(),
        typedPin: null,
        ...partial,
      };
      hosts.set(`${address}|${host.httpPort}`, host);
      return host;
    },
    holdServerInfo() {
      let release = (): void => {};
      hold = new Promise<void>((resolve) => {
        release = () => {
          hold = null;
          resolve();
        };
      });
      return release;
    },
    enterPin(address, pin, httpPort = 47989) {
      const host = hosts.get(`${address}|${httpPort}`);
      if (host === undefined) throw new Error(`no scripted host at ${address}:${httpPort}`);
      host.typedPin = pin;
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
    count: (fn, secure) => calls.filter((c) => c.fn === fn && (secure === undefined || c.secure === secure)).length,
    clearCalls() {
      calls.length = 0;
    },
  };
}
