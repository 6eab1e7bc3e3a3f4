// The two builds of the core (wasm/core-file.ts) are one program: fed the same lossy stream
// from the host simulator's sender, the SIMD build and the MVP build emit the same access
// units, each byte for byte the encoder's, with Reed-Solomon rebuilding frames in both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ensureTrace, feedTrace, readTrace, traceClipPath, traceStreamConfig, type Trace, type TraceSpec } from '../../../scripts/make-trace.ts';
import { loadCore } from '../../../wasm/core.ts';
import { CORE_SIMD_WASM_FILE, CORE_WASM_FILE, engineHasWasmSimd } from '../../../wasm/core-file.ts';
import { createSession, type SessionStats } from '../../../wasm/session.ts';
import { splitAccessUnits } from '../../hostsim/video-annexb.ts';

// Large frames (about 30 data shards) at 10 % loss: most frames lose shards and need FEC.
const SPEC: TraceSpec = {
  codec: 'h264', widthPx: 1280, heightPx: 720, fps: 60, frames: 24, bitrateKbps: 20_000,
  packetSizeBytes: 1392, fecPercent: 20, minParity: 2, lossRate: 0.1, seed: 917,
};

interface Run {
  units: { frameIndex: number; bytes: Uint8Array }[];
  stats: SessionStats;
}

async function runBuild(file: string, trace: Trace): Promise<Run> {
  const loaded = await loadCore(new Uint8Array(readFileSync(new URL(`../../../build/wasm/${file}`, import.meta.url))));
  if (!loaded.ok) throw new Error(`${file}: ${loaded.error.detail} (build it with bash native/build.sh wasm)`);
  const created = createSession(loaded.value, traceStreamConfig(trace), { seed: new Uint8Array(32), mediaOnly: true, decodeAudio: false });
  if (!created.ok) throw new Error(`createSession: ${created.error.name}`);
  const s = created.value;
  const units: Run['units'] = [];
  feedTrace(s, trace, () => {
    while (s.pollTransmit() !== null) { /* recovery requests go nowhere here */ }
    for (let e = s.pollEvent(); e !== null; e = s.pollEvent()) {
      if (e.kind === 'video-frame') units.push({ frameIndex: e.frameIndex, bytes: e.data.slice() });
    }
  });
  const stats = s.stats();
  s.destroy();
  return { units, stats };
}

test('the SIMD and the MVP builds emit the same access units from a lossy stream, each the encoder’s, FEC rebuilding frames', async () => {
  assert.ok(engineHasWasmSimd(), 'Node 20 has WebAssembly SIMD');
  const trace = readTrace(await ensureTrace(SPEC));
  const clip = splitAccessUnits(new Uint8Array(readFileSync(traceClipPath(SPEC))), SPEC.codec);
  const mvp = await runBuild(CORE_WASM_FILE, trace);
  const simd = await runBuild(CORE_SIMD_WASM_FILE, trace);

  assert.ok(mvp.stats.framesRecovered >= 5, `frames rebuilt by FEC: ${mvp.stats.framesRecovered}`);
  assert.ok(mvp.units.length >= SPEC.frames - 4, `${mvp.units.length} of ${SPEC.frames} frames out`);
  assert.equal(simd.units.length, mvp.units.length);
  assert.equal(simd.stats.framesRecovered, mvp.stats.framesRecovered);
  // Every frame of the trace is an IDR, so each unit stands alone: frame n (Sunshine numbers
  // from 1, data-plane.md §2.1) is the encoder's n-th unit.
  for (const [i, unit] of mvp.units.entries()) {
    const expected = clip[unit.frameIndex - 1];
    assert.ok(expected !== undefined && Buffer.from(unit.bytes).equals(expected), `MVP unit ${i} (frame ${unit.frameIndex}) differs from the encoder's`);
    const other = simd.units[i];
    assert.ok(other !== undefined && other.frameIndex === unit.frameIndex && Buffer.from(other.bytes).equals(unit.bytes), `SIMD unit ${i} differs from the MVP build's`);
  }
});
