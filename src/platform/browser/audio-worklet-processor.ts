// The AudioWorklet processor that plays PCM: it runs on the audio rendering thread, takes
// interleaved s16 blocks from its port, and pulls one render quantum per `process()` call from
// the adaptive jitter buffer (src/media/audio-jitter-buffer.ts), whose clock is the audio
// thread's own `currentTime`, so drift is measured against the real output.
//
// A worklet module must be loaded by URL, and the app is bundled into one classic script
// (vite.config.ts), so the module's text is assembled here from the functions' source and
// loaded as a Blob URL. Both functions therefore stand alone: they reference only their
// parameters and the worklet's globals, which are passed in from the wrapper text. `__name`
// is defined because some transpilers (tsx) wrap named functions in that helper.

import { createAudioJitterBuffer } from '../../media/audio-jitter-buffer.ts';

export const PCM_PROCESSOR_NAME = 'gamestream-pcm-player';

/** Main thread → processor. `samples` is transferred. */
export type PcmPlayerMessage = { kind: 'pcm'; samples: Int16Array; frames: number };

/** Processor → main thread, every `kReportEveryQuanta` render quanta. */
export interface PcmPlayerReport {
  kind: 'report';
  /** The jitter buffer's delay; the output device's latency is not included. */
  delayMs: number;
  targetMs: number;
  receivedFrames: number;
  playedFrames: number;
  underruns: number;
  silenceFrames: number;
  droppedFrames: number;
  /** Quanta rendered so far. */
  quanta: number;
}

export interface PcmProcessorOptions {
  channels: number;
  sampleRateHz: number;
}

/** The text of the worklet module. */
export function pcmProcessorSource(): string {
  return [
    'var __name = function (target) { return target; };',
    `var createAudioJitterBuffer = (${createAudioJitterBuffer.toString()});`,
    `(${definePcmProcessor.toString()})(createAudioJitterBuffer, AudioWorkletProcessor, registerProcessor, function () { return currentTime; }, sampleRate, ${JSON.stringify(PCM_PROCESSOR_NAME)}, ${kReportEveryQuanta});`,
  ].join('\n');
}

/** What the worklet scope provides, as the module text passes it in. */
type ProcessorBase = new () => { readonly port: MessagePort };
type RegisterProcessor = (name: string, ctor: unknown) => void;

function definePcmProcessor(
  createBuffer: typeof createAudioJitterBuffer,
  Base: ProcessorBase,
  register: RegisterProcessor,
  currentTimeS: () => number,
  outputRateHz: number,
  name: string,
  reportEveryQuanta: number,
): void {
  /** Web Audio renders in quanta of 128 frames (the size `process()` is called with). */
  const kRenderQuantumFrames = 128;
  class PcmPlayer extends Base {
    // `declare` fields: no class-field syntax in the output, which would need a helper here.
    declare private buffer: ReturnType<typeof createAudioJitterBuffer>;
    declare private receivedFrames: number;
    declare private quanta: number;

    constructor(options: { processorOptions: PcmProcessorOptions }) {
      super();
      const { channels, sampleRateHz } = options.processorOptions;
      this.receivedFrames = 0;
      this.quanta = 0;
      this.buffer = createBuffer({ sampleRateHz, channels, pullFrames: kRenderQuantumFrames, outputRateHz });
      this.port.onmessage = (event: MessageEvent<unknown>) => {
        const data = event.data as Partial<PcmPlayerMessage> | null;
        if (data === null || data.kind !== 'pcm' || !(data.samples instanceof Int16Array) || typeof data.frames !== 'number') return;
        this.receivedFrames += data.frames;
        this.buffer.push(data.samples, data.frames, currentTimeS() * 1000);
      };
    }

    process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
      const output = outputs[0];
      if (output !== undefined && output.length > 0) {
        this.buffer.pullPlanar(output, (output[0] as Float32Array).length, currentTimeS() * 1000);
      }
      this.quanta++;
      if (this.quanta % reportEveryQuanta === 0) this.report();
      return true;
    }

    private report(): void {
      const s = this.buffer.stats();
      const report: PcmPlayerReport = {
        kind: 'report',
        delayMs: this.buffer.delayMs(),
        targetMs: s.targetMs,
        receivedFrames: this.receivedFrames,
        playedFrames: s.playedFrames,
        underruns: s.underruns,
        silenceFrames: s.silenceFrames,
        droppedFrames: s.droppedFrames,
        quanta: this.quanta,
      };
      this.port.postMessage(report);
    }
  }
  register(name, PcmPlayer);
}

/** About every 50 ms at 48 kHz: often enough for a statistics overlay, cheap for the thread. */
const kReportEveryQuanta = 20;
