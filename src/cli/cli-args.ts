// The command line of the CLI: `<command> HOST[:PORT] [--pin NNNN] [--state DIR]`.

import { err, ok, type Result } from '../lib/result.ts';
import { parseStreamCommand, STREAM_USAGE, type StreamCommand } from './stream.ts';

export type CliCommand =
  | { kind: 'pair'; host: string; pin: string | null; stateDir: string }
  | { kind: 'info'; host: string; stateDir: string }
  | { kind: 'apps'; host: string; stateDir: string }
  | { kind: 'unpair'; host: string; stateDir: string }
  | StreamCommand;

export const DEFAULT_STATE_DIR = './.state/cli';

export const USAGE = [
  'usage: cli <command> HOST[:PORT] [--state DIR]',
  '  pair HOST [--pin NNNN]   pair with the host (prints the PIN to enter on the host)',
  '  info HOST                print the host\'s serverinfo as one JSON object',
  '  apps HOST                print one JSON object per app: {"id","title"}',
  '  unpair HOST              forget the pairing (and tell the host)',
  STREAM_USAGE,
  `  --state DIR              where the client identity and hosts are kept (default ${DEFAULT_STATE_DIR})`,
].join('\n');

export function parseCliArgs(argv: readonly string[]): Result<CliCommand, string> {
  // `stream` has options of its own (src/cli/stream.ts).
  if (argv[0] === 'stream') return parseStreamCommand(argv.slice(1), DEFAULT_STATE_DIR);
  const positional: string[] = [];
  let pin: string | null = null;
  let stateDir = DEFAULT_STATE_DIR;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--pin' || arg === '--state') {
      const value = argv[i + 1];
      if (value === undefined) return err(`${arg} needs a value`);
      i += 1;
      if (arg === '--pin') pin = value;
      else stateDir = value;
    } else if (arg.startsWith('--')) {
      return err(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [command, host, ...extra] = positional;
  if (command === undefined) return err('no command given');
  if (host === undefined) return err(`${command} needs a HOST`);
  if (extra.length > 0) return err(`unexpected argument ${extra[0] ?? ''}`);
  if (pin !== null && !/^\d{4}$/.test(pin)) return err('--pin takes 4 digits');
  if (pin !== null && command !== 'pair') return err('--pin is only for pair');
  switch (command) {
    case 'pair':
      return ok({ kind: 'pair', host, pin, stateDir });
    case 'info':
    case 'apps':
    case 'unpair':
      return ok({ kind: command, host, stateDir });
    default:
      return err(`unknown command ${command}`);
  }
}
