// Our RTSP code against real Sunshine traffic (shared/captures/): the encrypted frames on TCP
// 48010 of each recorded session decrypt to the recorded plaintext; the host's replies parse
// into the values session.json records; and given the same launch and the same replies, our
// client sends the very bytes the reference client sent, frame for frame. Needs
// build/wasm/core.wasm (`bash native/build.sh wasm`): the GCM is the core's.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCore } from '../../../wasm/core.ts';
import { createAes128Gcm, type Aes128Gcm } from '../../../wasm/gcm.ts';
import { ok, type Result } from '../../../src/lib/result.ts';
import type { NetError, Sockets, TcpConnection } from '../../../src/platform/platform.ts';
import { parseSessionUrl } from '../../../src/session/launch.ts';
import { negotiateStream } from '../../../src/session/rtsp-client.ts';
import { openRtspFrame, sealRtspFrame } from '../../../src/session/rtsp-frame.ts';
import { createRtspHandshake, type HandshakeParams } from '../../../src/session/rtsp-handshake.ts';
import { headerValue, parseRtspMessage } from '../../../src/session/rtsp-message.ts';
import { parseDescribeBody } from '../../../src/session/sdp-describe.ts';
import { EncryptionFlag, type StreamConfig } from '../../../src/session/stream-config.ts';
import { CAPTURE_CASES, loadCapture, type Capture } from './capture-fixture.ts';
import { createFakeClock } from '../nvhttp/fake-platform.fake.ts';

const CORE_WASM = new URL('../../../build/wasm/core.wasm', import.meta.url);
let gcm: Aes128Gcm;

before(async () => {
  const core = await loadCore(new Uint8Array(readFileSync(CORE_WASM)));
  if (!core.ok) throw new Error(`core.wasm: ${core.error.detail} (build it with bash native/build.sh wasm)`);
  gcm = createAes128Gcm(core.value);
});

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

function handshakeParams(capture: Capture): HandshakeParams {
  const rtsp = parseSessionUrl(capture.sessionUrl);
  assert.ok(rtsp.ok);
  return {
    hostAddress: '127.0.0.1',
    host: { appVersion: capture.appVersion, codecModeSupport: capture.codecModeSupport },
    rtsp: rtsp.value,
    settings: capture.settings,
    keys: capture.keys,
  };
}

/** The values of session.json, in the StreamConfig's terms. */
function assertMatchesSession(config: StreamConfig, capture: Capture): void {
  const s = capture.session;
  assert.deepEqual(config.ports, { video: s.ports.video, audio: s.ports.audio, control: s.ports.control });
  assert.equal(config.pingPayload, s.pingPayload);
  assert.equal(config.control.connectData, s.connectData);
  assert.equal(config.control.channelCount, s.enetChannels);
  assert.equal(config.control.protocol, s.useReliableUdp);
  assert.equal(config.video.packetSizeBytes, s.packetSizeAnnounced);
  assert.equal(config.video.announcedBitrateKbps, s.bitrateAnnouncedKbps);
  assert.equal(config.video.format, s.negotiatedVideoFormat);
  assert.equal(config.video.codec, s.codec === 'HEVC' ? 'hevc' : 'h264');
  assert.equal(config.video.referenceFrameInvalidation, s.maxNumReferenceFrames === 0);
  assert.equal(config.encryption.rtsp, true);
  assert.equal(config.encryption.enabledFlags, s.encryptionEnabled);
  assert.equal(config.encryption.enabledFlags, s.encryptionEnabledFlags);
  assert.equal(config.encryption.video, s.videoEncrypted);
  assert.equal(config.encryption.audio, (s.encryptionEnabled & EncryptionFlag.AUDIO) !== 0);
  assert.equal(config.encryption.control, (s.encryptionEnabled & EncryptionFlag.CONTROL_V2) !== 0);
  assert.equal(config.hostFeatureFlags, s.describeFeatureFlags);
  assert.equal(config.clientFeatureFlags, s.clientFeatureFlags);
  assert.equal(config.nvFeatureFlags, s.nvFeatureFlags);
  assert.deepEqual(
    { channels: config.audio.channels, streams: config.audio.streams, coupled: config.audio.coupledStreams, mapping: [...config.audio.mapping], packetDurationMs: config.audio.packetDurationMs, highQuality: config.audio.highQuality },
    s.audio,
  );
  assert.equal(config.rtspSessionId, 'DEADBEEFCAFE');
  assert.deepEqual(config.keys, capture.keys);
}

