// The adaptive audio jitter buffer: PCM blocks go in when they arrive, and a consumer running
// on the output's clock takes fixed-size pulls. It serves both audio paths: inside the
// AudioWorklet processor (pulls of one 128-frame render quantum) and in the session worker
// for EMSS PCM (pulls sized by elapsed time).
//
// Theory of operation.
// - Arrival jitter. Each block's transit is its arrival time minus its media time (frames
//   pushed so far / sample rate). Its lateness is transit minus the smallest transit of the
//   last second (the baseline follows clock drift); the jitter estimate is the largest
//   lateness of the last 8 s. A lateness larger than the biggest target is a step in the
//   timeline (a stall the decoder did not conceal), not jitter: the windows start afresh.
// - Target depth. The average fill should cover the jitter, half a block (fill saw-tooths by
//   one block), one pull and a small margin. It grows as soon as lateness is seen and shrinks
//   once the 8 s window has forgotten it.
// - Drift. The producer (the host's sound card) and the consumer (ours) disagree by up to a
//   fraction of a percent, so the fill creeps. A proportional-integral controller on the
//   smoothed fill reads the input slightly faster or slower (linear interpolation, at most
//   ±2 %), which is inaudible and keeps the delay bounded for any session length. A fill far
//   above target (a flood after a stall) is cut at once instead of drained for seconds.
// - Underrun. When a pull finds too little, the rest is silence, the underrun is counted, and
//   output stays silent until the fill is back at target (no stutter of tiny fragments).
// - Priming. Output starts once the fill first reaches target.
//
// This module must stay self-contained: `createAudioJitterBuffer` references nothing outside
// its own body (no imports, no module constants, no helpers beside it), because the AudioWorklet
// processor is built from its source text (audio-worklet-processor.ts). Types are erased.

export interface AudioJitterBufferConfig {
  sampleRateHz: number;
  channels: number;
  /** Frames per pull: 128 for an AudioWorklet render quantum. Sizes the target. */
  pullFrames: number;
  /** The consumer's rate when it differs from the input's (an AudioContext at 44.1 kHz). */
  outputRateHz?: number;
  /** Largest fill kept; older frames are dropped past it. Default 1000 ms. */
  capacityMs?: number;
  /** Jitter assumed before any was measured. Default 10 ms. */
  initialJitterMs?: number;
  /** Largest target depth. Default 250 ms. */
  maxTargetMs?: number;
}

export interface AudioJitterBufferStats {
  pushedFrames: number;
  /** Output frames of real audio played. */
  playedFrames: number;
  underruns: number;
  /** Silence played after an underrun, until the fill reached target again. */
  silenceFrames: number;
  /** Silence played before the first audio reached target. */
  primingFrames: number;
  /** Frames cut because the fill stood far above target, or past capacity. */
  droppedFrames: number;
  /** Blocks refused because their length did not match the channel count. */
  rejectedBlocks: number;
  /** The fill aimed for, in ms. */
  targetMs: number;
  jitterMs: number;
  /** Smoothed fill, in ms of input audio. */
  levelMs: number;
  /** Input frames consumed per output frame (input rate / output rate, ± the drift correction). */
  ratio: number;
}

export interface AudioJitterBuffer {
  /** Interleaved s16 block of `frames` frames that arrived at `nowMs` (consumer clock). */
  push(samples: Int16Array, frames: number, nowMs: number): void;
  /** Fills `frames` frames of each channel's Float32Array (Web Audio's planar layout). */
  pullPlanar(out: Float32Array[], frames: number, nowMs: number): void;
  /** Fills `frames` interleaved s16 frames into `out` (EMSS PCM). */
  pullInterleavedS16(out: Int16Array, frames: number, nowMs: number): void;
  /** Smoothed fill in ms: how long a frame pushed now waits before it is played. */
  delayMs(): number;
  stats(): AudioJitterBufferStats;
}

