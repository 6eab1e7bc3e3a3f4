// `npm run bench`: the core's cost on the recorded Sunshine sessions (../shared/captures),
// printed as figures; nothing here passes or fails on a number (tests never time anything).
//   1. the native benchmarks of native/bench/ (GCC -O2): the video receive path, with and
//      without loss, with callgrind instruction counts when valgrind is installed;
//   2. the native session benchmark (video + audio through the C ABI) per recording, with and
//      without Opus decoding, and its callgrind count;
//   3. the same session as WebAssembly in Node, through wasm/session.ts as the session worker
//      drives it: ns per video frame, next to the native figure.
// `npm run bench -- --quick` runs fewer passes and skips the video benchmarks of step 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCore, type Core } from '../wasm/core.ts';
import { createSession } from '../wasm/session.ts';
import { readCaptureFolder, type CaptureFolder } from '../src/cli/replay.ts';

const root = new URL('..', import.meta.url).pathname;
const captures = process.env['GSC_CAPTURES_DIR'] ?? join(root, '..', 'shared', 'captures');
const quick = process.argv.includes('--quick');
const SESSIONS = [
  'sunshine-0.23.1/dev-h264-720p60',
  'sunshine-0.23.1/dev-h265-720p60',
  'sunshine-2026.817/dev-h264-720p60',
  'sunshine-2026.817/dev-h265-720p60-encvideo',
];
const NATIVE_PASSES = quick ? 10 : 50;
const WASM_PASSES = quick ? 5 : 20;
// The engine compiles hot wasm functions again in its optimising tier after a while: measure
// after that, not during it.
const WASM_WARMUP_MS = 1000;
const SEED = new Uint8Array(32);

function sh(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function heading(text: string): void {
  console.log(`\n=== ${text} ===`);
}

/** Instructions per video frame of one instrumented pass, or null without valgrind. */
function callgrindPerFrame(binary: string, args: string[]): string | null {
  if (sh('sh', ['-c', 'command -v valgrind']).code !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  try {
    const r = sh('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'out')}`, binary, ...args, '--passes', '1']);
    const collected = Number(/Collected : (\d+)/.exec(r.stderr)?.[1] ?? NaN);
    const frames = Number(/^frames (\d+)$/m.exec(r.stdout)?.[1] ?? NaN);
    if (!(collected > 0 && frames > 0)) return null;
    return `${Math.round(collected / frames)} instructions per video frame (callgrind)`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function nativeSessionBench(session: string): void {
  const binary = join(root, 'build', 'bench', 'session_bench');
  const folder = join(captures, session);
  for (const decode of [false, true]) {
    const args = [folder, '--passes', String(decode ? Math.ceil(NATIVE_PASSES / 2) : NATIVE_PASSES), ...(decode ? ['--decode'] : [])];
    const r = sh(binary, args);
    if (r.code !== 0) {
      console.log(`  native session bench failed: ${r.stderr.trim()}`);
      return;
    }
    for (const line of r.stdout.split('\n')) if (line !== '' && !line.startsWith('frames ')) console.log(`  native: ${line}`);
    if (!decode) {
      const count = callgrindPerFrame(binary, [folder]);
      if (count !== null) console.log(`  native: ${count}, Opus not decoded`);
    }
  }
}

/** One pass of the recording through a fresh session, as the worker drives it; returns ns and frames. */
function wasmPass(core: Core, folder: CaptureFolder, decodeAudio: boolean): { ns: number; frames: number } {
  const created = createSession(core, folder.config, { seed: SEED, mediaOnly: true, decodeAudio });
  if (!created.ok) throw new Error(`createSession: ${created.error.name}`);
  const s = created.value;
  const first = folder.inputs[0]?.timeUs ?? 0;
  let frames = 0;
  const drain = (): void => {
    while (s.pollTransmit() !== null) { /* nothing is sent in a benchmark */ }
    for (let e = s.pollEvent(); e !== null; e = s.pollEvent()) if (e.kind === 'video-frame') frames += 1;
  };
  const start = performance.now();
  for (const input of folder.inputs) {
    for (let d = s.nextDeadlineUs(); d <= input.timeUs; d = s.nextDeadlineUs()) {
      s.handleTimeout(Math.max(d, first));
      drain();
    }
    // The set() stands for the socket read into core memory (the worker's receiveInto).
    const target = s.rxBuffer(input.channel);
    target.set(input.bytes.length <= target.length ? input.bytes : input.bytes.subarray(0, target.length));
    s.rxCommit(input.channel, input.bytes.length, input.timeUs);
    drain();
  }
  const ns = (performance.now() - start) * 1e6;
  s.destroy();
  return { ns, frames };
}

function wasmSessionBench(core: Core, folder: CaptureFolder): void {
  const video = folder.inputs.filter((i) => i.channel === 'video').length;
  for (const decodeAudio of [false, true]) {
    const passes = decodeAudio ? Math.ceil(WASM_PASSES / 2) : WASM_PASSES;
    for (const start = performance.now(); performance.now() - start < WASM_WARMUP_MS;) wasmPass(core, folder, decodeAudio);
    let best = Number.POSITIVE_INFINITY;
    let frames = 0;
    for (let i = 0; i < passes; i++) {
      const pass = wasmPass(core, folder, decodeAudio);
      best = Math.min(best, pass.ns);
      frames = pass.frames;
    }
    const perFrame = frames === 0 ? 0 : best / frames;
    console.log(
      `  wasm:   datagrams ${folder.inputs.length} (video ${video}), video frames ${frames}, Opus ${decodeAudio ? 'decoded' : 'not decoded'}; ` +
        `best of ${passes} passes: ${perFrame.toFixed(0)} ns per video frame, ${(best / folder.inputs.length).toFixed(0)} ns per datagram`,
    );
  }
}

async function main(): Promise<void> {
  heading('build (native, wasm, benchmarks)');
  for (const [cmd, args] of [['bash', ['native/build.sh']], ['bash', ['native/bench/build.sh', '--no-run']]] as const) {
    const r = sh(cmd, [...args]);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  }
  console.log('  ok');
  const present = SESSIONS.filter((s) => existsSync(join(captures, s, 'capture.pcap')));
  if (present.length === 0) {
    console.log(`no recorded sessions under ${captures}: set GSC_CAPTURES_DIR`);
    return;
  }

  if (!quick) {
    heading('native video receive path (native/bench/build.sh)');
    const r = spawnSync('bash', ['native/bench/build.sh'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) console.log('  native/bench/build.sh failed');
  }

  const loaded = await loadCore(new Uint8Array(readFileSync(join(root, 'build', 'wasm', 'core.wasm'))));
  if (!loaded.ok) throw new Error(loaded.error.detail);
  for (const session of present) {
    heading(`session: ${session}`);
    nativeSessionBench(session);
    const folder = await readCaptureFolder(join(captures, session));
    if (!folder.ok) {
      console.log(`  cannot read the recording: ${folder.error}`);
      continue;
    }
    wasmSessionBench(loaded.value, folder.value);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