for (const c of CAPTURE_CASES) {
  describe(`capture ${c.folder}`, () => {
    const capture = loadCapture(c);

    test('holds seven RTSP connections, one per request, as rtsp-plaintext.txt lists them', () => {
      assert.equal(capture.conversations.length, 7);
      assert.equal(capture.exchanges.length, 7);
      capture.conversations.forEach((conv, i) => assert.equal(conv.clientPort, capture.exchanges[i]?.clientPort));
    });

    test('every frame decrypts, with its sender\'s direction letter only, to the recorded plaintext', () => {
      capture.conversations.forEach((conv, i) => {
        const exchange = capture.exchanges[i];
        assert.ok(exchange !== undefined);
        const request = openRtspFrame(gcm, capture.keys.rikey, 'client', conv.clientToServer);
        assert.ok(request.ok, JSON.stringify(request));
        assert.equal(request.value.sequence, exchange.clientSequence);
        assert.equal(text(request.value.plaintext), text(exchange.request));
        const reply = openRtspFrame(gcm, capture.keys.rikey, 'host', conv.serverToClient);
        assert.ok(reply.ok, JSON.stringify(reply));
        assert.equal(reply.value.sequence, exchange.hostSequence);
        assert.equal(text(reply.value.plaintext), text(exchange.reply));
        assert.deepEqual(openRtspFrame(gcm, capture.keys.rikey, 'host', conv.clientToServer), { ok: false, error: { kind: 'auth-failed', sequence: exchange.clientSequence } });
        assert.deepEqual(openRtspFrame(gcm, capture.keys.rikey, 'client', conv.serverToClient), { ok: false, error: { kind: 'auth-failed', sequence: exchange.hostSequence } });
      });
    });

    test('the host\'s replies parse: 200 OK, the request\'s CSeq, and the DESCRIBE offer of session.json', () => {
      capture.exchanges.forEach((exchange, i) => {
        const reply = parseRtspMessage(exchange.reply);
        assert.ok(reply.ok, JSON.stringify(reply));
        assert.equal(reply.value.kind, 'response');
        assert.ok(reply.value.kind === 'response' && reply.value.statusCode === 200);
        assert.equal(headerValue(reply.value, 'CSeq'), String(i + 1));
      });
      const describeReply = parseRtspMessage(capture.exchanges[1]?.reply ?? new Uint8Array(0));
      assert.ok(describeReply.ok);
      const offer = parseDescribeBody(describeReply.value.body);
      assert.ok(offer.ok);
      assert.equal(offer.value.hostFeatureFlags, capture.session.describeFeatureFlags);
      assert.equal(offer.value.hevc, true);
      assert.equal(offer.value.av1, false);
      assert.equal(offer.value.referenceFrameInvalidation, false);
      assert.deepEqual(offer.value.surroundParams, ['21101', '21101', '642012453', '660012345', '85301245367', '88001234567']);
      assert.equal(offer.value.encryptionRequested, EncryptionFlag.CONTROL_V2);
    });

    test('given the same launch and replies, our handshake sends the reference client\'s bytes and agrees with session.json', () => {
      const created = createRtspHandshake(handshakeParams(capture));
      assert.ok(created.ok);
      const handshake = created.value;
      capture.exchanges.forEach((exchange, i) => {
        const request = handshake.request();
        assert.equal(text(request), text(exchange.request), `request ${i + 1}`);
        // Same key, same counter, same plaintext: the encrypted frame is identical too.
        const frame = sealRtspFrame(gcm, capture.keys.rikey, i + 1, 'client', request);
        assert.ok(frame.ok);
        assert.deepEqual(frame.value, capture.conversations[i]?.clientToServer);
        const reply = parseRtspMessage(exchange.reply);
        assert.ok(reply.ok);
        assert.deepEqual(handshake.handleReply(reply.value), ok(undefined));
      });
      assert.equal(handshake.stage(), null);
      const config = handshake.result();
      assert.ok(config !== null);
      assertMatchesSession(config, capture);
    });

    test('the client over sockets writes the recorded frames on seven connections and returns the same StreamConfig', async () => {
      const replay = createReplaySockets(capture);
      const clock = createFakeClock();
      const result = await negotiateStream({ sockets: replay.sockets, clock, gcm }, handshakeParams(capture));
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(replay.written.length, 7);
      replay.written.forEach((bytes, i) => assert.deepEqual(bytes, capture.conversations[i]?.clientToServer, `connection ${i + 1}`));
      assert.equal(replay.openConnections(), 0);
      assertMatchesSession(result.value, capture);
    });
  });
}

/**
 * Sockets that play the host side of a capture: connection i answers, once its request frame
 * is whole, with the host's recorded bytes for connection i (in 7-byte pieces, so the reader
 * must reassemble), then closes.
 */
function createReplaySockets(capture: Capture): { sockets: Sockets; written: Uint8Array[]; openConnections(): number } {
  const written: Uint8Array[] = [];
  let open = 0;
  const sockets: Sockets = {
    async connectTcp(host, port): Promise<Result<TcpConnection, NetError>> {
      assert.equal(host, '127.0.0.1');
      assert.equal(port, capture.session.ports.rtsp);
      const index = written.length;
      const conv = capture.conversations[index];
      assert.ok(conv !== undefined, 'more connections than in the capture');
      written.push(new Uint8Array(0));
      open += 1;
      let closed = false;
      const inbound: Array<Uint8Array | null> = [];
      return ok({
        async write(bytes) {
          const all = new Uint8Array((written[index]?.length ?? 0) + bytes.length);
          all.set(written[index] ?? new Uint8Array(0));
          all.set(bytes, all.length - bytes.length);
          written[index] = all;
          if (all.length >= conv.clientToServer.length) {
            for (let at = 0; at < conv.serverToClient.length; at += 7) inbound.push(conv.serverToClient.subarray(at, at + 7));
            inbound.push(null);
          }
          return ok(undefined);
        },
        async read() {
          assert.ok(inbound.length > 0, 'the client read before its request was whole');
          return ok(inbound.shift() ?? null);
        },
        close() {
          if (!closed) open -= 1;
          closed = true;
        },
      });
    },
    async openUdp() {
      throw new Error('no UDP in the RTSP replay');
    },
  };
  return { sockets, written, openConnections: () => open };
}
