// `npm test`: every check of the project, in one run. Each phase runs even when an earlier
// one failed, so one report shows everything; the last line is the overall count.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

type Phase = { name: string; run: () => { passed: number; failed: number } };

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'build', 'test-reports');
mkdirSync(outDir, { recursive: true });

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

/** A step that is one check: it passes or fails as a whole. */
function check(cmd: string, args: string[]): { passed: number; failed: number } {
  return sh(cmd, args) === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

function findTests(dir: string, suffix: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(abs)) {
    const rel = join(dir, entry);
    if (statSync(join(root, rel)).isDirectory()) out.push(...findTests(rel, suffix));
    else if (entry.endsWith(suffix)) out.push(rel);
  }
  return out.sort();
}

/**
 * Runs node's test runner on the files, counting results from its TAP report. Every test
 * has a time limit so that a hang fails the run instead of stalling CI.
 */
function nodeTests(label: string, files: string[], concurrency: number, timeoutMs: number): { passed: number; failed: number } {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const tap = join(outDir, `${label}.tap`);
  const code = sh(process.execPath, [
    '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const passed = Number(/^# pass (\d+)/m.exec(text)?.[1] ?? 0);
  const failed = Number(/^# fail (\d+)/m.exec(text)?.[1] ?? 0);
  // A crash of the runner itself counts as one failure even if no test reported one.
  return { passed, failed: failed === 0 && code !== 0 ? 1 : failed };
}

const only = process.argv.slice(2);
const phases: Phase[] = [
  { name: 'build', run: () => check(process.execPath, ['--import', 'tsx', 'scripts/build.ts']) },
  { name: 'native', run: () => check('bash', ['native/test.sh']) },
  { name: 'typecheck', run: () => check('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) },
  { name: 'lint', run: () => check('npx', ['eslint', '--max-warnings=0', '.']) },
  { name: 'unit', run: () => nodeTests('unit', findTests('test/unit', '.test.ts'), 2, 60_000) },
  { name: 'integration', run: () => nodeTests('integration', findTests('test/integration', '.test.ts'), 1, 120_000) },
  { name: 'e2e', run: () => nodeTests('e2e', findTests('test/e2e', '.test.ts'), 1, 180_000) },
];

let passed = 0;
let failed = 0;
const failedPhases: string[] = [];
for (const phase of phases) {
  if (only.length > 0 && !only.includes(phase.name)) continue;
  console.log(`\n=== ${phase.name} ===`);
  const r = phase.run();
  passed += r.passed;
  failed += r.failed;
  if (r.failed > 0) failedPhases.push(phase.name);
}
if (failedPhases.length > 0) console.log(`\nfailed phases: ${failedPhases.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
