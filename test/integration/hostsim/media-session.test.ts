// A media sender attached to a stream session: configured from the ANNOUNCE and the launch
// keys as Sunshine configures itself, sending through the session's ports once the session
// knows the client's endpoints, answering the session's IDR and invalidation requests, and
// stopping when the session ends. The session is a stand-in that records what it is asked to
// send, on fake time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LaunchSession } from '../../hostsim/launch-control.ts';
import { fakeMediaClock } from '../../fakes/media-clock.ts';
import { attachMediaSender, mediaConfigFor, type MediaSessionPort } from '../../hostsim/media-session.ts';
import type { AnnouncedStream } from '../../hostsim/rtsp-handlers.ts';
import type { StreamSessionEvent, StreamSessionState } from '../../hostsim/stream-session.ts';

const STREAM: AnnouncedStream = {
  launchSessionId: 1, width: 1280, height: 720, fps: 60, packetSizeBytes: 1360, maximumBitrateKbps: 2400, configuredBitrateKbps: 3000,
  codec: 'hevc', dynamicRange: 0, chromaSamplingType: 0, encryptionEnabled: 7, encryptVideo: true, encryptAudio: true, clientFeatureFlags: 3,
  controlProtocol: 13, minRequiredFecPackets: 2, audioChannels: 6, audioChannelMask: 0x3f, audioPacketDurationMs: 5, highQualityAudio: false,
  slicesPerFrame: 1, maxNumReferenceFrames: 1, attributes: new Map(),
};
const LAUNCH: LaunchSession = {
  id: 1, uniqueId: '0123456789ABCDEF', appId: 1, resume: false, rikey: Buffer.from('dea5f358e13d62f4907594d629384258', 'hex'), rikeyId: -621405226,
  iv: new Uint8Array(16), width: 1280, height: 720, fps: 60, sops: true, hostAudio: false, surroundAudioInfo: 0x3f0006, surroundParams: '',
  continuousAudio: false, gcmap: 0, hdr: false, encryptedRtsp: true, avPingPayload: '109EFCD04B08809D', controlConnectData: 1, clientCertPem: '',
};

test('the configuration follows the ANNOUNCE: codec, size, rate, packet size, minimum parity, encryption, audio layout, keys', () => {
  const { video, audio } = mediaConfigFor(STREAM, LAUNCH);
  assert.deepEqual({ ...video, key: undefined }, { codec: 'hevc', width: 1280, height: 720, fps: 60, packetSizeBytes: 1360, fecPercent: 20, minParity: 2, encrypt: true, key: undefined });
  assert.equal(video.key, LAUNCH.rikey);
  assert.deepEqual(audio, { channels: 6, key: LAUNCH.rikey, rikeyid: -621405226, encrypt: true, packetDurationMs: 5, highQuality: false });
  assert.throws(() => mediaConfigFor({ ...STREAM, codec: 'av1' }, LAUNCH), RangeError);
});

test('datagrams flow through the session once it knows the endpoints; IDR and RFI requests give IDRs; the end stops the sender', async () => {
  const clock = fakeMediaClock();
  const session = fakeSession();
  const { sender, ready } = attachMediaSender(session, {
    clock,
    video: { source: { codec: 'hevc', accessUnits: [hevcUnit(true), hevcUnit(false), hevcUnit(false)] } },
    audio: { source: { channels: 6, packetDurationMs: 5, packets: [new Uint8Array(160)] } },
  });
  await ready;
  clock.advance(50_000);
  assert.equal(session.video.length + session.audio.length, 0, 'no endpoint yet');

  session.emit({ kind: 'video-target', endpoint: { address: '127.0.0.1', port: 40000 } });
  session.emit({ kind: 'audio-target', endpoint: { address: '127.0.0.1', port: 40002 } });
  clock.advance(100_000);
  assert.ok(session.video.every((d) => d.length === 1408), 'encrypted: 1360 + 16 + 32');
  assert.ok(session.audio.filter((d) => d[1] === 97).every((d) => d.length === 12 + 176), '160-byte Opus, AES-CBC padded');
  assert.equal(sender.stats().videoFrames, 7);

  session.emit({ kind: 'idr-request' });
  clock.advance(16_667);
  session.emit({ kind: 'rfi', firstFrame: 5, lastFrame: 8 });
  clock.advance(16_667);
  assert.equal(sender.stats().idrFrames, 5, 'frames 1, 4 and 7 (the 3-frame clip restarts), then the two answers');

  session.emit({ kind: 'ended', reason: { kind: 'app-exited' } });
  const sent = session.video.length;
  clock.advance(1_000_000);
  assert.equal(session.video.length, sent);
});

function hevcUnit(idr: boolean): Uint8Array {
  // NAL type 19 (IDR_W_RADL) or 1 (TRAIL_R), first slice of the picture.
  return Uint8Array.of(0, 0, 0, 1, idr ? 0x26 : 0x02, 0x01, 0x80, 0x55);
}

function fakeSession(): MediaSessionPort & { video: Uint8Array[]; audio: Uint8Array[]; emit(e: StreamSessionEvent): void } {
  const listeners = new Set<(e: StreamSessionEvent) => void>();
  let state: StreamSessionState = 'running';
  const video: Uint8Array[] = [];
  const audio: Uint8Array[] = [];
  return {
    stream: STREAM,
    launch: LAUNCH,
    state: () => state,
    videoTarget: () => null,
    audioTarget: () => null,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    sendVideo: (d) => video.push(d) > 0,
    sendAudio: (d) => audio.push(d) > 0,
    video,
    audio,
    emit(e) {
      if (e.kind === 'ended') state = 'ended';
      for (const l of [...listeners]) l(e);
    },
  };
}
