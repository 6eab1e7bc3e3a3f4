// The simulator's media senders: video frames paced at the stream's frame rate and Opus
// packets every packet duration, each to the client endpoint the stream session learned from
// the client's pings (data-plane.md §1.4), through optional seeded impairment.
//
// Theory of operation. Each stream starts once `start()` has loaded its media and its target
// is known; like Sunshine, nothing is sent before the client's endpoint is, so the first
// datagrams carry video frame 1 (an IDR) and sequence numbers 0. A stream is a timer chain on
// the injected clock: each tick sends every unit whose due time has passed (catching up after
// a short stall, skipping ahead after a long one) and sets the next timer. A video frame goes
// out as Sunshine sends it (§2.4): in batches of at most 64 datagrams, a batch about every
// 0.9 ms (80 % of 1 Gbit/s). The video source is a clip with one IDR at its start, so an IDR
// request, a reference-frame invalidation (software encoders cannot invalidate, §2.8) and the
// end of the clip all restart it from that IDR.

import type { Impairment, ImpairmentConfig, ImpairmentStats } from './impairment.ts';
import { createImpairment } from './impairment.ts';
import { AUDIO_FEC_PAYLOAD_TYPE, createAudioPacketizer } from './audio-packetizer.ts';
import { loadAudioFixture, loadVideoFixture, type AudioSource, type VideoSource } from './media-fixtures.ts';
import { isIdrAccessUnit, type VideoCodec } from './video-annexb.ts';
import { createVideoEncryptor } from './video-encryption.ts';
import { FrameType, packetizeFrame } from './video-packetizer.ts';

export type { AudioSource, VideoSource } from './media-fixtures.ts';

/** Where datagrams go: node's dgram.Socket fits. */
export interface DatagramSink {
  send(datagram: Uint8Array, port: number, address: string): void;
}

/** Monotonic time and timers, injectable so tests can run on fake time. */
export interface MediaClock {
  nowUs(): number;
  /** Calls `fire` once after `delayUs`; the returned function cancels it. */
  setTimer(delayUs: number, fire: () => void): () => void;
}

export interface VideoSenderConfig {
  codec: VideoCodec;
  width: number;
  height: number;
  fps: number;
  /** The client's announced `x-nv-video[0].packetSize` (already 32 less when video is encrypted). */
  packetSizeBytes: number;
  fecPercent: number;
  minParity: number;
  encrypt?: boolean;
  /** The launch `rikey`, required when `encrypt`. */
  key?: Uint8Array;
  /** Frame-header latency field, 0.1 ms units; default 0 ("unknown", as Sunshine sends with x265). */
  hostLatencyTenthsMs?: number;
  /** Frames to send instead of the generated test-pattern clip; index 0 must be an IDR. */
  source?: VideoSource;
}

export interface AudioSenderConfig {
  /** 2, 6 or 8 (Sunshine's normal-quality layouts). */
  channels: number;
  key: Uint8Array;
  rikeyid: number;
  encrypt: boolean;
  /** Default 5 (what MCC asks Sunshine for). */
  packetDurationMs?: number;
  /** Sunshine's high-quality layout (data-plane.md §3.2); default false. */
  highQuality?: boolean;
  /** Packets to send instead of the generated tone fixture. */
  source?: AudioSource;
}

export interface MediaSenderOptions {
  video: VideoSenderConfig;
  audio: AudioSenderConfig;
  /** Sends the video datagrams, and the audio ones unless `audioSocket` is given. */
  socket: DatagramSink;
  /** Sunshine sends audio from its audio port: pass the socket bound there. */
  audioSocket?: DatagramSink;
  impairment?: { video?: ImpairmentConfig; audio?: ImpairmentConfig };
  clock?: MediaClock;
}

export type MediaSenderEvent =
  | { kind: 'video-frame'; frameIndex: number; sourceFrame: number; frameType: FrameType; firstSequence: number; datagrams: number; timeUs: number }
  | { kind: 'idr-requested'; reason: 'idr-request' | 'ref-frame-invalidation' };

