// /launch, /resume and /cancel (src/session/launch.ts) against scripted replies, the real
// Sunshine replies of test/fixtures/sunshine/, and Sunshine's error answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '../../../wasm/core.ts';
import type { ClientIdentity } from '../../../src/app/identity/identity.ts';
import { err, ok } from '../../../src/lib/result.ts';
import type { HostEndpoint, NvHttpContext, TlsOpener } from '../../../src/nvhttp/nvhttp-client.ts';
import {
  buildLaunchQuery,
  generateLaunchKeys,
  launchApp,
  launchKeysFrom,
  parseSessionUrl,
  quitApp,
  resumeApp,
  surroundAudioInfo,
  type LaunchRequest,
} from '../../../src/session/launch.ts';
import { createFakeClock, createFakePlatform, createScriptedSockets, createSeededEntropy, httpResponse, type HostScript, type ScriptedRequest } from '../nvhttp/fake-platform.fake.ts';
import { fixtureResponse, SUNSHINE_VERSIONS } from '../nvhttp/fixture-replies.ts';

const PINNED = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x07]);
const identity: ClientIdentity = { uniqueId: 'c0ffee', certPem: '', certDer: new Uint8Array([1]), privateKeyDer: new Uint8Array([2]) };
const fakeTls: TlsOpener = async (_core, tcp) => ok(tcp);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const REQUEST: LaunchRequest = { appId: 881448767, width: 1280, height: 720, fps: 60, optimizeGameSettings: false, playAudioOnHost: false, audioChannels: 2, gamepadMask: 1, hdr: false, persistGamepads: false };
// The key of shared/captures/sunshine-2026.817/dev-h264-720p60 (keys.json).
const CAPTURE_KEYS = launchKeysFrom(Uint8Array.from(Buffer.from('f5ec232291c5b8b3b172680f0cfb0983', 'hex')), -321978540);

function setup(script: HostScript) {
  const clock = createFakeClock();
  const sockets = createScriptedSockets(clock, script);
  const ctx: NvHttpContext = { platform: createFakePlatform({ clock, sockets, seed: 11 }), core: {} as Core, identity, openTls: fakeTls };
  const host: HostEndpoint = { address: '127.0.0.1', httpPort: 47989, httpsPort: 47984, pinnedCertDer: PINNED };
  return { ctx, host };
}

const xml = (inner: string, status = 200, message = ''): Uint8Array =>
  httpResponse(`<?xml version="1.0" encoding="utf-8"?>\n<root status_code="${status}"${message === '' ? '' : ` status_message="${message}"`}>${inner}</root>`);

test('launch keys: 16 random key bytes, and rikeyid is the IV block\'s first four bytes read big-endian signed', () => {
  const keys = generateLaunchKeys(createSeededEntropy(5));
  assert.equal(keys.rikey.length, 16);
  assert.equal(keys.remoteInputIv.length, 16);
  assert.equal(new DataView(keys.remoteInputIv.buffer).getInt32(0, false), keys.rikeyId);
  assert.equal(hex(keys.remoteInputIv.subarray(4)), '00'.repeat(12));
  // keys.json of the capture: rikeyid -321978540 = 0xecceff54.
  assert.equal(hex(CAPTURE_KEYS.remoteInputIv), 'ecceff54000000000000000000000000');
  assert.equal(launchKeysFrom(new Uint8Array(16), 0xecceff54).rikeyId, -321978540);
  let negatives = 0;
  const entropy = createSeededEntropy(9);
  for (let i = 0; i < 64; i += 1) if (generateLaunchKeys(entropy).rikeyId < 0) negatives += 1;
  assert.ok(negatives > 0 && negatives < 64, 'rikeyid takes both signs');
});

test('the query follows moonlight-embedded\'s order, with gcpersist and corever=1 at the end', () => {
  const query = buildLaunchQuery(REQUEST, CAPTURE_KEYS).map(([k, v]) => `${k}=${v}`).join('&');
  assert.equal(
    query,
    'appid=881448767&mode=1280x720x60&additionalStates=1&sops=0&rikey=f5ec232291c5b8b3b172680f0cfb0983&rikeyid=-321978540&localAudioPlayMode=0&surroundAudioInfo=196610&remoteControllersBitmap=1&gcmap=1&gcpersist=0&corever=1',
  );
  const hdr = buildLaunchQuery({ ...REQUEST, hdr: true }, CAPTURE_KEYS).map(([k]) => k);
  assert.deepEqual(hdr.slice(6, 11), ['hdrMode', 'clientHdrCapVersion', 'clientHdrCapSupportedFlagsInUint32', 'clientHdrCapMetaDataId', 'clientHdrCapDisplayData']);
});

test('surroundAudioInfo is (channel mask << 16) | channels', () => {
  assert.deepEqual([surroundAudioInfo(2), surroundAudioInfo(6), surroundAudioInfo(8)], [196610, 4128774, 104792072]);
});

