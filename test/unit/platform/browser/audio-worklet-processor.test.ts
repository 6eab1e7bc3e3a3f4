// The worklet module text, run in an empty context with stand-ins for the worklet's globals:
// it registers a processor that plays pushed PCM and reports its delay.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { PCM_PROCESSOR_NAME, pcmProcessorSource, type PcmPlayerReport } from '../../../../src/platform/browser/audio-worklet-processor.ts';

interface Processor {
  port: { onmessage: ((e: { data: unknown }) => void) | null };
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}

/** The module text run in a fresh context with the worklet's globals; `scope.currentTime` is the audio clock. */
function loadPlayer() {
  const reports: PcmPlayerReport[] = [];
  const registered = new Map<string, new (o: unknown) => Processor>();
  const scope = {
    currentTime: 0,
    sampleRate: 48_000,
    registerProcessor: (name: string, ctor: new (o: unknown) => Processor) => registered.set(name, ctor),
    AudioWorkletProcessor: class {
      port = { onmessage: null, postMessage: (m: PcmPlayerReport) => reports.push(m) };
    },
    Int16Array,
  };
  runInNewContext(pcmProcessorSource(), scope);
  const Player = registered.get(PCM_PROCESSOR_NAME);
  assert.ok(Player !== undefined);
  const player = new Player({ processorOptions: { channels: 2, sampleRateHz: 48_000 } });
  return { player, scope, reports };
}

test('the module text registers a processor that plays PCM from its port and reports its delay', () => {
  const { player, scope, reports } = loadPlayer();
  const out = [new Float32Array(128), new Float32Array(128)];
  const block = new Int16Array(480).fill(8192);
  let pushedFrames = 0;
  for (let q = 0; q < 400; q++) {
    scope.currentTime = (q * 128) / 48_000;
    // 5 ms blocks as the host sends them, at the rate they are played.
    for (; pushedFrames <= q * 128; pushedFrames += 240) player.port.onmessage?.({ data: { kind: 'pcm', samples: block.slice(), frames: 240 } });
    assert.equal(player.process([], [out]), true);
  }
  const last = reports.at(-1);
  assert.ok(last !== undefined && reports.length === 20);
  assert.equal(out[0]?.[5], 0.25);
  assert.equal(out[1]?.[5], 0.25);
  assert.ok(last.playedFrames > 300 * 128 && last.underruns === 0, JSON.stringify(last));
  assert.ok(last.delayMs > 0 && last.delayMs < 50, JSON.stringify(last));
  // Junk on the port is ignored.
  player.port.onmessage?.({ data: { kind: 'pcm', samples: [1, 2], frames: 1 } });
  player.port.onmessage?.({ data: null });
});

// The host's sound card and the TV's audio output never run at quite the same rate. Uncorrected,
// 0.5 % fills the queue by 5 ms a second (sound falls behind the picture, until the buffer cuts
// it) or drains it into gaps; the processor's jitter buffer must absorb it as it plays.
for (const drift of [0.005, -0.005]) {
  test(`a producer ${drift > 0 ? 'fast' : 'slow'} by ${Math.abs(drift) * 100} % against the audio clock: over two minutes the reported delay stays bounded, with no cut and no gap`, () => {
    const { player, scope, reports } = loadPlayer();
    const out = [new Float32Array(128), new Float32Array(128)];
    const block = new Int16Array(480).fill(4096);
    const quanta = 120 * 375;
    let blocks = 0;
    for (let q = 0; q < quanta; q++) {
      scope.currentTime = (q * 128) / 48_000;
      // Block k of 5 ms is made at k × 5 ms on the host's clock, which runs `drift` fast.
      for (; (blocks * 0.005) / (1 + drift) <= scope.currentTime + 0.01; blocks++) player.port.onmessage?.({ data: { kind: 'pcm', samples: block.slice(), frames: 240 } });
      player.process([], [out]);
    }
    const lastMinute = reports.slice(reports.length / 2);
    const worst = Math.max(...lastMinute.map((r) => r.delayMs));
    const last = reports.at(-1);
    assert.ok(last !== undefined && last.droppedFrames === 0 && last.underruns === 0, JSON.stringify(last));
    assert.ok(worst < 40, `delay reached ${worst} ms`);
  });
}
