// The three local services behind the browser build, started together: the host simulator
// (the demo host), the relay (sockets for the page) and the app server (dist/app plus
// /app-config.json pointing the page at both). `npm start` and the end-to-end fixture run
// this same code, so what the tests drive is what a person opens.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startRelay, type RunningRelay } from '../src/relay/relay-server.ts';
import { CORE_SIMD_WASM_FILE, CORE_WASM_FILE } from '../wasm/core-file.ts';
import { assertNever, err, ok, type Result } from '../src/lib/result.ts';
import { startHostSim, type HostSim, type HostSimOptions } from '../test/hostsim/host-sim.ts';
import { startAppServer, type AppConfig, type AppServer } from './app-server.ts';

export interface DemoStackOptions {
  /** The built app: a folder holding index.html. */
  appDir: string;
  /**
   * Ports for the demo host: the given ones (SUNSHINE_PORTS puts it where a real host would
   * be), falling back to free ports when one is taken; or `ephemeral`, free ports at once.
   */
  hostPorts: HostPorts | 'ephemeral';
  /** Where the simulator keeps its identity and pairings; none keeps them in memory. */
  hostStateDir?: string;
  /** Passed through to the simulator (name, apps, a ready identity...). */
  hostOptions?: Omit<HostSimOptions, 'bind' | 'httpPort' | 'httpsPort' | 'webUiPort' | 'stateDir'>;
  /** Ports for the app server, tried in order; 0 = any free port. */
  appPorts: readonly number[];
}

export interface HostPorts {
  httpPort: number;
  httpsPort: number;
  webUiPort: number;
}

/** Sunshine's defaults (control-plane.md 1.1). */
export const SUNSHINE_PORTS: HostPorts = { httpPort: 47989, httpsPort: 47984, webUiPort: 47990 };

export interface DemoStack {
  /** The page to open, e.g. `http://127.0.0.1:8080/`. */
  appUrl: string;
  /** Exactly what the page reads from /app-config.json. */
  config: Required<AppConfig>;
  hostSim: HostSim;
  relay: RunningRelay;
  appServer: AppServer;
  /** Things a person should know, such as a fallback from a busy default port. */
  notes: string[];
  /** Stops all three; safe to call more than once. */
  close(): Promise<void>;
}

export type DemoStackError =
  | { kind: 'missing-app'; appDir: string }
  | { kind: 'host-sim'; detail: string }
  | { kind: 'relay'; detail: string }
  | { kind: 'app-server'; detail: string };

export async function startDemoStack(options: DemoStackOptions): Promise<Result<DemoStack, DemoStackError>> {
  if (!existsSync(join(options.appDir, 'index.html'))) return err({ kind: 'missing-app', appDir: options.appDir });
  const notes: string[] = [];
  for (const file of [CORE_WASM_FILE, CORE_SIMD_WASM_FILE]) {
    if (!existsSync(join(options.appDir, file))) {
      notes.push(`${join(options.appDir, file)} is missing, so a page that needs it cannot start its core; run \`bash native/build.sh\` and rebuild.`);
    }
  }

  const host = await startHost(options, notes);
  if (!host.ok) return host;
  const hostSim = host.value;

  let relay: RunningRelay;
  try {
    relay = await startRelay({ host: kLoopback, port: 0 });
  } catch (e) {
    await hostSim.close();
    return err({ kind: 'relay', detail: describe(e) });
  }

  const config: Required<AppConfig> = {
    relayUrl: relay.url,
    token: relay.token,
    demoHost: `${kLoopback}:${hostSim.httpPort}`,
    hostPinPage: `http://${kLoopback}:${hostSim.webUiPort}/`,
  };
  const appServer = await startAppServer({ rootDir: options.appDir, config, host: kLoopback, ports: options.appPorts });
  if (!appServer.ok) {
    await Promise.all([relay.close(), hostSim.close()]);
    return err({ kind: 'app-server', detail: appServer.error.detail });
  }
  const preferredAppPort = options.appPorts[0];
  if (preferredAppPort !== undefined && preferredAppPort !== 0 && appServer.value.port !== preferredAppPort) {
    notes.push(`Port ${preferredAppPort} is taken, so the app is served on port ${appServer.value.port}.`);
  }

  let closing: Promise<void> | null = null;
  return ok({
    appUrl: appServer.value.url,
    config,
    hostSim,
    relay,
    appServer: appServer.value,
    notes,
    close() {
      // The page goes first so it stops opening relay sockets, then the relay, then the host.
      closing ??= (async () => {
        await appServer.value.close();
        await relay.close();
        await hostSim.close();
      })();
      return closing;
    },
  });
}

export function demoStackErrorText(e: DemoStackError): string {
  switch (e.kind) {
    case 'missing-app':
      return `The app is not built: ${join(e.appDir, 'index.html')} is missing. Run \`npm run build\` and look at its errors.`;
    case 'host-sim':
      return `The demo host (host simulator) did not start: ${e.detail}`;
    case 'relay':
      return `The relay did not start: ${e.detail}`;
    case 'app-server':
      return `The app server did not start: ${e.detail}`;
    default:
      return assertNever(e);
  }
}

async function startHost(options: DemoStackOptions, notes: string[]): Promise<Result<HostSim, DemoStackError>> {
  const common: HostSimOptions = { ...options.hostOptions, bind: kLoopback, ...(options.hostStateDir !== undefined ? { stateDir: options.hostStateDir } : {}) };
  const wanted = options.hostPorts;
  if (wanted !== 'ephemeral') {
    try {
      return ok(await startHostSim({ ...common, ...wanted }));
    } catch (e) {
      if (!isAddressInUse(e)) return err({ kind: 'host-sim', detail: describe(e) });
      const sunshine = wanted.httpPort === SUNSHINE_PORTS.httpPort ? ' (is Sunshine running on this machine?)' : '';
      notes.push(`Ports ${wanted.httpPort}, ${wanted.httpsPort} and ${wanted.webUiPort} are not all free${sunshine}, so the demo host listens on free ports instead.`);
    }
  }
  try {
    return ok(await startHostSim({ ...common, httpPort: 0, httpsPort: 0, webUiPort: 0 }));
  } catch (e) {
    return err({ kind: 'host-sim', detail: describe(e) });
  }
}

function isAddressInUse(e: unknown): boolean {
  if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'EADDRINUSE') return true;
  return /EADDRINUSE|address already in use/i.test(describe(e));
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const kLoopback = '127.0.0.1';
