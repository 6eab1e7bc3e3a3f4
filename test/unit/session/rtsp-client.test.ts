// The RTSP client's I/O shell and handshake (src/session/rtsp-client.ts) against a scripted
// host in memory, on fake time: what it does with refusals, garbage, forgeries, silence and
// cancellation. The happy path against real Sunshine bytes is in rtsp-capture.test.ts.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadCore } from '../../../wasm/core.ts';
import { createAes128Gcm, type Aes128Gcm } from '../../../wasm/gcm.ts';
import { createCancelSource } from '../../../src/lib/cancel.ts';
import { err, ok, type Result } from '../../../src/lib/result.ts';
import type { NetError, Sockets, TcpConnection } from '../../../src/platform/platform.ts';
import { launchKeysFrom } from '../../../src/session/launch.ts';
import { negotiateStream, type RtspClientDeps } from '../../../src/session/rtsp-client.ts';
import type { StreamStartError } from '../../../src/session/rtsp-error.ts';
import { openRtspFrame, sealRtspFrame } from '../../../src/session/rtsp-frame.ts';
import type { HandshakeParams } from '../../../src/session/rtsp-handshake.ts';
import type { StreamConfig } from '../../../src/session/stream-config.ts';
import { DEFAULT_STREAM_SETTINGS } from '../../../src/session/stream-config.ts';
import { createFakeClock, settle, type FakeClock } from '../nvhttp/fake-platform.fake.ts';

let gcm: Aes128Gcm;
before(async () => {
  const core = await loadCore(new Uint8Array(readFileSync(new URL('../../../build/wasm/core.wasm', import.meta.url))));
  if (!core.ok) throw new Error(core.error.detail);
  gcm = createAes128Gcm(core.value);
});

const KEYS = launchKeysFrom(Uint8Array.from({ length: 16 }, (_, i) => i + 1), -5);
const RTSP_PORT = 48010;
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

function params(overrides: Partial<HandshakeParams> = {}): HandshakeParams {
  return {
    hostAddress: '10.0.0.2',
    host: { appVersion: '7.1.431.-1', codecModeSupport: 0x101 },
    rtsp: { url: `rtspenc://10.0.0.2:${RTSP_PORT}`, port: RTSP_PORT, encrypted: true },
    settings: { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 3000 },
    keys: KEYS,
    ...overrides,
  };
}

const DESCRIBE_BODY = 'a=x-ss-general.featureFlags:2\na=x-ss-general.encryptionSupported:5\na=x-ss-general.encryptionRequested:1\nsprop-parameter-sets=AAAAAU\na=fmtp:97 surround-params=21101\n';

/** Sunshine's answer to the request with this method and target. */
function sunshineReply(request: string): string {
  const cseq = /\r\nCSeq: (\d+)\r\n/.exec(request)?.[1] ?? '0';
  const head = `RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n`;
  if (request.startsWith('DESCRIBE')) return `${head}\r\n${DESCRIBE_BODY}`;
  const setup = /^SETUP streamid=(\w+)/.exec(request)?.[1];
  if (setup === 'audio') return `${head}Session: DEADBEEFCAFE;timeout = 90\r\nTransport: server_port=48000\r\nX-SS-Ping-Payload: 0123456789ABCDEF\r\n\r\n`;
  if (setup === 'video') return `${head}Session: DEADBEEFCAFE;timeout = 90\r\nTransport: server_port=47998\r\nX-SS-Ping-Payload: 0123456789ABCDEF\r\n\r\n`;
  if (setup === 'control') return `${head}Session: DEADBEEFCAFE;timeout = 90\r\nTransport: server_port=47999\r\nX-SS-Connect-Data: 3728798821\r\n\r\n`;
  return `${head}\r\n`;
}

/** What the scripted host does with the n-th request (plaintext as it decrypted). */
type HostAction =
  | { kind: 'reply'; message: string }
  /** Bytes exactly as given: no framing, no encryption. */
  | { kind: 'raw'; bytes: Uint8Array }
  | { kind: 'close' }
  | { kind: 'hang' };

type Script = (index: number, request: string) => HostAction;

interface ScriptedHost {
  sockets: Sockets;
  /** Plaintext of every request, in order. */
  requests: string[];
  connects: number;
  refuseFirst: number;
}