test('sessionUrl0: scheme decides encryption, the port follows the last colon, absent means 48010 in plaintext', () => {
  const cases: Array<[string | null, unknown]> = [
    ['rtspenc://192.168.1.20:48010', { url: 'rtspenc://192.168.1.20:48010', port: 48010, encrypted: true }],
    ['rtsp://[fe80::1]:50021', { url: 'rtsp://[fe80::1]:50021', port: 50021, encrypted: false }],
    ['rtsp://pc', { url: 'rtsp://pc', port: 48010, encrypted: false }],
    [null, { url: null, port: 48010, encrypted: false }],
    ['', { url: null, port: 48010, encrypted: false }],
  ];
  for (const [url, expected] of cases) assert.deepEqual(parseSessionUrl(url), ok(expected), String(url));
  for (const bad of ['http://pc:48010', 'rtspenc://pc:0', 'rtspenc://pc:70000', 'rtsp://pc:48010/x/y']) assert.equal(parseSessionUrl(bad).ok, false, bad);
});

for (const version of SUNSHINE_VERSIONS) {
  test(`Sunshine ${version}'s real /launch reply gives an encrypted RTSP endpoint on 48010`, async () => {
    const seen: ScriptedRequest[] = [];
    const { ctx, host } = setup((req) => {
      seen.push(req);
      return { kind: 'respond', bytes: fixtureResponse(version, 'launch-https') };
    });
    const launched = await launchApp(ctx, host, REQUEST, { timeoutMs: 5000, keys: CAPTURE_KEYS });
    assert.deepEqual(launched, ok({ kind: 'launched', rtsp: { url: 'rtspenc://127.0.0.1:48010', port: 48010, encrypted: true }, keys: CAPTURE_KEYS }));
    assert.equal(seen[0]?.port, 47984);
    assert.match(seen[0]?.target ?? '', /^\/launch\?uniqueid=c0ffee&uuid=[0-9a-f]{32}&appid=881448767&mode=1280x720x60&.*&corever=1$/);
  });

  test(`Sunshine ${version}'s real /cancel reply is a successful quit`, async () => {
    const { ctx, host } = setup(() => ({ kind: 'respond', bytes: fixtureResponse(version, 'cancel-https') }));
    assert.deepEqual(await quitApp(ctx, host, { timeoutMs: 5000 }), ok(undefined));
  });
}

test('each launch without given keys sends fresh keys and returns them', async () => {
  const targets: string[] = [];
  const { ctx, host } = setup((req) => {
    targets.push(req.target);
    return { kind: 'respond', bytes: xml('<sessionUrl0>rtspenc://127.0.0.1:48010</sessionUrl0><resume>1</resume>') };
  });
  const a = await resumeApp(ctx, host, REQUEST, { timeoutMs: 5000 });
  const b = await resumeApp(ctx, host, REQUEST, { timeoutMs: 5000 });
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.kind, 'resumed');
  assert.notEqual(hex(a.value.keys.rikey), hex(b.value.keys.rikey));
  assert.ok(targets[0]?.startsWith('/resume?') && targets[0].includes(`rikey=${hex(a.value.keys.rikey)}&rikeyid=${a.value.keys.rikeyId}&`));
});

test('Sunshine\'s refusals arrive as host errors with its code and message', async () => {
  const cases: Array<[Uint8Array, 'launch' | 'resume', unknown]> = [
    [xml('<resume>0</resume>', 400, 'An app is already running on this host'), 'launch', { kind: 'host-error', code: 400, message: 'An app is already running on this host' }],
    [xml('<resume>0</resume>', 503, 'No running app to resume'), 'resume', { kind: 'host-error', code: 503, message: 'No running app to resume' }],
    [xml('<gamesession>0</gamesession>', 403, 'Encryption is mandatory for this host but unsupported by the client'), 'launch', { kind: 'host-error', code: 403, message: 'Encryption is mandatory for this host but unsupported by the client' }],
    [xml('<gamesession>0</gamesession>'), 'launch', { kind: 'malformed-reply', detail: '/launch answered gamesession=0 with status 200' }],
    [xml('<sessionUrl0>ftp://x</sessionUrl0><gamesession>1</gamesession>'), 'launch', { kind: 'malformed-reply', detail: 'sessionUrl0 is not an RTSP URL: ftp://x' }],
  ];
  for (const [reply, kind, expected] of cases) {
    const { ctx, host } = setup(() => ({ kind: 'respond', bytes: reply }));
    const r = kind === 'launch' ? await launchApp(ctx, host, REQUEST, { timeoutMs: 5000 }) : await resumeApp(ctx, host, REQUEST, { timeoutMs: 5000 });
    assert.deepEqual(r, err(expected));
  }
});

test('an older host without sessionUrl0 means plaintext RTSP on 48010', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: xml('<gamesession>1</gamesession>') }));
  const r = await launchApp(ctx, host, REQUEST, { timeoutMs: 5000 });
  assert.ok(r.ok);
  assert.deepEqual(r.value.rtsp, { url: null, port: 48010, encrypted: false });
});

test('a quit answered with cancel=0 is an error', async () => {
  const { ctx, host } = setup(() => ({ kind: 'respond', bytes: xml('<cancel>0</cancel>') }));
  assert.deepEqual(await quitApp(ctx, host, { timeoutMs: 5000 }), err({ kind: 'host-error', code: 599, message: 'The host did not quit the app' }));
});
