import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, rootOf, text } from './gamestream-test-client.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const START_TIMEOUT_MS = 30_000;

/** Starts the CLI and resolves with the ports from its "ready" line. */
function startCli(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; httpPort: number; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/hostsim/main.ts', ...args], { cwd: ROOT });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within ${START_TIMEOUT_MS} ms: ${output}`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const m = /ready http=(\d+) https=(\d+)/.exec(output);
      if (m === null) return;
      clearTimeout(timer);
      resolve({ child, httpPort: Number(m[1]), output: () => output });
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before ready: ${output}`));
    });
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

test('the CLI prints ready with its ports, serves, and exits cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostsim-cli-'));
  try {
    writeFileSync(join(dir, 'apps.json'), JSON.stringify([{ title: 'Only Game' }]));
    const { child, httpPort } = await startCli(['--http-port', '0', '--pin', '1234', '--state', join(dir, 'state'), '--apps', join(dir, 'apps.json'), '--name', 'cli-host']);
    try {
      const info = rootOf(await httpGet(httpPort, '/serverinfo?uniqueid=x'));
      assert.equal(text(info, 'hostname'), 'cli-host');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without --pin the CLI asks for the PIN on stdin when a pairing request arrives', async () => {
  const { child, httpPort, output } = await startCli(['--http-port', '0', '--name', 'cli-host']);
  try {
    const held = httpGet(httpPort, `/pair?uniqueid=c1&phrase=getservercert&salt=${'00'.repeat(16)}&clientcert=41`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no prompt: ${output()}`)), START_TIMEOUT_MS);
      const check = (): void => {
        if (!/Please insert pin/.test(output())) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      check();
    });
    child.stdin.write('4321\n');
    assert.equal(rootOf(await held).paired, '1');
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exitCode(child), 0);
});

test('the CLI refuses bad options with a usage message', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/hostsim/main.ts', '--pin', '12'], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  assert.equal(await exitCode(child), 2);
  assert.match(stderr, /--pin must be 4 digits/);
});