/** A host speaking the framing of `params.rtsp` with its own reply counter from 1. */
function scriptedHost(encrypted: boolean, script: Script): ScriptedHost {
  let replySequence = 0;
  const host: ScriptedHost = {
    requests: [],
    connects: 0,
    refuseFirst: 0,
    sockets: {
      async connectTcp(_address, port): Promise<Result<TcpConnection, NetError>> {
        assert.equal(port, RTSP_PORT);
        host.connects += 1;
        if (host.connects <= host.refuseFirst) return err({ kind: 'unreachable', detail: 'refused' });
        let received = new Uint8Array(0);
        const inbound: Array<Uint8Array | null> = [];
        let wake: (() => void) | null = null;
        let closed = false;
        const respond = (request: Uint8Array): void => {
          const index = host.requests.length;
          host.requests.push(text(request));
          const action = script(index, text(request));
          if (action.kind === 'hang') return;
          if (action.kind === 'raw') inbound.push(action.bytes);
          if (action.kind === 'reply') {
            replySequence += 1;
            const frame = encrypted ? sealRtspFrame(gcm, KEYS.rikey, replySequence, 'host', ascii(action.message)) : ok(ascii(action.message));
            assert.ok(frame.ok);
            inbound.push(frame.value);
          }
          inbound.push(null);
          wake?.();
        };
        return ok({
          async write(bytes) {
            const all = new Uint8Array(received.length + bytes.length);
            all.set(received);
            all.set(bytes, received.length);
            received = all;
            if (encrypted) {
              const opened = openRtspFrame(gcm, KEYS.rikey, 'client', received);
              if (opened.ok) respond(opened.value.plaintext);
            } else if (text(received).includes('\r\n\r\n')) {
              respond(received);
            }
            return ok(undefined);
          },
          read(timeoutMs) {
            return new Promise((resolve) => {
              const deliver = (): void => {
                if (closed) resolve(err({ kind: 'closed', detail: 'closed locally' }));
                else resolve(ok(inbound.shift() ?? null));
              };
              if (inbound.length > 0 || closed) return deliver();
              const timer = clock.setTimer(timeoutMs, () => {
                wake = null;
                resolve(err({ kind: 'timeout', detail: `nothing within ${timeoutMs} ms` }));
              });
              wake = () => {
                wake = null;
                clock.clearTimer(timer);
                deliver();
              };
            });
          },
          close() {
            closed = true;
            wake?.();
          },
        });
      },
      async openUdp() {
        return err({ kind: 'io', detail: 'no UDP here' });
      },
    },
  };
  return host;
}

let clock: FakeClock;

/** Runs the handshake, moving fake time by `stepMs` whenever it waits, for at most 200 steps. */
async function run(host: ScriptedHost, p: HandshakeParams, extra: Partial<RtspClientDeps> = {}, stepMs = 500): Promise<Result<StreamConfig, StreamStartError>> {
  let done: Result<StreamConfig, StreamStartError> | null = null;
  const pending = negotiateStream({ sockets: host.sockets, clock, gcm, ...extra }, p).then((r) => {
    done = r;
  });
  for (let step = 0; step < 200 && done === null; step += 1) {
    await settle();
    if (done === null) clock.advance(stepMs);
  }
  await pending;
  assert.ok(done !== null, 'the handshake did not end');
  return done;
}

const sunshine: Script = (_i, request) => ({ kind: 'reply', message: sunshineReply(request) });

test('a Sunshine-like host gives a StreamConfig after seven encrypted requests on seven connections', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, sunshine);
  const r = await run(host, params());
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(host.requests.map((q) => q.split(' ')[0]), ['OPTIONS', 'DESCRIBE', 'SETUP', 'SETUP', 'SETUP', 'ANNOUNCE', 'PLAY']);
  assert.equal(host.connects, 7);
  assert.deepEqual(r.value.ports, { audio: 48000, video: 47998, control: 47999 });
  assert.equal(r.value.pingPayload, '0123456789ABCDEF');
  assert.equal(r.value.control.connectData, 3728798821);
  assert.ok(host.requests[5]?.includes('\r\no=android 0 14 IN IPv4 10.0.0.2\r\n'));
});

