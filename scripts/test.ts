// `npm test`: every check of the project, in one run. Each phase runs even when an earlier
// one failed, so one report shows everything; the last line is the overall count.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesOverTimeLimit } from './tap-report.ts';

type Counts = { passed: number; failed: number };
type Phase = { name: string; run: () => Counts | Promise<Counts> };

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
 * has a time limit so that a hang fails the run instead of stalling CI. A file that hit its
 * time limit as a whole is run once more on its own, and said so: CI once saw a file stall
 * before any of its tests reported (most likely in the TypeScript loader's compiler process)
 * and it never came back in local runs. Only that file-level timeout is forgiven, and only when the rerun passes: failures of its
 * tests in the first run still count, and a hang of our own comes back in the rerun.
 */
function nodeTests(label: string, files: string[], concurrency: number, timeoutMs: number): Counts {
  if (files.length === 0) return { passed: 0, failed: 0 };
  const first = runNodeTests(label, files, concurrency, timeoutMs);
  const hung = filesOverTimeLimit(first.tap);
  if (hung.length === 0) return first.counts;
  let { passed, failed } = first.counts;
  for (const file of hung) {
    console.log(`\n${file} reached its time limit as a whole; running it once more on its own`);
    const again = runNodeTests(`${label}-rerun`, [file], 1, timeoutMs);
    if (again.counts.failed === 0 && again.counts.passed > 0) {
      console.log(`${file}: the rerun passed (${again.counts.passed} tests); the first run's time-out is not counted`);
      passed += again.counts.passed;
      failed -= 1;
    } else {
      console.log(`${file}: the rerun failed too`);
    }
  }
  return { passed, failed };
}

function runNodeTests(label: string, files: string[], concurrency: number, timeoutMs: number): { counts: Counts; tap: string } {
  const tap = join(outDir, `${label}.tap`);
  rmSync(tap, { force: true });
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
  return { counts: { passed, failed: failed === 0 && code !== 0 ? 1 : failed }, tap: text };
}

// Fuzzing, bounded: every libFuzzer target of native/fuzz/ (those with a `// fuzz-sources:`
// line) is built by native/fuzz/build.sh and run for FUZZ_TEST_SECONDS, two at a time (one per
// core). Each target is one check: it passes when it exits 0 and left no crash, leak, timeout
// or out-of-memory input. The seed is fixed and new inputs go to a scratch folder, not to the
// target's corpus, so every run starts from the same place. Longer runs: FUZZ_SECONDS=600
// native/fuzz/build.sh.
const FUZZ_TEST_SECONDS = 5;
const FUZZ_PARALLEL = 2;
// A target that outlives its time by this much is killed and fails (a hang inside one input).
const FUZZ_KILL_AFTER_MS = 60_000;

function fuzzTargets(): string[] {
  const dir = join(root, 'native', 'fuzz');
  return readdirSync(dir)
    .filter((f) => f.endsWith('_fuzz.cpp') && /^\/\/ fuzz-sources:/m.test(readFileSync(join(dir, f), 'utf8')))
    .map((f) => f.slice(0, -'.cpp'.length))
    .sort();
}

function runFuzzTarget(name: string): Promise<boolean> {
  const fuzzDir = join(root, 'build', 'fuzz');
  const scratch = join(fuzzDir, 'test-run', name);
  const artifacts = join(scratch, 'artifacts');
  const seeds = join(fuzzDir, `${name.replace(/_fuzz$/, '')}_corpus`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, 'corpus'), { recursive: true });
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(seeds, { recursive: true });
  const log = join(outDir, `fuzz-${name}.log`);
  const args = [`-max_total_time=${FUZZ_TEST_SECONDS}`, '-seed=1', '-timeout=10', '-rss_limit_mb=2048', '-max_len=16384',
    '-print_final_stats=1', `-artifact_prefix=${artifacts}/`, join(scratch, 'corpus'), seeds];
  return new Promise((resolve) => {
    const child = spawn(join(fuzzDir, name), args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], timeout: FUZZ_TEST_SECONDS * 1000 + FUZZ_KILL_AFTER_MS });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const finish = (code: number | null, signal: string | null): void => {
      const text = Buffer.concat(chunks).toString('utf8');
      writeFileSync(log, text);
      const left = readdirSync(artifacts);
      const ok = code === 0 && left.length === 0;
      const runs = /stat::number_of_executed_units: (\d+)/.exec(text)?.[1] ?? '?';
      const cov = [...text.matchAll(/ cov: (\d+)/g)].at(-1)?.[1] ?? '?';
      if (ok) {
        console.log(`  ${name}: ok, ${runs} inputs, coverage ${cov} (log ${log})`);
      } else {
        const why = signal !== null ? `killed by ${signal}` : `exit ${code ?? '?'}`;
        console.log(`  ${name}: FAILED, ${why}${left.length > 0 ? `, left ${left.map((a) => join(artifacts, a)).join(', ')}` : ''}`);
        console.log(text.split('\n').slice(-40).map((l) => `    ${l}`).join('\n'));
      }
      resolve(ok);
    };
    child.on('error', (e) => {
      chunks.push(Buffer.from(`cannot start ${name}: ${e.message}\n`));
      finish(null, null);
    });
    child.on('close', finish);
  });
}

async function fuzzPhase(): Promise<Counts> {
  const targets = fuzzTargets();
  if (sh('bash', ['native/fuzz/build.sh', '--no-run']) !== 0) return { passed: 0, failed: Math.max(1, targets.length) };
  const queue = [...targets];
  const results: boolean[] = [];
  const worker = async (): Promise<void> => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) results.push(await runFuzzTarget(name));
  };
  await Promise.all(Array.from({ length: FUZZ_PARALLEL }, worker));
  const passed = results.filter(Boolean).length;
  return { passed, failed: results.length - passed };
}

const only = process.argv.slice(2);
const phases: Phase[] = [
  { name: 'build', run: () => check(process.execPath, ['--import', 'tsx', 'scripts/build.ts']) },
  { name: 'native', run: () => check('bash', ['native/test.sh']) },
  { name: 'fuzz', run: fuzzPhase },
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
  const r = await phase.run();
  passed += r.passed;
  failed += r.failed;
  if (r.failed > 0) failedPhases.push(phase.name);
}
if (failedPhases.length > 0) console.log(`\nfailed phases: ${failedPhases.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
