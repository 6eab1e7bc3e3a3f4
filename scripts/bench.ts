// `npm run bench`: the core's cost on the recorded Sunshine sessions (../shared/captures),
// printed as figures; nothing here passes or fails on a number (tests never time anything).
//   1. the native benchmarks of native/bench/ (GCC -O2): the video receive path, with and
//      without loss, with callgrind instruction counts when valgrind is installed;
//   2. the native session benchmark (video + audio through the C ABI) per recording, with and
//      without Opus decoding, and its callgrind count;
//   3. the same session as WebAssembly in Node, through wasm/session.ts as the session worker
//      drives it: ns per video frame, next to the native figure;
//   4. the headline case: the simulator's 4K60 ~100 Mbit/s HEVC trace with 10 % random loss
//      (scripts/make-trace.ts, built once into build/fixtures/), through the session natively
//      (native/bench/trace_bench.cpp) and as WebAssembly: core time per frame (mean, p50, p99)
//      and datagram-in to access-unit-out latency (p50, p99), next to the targets.
// `npm run bench -- --quick` runs fewer passes and skips the video benchmarks of step 1;
// `npm run bench -- --headline` runs step 4 only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCore, type Core } from '../wasm/core.ts';
import { CORE_SIMD_WASM_FILE, CORE_WASM_FILE, engineHasWasmSimd } from '../wasm/core-file.ts';
import { createSession } from '../wasm/session.ts';
import { readCaptureFolder, type CaptureFolder } from '../src/cli/replay.ts';
import type { StreamConfig } from '../src/session/stream-config.ts';
import { ensureTrace, feedTrace, readTrace, TRACE_SPEC, traceStreamConfig, type Trace } from './make-trace.ts';

const root = new URL('..', import.meta.url).pathname;
const captures = process.env['GSC_CAPTURES_DIR'] ?? join(root, '..', 'shared', 'captures');
const quick = process.argv.includes('--quick');
const headlineOnly = process.argv.includes('--headline');
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

// Headline targets for the 4K60 trace: core time per frame as WebAssembly, and latency p99.
const TARGET_FRAME_MS = 0.5;
const TARGET_LATENCY_P99_MS = 0.5;
const TRACE_NATIVE_PASSES = quick ? 5 : 20;
const TRACE_WASM_PASSES = quick ? 3 : 10;

interface TraceFigures {
  frames: number;
  cpuMeanNs: number;
  cpuP50Ns: number;
  cpuP99Ns: number;
  latencyP50Ns: number;
  latencyP99Ns: number;
}

/**
 * One pass of the trace through a fresh session, as the worker drives it, timed with
 * performance.now() around each core call (the write into rxBuffer, which stands for the
 * socket read, left out); as native/bench/trace_bench.cpp measures.
 */