test('plaintext RTSP (sessionUrl0 rtsp://) works the same, each reply ending with the connection', async () => {
  clock = createFakeClock();
  const host = scriptedHost(false, sunshine);
  const r = await run(host, params({ rtsp: { url: `rtsp://10.0.0.2:${RTSP_PORT}`, port: RTSP_PORT, encrypted: false } }));
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.value.encryption.rtsp, false);
  assert.ok(host.requests[0]?.startsWith('OPTIONS rtsp://0.0.0.0:48010 RTSP/1.0\r\nCSeq: 1\r\n'));
});

test('at 15 Mbit/s and up the target is sessionUrl0 and Host names the host, for high-quality audio', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, sunshine);
  const r = await run(host, params({ settings: { ...DEFAULT_STREAM_SETTINGS, bitrateKbps: 20_000 } }));
  assert.ok(r.ok);
  assert.ok(host.requests[0]?.startsWith('OPTIONS rtspenc://10.0.0.2:48010 RTSP/1.0\r\nCSeq: 1\r\nX-GS-ClientVersion: 14\r\nHost: 10.0.0.2\r\n'), host.requests[0]);
  assert.equal(r.value.audio.highQuality, true);
});

const FAILURES: Array<{ name: string; script: Script; expected: (e: StreamStartError) => boolean }> = [
  {
    name: 'a 404 to DESCRIBE stops at describe with the status',
    script: (i, q) => (i === 1 ? { kind: 'reply', message: 'RTSP/1.0 404 NOT FOUND\r\nCSeq: 2\r\n\r\n' } : sunshine(i, q)),
    expected: (e) => e.kind === 'rtsp-status' && e.stage === 'describe' && e.statusCode === 404 && e.reason === 'NOT FOUND',
  },
  {
    name: 'a 403 to ANNOUNCE stops at announce',
    script: (i, q) => (i === 5 ? { kind: 'reply', message: 'RTSP/1.0 403 Forbidden\r\nCSeq: 6\r\n\r\n' } : sunshine(i, q)),
    expected: (e) => e.kind === 'rtsp-status' && e.stage === 'announce' && e.statusCode === 403,
  },
  {
    name: 'a reply with another request\'s CSeq is refused',
    script: (i, q) => (i === 0 ? { kind: 'reply', message: 'RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n' } : sunshine(i, q)),
    expected: (e) => e.kind === 'rtsp-malformed' && e.stage === 'options' && e.detail.includes('CSeq'),
  },
  {
    name: 'a plaintext reply where a frame is due is refused',
    script: () => ({ kind: 'raw', bytes: ascii('RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n') }),
    expected: (e) => e.kind === 'rtsp-malformed' && e.detail.includes('plaintext'),
  },
  {
    name: 'a reply sealed as the client\'s (a reflected frame) does not authenticate',
    script: (_i, q) => {
      const frame = sealRtspFrame(gcm, KEYS.rikey, 1, 'client', ascii(sunshineReply(q)));
      assert.ok(frame.ok);
      return { kind: 'raw', bytes: frame.value };
    },
    expected: (e) => e.kind === 'rtsp-malformed' && e.detail.includes('authenticate'),
  },
  {
    name: 'a reply frame that does not follow the previous one (a replay) is refused',
    script: (i, q) => {
      if (i < 1) return sunshine(i, q);
      const frame = sealRtspFrame(gcm, KEYS.rikey, 1, 'host', ascii(sunshineReply(q)));
      assert.ok(frame.ok);
      return { kind: 'raw', bytes: frame.value };
    },
    expected: (e) => e.kind === 'rtsp-malformed' && e.stage === 'describe' && e.detail.includes('does not follow'),
  },
  {
    name: 'a truncated frame is refused',
    script: (_i, q) => {
      const frame = sealRtspFrame(gcm, KEYS.rikey, 1, 'host', ascii(sunshineReply(q)));
      assert.ok(frame.ok);
      return { kind: 'raw', bytes: frame.value.subarray(0, frame.value.length - 1) };
    },
    expected: (e) => e.kind === 'rtsp-malformed' && e.detail.includes('ended after'),
  },
  {
    name: 'a SETUP reply without a Session id is refused',
    script: (i, q) => (i === 2 ? { kind: 'reply', message: 'RTSP/1.0 200 OK\r\nCSeq: 3\r\nTransport: server_port=48000\r\n\r\n' } : sunshine(i, q)),
    expected: (e) => e.kind === 'rtsp-malformed' && e.stage === 'setup-audio' && e.detail.includes('Session'),
  },
  {
    name: 'a connect-data word that is not a number is refused',
    script: (i, q) => (i === 4 ? { kind: 'reply', message: 'RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: X\r\nX-SS-Connect-Data: 12ab\r\n\r\n' } : sunshine(i, q)),
    expected: (e) => e.kind === 'rtsp-malformed' && e.stage === 'setup-control',
  },
  {
    name: 'a host that closes without answering (no launch pending) is a network failure',
    script: () => ({ kind: 'close' }),
    expected: (e) => e.kind === 'rtsp-network' && e.stage === 'options' && e.error.kind === 'closed',
  },
  {
    name: 'a host that never answers times out after 15 s',
    script: (i, q) => (i === 3 ? { kind: 'hang' } : sunshine(i, q)),
    expected: (e) => e.kind === 'rtsp-network' && e.stage === 'setup-video' && e.error.kind === 'timeout',
  },
  {
    name: 'a DESCRIBE without a usable codec for an AV1-only client fails with no-common-codec',
    script: sunshine,
    expected: (e) => e.kind === 'no-common-codec',
  },
];

