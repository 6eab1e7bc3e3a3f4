// The CLI as a person runs it: a separate process on the Node platform, with the real core,
// against the host simulator on loopback ports chosen by the system.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { generateIdentity, type HostIdentity } from '../../hostsim/host-identity.ts';
import { runCli, type CliRun } from './run-cli.ts';

// Bounds on each run and each wait; never reached when things work.
const RUN_TIMEOUT_MS = 60_000;
const EVENT_WAIT_MS = 30_000;

let workDir = '';
/** A state dir holding a client identity already (creating one is the slow part of a run). */
let templateState = '';
let hostIdentity: HostIdentity;
const sims: HostSim[] = [];

const cli = (args: string[]): Promise<CliRun> => runCli(args, RUN_TIMEOUT_MS);

function freshState(): string {
  const dir = mkdtempSync(join(workDir, 'state-'));
  cpSync(templateState, dir, { recursive: true });
  return dir;
}

async function startSim(): Promise<{ sim: HostSim; host: string }> {
  const sim = await startHostSim({ httpPort: 0, identity: hostIdentity, hostName: 'sim-pc' });
  sims.push(sim);
  return { sim, host: `127.0.0.1:${sim.httpPort}` };
}

/** Runs `pair` with `pin`, typing `typedPin` into the simulator once it waits for it. */
async function pair(sim: HostSim, host: string, state: string, pin: string, typedPin: string): Promise<CliRun> {
  const run = cli(['pair', host, '--pin', pin, '--state', state]);
  await sim.waitForEvent((e) => e.kind === 'pin-pending', EVENT_WAIT_MS);
  assert.equal(sim.enterPin(typedPin, 'CLI test'), true);
  return run;
}

function jsonLines(text: string): unknown[] {
  return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as unknown);
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'cli-it-'));
  templateState = join(workDir, 'template');
  hostIdentity = generateIdentity();
  // Any command creates the identity; this one fails (nothing listens on port 1) but keeps it.
  const warmUp = await cli(['info', '127.0.0.1:1', '--state', templateState]);
  assert.equal(warmUp.code, 1, warmUp.stderr);
});

after(async () => {
  for (const sim of sims) await sim.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('pair prints the PIN, waits for it on the host, and exits 0 once paired', async () => {
  const { sim, host } = await startSim();
  const run = await pair(sim, host, freshState(), '4826', '4826');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^PIN 4826: enter it on the host$/m);
  assert.equal(sim.pairedClients().length, 1);
});

test('pair with a PIN typed wrong on the host fails with the wrong-PIN sentence', async () => {
  const { sim, host } = await startSim();
  const run = await pair(sim, host, freshState(), '4826', '1111');
  assert.equal(run.code, 1);
  assert.equal(run.stderr, 'The PIN did not match. Check the PIN you typed on the PC and try again.\n');
  assert.equal(sim.pairedClients().length, 0);
});

test('info prints the host serverinfo as one JSON object (not paired before pairing)', async () => {
  const { sim, host } = await startSim();
  const run = await cli(['info', host, '--state', freshState()]);
  assert.equal(run.code, 0, run.stderr);
  const [info, ...rest] = jsonLines(run.stdout);
  assert.equal(rest.length, 0);
  assert.deepEqual(
    { ...(info as Record<string, unknown>) },
    { ...(info as Record<string, unknown>), uniqueId: sim.uniqueId, hostName: 'sim-pc', httpsPort: sim.httpsPort, paired: false, secure: false },
  );
});

test('after pairing: info says paired over HTTPS, apps lists the apps, unpair forgets the pairing', async () => {
  const { sim, host } = await startSim();
  const state = freshState();
  assert.equal((await pair(sim, host, state, '7310', '7310')).code, 0);

  const info = await cli(['info', host, '--state', state]);
  assert.equal(info.code, 0, info.stderr);
  const [parsed] = jsonLines(info.stdout) as Array<Record<string, unknown>>;
  assert.equal(parsed?.paired, true);
  assert.equal(parsed?.secure, true);

  const apps = await cli(['apps', host, '--state', state]);
  assert.equal(apps.code, 0, apps.stderr);
  assert.deepEqual(jsonLines(apps.stdout), sim.apps().map((a) => ({ id: a.id, title: a.title })));
  assert.ok(sim.apps().length > 0);

  const unpair = await cli(['unpair', host, '--state', state]);
  assert.equal(unpair.code, 0, unpair.stderr);
  const again = await cli(['apps', host, '--state', state]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^This TV is not paired with “sim-pc”\./);
});

test('an unreachable host exits non-zero with a one-line reason and is not kept', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const state = freshState();
  const run = await cli(['apps', `127.0.0.1:${address.port}`, '--state', state]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`^“127\\.0\\.0\\.1:${address.port}” is not reachable\\. [^\\n]*\\n$`));
  assert.deepEqual(readdirSync(state).filter((f) => f.startsWith('hosts')), []);
});

test('an invalid address exits 1 and says what is wrong with it', async () => {
  const run = await cli(['info', '300.1.1.1', '--state', freshState()]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /is not a valid IPv4 address/);
});

test('a wrong command line exits 2 with the usage', async () => {
  const run = await cli(['info', '--state', freshState()]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^info needs a HOST\nusage: cli/);
});
