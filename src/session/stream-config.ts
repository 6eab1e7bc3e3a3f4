// What a stream is asked to be (StreamSettings, the user's and the decoder's wishes) and what
// the RTSP handshake agreed with the host (StreamConfig, everything the session worker and
// the core need to start the data plane). Values and their sources: control-plane.md §6.3-6.7,
// data-plane.md §1-3.

import type { LaunchKeys } from './launch.ts';

export type VideoCodec = 'h264' | 'hevc' | 'av1';

/** Client video formats, the bits MLC's clients pass and the encoder profiles (§3.4). */
export const VideoFormat = {
  H264: 0x0001,
  H264_HIGH8_444: 0x0004,
  H265: 0x0100,
  H265_MAIN10: 0x0200,
  H265_REXT8_444: 0x0400,
  H265_REXT10_444: 0x0800,
  AV1_MAIN8: 0x1000,
  AV1_MAIN10: 0x2000,
  AV1_HIGH8_444: 0x4000,
  AV1_HIGH10_444: 0x8000,
} as const;

/** Sunshine's SS_ENC bits, in DESCRIBE (supported, requested) and ANNOUNCE (enabled), §6.3. */
export const EncryptionFlag = {
  CONTROL_V2: 0x01,
  VIDEO: 0x02,
  AUDIO: 0x04,
} as const;

export type AudioChannelCount = 2 | 6 | 8;

/** The stream the client asks for. Every field is the client's choice; the host may refuse. */
export interface StreamSettings {
  width: number;
  height: number;
  fps: number;
  /** The user's video bitrate; the SDP announces 80 % of it (§6.4 "Derived values"). */
  bitrateKbps: number;
  /** Largest video payload per datagram wanted; rounded down to 16, capped for remote streams. */
  packetSizeBytes: number;
  /** Remote streams get smaller packets, less bitrate and no QoS tagging (§6.4). */
  network: 'local' | 'remote';
  /** Bitmask of VideoFormat values the decoder accepts. */
  videoFormats: number;
  audioChannels: AudioChannelCount;
  /** Opt in to encryption the host offers without requiring it (the host may still require it). */
  encryptVideo: boolean;
  encryptAudio: boolean;
  /** The decoder recovers from reference-frame invalidation instead of waiting for an IDR. */
  referenceFrameInvalidation: boolean;
  slicesPerFrame: number;
  /** Display refresh rate × 100, 0 when unknown. */
  displayRefreshRateX100: number;
  colorSpace: 'rec601' | 'rec709' | 'rec2020';
  colorRange: 'limited' | 'full';
  /** The Opus decoder is slow: 10 ms packets, never high-quality audio (§6.4). */
  slowOpusDecoder: boolean;
  /** The audio path accepts 10 ms packets, which halves their rate at low bitrates. */
  arbitraryAudioDuration: boolean;
}

/** The Opus multistream layout of the host's encoder, as the decoder must be created (§6.6). */
export interface AudioLayout {
  channels: AudioChannelCount;
  /** SDP channel mask: 0x3 stereo, 0x3F 5.1, 0x63F 7.1. */
  channelMask: number;
  streams: number;
  coupledStreams: number;
  /** Decoder output channel i takes decoded channel mapping[i]; order FL FR C LFE BL BR SL SR. */
  mapping: readonly number[];
  packetDurationMs: 5 | 10;
  /** The host encodes at its high-quality bitrate. */
  highQuality: boolean;
}

/** Everything negotiated for one stream; what the session worker starts the data plane with. */
export interface StreamConfig {
  /** The address the streams go to: the one the client reached the host at. */
  hostAddress: string;
  /** Host UDP ports from the SETUP replies' `Transport: server_port=`. */
  ports: { video: number; audio: number; control: number };
  video: {
    codec: VideoCodec;
    /** The one VideoFormat bit chosen. */
    format: number;
    width: number;
    height: number;
    fps: number;
    /** Video payload bytes per packet, as announced (encryption overhead already taken off). */
    packetSizeBytes: number;
    announcedBitrateKbps: number;
    configuredBitrateKbps: number;
    /** Least parity packets per FEC block the host must send (SDP fec.minRequiredFecPackets). */
    minRequiredFecPackets: number;
    /** Both ends do reference-frame invalidation (SDP maxNumReferenceFrames 0). */
    referenceFrameInvalidation: boolean;
    tenBit: boolean;
    yuv444: boolean;
    /** SDP encoderCscMode: (colour space << 1) | full range. */
    encoderCscMode: number;
    slicesPerFrame: number;
  };
  audio: AudioLayout;
  encryption: {
    /** RTSP itself went encrypted (sessionUrl0 was rtspenc://). */
    rtsp: boolean;
    /** SS_ENC bits announced as enabled (EncryptionFlag). */
    enabledFlags: number;
    control: boolean;
    video: boolean;
    audio: boolean;
  };
  /** X-SS-Ping-Payload (16 characters), or null: the data plane then sends the 4-byte "PING". */
  pingPayload: string | null;
  control: {
    /** X-SS-Connect-Data, the ENet connect `data` word (0 when the host sent none). */
    connectData: number;
    /** ENet channels to ask for in the connect (§6.7). */
    channelCount: number;
    /** SDP useReliableUdp: 13 = the encrypted control protocol. */
    protocol: number;
  };
  /** x-ss-general.featureFlags from DESCRIBE: 0x01 pen/touch, 0x02 controller touch (§6.3). */
  hostFeatureFlags: number;
  /** x-ml-general.featureFlags we announced: 0x01 FEC status messages, 0x02 session ids (§6.4). */
  clientFeatureFlags: number;
  /** x-nv-general.featureFlags we announced. */
  nvFeatureFlags: number;
  /** The `Session` id the host gave in SETUP. */
  rtspSessionId: string;
  /** The launch's keys: RTSP, control, audio and video encryption and input all use them. */
  keys: LaunchKeys;
}

/** Defaults that match moonlight-embedded's options in the captures (720p60, 3 Mbit/s, stereo). */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  width: 1280,
  height: 720,
  fps: 60,
  bitrateKbps: 10_000,
  packetSizeBytes: 1392,
  network: 'local',
  videoFormats: VideoFormat.H264 | VideoFormat.H265,
  audioChannels: 2,
  encryptVideo: true,
  encryptAudio: true,
  referenceFrameInvalidation: false,
  slicesPerFrame: 1,
  displayRefreshRateX100: 0,
  colorSpace: 'rec601',
  colorRange: 'limited',
  slowOpusDecoder: false,
  arbitraryAudioDuration: false,
};
