// The AudioWorklet sink in Debian's Chromium: PCM blocks of a 440 Hz tone go through the port
// to the processor, which plays them (its reported frame count grows and an AnalyserNode
// behind it hears the tone) and reports a delay. The sink is bundled and minified as the
// app is (esbuild, ES2017), so the worklet module built from function source is checked
// under the same transformations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromiumMissing, openMediaBrowser } from './media-browser.ts';

const SINK_ENTRY = fileURLToPath(new URL('../../src/platform/browser/audio-worklet-sink.ts', import.meta.url));

// Runs in the page. Blocks are pushed ahead of the context's clock from a timer, as they
// would arrive from the network: unevenly, a few at a time.
const HARNESS = `
import { createAudioWorkletSink } from '/sink.js';

const waitFor = (condition, timeoutMs) => new Promise((resolve) => {
  const started = performance.now();
  const check = () => (condition() || performance.now() - started > timeoutMs ? resolve(condition()) : setTimeout(check, 10));
  check();
});

export async function run() {
  const context = new AudioContext({ latencyHint: 'interactive', sampleRate: 48000 });
  const analyser = context.createAnalyser();
  analyser.fftSize = 2048;
  analyser.connect(context.destination);
  const sink = createAudioWorkletSink({ context, destination: analyser });
  const configured = await sink.configure({ channels: 2, sampleRateHz: 48000 });
  if (!configured.ok) return { configured, state: context.state };
  let pushedFrames = 0;
  const startS = context.currentTime;
  const block = new Int16Array(240 * 2);
  const feed = setInterval(() => {
    const dueFrames = (context.currentTime - startS) * 48000 + 480;
    while (pushedFrames < dueFrames && pushedFrames < 48000 * 1.5) {
      for (let f = 0; f < 240; f++) {
        const v = Math.round(16000 * Math.sin(2 * Math.PI * 440 * (pushedFrames + f) / 48000));
        block[2 * f] = v;
        block[2 * f + 1] = v;
      }
      sink.pushPcm(block, { samplesPerChannel: 240, concealed: false });
      pushedFrames += 240;
    }
  }, 5);
  const played = await waitFor(() => (sink.lastReport()?.playedFrames ?? 0) >= 24000, 10000);
  const samples = new Float32Array(analyser.fftSize);
  analyser.getFloatTimeDomainData(samples);
  const rms = Math.sqrt(samples.reduce((a, v) => a + v * v, 0) / samples.length);
  const delayMs = sink.delayMs();
  const report = sink.lastReport();
  const stats = sink.stats();
  clearInterval(feed);
  sink.close();
  await context.close();
  return { configured, played, rms, delayMs, report, stats, baseLatencyMs: context.baseLatency * 1000 };
}
`;

test('the AudioWorklet processor plays PCM pushed through its port and reports its delay', { skip: chromiumMissing() }, async () => {
  const bundle = await build({ entryPoints: [SINK_ENTRY], bundle: true, format: 'esm', target: 'es2017', minify: true, write: false });
  const sinkJs = bundle.outputFiles[0]?.text ?? '';
  const browser = await openMediaBrowser(
    { '/harness.js': { type: 'text/javascript', body: HARNESS }, '/sink.js': { type: 'text/javascript', body: sinkJs } },
    ['--autoplay-policy=no-user-gesture-required'],
  );
  try {
    const r = (await browser.page.evaluate(`import('/harness.js').then((m) => m.run())`)) as {
      configured: { ok: boolean };
      played: boolean;
      rms: number;
      delayMs: number;
      baseLatencyMs: number;
      report: { playedFrames: number; receivedFrames: number; delayMs: number; targetMs: number } | null;
      stats: { receivedFrames: number; underruns: number };
    };
    assert.equal(r.configured.ok, true, JSON.stringify(r));
    assert.equal(r.played, true, `the processor played too little: ${JSON.stringify(r.report)}`);
    assert.ok(r.report !== null && r.report.receivedFrames > 0);
    // A 16000/32768 sine has an RMS of 0.345; silence or noise would not come close.
    assert.ok(r.rms > 0.25 && r.rms < 0.45, `RMS ${r.rms}`);
    assert.ok(r.report.delayMs > 0 && r.report.delayMs < 100, `jitter buffer delay ${r.report.delayMs} ms`);
    assert.ok(Math.abs(r.delayMs - (r.report.delayMs + r.baseLatencyMs)) < 50, `reported ${r.delayMs} ms`);
    assert.deepEqual(browser.problems, []);
  } finally {
    await browser.close();
  }
});
