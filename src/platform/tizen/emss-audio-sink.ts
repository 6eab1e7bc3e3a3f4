// The TV's PCM audio sink, in the session worker: decoded PCM goes through the adaptive jitter
// buffer and out to the EMSS audio track in 5 ms packets, paced by our monotonic clock.
//
// In low latency EMSS plays each packet as it arrives (platform/tizen.md 1.11), so arrival
// jitter would reach the speakers. The worker therefore plays the consumer itself: every time
// it runs (a PCM block arrived, or the session loop calls `pump`) it takes from the jitter
// buffer as many frames as our clock says have elapsed, in whole packets, and appends them.
// The jitter buffer absorbs network jitter and the drift between the host's sound clock and
// ours; pts advance by exactly the frames taken (av-clock.ts), so audio and video pts agree.
// Packets are key frames, dts = pts, and carry the track's session id (tizen.md 1.10 step 7).
// While the track is closed (suspend) packets are still taken and thrown away, so the timeline
// keeps moving and nothing stale is played on return. After a long pause in pumping, only the
// last `kMaxCatchUpMs` are made up (as silence if nothing arrived): older time is skipped
// rather than played late.
//
// The delay it reports is the jitter buffer's plus the packet being gathered; the TV's own
// audio pipeline is not visible from here [unverified: measure on a TV].

import { err, ok } from '../../lib/result.ts';
import { createAudioJitterBuffer, type AudioJitterBuffer } from '../../media/audio-jitter-buffer.ts';
import type { AvClock } from '../../media/av-clock.ts';
import type { AudioSink, AudioSinkStats, AudioStreamFormat } from '../../media/media-sink.ts';
import type { EmssAppender } from './emss-appender.ts';

export interface EmssAudioSinkOptions {
  appender: EmssAppender;
  clock: AvClock;
  /** The session worker's monotonic clock, in microseconds (the one fed to the core). */
  nowUs: () => number;
}

export interface EmssAudioSink extends AudioSink {
  /** Appends what is due by now; the session loop calls it when no PCM arrived for a while. */
  pump(): void;
}

export function createEmssAudioSink(options: EmssAudioSinkOptions): EmssAudioSink {
  const { appender, clock, nowUs } = options;
  let format: AudioStreamFormat | null = null;
  let buffer: AudioJitterBuffer | null = null;
  let packet = new Int16Array(0);
  let packetBytes = new Uint8Array(0); // the same memory, as the append takes it
  let packetFrames = 0;
  let lastPumpUs = NaN;
  let dueFrames = 0;
  let closed = false;
  const counters = { receivedFrames: 0, appendedPackets: 0, discardedPackets: 0 };

  function pump(): void {
    if (buffer === null || format === null || closed) return;
    const now = nowUs();
    if (isNaN(lastPumpUs)) lastPumpUs = now;
    const rate = format.sampleRateHz;
    const elapsedUs = Math.min(Math.max(0, now - lastPumpUs), kMaxCatchUpMs * 1000);
    lastPumpUs = now;
    dueFrames += (elapsedUs * rate) / 1e6;
    while (dueFrames >= packetFrames) {
      dueFrames -= packetFrames;
      buffer.pullInterleavedS16(packet, packetFrames, now / 1000);
      const ptsUs = clock.audioPtsUs(packetFrames, now);
      const pts = ptsUs / 1e6;
      const outcome = appender.append('audio', { pts, dts: pts, duration: packetFrames / rate, isKeyFrame: true, isEncrypted: false }, packetBytes);
      if (outcome.kind === 'appended') counters.appendedPackets++;
      else counters.discardedPackets++;
    }
  }

  return {
    configure(next) {
      if (closed) return Promise.resolve(err({ kind: 'not-ready', detail: 'the sink is closed' }));
      if (!kChannelLayouts.includes(next.channels) || next.sampleRateHz !== kSampleRateHz) {
        return Promise.resolve(err({ kind: 'unsupported', detail: `${next.channels} channels at ${next.sampleRateHz} Hz` }));
      }
      format = next;
      packetFrames = (kPacketMs * next.sampleRateHz) / 1000;
      packet = new Int16Array(packetFrames * next.channels);
      packetBytes = new Uint8Array(packet.buffer);
      buffer = createAudioJitterBuffer({ sampleRateHz: next.sampleRateHz, channels: next.channels, pullFrames: packetFrames });
      lastPumpUs = NaN;
      dueFrames = 0;
      return Promise.resolve(ok(undefined));
    },
    pushPcm(samples, info) {
      if (buffer === null || closed) return;
      counters.receivedFrames += info.samplesPerChannel;
      buffer.push(samples, info.samplesPerChannel, nowUs() / 1000);
      pump();
    },
    pump,
    delayMs() {
      if (buffer === null || format === null) return 0;
      return buffer.delayMs() + ((packetFrames / 2) * 1000) / format.sampleRateHz;
    },
    stats(): AudioSinkStats {
      const s = buffer?.stats();
      return {
        receivedFrames: counters.receivedFrames,
        underruns: s?.underruns ?? 0,
        silenceFrames: s?.silenceFrames ?? 0,
        droppedFrames: s?.droppedFrames ?? 0,
        targetDelayMs: s?.targetMs ?? 0,
      };
    },
    close() {
      closed = true;
    },
  };
}

/** The packet size the Moonlight ports append: 240 frames at 48 kHz (tizen.md 1.10 step 7). */
const kPacketMs = 5;
const kSampleRateHz = 48_000;
/** Stereo, 5.1 and 7.1 (data-plane.md 3.2), the layouts the PCM track takes (tizen.md 1.6). */
const kChannelLayouts = [2, 6, 8];
/** After a stall in pumping, the most time made up at once. */
const kMaxCatchUpMs = 40;