export function createAudioJitterBuffer(config: AudioJitterBufferConfig): AudioJitterBuffer {
  // Constants live inside the function so that its source text stands alone (see the header).
  /** Windows of the jitter estimator: baseline over 1 s, peak over 8 s. */
  const kBaselineBucketMs = 250;
  const kBaselineBuckets = 4;
  const kPeakBucketMs = 1000;
  const kPeakBuckets = 8;
  /** Margin above the computed need, for scheduling noise in the consumer. */
  const kSafetyMs = 1;
  /** Fill smoothing: the fill saw-tooths by one block, so average over several blocks. */
  const kLevelSmoothingMs = 40;
  /** Controller gains: 0.2 % rate change per ms of error, and its slow integral. */
  const kProportionalPerMs = 0.002;
  const kIntegralPerMsS = 0.0004;
  /** ±2 % covers any real crystal drift (tens of ppm) with room to catch up. */
  const kMaxRateAdjust = 0.02;
  const kMaxIntegral = 0.01;
  const kIntegralBandMs = 5;
  /** Beyond this excess the fill is cut at once rather than drained slowly. */
  const kHardDropExcessMs = 60;

  const rate = config.sampleRateHz;
  const channels = config.channels;
  const framesPerMs = rate / 1000;
  const capacityFrames = Math.ceil(((config.capacityMs === undefined ? 1000 : config.capacityMs) * rate) / 1000);
  const maxTargetMs = config.maxTargetMs === undefined ? 250 : config.maxTargetMs;
  const outputRateHz = config.outputRateHz === undefined ? rate : config.outputRateHz;
  /** Input frames per output frame before drift correction. */
  const nominalRatio = rate / outputRateHz;
  const pullMs = (config.pullFrames * 1000) / outputRateHz;
  const ring = new Float32Array(capacityFrames * channels);

  let writeFrame = 0; // absolute count of frames written
  let readFrame = 0; // absolute, fractional read position
  let playing = false;
  let everPlayed = false;
  let avgLevelMs = 0;
  let integral = 0;
  let ratio = nominalRatio;
  let blockMs = 0;
  let lastPullMs = NaN;
  const counters = { pushedFrames: 0, playedFrames: 0, underruns: 0, silenceFrames: 0, primingFrames: 0, droppedFrames: 0, rejectedBlocks: 0 };

  const baseline = createWindow(kBaselineBucketMs, kBaselineBuckets, true);
  const peak = createWindow(kPeakBucketMs, kPeakBuckets, false);
  const initialJitterMs = config.initialJitterMs === undefined ? 10 : config.initialJitterMs;

  function createWindow(bucketMs: number, bucketCount: number, keepMin: boolean) {
    const values = new Float64Array(bucketCount);
    const starts = new Float64Array(bucketCount).fill(-Infinity);
    return {
      add(value: number, nowMs: number): void {
        const start = Math.floor(nowMs / bucketMs) * bucketMs;
        const slot = Math.floor(nowMs / bucketMs) % bucketCount;
        if (starts[slot] !== start) {
          starts[slot] = start;
          values[slot] = value;
        } else {
          const old = values[slot] as number;
          values[slot] = keepMin ? Math.min(old, value) : Math.max(old, value);
        }
      },
      /** The extreme over buckets younger than the window; `empty` when there are none. */
      get(nowMs: number, empty: number): number {
        const oldest = Math.floor(nowMs / bucketMs) * bucketMs - (bucketCount - 1) * bucketMs;
        let out = empty;
        let found = false;
        for (let i = 0; i < bucketCount; i++) {
          if ((starts[i] as number) < oldest) continue;
          const v = values[i] as number;
          out = !found ? v : keepMin ? Math.min(out, v) : Math.max(out, v);
          found = true;
        }
        return out;
      },
      clear(): void {
        starts.fill(-Infinity);
      },
    };
  }

  function jitterMs(nowMs: number): number {
    return Math.min(maxTargetMs, peak.get(nowMs, 0));
  }

  function targetMs(nowMs: number): number {
    return Math.min(maxTargetMs, jitterMs(nowMs) + blockMs / 2 + pullMs + kSafetyMs);
  }

  function levelFrames(): number {
    return writeFrame - readFrame;
  }

  function noteArrival(frames: number, nowMs: number): void {
    // The assumed jitter counts as a measurement made at the first arrival.
    if (counters.pushedFrames === 0) peak.add(initialJitterMs, nowMs);
    const mediaMs = counters.pushedFrames / framesPerMs;
    const transit = nowMs - mediaMs;
    let base = baseline.get(nowMs, transit);
    if (transit - base > maxTargetMs) {
      // A step, not jitter: the timeline moved (see the header).
      baseline.clear();
      base = transit;
    }
    baseline.add(transit, nowMs);
    peak.add(Math.max(0, transit - Math.min(base, transit)), nowMs);
    const thisBlockMs = frames / framesPerMs;
    blockMs = blockMs === 0 ? thisBlockMs : blockMs + (thisBlockMs - blockMs) / 8;
  }

  function push(samples: Int16Array, frames: number, nowMs: number): void {
    if (frames <= 0 || samples.length !== frames * channels) {
      counters.rejectedBlocks++;
      return;
    }
    noteArrival(frames, nowMs);
    counters.pushedFrames += frames;
    let from = 0;
    let count = frames;
    if (count > capacityFrames) {
      from = (count - capacityFrames) * channels;
      counters.droppedFrames += count - capacityFrames;
      count = capacityFrames;
    }
    const overflow = writeFrame + count - Math.floor(readFrame) - capacityFrames;
    if (overflow > 0) {
      readFrame += overflow;
      counters.droppedFrames += overflow;
    }
    for (let f = 0; f < count; f++) {
      const at = ((writeFrame + f) % capacityFrames) * channels;
      const src = from + f * channels;
      for (let c = 0; c < channels; c++) ring[at + c] = (samples[src + c] as number) / 32768;
    }
    writeFrame += count;
  }

  /** Updates smoothing, target and rate before a pull; returns false while output stays silent. */
  function control(frames: number, nowMs: number): boolean {
    const elapsedMs = isNaN(lastPullMs) ? (frames * 1000) / outputRateHz : Math.max(0, nowMs - lastPullMs);
    lastPullMs = nowMs;
    const level = levelFrames() / framesPerMs;
    const target = targetMs(nowMs);
    if (!playing) {
      if (level < target) return false;
      playing = true;
      everPlayed = true;
      avgLevelMs = level;
      integral = 0;
    }
    const alpha = elapsedMs / (elapsedMs + kLevelSmoothingMs);
    avgLevelMs += (level - avgLevelMs) * alpha;
    const error = avgLevelMs - target;
    if (error > kHardDropExcessMs) {
      const cut = Math.floor((level - target) * framesPerMs);
      if (cut > 0) {
        readFrame += cut;
        counters.droppedFrames += cut;
      }
      avgLevelMs = target;
      integral = 0;
      ratio = nominalRatio;
      return true;
    }
    // The integral only learns the drift near target: integrating while a large excess
    // drains would wind it up and overshoot into an underrun.
    if (Math.abs(error) < kIntegralBandMs) {
      integral += error * (elapsedMs / 1000) * kIntegralPerMsS;
      integral = Math.max(-kMaxIntegral, Math.min(kMaxIntegral, integral));
    }
    const adjust = error * kProportionalPerMs + integral;
    ratio = nominalRatio * (1 + Math.max(-kMaxRateAdjust, Math.min(kMaxRateAdjust, adjust)));
    return true;
  }

  /** Reads up to `frames` output frames through `write(frameIndex, channel, value)`; returns how many. */
  function read(frames: number, write: (i: number, c: number, v: number) => void): number {
    let i = 0;
    for (; i < frames; i++) {
      const whole = Math.floor(readFrame);
      const frac = readFrame - whole;
      if (whole + (frac > 0 ? 2 : 1) > writeFrame) break;
      const a = (whole % capacityFrames) * channels;
      const b = ((whole + 1) % capacityFrames) * channels;
      for (let c = 0; c < channels; c++) {
        const va = ring[a + c] as number;
        write(i, c, frac > 0 ? va + ((ring[b + c] as number) - va) * frac : va);
      }
      readFrame += ratio;
    }
    return i;
  }

  function pull(frames: number, nowMs: number, write: (i: number, c: number, v: number) => void, silence: (from: number) => void): void {
    if (!control(frames, nowMs)) {
      silence(0);
      if (everPlayed) counters.silenceFrames += frames;
      else counters.primingFrames += frames;
      return;
    }
    const got = read(frames, write);
    counters.playedFrames += got;
    if (got < frames) {
      silence(got);
      counters.underruns++;
      counters.silenceFrames += frames - got;
      playing = false;
    }
  }

  return {
    push,
    pullPlanar(out, frames, nowMs) {
      pull(
        frames,
        nowMs,
        (i, c, v) => {
          const channel = out[c];
          if (channel !== undefined) channel[i] = v;
        },
        (from) => {
          for (const channel of out) channel.fill(0, from, frames);
        },
      );
    },
    pullInterleavedS16(out, frames, nowMs) {
      pull(
        frames,
        nowMs,
        (i, c, v) => {
          const s = Math.round(v * 32768);
          out[i * channels + c] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
        },
        (from) => out.fill(0, from * channels, frames * channels),
      );
    },
    delayMs() {
      return playing ? avgLevelMs : levelFrames() / framesPerMs;
    },
    stats() {
      const now = isNaN(lastPullMs) ? 0 : lastPullMs;
      return {
        pushedFrames: counters.pushedFrames,
        playedFrames: counters.playedFrames,
        underruns: counters.underruns,
        silenceFrames: counters.silenceFrames,
        primingFrames: counters.primingFrames,
        droppedFrames: counters.droppedFrames,
        rejectedBlocks: counters.rejectedBlocks,
        targetMs: targetMs(now),
        jitterMs: jitterMs(now),
        levelMs: playing ? avgLevelMs : levelFrames() / framesPerMs,
        ratio,
      };
    },
  };
}
