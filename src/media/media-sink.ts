// Where decoded-ready media goes: the contract every media sink implements, whatever the
// platform (EMSS tracks on the TV, WebCodecs and Web Audio in a browser). The session side
// hands access units and PCM to these interfaces and never touches a platform API.
//
// Ownership: `pushAccessUnit` and `pushPcm` take the caller's bytes for the duration of the
// call only. A sink that keeps them (a queue, a transfer to another thread) copies them or
// takes a buffer the caller has given up; the core's borrowed views (wasm/session.ts) are
// never kept past the call.

import type { Result } from '../lib/result.ts';

export type VideoCodec = 'h264' | 'h265';

/** Why a sink cannot take a stream, in terms the session can turn into words. */
export type SinkError =
  | { kind: 'unsupported'; detail: string } // the codec, size or layout cannot be played here
  | { kind: 'not-ready'; detail: string } // called in a state that does not allow it
  | { kind: 'platform'; detail: string }; // the platform refused for its own reasons

export interface VideoStreamFormat {
  codec: VideoCodec;
  width: number;
  height: number;
  fps: number;
}

export interface AccessUnitInfo {
  /** An IDR (H.264) or IRAP (H.265) access unit, with its parameter sets in band. */
  keyFrame: boolean;
  /** The host's frame number; gaps are frames lost in the network. */
  frameIndex: number;
  /** Presentation time on the session's A/V clock (src/media/av-clock.ts). */
  ptsUs: number;
}

export interface VideoSinkStats {
  /** Access units handed to the decoder. */
  submittedFrames: number;
  /** Access units dropped before the decoder (waiting for a key frame, refused by it). */
  droppedFrames: number;
  /** Pictures the decoder reported as output, where the platform tells (0 otherwise). */
  decodedFrames: number;
  /** Times the sink asked for a key frame. */
  keyFrameRequests: number;
}

export interface VideoSink {
  /**
   * Prepares for a stream; resolves `unsupported` when this platform cannot decode it.
   * Called again with a new format to change it (the next unit must be a key frame).
   */
  configure(format: VideoStreamFormat): Promise<Result<void, SinkError>>;
  /** One Annex-B access unit. Units before the first key frame are dropped. */
  pushAccessUnit(data: Uint8Array, info: AccessUnitInfo): void;
  stats(): VideoSinkStats;
  /** Releases the decoder; later pushes are dropped. Idempotent. */
  close(): void;
}

export interface AudioStreamFormat {
  /** 2, 6 or 8 (stereo, 5.1, 7.1; data-plane.md 3.2). */
  channels: number;
  sampleRateHz: number;
}

export interface PcmBlockInfo {
  /** Frames in the block (samples per channel). */
  samplesPerChannel: number;
  /** The block was made up by the decoder's loss concealment. */
  concealed: boolean;
}

export interface AudioSinkStats {
  /** Frames (samples per channel) received from the session. */
  receivedFrames: number;
  /** Times the output ran dry and silence was played instead. */
  underruns: number;
  /** Frames of silence played because nothing had arrived in time. */
  silenceFrames: number;
  /** Frames thrown away to keep latency bounded (overflow, drift catch-up). */
  droppedFrames: number;
  /** The depth the sink currently aims for, from the measured arrival jitter. */
  targetDelayMs: number;
}

export interface AudioSink {
  configure(format: AudioStreamFormat): Promise<Result<void, SinkError>>;
  /** Interleaved signed 16-bit PCM, `info.samplesPerChannel × channels` samples. */
  pushPcm(samples: Int16Array, info: PcmBlockInfo): void;
  /** How long a sample pushed now waits before it is played, in milliseconds. */
  delayMs(): number;
  stats(): AudioSinkStats;
  close(): void;
}

/** Called when a sink needs the host to send a key frame (decoder reset, track reopened). */
export type KeyFrameRequest = () => void;
