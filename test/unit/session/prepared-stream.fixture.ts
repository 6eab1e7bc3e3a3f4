// A prepared stream as the services worker hands it on: 5.1 sound, every key present.

import type { PreparedStream } from '../../../src/session/start-stream.ts';
import { launchKeysFrom } from '../../../src/session/launch.ts';

export const PREPARED: PreparedStream = {
  config: {
    hostAddress: 'fe80::1',
    ports: { video: 47998, audio: 48000, control: 47999 },
    video: { codec: 'h264', format: 1, width: 1920, height: 1080, fps: 60, packetSizeBytes: 1392, announcedBitrateKbps: 16000, configuredBitrateKbps: 20000, minRequiredFecPackets: 2, referenceFrameInvalidation: true, tenBit: false, yuv444: false, encoderCscMode: 2, slicesPerFrame: 1 },
    audio: { channels: 6, channelMask: 0x3f, streams: 4, coupledStreams: 2, mapping: [0, 4, 1, 5, 2, 3], packetDurationMs: 5, highQuality: false },
    encryption: { rtsp: true, enabledFlags: 7, control: true, video: true, audio: true },
    pingPayload: null,
    control: { connectData: 0xfffffffe, channelCount: 48, protocol: 13 },
    hostFeatureFlags: 3,
    clientFeatureFlags: 3,
    nvFeatureFlags: 167,
    rtspSessionId: 'DEADBEEFCAFE',
    keys: launchKeysFrom(Uint8Array.from({ length: 16 }, (_, i) => i), -2),
  },
  info: { appId: 881448767, start: 'resumed', codec: 'h264', width: 1920, height: 1080, fps: 60, hdr: false, audioChannels: 6 },
};
