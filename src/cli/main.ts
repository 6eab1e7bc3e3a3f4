// The command-line front end (composition root on the Node platform):
//   npm run --silent cli -- pair HOST[:PORT] [--pin NNNN] --state DIR
//   npm run --silent cli -- info|apps|unpair HOST[:PORT] --state DIR
//   npm run --silent cli -- stream HOST[:PORT] APP [options] --state DIR   (src/cli/stream.ts)
//   npm run --silent cli -- replay DIR [--dump-video FILE] [--dump-audio FILE]   (src/cli/replay.ts)
// Results go to stdout (JSON for info and apps), a one-line reason to stderr on failure.
// Exit status: 0 success, 1 the operation failed, 2 the command line was wrong.
// A host not yet stored is added on the fly; one that cannot be reached then is not kept.

import { resolve } from 'node:path';
import { createServices, nvhttpApi } from '../app/create-services.ts';
import { errorText } from '../app/error-text.ts';
import { parseHostAddress } from '../app/hosts/host-address.ts';
import { REQUEST_TIMEOUT_MS, type NvHttpContext } from '../app/hosts/host-api.ts';
import { fetchHostStatus } from '../app/hosts/host-poller.ts';
import { hostKey, parseHostRecord } from '../app/hosts/host-record.ts';
import type { HostView, ServiceError, Services } from '../app/services.ts';
import { bootContext } from '../app/worker/boot-services.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { createNodePlatform } from '../platform/node/node-platform.ts';
import { createInProcessOpener } from '../session/start-stream.ts';
import { createSession } from '../../wasm/session.ts';
import { parseCliArgs, USAGE, type CliCommand } from './cli-args.ts';
import { runStreamCommand } from './stream.ts';
import { runReplay } from './replay.ts';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** Gives stdout and stderr time to drain before a forced exit, should a handle stay open. */
const EXIT_GRACE_MS = 2000;

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'replay') return runReplay(argv.slice(1));
  const args = parseCliArgs(argv);
  if (!args.ok) {
    process.stderr.write(`${args.error}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const platform = createNodePlatform({ stateDir: resolve(args.value.stateDir) });
  const ctx = await bootContext(platform, () => {});
  if (!ctx.ok) return fail(ctx.error);
  const { core } = ctx.value;
  const openSession = createInProcessOpener({ sockets: platform.sockets, clock: platform.clock, entropy: platform.entropy, createSession: (config, options) => createSession(core, config, options) });
  const services = createServices({ ...ctx.value, autoPoll: false, openSession });
  try {
    return await run(args.value, services, ctx.value);
  } finally {
    services.dispose();
  }
}

async function run(command: CliCommand, services: Services, ctx: NvHttpContext): Promise<number> {
  const host = await resolveHost(services, command.host);
  if (!host.ok) return fail(host.error, command.host.trim());
  const { id, name } = host.value;
  switch (command.kind) {
    case 'pair':
      return pair(services, host.value, command.pin);
    case 'info': {
      const stored = await ctx.platform.storage.get(hostKey(id));
      const record = stored.ok && stored.value !== null ? parseHostRecord(stored.value) : null;
      if (record === null || !record.ok) return fail({ kind: 'storage', detail: `cannot read ${hostKey(id)}` });
      const status = await fetchHostStatus(nvhttpApi, ctx, record.value, REQUEST_TIMEOUT_MS);
      if (status.kind === 'failed') return fail(status.error, name);
      print(JSON.stringify(status.info));
      return EXIT_OK;
    }
    case 'apps': {
      const apps = await services.apps(id);
      if (!apps.ok) return fail(apps.error, name);
      for (const app of apps.value) print(JSON.stringify({ id: app.id, title: app.title }));
      return EXIT_OK;
    }
    case 'unpair': {
      const done = await services.unpair(id);
      if (!done.ok) return fail(done.error, name);
      print(`Unpaired from ${name}.`);
      return EXIT_OK;
    }
    case 'stream':
      return runStreamCommand(command, services, host.value, {
        print,
        printError: (line) => process.stderr.write(`${line}\n`),
        onInterrupt(fn) {
          process.once('SIGINT', fn);
          return () => process.off('SIGINT', fn);
        },
      });
  }
}

async function pair(services: Services, host: HostView, pin: string | null): Promise<number> {
  const started = await (pin === null ? services.pair(host.id) : services.pair(host.id, pin));
  if (!started.ok) return fail(started.error, host.name);
  print(`PIN ${started.value.pin}: enter it on the host`);
  const onInterrupt = (): void => started.value.cancel();
  process.once('SIGINT', onInterrupt);
  const done = await started.value.done;
  process.off('SIGINT', onInterrupt);
  if (!done.ok) return fail(done.error, host.name);
  print(`Paired with ${host.name}.`);
  return EXIT_OK;
}

/** The stored host at that address, else the host added now; an unreachable newcomer is not kept. */
async function resolveHost(services: Services, input: string): Promise<Result<HostView, ServiceError>> {
  const address = parseHostAddress(input);
  if (!address.ok) return address;
  const hosts = await services.listHosts();
  const known = hosts.find((h) => h.address === address.value.display);
  if (known !== undefined) return ok(known);
  const added = await services.addHost(input);
  if (!added.ok) {
    if (added.error.kind !== 'duplicate-host') return added;
    const hostId = added.error.hostId;
    const same = (await services.listHosts()).find((h) => h.id === hostId);
    return same === undefined ? added : ok(same);
  }
  if (added.value.reachability === 'offline') {
    await services.removeHost(added.value.id);
    return err(added.value.lastError ?? { kind: 'unreachable', detail: `${input} did not answer` });
  }
  return ok(added.value);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function fail(error: ServiceError, hostName?: string): number {
  process.stderr.write(`${errorText(error, hostName === undefined ? {} : { hostName })}\n`);
  return EXIT_FAILED;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (e: unknown) => {
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(EXIT_FAILED);
  },
);
