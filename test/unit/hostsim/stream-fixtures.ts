// Launch sessions and announced streams for the stream tests, shaped as launch-control.ts and
// rtsp-handlers.ts make them, with the values MCC sends to Sunshine unless a test says otherwise.

import type { LaunchSession } from '../../hostsim/launch-control.ts';
import type { AnnouncedStream } from '../../hostsim/rtsp-handlers.ts';

export function launchSessionFor(values: { id?: number; rikey: Uint8Array; connectData: number; pingPayload: string }): LaunchSession {
  return {
    id: values.id ?? 1,
    uniqueId: '0123456789ABCDEF',
    appId: 1,
    resume: false,
    rikey: values.rikey,
    rikeyId: 0,
    iv: new Uint8Array(16),
    width: 1280,
    height: 720,
    fps: 60,
    sops: false,
    hostAudio: false,
    surroundAudioInfo: 196610,
    surroundParams: '',
    continuousAudio: false,
    gcmap: 0,
    hdr: false,
    encryptedRtsp: true,
    avPingPayload: values.pingPayload,
    controlConnectData: values.connectData,
    clientCertPem: '',
  };
}

export function announcedStreamFor(values: { clientFeatureFlags?: number; controlProtocol?: number; dynamicRange?: number; encryptionEnabled?: number } = {}): AnnouncedStream {
  return {
    launchSessionId: 1,
    width: 1280,
    height: 720,
    fps: 60,
    packetSizeBytes: 1392,
    maximumBitrateKbps: 2400,
    configuredBitrateKbps: 3000,
    codec: 'h264',
    dynamicRange: values.dynamicRange ?? 0,
    chromaSamplingType: 0,
    encryptionEnabled: values.encryptionEnabled ?? 5,
    encryptVideo: false,
    encryptAudio: true,
    clientFeatureFlags: values.clientFeatureFlags ?? 3,
    controlProtocol: values.controlProtocol ?? 13,
    minRequiredFecPackets: 2,
    audioChannels: 2,
    audioChannelMask: 3,
    audioPacketDurationMs: 5,
    highQualityAudio: false,
    slicesPerFrame: 1,
    maxNumReferenceFrames: 0,
    attributes: new Map(),
  };
}
