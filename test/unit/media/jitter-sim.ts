// A fake-time harness for the audio jitter buffer: a producer (the host's sound card, on its
// own clock) sends fixed blocks through a network that delays each one, and a consumer (the
// output device) pulls fixed quanta on the consumer clock. Everything is computed, nothing
// waits, and every random choice comes from a seeded PRNG.

import { createAudioJitterBuffer, type AudioJitterBuffer } from '../../../src/media/audio-jitter-buffer.ts';

export const SAMPLE_RATE_HZ = 48_000;
export const CHANNELS = 2;
/** One AudioWorklet render quantum. */
export const PULL_FRAMES = 128;
/** 5 ms Opus packets, Sunshine's default (data-plane.md 3.2). */
export const BLOCK_FRAMES = 240;

/** The seed of every simulation; MEDIA_TEST_SEED sets it to replay a failure. */
export const SEED = Number(process.env['MEDIA_TEST_SEED'] ?? 20261121);

export interface SimOptions {
  durationS: number;
  /** Producer clock minus consumer clock, relative: +0.005 = the host runs 0.5 % fast. */
  drift?: number;
  /** Extra network delay of block `k` sent at `sendMs`, in ms (≥ 0). */
  delayMs?: (k: number, sendMs: number, random: () => number) => number;
  /** Blocks with `skip(k)` true never arrive (the producer stopped). */
  skip?: (k: number) => boolean;
  /** Called once per simulated second with the buffer. */
  onSecond?: (second: number, buffer: AudioJitterBuffer) => void;
  /** Called with every pulled quantum (left channel). */
  onPull?: (left: Float32Array, tMs: number) => void;
  /** Sample value of frame `n` of the producer, per channel. Default: a triangle wave of slope ±1. */
  sample?: (n: number, channel: number) => number;
  seed?: number;
}

export function simulate(options: SimOptions): AudioJitterBuffer {
  const random = mulberry32(options.seed ?? SEED);
  const buffer = createAudioJitterBuffer({ sampleRateHz: SAMPLE_RATE_HZ, channels: CHANNELS, pullFrames: PULL_FRAMES });
  const drift = options.drift ?? 0;
  const blockMs = (BLOCK_FRAMES / SAMPLE_RATE_HZ) * 1000 / (1 + drift);
  const pullMs = (PULL_FRAMES / SAMPLE_RATE_HZ) * 1000;
  const sample = options.sample ?? ((n: number) => Math.abs((n % 40_000) - 20_000) - 10_000);
  const out = [new Float32Array(PULL_FRAMES), new Float32Array(PULL_FRAMES)];
  const block = new Int16Array(BLOCK_FRAMES * CHANNELS);
  let k = 0;
  let lastArrivalMs = 0;
  let nextArrivalMs = arrival(0);
  let nextSecond = 1;
  const endMs = options.durationS * 1000;

  function arrival(index: number): number {
    const sendMs = index * blockMs;
    // The core hands blocks over in sequence order, so arrivals never go backwards.
    return Math.max(lastArrivalMs, sendMs + (options.delayMs?.(index, sendMs, random) ?? 0));
  }

  for (let j = 0; ; j++) {
    const tMs = j * pullMs;
    if (tMs > endMs) break;
    while (nextArrivalMs <= tMs) {
      if (!(options.skip?.(k) ?? false)) {
        for (let f = 0; f < BLOCK_FRAMES; f++) {
          for (let c = 0; c < CHANNELS; c++) block[f * CHANNELS + c] = sample(k * BLOCK_FRAMES + f, c);
        }
        buffer.push(block, BLOCK_FRAMES, nextArrivalMs);
      }
      lastArrivalMs = nextArrivalMs;
      k++;
      nextArrivalMs = arrival(k);
    }
    buffer.pullPlanar(out, PULL_FRAMES, tMs);
    options.onPull?.(out[0] as Float32Array, tMs);
    if (tMs >= nextSecond * 1000) {
      options.onSecond?.(nextSecond, buffer);
      nextSecond++;
    }
  }
  return buffer;
}

/** A small seeded PRNG (32-bit state), uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