function wasmTracePass(core: Core, config: StreamConfig, trace: Trace, coreNs: number[], latencyNs: number[]): void {
  const created = createSession(core, config, { seed: SEED, mediaOnly: true, decodeAudio: false });
  if (!created.ok) throw new Error(`createSession: ${created.error.name}`);
  const s = created.value;
  let pendingNs = 0;
  feedTrace(s, trace, (began) => {
    while (s.pollTransmit() !== null) { /* nothing is sent in a benchmark */ }
    let units = 0;
    for (let e = s.pollEvent(); e !== null; e = s.pollEvent()) {
      if (e.kind !== 'video-frame') continue;
      latencyNs.push((performance.now() - began) * 1e6);
      units += 1;
    }
    pendingNs += (performance.now() - began) * 1e6;
    for (let i = 0; i < units; i++) coreNs.push(pendingNs / units);
    if (units > 0) pendingNs = 0;
  });
  s.destroy();
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

function wasmTraceBench(core: Core, trace: Trace): TraceFigures {
  const config = traceStreamConfig(trace);
  for (const start = performance.now(); performance.now() - start < WASM_WARMUP_MS;) wasmTracePass(core, config, trace, [], []);
  const coreNs: number[] = [];
  const latencyNs: number[] = [];
  for (let i = 0; i < TRACE_WASM_PASSES; i++) wasmTracePass(core, config, trace, coreNs, latencyNs);
  return {
    frames: coreNs.length / TRACE_WASM_PASSES,
    cpuMeanNs: coreNs.reduce((a, b) => a + b, 0) / Math.max(1, coreNs.length),
    cpuP50Ns: percentile(coreNs, 0.5),
    cpuP99Ns: percentile(coreNs, 0.99),
    latencyP50Ns: percentile(latencyNs, 0.5),
    latencyP99Ns: percentile(latencyNs, 0.99),
  };
}

function nativeTraceBench(path: string): TraceFigures | null {
  const r = sh(join(root, 'build', 'bench', 'trace_bench'), [path, '--passes', String(TRACE_NATIVE_PASSES)]);
  if (r.code !== 0) {
    console.log(`  native trace bench failed: ${r.stderr.trim()}`);
    return null;
  }
  for (const line of r.stdout.split('\n')) if (line !== '' && !line.startsWith('result ')) console.log(`  native: ${line}`);
  const json = /^result (\{.*\})$/m.exec(r.stdout)?.[1];
  if (json === undefined) return null;
  const parsed = JSON.parse(json) as Record<string, number>;
  const field = (name: string): number => parsed[name] ?? Number.NaN;
  return {
    frames: field('framesPerPass'),
    cpuMeanNs: field('cpuMeanNs'),
    cpuP50Ns: field('cpuP50Ns'),
    cpuP99Ns: field('cpuP99Ns'),
    latencyP50Ns: field('latencyP50Ns'),
    latencyP99Ns: field('latencyP99Ns'),
  };
}

async function headlineTrace(cores: { simd: Core | null; mvp: Core }): Promise<void> {
  const spec = TRACE_SPEC;
  heading(`headline: ${spec.widthPx}x${spec.heightPx} ${spec.fps} fps ${spec.codec.toUpperCase()} ~${spec.bitrateKbps / 1000} Mbit/s, ${spec.lossRate * 100} % random loss (simulator trace)`);
  const path = await ensureTrace(spec, (line) => console.log(`  ${line}`));
  const trace = readTrace(path);
  const { info } = trace;
  console.log(`  trace: ${path}`);
  console.log(`  ${info.framesSent} frames of ${(info.clipKbps / 1000).toFixed(1)} Mbit/s, packet size ${spec.packetSizeBytes}, FEC ${spec.fecPercent} % (min ${spec.minParity}); ` +
    `${trace.datagrams.length} of ${info.datagramsSent} datagrams arrive (${((info.impairment.lost / Math.max(1, info.impairment.datagrams)) * 100).toFixed(1)} % lost, seed ${spec.seed})`);
  const native = nativeTraceBench(path);
  const simd = cores.simd === null ? null : wasmTraceBench(cores.simd, trace);
  const mvp = wasmTraceBench(cores.mvp, trace);
  const ms = (ns: number): string => `${(ns / 1e6).toFixed(3)} ms`.padStart(10);
  const row = (label: string, f: TraceFigures | null, cells: (f: TraceFigures) => string[]): void => {
    console.log(`  ${label.padEnd(30)}${f === null ? '  (no figures)' : cells(f).join('')}`);
  };
  const rows = (cells: (f: TraceFigures) => string[]): void => {
    row('WebAssembly SIMD (Node)', simd, cells);
    row('WebAssembly MVP (Node)', mvp, cells);
    row('native (GCC -O2, SSSE3)', native, cells);
  };
  console.log(`\n  core time per frame             ${'mean'.padStart(10)}${'p50'.padStart(10)}${'p99'.padStart(10)}  frames out/pass`);
  rows((f) => [ms(f.cpuMeanNs), ms(f.cpuP50Ns), ms(f.cpuP99Ns), `  ${f.frames.toFixed(0)}`]);
  console.log(`  target: under ${TARGET_FRAME_MS} ms per frame in WebAssembly (SIMD: Tizen 7.0+; MVP: older TVs)`);
  console.log(`\n  datagram-in to AU-out           ${'p50'.padStart(10)}${'p99'.padStart(10)}`);
  rows((f) => [ms(f.latencyP50Ns), ms(f.latencyP99Ns)]);
  console.log(`  target: under ${TARGET_LATENCY_P99_MS} ms p99`);
}

async function main(): Promise<void> {
  heading('build (native, wasm, benchmarks)');
  for (const [cmd, args] of [['bash', ['native/build.sh']], ['bash', ['native/bench/build.sh', '--no-run']]] as const) {
    const r = sh(cmd, [...args]);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  }
  console.log('  ok');
  const present = headlineOnly ? [] : SESSIONS.filter((s) => existsSync(join(captures, s, 'capture.pcap')));
  if (present.length === 0 && !headlineOnly) console.log(`no recorded sessions under ${captures}: set GSC_CAPTURES_DIR`);

  if (!quick && present.length > 0) {
    heading('native video receive path (native/bench/build.sh)');
    const r = spawnSync('bash', ['native/bench/build.sh'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) console.log('  native/bench/build.sh failed');
  }

  const load = async (file: string): Promise<Core> => {
    const loaded = await loadCore(new Uint8Array(readFileSync(join(root, 'build', 'wasm', file))));
    if (!loaded.ok) throw new Error(loaded.error.detail);
    return loaded.value;
  };
  const mvp = await load(CORE_WASM_FILE);
  const simd = engineHasWasmSimd() ? await load(CORE_SIMD_WASM_FILE) : null;
  for (const session of present) {
    heading(`session: ${session}`);
    nativeSessionBench(session);
    const folder = await readCaptureFolder(join(captures, session));
    if (!folder.ok) {
      console.log(`  cannot read the recording: ${folder.error}`);
      continue;
    }
    wasmSessionBench(mvp, folder.value);
  }
  await headlineTrace({ simd, mvp });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