for (const f of FAILURES) {
  test(f.name, async () => {
    clock = createFakeClock();
    const host = scriptedHost(true, f.script);
    const p = f.name.includes('AV1-only') ? params({ settings: { ...DEFAULT_STREAM_SETTINGS, videoFormats: 0x1000 } }) : params();
    const r = await run(host, p);
    assert.ok(!r.ok && f.expected(r.error), JSON.stringify(r));
  });
}

test('missing or unreadable ports fall back to Sunshine\'s offsets from the RTSP port', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, (i, q) => {
    if (i === 2) return { kind: 'reply', message: 'RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: DEADBEEFCAFE;timeout = 90\r\n\r\n' };
    if (i === 3) return { kind: 'reply', message: 'RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: DEADBEEFCAFE\r\nTransport: server_port=99999\r\nX-SS-Ping-Payload: short\r\n\r\n' };
    return sunshine(i, q);
  });
  const r = await run(host, params());
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.ports, { audio: 48000, video: 47998, control: 47999 });
  assert.equal(r.value.pingPayload, null, 'neither SETUP gave a 16-character payload');
});

test('a refused connect is retried every 500 ms, and succeeds once the port listens', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, sunshine);
  host.refuseFirst = 4;
  const r = await run(host, params());
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(host.connects, 11);
});

test('a port refused for the whole 10 s budget fails at options as unreachable', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, sunshine);
  host.refuseFirst = 1000;
  const r = await run(host, params());
  assert.ok(!r.ok && r.error.kind === 'rtsp-network' && r.error.stage === 'options' && r.error.error.kind === 'unreachable', JSON.stringify(r));
  assert.ok(host.connects >= 19 && host.connects <= 21, String(host.connects));
});

test('an ANNOUNCE that would not fit Sunshine\'s 2048-byte buffer is never sent', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, sunshine);
  const r = await run(host, params({ hostAddress: `${'a'.repeat(500)}.example` }));
  assert.ok(!r.ok && r.error.kind === 'request-too-large' && r.error.stage === 'announce', JSON.stringify(r));
  assert.equal(host.requests.length, 5);
});

test('an old host is refused before any connection', async () => {
  clock = createFakeClock();
  const host = scriptedHost(true, sunshine);
  const r = await run(host, params({ host: { appVersion: '7.1.400.0', codecModeSupport: 1 } }));
  assert.deepEqual(r, err({ kind: 'unsupported-host', appVersion: '7.1.400.0' }));
  assert.equal(host.connects, 0);
});

test('cancelling while a reply is awaited ends the handshake as cancelled and closes the connection', async () => {
  clock = createFakeClock();
  const source = createCancelSource();
  const host = scriptedHost(true, (i, q) => {
    if (i === 2) {
      queueMicrotask(() => source.cancel());
      return { kind: 'hang' };
    }
    return sunshine(i, q);
  });
  const r = await run(host, params(), { cancel: source.signal }, 1);
  assert.deepEqual(r, err({ kind: 'cancelled' }));
  assert.equal(host.connects, 3);
});