export interface MediaSenderStats {
  videoFrames: number;
  idrFrames: number;
  videoDatagrams: number;
  /** Frames not sent because the sender fell too far behind its schedule. */
  videoFramesSkipped: number;
  audioPackets: number;
  audioFecPackets: number;
  videoImpairment: ImpairmentStats | null;
  audioImpairment: ImpairmentStats | null;
}

export interface MediaSender {
  setVideoTarget(host: string, port: number): void;
  setAudioTarget(host: string, port: number): void;
  /** Loads the media (building fixtures if needed); streams whose target is known start now. */
  start(): Promise<void>;
  /** The next frame is an IDR (control message 0x0302, §4.4.1). */
  requestIdr(): void;
  /** Answered with an IDR: the simulator's encoder cannot invalidate references (§2.8). */
  invalidateRefFrames(firstFrame: number, lastFrame: number): void;
  stop(): void;
  stats(): MediaSenderStats;
  subscribe(listener: (event: MediaSenderEvent) => void): () => void;
}

export const REAL_CLOCK: MediaClock = {
  nowUs: () => performance.now() * 1000,
  setTimer(delayUs, fire) {
    const handle = setTimeout(fire, Math.max(0, delayUs / 1000));
    return () => clearTimeout(handle);
  },
};

export function createMediaSender(options: MediaSenderOptions): MediaSender {
  const { video, audio } = options;
  checkOptions(options);
  const clock = options.clock ?? REAL_CLOCK;
  const audioSocket = options.audioSocket ?? options.socket;
  const videoImpairment = options.impairment?.video === undefined ? null : createImpairment(options.impairment.video);
  const audioImpairment = options.impairment?.audio === undefined ? null : createImpairment(options.impairment.audio);
  const encryptor = video.encrypt === true ? createVideoEncryptor(video.key as Uint8Array) : null;
  const audioPacketizer = createAudioPacketizer({ packetDurationMs: audio.packetDurationMs ?? DEFAULT_AUDIO_PACKET_MS, encrypt: audio.encrypt, key: audio.key, rikeyid: audio.rikeyid });
  const listeners = new Set<(event: MediaSenderEvent) => void>();
  const pending = new Set<() => void>();
  const counters = { videoFrames: 0, idrFrames: 0, videoDatagrams: 0, videoFramesSkipped: 0, audioPackets: 0, audioFecPackets: 0 };

  let videoSource: VideoSource | null = video.source ?? null;
  let audioSource: AudioSource | null = audio.source ?? null;
  let idrFlags: boolean[] = [];
  let videoTarget: Target | null = null;
  let audioTarget: Target | null = null;
  let loaded = false;
  let stopped = false;
  let videoStarted = false;
  let audioStarted = false;
  let frameIndex = FIRST_FRAME_INDEX;
  let sequence = 0;
  let sourceFrame = 0;
  let idrPending = true;
  let audioPosition = 0;

  const emit = (event: MediaSenderEvent): void => {
    for (const l of [...listeners]) l(event);
  };

  const later = (delayUs: number, fire: () => void): void => {
    if (stopped) return;
    const cancel = clock.setTimer(delayUs, () => {
      pending.delete(cancel);
      fire();
    });
    pending.add(cancel);
  };

  const deliver = (sink: DatagramSink, target: Target, impairment: Impairment | null, datagram: Uint8Array): void => {
    const copies = impairment === null ? [{ delayUs: 0 }] : impairment.decide();
    for (const { delayUs } of copies) {
      if (delayUs <= 0) sink.send(datagram, target.port, target.host);
      else later(delayUs, () => sink.send(datagram, target.port, target.host));
    }
  };

  const sendFrame = (dueUs: number, anchorUs: number): void => {
    const source = videoSource as VideoSource;
    if (idrPending || sourceFrame >= source.accessUnits.length) sourceFrame = 0;
    idrPending = false;
    const isIdr = idrFlags[sourceFrame] === true;
    const frameType = isIdr ? FrameType.IDR : FrameType.P;
    const firstSequence = sequence;
    const out = packetizeFrame(
      {
        bitstream: source.accessUnits[sourceFrame] as Uint8Array,
        frameIndex,
        frameType,
        hostLatencyTenthsMs: video.hostLatencyTenthsMs ?? 0,
        rtpTimestamp: Math.round((dueUs - anchorUs) * RTP_VIDEO_TICKS_PER_US) >>> 0,
      },
      video,
      sequence,
    );
    sequence = out.nextSequence;
    // Sealing in send order keeps Sunshine's nonce counter: one step per datagram (§2.9).
    const datagrams = encryptor === null ? out.datagrams : out.datagrams.map((d) => encryptor.seal(d));
    sendBatches(datagrams);
    counters.videoFrames += 1;
    counters.videoDatagrams += datagrams.length;
    if (isIdr) counters.idrFrames += 1;
    emit({ kind: 'video-frame', frameIndex, sourceFrame, frameType, firstSequence, datagrams: datagrams.length, timeUs: dueUs });
    frameIndex = (frameIndex + 1) >>> 0;
    sourceFrame += 1;
  };

  const sendBatches = (datagrams: readonly Uint8Array[]): void => {
    const target = videoTarget as Target;
    for (let start = 0, batch = 0; start < datagrams.length; start += SEND_BATCH_DATAGRAMS, batch++) {
      const group = datagrams.slice(start, start + SEND_BATCH_DATAGRAMS);
      const send = (): void => {
        if (stopped) return;
        for (const d of group) deliver(options.socket, target, videoImpairment, d);
      };
      if (batch === 0) send();
      else later(batch * batchIntervalUs(group[0]?.length ?? 0), send);
    }
  };

  const sendAudioPacket = (): void => {
    const source = audioSource as AudioSource;
    const packet = source.packets[audioPosition % source.packets.length] as Uint8Array;
    audioPosition += 1;
    for (const datagram of audioPacketizer.push(packet)) {
      if (datagram[1] === AUDIO_FEC_PAYLOAD_TYPE) counters.audioFecPackets += 1;
      else counters.audioPackets += 1;
      deliver(audioSocket, audioTarget as Target, audioImpairment, datagram);
    }
  };

  const maybeStart = (): void => {
    if (!loaded || stopped) return;
    if (!videoStarted && videoTarget !== null) {
      videoStarted = true;
      startStream(clock, video.fps, later, sendFrame, (n) => (counters.videoFramesSkipped += n));
    }
    if (!audioStarted && audioTarget !== null) {
      audioStarted = true;
      startStream(clock, 1000 / (audio.packetDurationMs ?? DEFAULT_AUDIO_PACKET_MS), later, sendAudioPacket, () => undefined);
    }
  };

  return {
    setVideoTarget(host, port) {
      videoTarget = { host, port };
      maybeStart();
    },
    setAudioTarget(host, port) {
      audioTarget = { host, port };
      maybeStart();
    },
    async start() {
      videoSource ??= await loadVideoFixture(video.codec, video.width, video.height, video.fps);
      audioSource ??= await loadAudioFixture(audio.channels, audio.packetDurationMs ?? DEFAULT_AUDIO_PACKET_MS, audio.highQuality ?? false);
      if (videoSource.accessUnits.length === 0 || audioSource.packets.length === 0) throw new RangeError('media sender: empty source');
      if (videoSource.codec !== video.codec) throw new RangeError(`media sender: a ${videoSource.codec} source for a ${video.codec} stream`);
      const codec = videoSource.codec;
      idrFlags = videoSource.accessUnits.map((unit) => isIdrAccessUnit(unit, codec));
      if (idrFlags[0] !== true) throw new RangeError('media sender: the video source does not start with an IDR');
      loaded = true;
      maybeStart();
    },
    requestIdr() {
      idrPending = true;
      emit({ kind: 'idr-requested', reason: 'idr-request' });
    },
    invalidateRefFrames() {
      idrPending = true;
      emit({ kind: 'idr-requested', reason: 'ref-frame-invalidation' });
    },
    stop() {
      stopped = true;
      for (const cancel of [...pending]) cancel();
      pending.clear();
    },
    stats: () => ({ ...counters, videoImpairment: videoImpairment?.stats() ?? null, audioImpairment: audioImpairment?.stats() ?? null }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface Target {
  host: string;
  port: number;
}

// A timer chain sending unit n at anchor + n / rate; after a stall longer than
// MAX_CATCH_UP_US it skips to the latest due unit instead of bursting the backlog. Due times
// are computed from n each time (not summed), so they never drift.
function startStream(clock: MediaClock, unitsPerSecond: number, later: (delayUs: number, fire: () => void) => void, sendUnit: (dueUs: number, anchorUs: number) => void, skipped: (units: number) => void): void {
  const anchorUs = clock.nowUs();
  const dueUs = (n: number): number => anchorUs + (n * 1_000_000) / unitsPerSecond;
  let next = 0;
  const tick = (): void => {
    const nowUs = clock.nowUs();
    let latest = Math.floor(((nowUs - anchorUs) * unitsPerSecond) / 1_000_000);
    while (dueUs(latest + 1) <= nowUs) latest += 1;
    while (latest >= 0 && dueUs(latest) > nowUs) latest -= 1;
    if (nowUs - dueUs(next) > MAX_CATCH_UP_US && latest > next) {
      skipped(latest - next);
      next = latest;
    }
    for (; next <= latest; next++) sendUnit(dueUs(next), anchorUs);
    later(dueUs(next) - nowUs, tick);
  };
  tick();
}

// Sunshine paces a frame's batches at about 80 % of 1 Gbit/s (§2.4).
function batchIntervalUs(datagramBytes: number): number {
  return (SEND_BATCH_DATAGRAMS * datagramBytes * 8) / PACING_BITS_PER_US;
}

function checkOptions(options: MediaSenderOptions): void {
  const { video, audio } = options;
  if (!(video.fps > 0 && video.fps <= MAX_FPS)) throw new RangeError(`media sender: ${video.fps} fps`);
  if (video.encrypt === true && video.key?.length !== AES_KEY_BYTES) throw new RangeError('media sender: video encryption needs the 16-byte launch key');
  if (audio.encrypt && audio.key.length !== AES_KEY_BYTES) throw new RangeError('media sender: audio encryption needs the 16-byte launch key');
  if (audio.source !== undefined && audio.source.channels !== audio.channels) throw new RangeError('media sender: audio source channel count differs');
  // A one-packet frame is the worst case of the minimum-parity rule: packetizing an empty
  // frame now reports bad settings here instead of from inside a timer.
  packetizeFrame({ bitstream: new Uint8Array(0), frameIndex: FIRST_FRAME_INDEX, frameType: FrameType.IDR, hostLatencyTenthsMs: 0, rtpTimestamp: 0 }, video, 0);
}

// 90 kHz video RTP clock (§2.1).
const RTP_VIDEO_TICKS_PER_US = 0.09;
// Sunshine numbers frames from 1 (§2.1).
const FIRST_FRAME_INDEX = 1;
const DEFAULT_AUDIO_PACKET_MS = 5;
const SEND_BATCH_DATAGRAMS = 64;
const PACING_BITS_PER_US = 800;
// Beyond this, a stalled sender drops the backlog: a real host's encoder would not have
// produced those frames either.
const MAX_CATCH_UP_US = 100_000;
const MAX_FPS = 480;
const AES_KEY_BYTES = 16;
