// `npm start`: build, then run the demo stack (host simulator, relay, app server) until
// Ctrl-C, and tell the person what to open and how to pair. `--no-build` skips the build
// when dist/app is already fresh.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { demoStackErrorText, startDemoStack, SUNSHINE_PORTS, type DemoStack } from './demo-stack.ts';

const root = new URL('..', import.meta.url).pathname;
/** The usual development port; any free port when it is taken. */
const kPreferredAppPort = 8080;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--no-build');
  if (unknown.length > 0) {
    console.error(`npm start: unknown option ${unknown.join(' ')} (known: --no-build)`);
    return 2;
  }
  if (!args.includes('--no-build')) {
    console.log('[start] building (native core, WebAssembly, app bundle)...');
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) {
      console.error('[start] the build failed (its errors are above); nothing was started.');
      return 1;
    }
  }

  const started = await startDemoStack({
    appDir: join(root, 'dist', 'app'),
    hostPorts: SUNSHINE_PORTS,
    hostStateDir: join(root, '.state', 'hostsim'),
    appPorts: [kPreferredAppPort, 0],
  });
  if (!started.ok) {
    console.error(`[start] ${demoStackErrorText(started.error)}`);
    return 1;
  }
  const stack = started.value;
  printWelcome(stack);
  followPairing(stack);
  await untilInterrupted();
  console.log('\n[start] stopping...');
  await stack.close();
  console.log('[start] stopped.');
  return 0;
}

function printWelcome(stack: DemoStack): void {
  const { config } = stack;
  const lines = [
    '',
    `  Open ${stack.appUrl} in Chromium or Chrome.`,
    '',
    `  Demo host: a host simulator that behaves like Sunshine, at ${config.demoHost} (HTTPS ${stack.hostSim.httpsPort}).`,
    `  To pair it, press Enter on its tile in the app, then type the 4-digit PIN the app shows into the host's PIN page: ${config.hostPinPage}`,
    `  Relay for the page's sockets: ${config.relayUrl} (loopback only, token in ${stack.appUrl}app-config.json)`,
    ...stack.notes.map((note) => `  Note: ${note}`),
    '',
    '  Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
}

/** Echoes what the demo host sees, so a person knows when it waits for the PIN. */
function followPairing(stack: DemoStack): void {
  stack.hostSim.onEvent((event) => {
    switch (event.kind) {
      case 'pin-pending':
        console.log(`[host] a client asks to pair: type the PIN it shows at ${stack.config.hostPinPage}`);
        break;
      case 'pin-entered':
        console.log(event.accepted ? '[host] PIN received' : '[host] PIN refused (4 digits, and only while a client is pairing)');
        break;
      case 'paired':
        console.log(`[host] paired with "${event.name}"`);
        break;
      case 'pairing-failed':
        console.log(`[host] pairing failed: ${event.reason}`);
        break;
      default:
        break;
    }
  });
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      // A second Ctrl-C while closing means "now".
      process.once('SIGINT', () => process.exit(130));
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[start] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
