// `npm run --silent hostsim -- [--bind ADDR] [--http-port N] [--https-port N] [--web-ui-port N]
//  [--pin NNNN] [--state DIR] [--apps FILE] [--name HOSTNAME]`
// Runs the host simulator until SIGINT/SIGTERM. Prints one line containing "ready" and the
// ports once listening. Without --pin, a pairing request prompts for the PIN on stdin; the
// web UI (printed with the ports) always takes it too.

import { createInterface, type Interface } from 'node:readline';
import { loadAppsFile } from './apps.ts';
import { startHostSim, type HostSimOptions } from './host-sim.ts';

const USAGE =
  'usage: hostsim [--bind ADDR] [--http-port N] [--https-port N] [--web-ui-port N] [--pin NNNN] [--state DIR] [--apps FILE] [--name HOSTNAME]';

function parseArgs(argv: string[]): { ok: true; value: HostSimOptions } | { ok: false; error: string } {
  const options: HostSimOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--help' || flag === '-h') return { ok: false, error: USAGE };
    if (value === undefined) return { ok: false, error: `${flag} needs a value\n${USAGE}` };
    const port = (): number | null => (/^\d{1,5}$/.test(value) && Number(value) <= 65535 ? Number(value) : null);
    switch (flag) {
      case '--bind':
        options.bind = value;
        break;
      case '--http-port':
      case '--https-port':
      case '--web-ui-port': {
        const p = port();
        if (p === null) return { ok: false, error: `${flag}: not a port: ${value}` };
        if (flag === '--http-port') options.httpPort = p;
        else if (flag === '--https-port') options.httpsPort = p;
        else options.webUiPort = p;
        break;
      }
      case '--pin':
        if (!/^\d{4}$/.test(value)) return { ok: false, error: '--pin must be 4 digits' };
        options.pin = value;
        break;
      case '--state':
        options.stateDir = value;
        break;
      case '--apps': {
        const apps = loadAppsFile(value);
        if (!apps.ok) return apps;
        options.apps = apps.value;
        break;
      }
      case '--name':
        options.hostName = value;
        break;
      default:
        return { ok: false, error: `unknown option ${flag}\n${USAGE}` };
    }
  }
  return { ok: true, value: options };
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (!parsed.ok) {
    console.error(parsed.error);
    return 2;
  }
  const sim = await startHostSim(parsed.value);
  console.log(
    `hostsim ready http=${sim.httpPort} https=${sim.httpsPort} webui=http://127.0.0.1:${sim.webUiPort}/ rtsp=${sim.rtspPort} uniqueid=${sim.uniqueId}`,
  );

  const stdin: { prompt: Interface | null } = { prompt: null };
  if (parsed.value.pin === undefined) {
    sim.onEvent((event) => {
      if (event.kind !== 'pin-pending') return;
      stdin.prompt ??= createInterface({ input: process.stdin, output: process.stdout });
      stdin.prompt.question(`Pairing request from ${event.uniqueId}. Please insert pin: `, (pin) => {
        const accepted = sim.enterPin(pin.trim(), 'stdin');
        console.log(accepted ? 'PIN sent' : 'PIN not taken (not 4 digits, or no pairing waiting)');
      });
    });
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stdin.prompt?.close();
  await sim.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`hostsim: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
