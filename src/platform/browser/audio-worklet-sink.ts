// The Web Audio sink: PCM blocks go through a MessagePort to an AudioWorklet processor
// (audio-worklet-processor.ts) that plays them through the adaptive jitter buffer. Used in
// the browser, and on TVs whose EMSS PCM crackles (platform/tizen.md 1.13).
//
// Each block is copied once out of the caller's (borrowed) memory and that copy is
// transferred to the audio thread. The delay reported is the processor's last report plus
// the context's own output latency.

import { err, ok } from '../../lib/result.ts';
import type { AudioSink, AudioSinkStats, AudioStreamFormat } from '../../media/media-sink.ts';
import { PCM_PROCESSOR_NAME, pcmProcessorSource, type PcmPlayerMessage, type PcmPlayerReport, type PcmProcessorOptions } from './audio-worklet-processor.ts';

export interface AudioWorkletSinkOptions {
  /** Defaults to a new interactive AudioContext at the stream's rate, closed with the sink. */
  context?: AudioContext;
  /** Where the player connects; defaults to the context's destination. */
  destination?: AudioNode;
}

export interface AudioWorkletSink extends AudioSink {
  /** The processor's latest report, or null before the first. */
  lastReport(): PcmPlayerReport | null;
}

export function createAudioWorkletSink(options: AudioWorkletSinkOptions = {}): AudioWorkletSink {
  let context: AudioContext | null = null;
  let node: AudioWorkletNode | null = null;
  let format: AudioStreamFormat | null = null;
  let report: PcmPlayerReport | null = null;
  let receivedFrames = 0;
  let closed = false;

  return {
    async configure(next) {
      if (closed || node !== null) return err({ kind: 'not-ready', detail: closed ? 'the sink is closed' : 'already configured' });
      if (typeof AudioWorkletNode === 'undefined' || typeof AudioContext === 'undefined') return err({ kind: 'unsupported', detail: 'no AudioWorklet here' });
      try {
        const ctx = options.context ?? newContext(next.sampleRateHz);
        context = ctx;
        const url = URL.createObjectURL(new Blob([pcmProcessorSource()], { type: 'application/javascript' }));
        try {
          await ctx.audioWorklet.addModule(url);
        } finally {
          URL.revokeObjectURL(url);
        }
        const processorOptions: PcmProcessorOptions = { channels: next.channels, sampleRateHz: next.sampleRateHz };
        const player = new AudioWorkletNode(ctx, PCM_PROCESSOR_NAME, { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [next.channels], processorOptions });
        player.port.onmessage = (event: MessageEvent<unknown>) => {
          const data = event.data as Partial<PcmPlayerReport> | null;
          if (data !== null && data.kind === 'report') report = data as PcmPlayerReport;
        };
        player.connect(options.destination ?? ctx.destination);
        node = player;
        format = next;
        // A context made before any user gesture starts suspended; the stream view was opened by one.
        if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
        return ok(undefined);
      } catch (e) {
        return err({ kind: 'platform', detail: `AudioWorklet: ${String(e)}` });
      }
    },
    pushPcm(samples, info) {
      if (node === null || format === null || closed) return;
      const copy = samples.slice(0, info.samplesPerChannel * format.channels);
      receivedFrames += info.samplesPerChannel;
      const message: PcmPlayerMessage = { kind: 'pcm', samples: copy, frames: info.samplesPerChannel };
      node.port.postMessage(message, [copy.buffer]);
    },
    delayMs() {
      if (context === null) return 0;
      return (report?.delayMs ?? 0) + outputLatencyMs(context);
    },
    stats(): AudioSinkStats {
      return {
        receivedFrames,
        underruns: report?.underruns ?? 0,
        silenceFrames: report?.silenceFrames ?? 0,
        droppedFrames: report?.droppedFrames ?? 0,
        targetDelayMs: report?.targetMs ?? 0,
      };
    },
    lastReport: () => report,
    close() {
      if (closed) return;
      closed = true;
      node?.disconnect();
      node?.port.close();
      if (options.context === undefined) void context?.close().catch(() => undefined);
    },
  };
}

function newContext(sampleRateHz: number): AudioContext {
  try {
    return new AudioContext({ latencyHint: 'interactive', sampleRate: sampleRateHz });
  } catch {
    // Engines before Chromium 74 reject the sampleRate option; the processor resamples.
    return new AudioContext({ latencyHint: 'interactive' });
  }
}

/** The context's buffering before the speakers; `outputLatency` is newer than the TV's engines. */
function outputLatencyMs(context: AudioContext): number {
  const base = typeof context.baseLatency === 'number' ? context.baseLatency : 0;
  const output = typeof context.outputLatency === 'number' ? context.outputLatency : 0;
  return (base + output) * 1000;
}
