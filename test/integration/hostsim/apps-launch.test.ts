import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { appIdOf, buildApps, loadAppsFile } from '../../hostsim/apps.ts';
import { encodeRgbPng } from '../../hostsim/box-art-png.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { httpGet, httpsGet, makeClientIdentity, pair, rootOf, text, type ClientIdentity } from './gamestream-test-client.ts';

let sim: HostSim;
let client: ClientIdentity;
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\n';
const RIKEY = 'f5ec232291c5b8b3b172680f0cfb0983';

before(async () => {
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), rtspPort: 48010 });
  client = makeClientIdentity();
  assert.equal((await pair(sim, client, '1357', '1357')).phase4Paired, '1');
});
after(() => sim.close());

const get = (target: string): Promise<string> => httpsGet(sim.httpsPort, target, client).then((r) => r.body.toString('utf8'));
const launchQuery = (appId: number, extra = ''): string =>
  `/launch?uniqueid=a1b2c3&uuid=1&appid=${appId}&mode=1280x720x60&additionalStates=1&sops=0&rikey=${RIKEY}&rikeyid=-321978540&localAudioPlayMode=0&surroundAudioInfo=196610&remoteControllersBitmap=0&gcmap=0${extra}`;

test('the app list has Sunshine\'s entry format and ids from the CRC32 of the title', async () => {
  const body = await get('/applist?uniqueid=a1b2c3&uuid=1');
  const entries = sim
    .apps()
    .map((a) => `<App><IsHdrSupported>0</IsHdrSupported><AppTitle>${a.title}</AppTitle><ID>${a.id}</ID></App>`)
    .join('');
  assert.equal(body, `${XML_DECL}<root status_code="200">${entries}</root>`);
  assert.deepEqual(sim.apps().slice(0, 2).map((a) => a.title), ['Desktop', 'Steam Big Picture']);
  assert.equal(sim.apps()[0]?.id, referenceAppId('Desktop'));
});

test('app ids follow Sunshine\'s rule, including the image hash and collisions', () => {
  // The CRC-32 check value: CRC32("123456789") = 0xCBF43926, which is -873187034 as int32.
  assert.equal(appIdOf('123456789'), 873187034);
  assert.equal(appIdOf('Desktop'), referenceAppId('Desktop'));
  const dir = mkdtempSync(join(tmpdir(), 'hostsim-apps-'));
  try {
    const png = encodeRgbPng(2, 2, () => [1, 2, 3]);
    writeFileSync(join(dir, 'cover.png'), png);
    writeFileSync(join(dir, 'apps.json'), JSON.stringify([{ title: 'Game', image: 'cover.png' }, { title: 'Twin' }, { title: 'Twin' }]));
    const specs = loadAppsFile(join(dir, 'apps.json'));
    assert.ok(specs.ok);
    const apps = buildApps(specs.value);
    const imageHash = createHash('sha256').update(png).digest('hex');
    assert.equal(apps[0]?.id, referenceAppId(`Game${imageHash}`));
    assert.deepEqual(apps[0]?.boxArtPng, png);
    assert.equal(apps[1]?.id, referenceAppId('Twin'));
    assert.equal(apps[2]?.id, referenceAppId('Twin2'));
    writeFileSync(join(dir, 'bad.json'), '{"title": "x"}');
    assert.equal(loadAppsFile(join(dir, 'bad.json')).ok, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('box art is a valid 300x400 PNG, different per app, with a default image for unknown ids', async () => {
  const seen = new Set<string>();
  for (const app of sim.apps()) {
    const reply = await httpsGet(sim.httpsPort, `/appasset?uniqueid=a1b2c3&uuid=1&appid=${app.id}&AssetType=2&AssetIdx=0`, client);
    assert.equal(reply.headers.get('content-type'), 'image/png');
    const png = decodePng(reply.body);
    assert.deepEqual([png.widthPx, png.heightPx], [300, 400]);
    seen.add(createHash('sha256').update(reply.body).digest('hex'));
  }
  assert.equal(seen.size, sim.apps().length);
  const unknown = await httpsGet(sim.httpsPort, '/appasset?uniqueid=a1b2c3&appid=12345', client);
  assert.equal(unknown.headers.get('content-type'), 'image/png');
  assert.equal(seen.has(createHash('sha256').update(unknown.body).digest('hex')), false);
  decodePng(unknown.body);
});

test('launch answers a sessionUrl0 with rtspenc:// for corever=1, and the host becomes busy', async () => {
  const desktop = sim.apps()[0]?.id ?? 0;
  const body = await get(launchQuery(desktop, '&corever=1'));
  assert.equal(body, `${XML_DECL}<root status_code="200"><sessionUrl0>rtspenc://127.0.0.1:48010</sessionUrl0><gamesession>1</gamesession></root>`);
  const session = sim.launchSession();
  assert.ok(session);
  assert.equal(Buffer.from(session.rikey).toString('hex'), RIKEY);
  assert.equal(Buffer.from(session.iv).toString('hex'), 'ecceff54000000000000000000000000');
  assert.deepEqual([session.rikeyId, session.width, session.height, session.fps, session.encryptedRtsp], [-321978540, 1280, 720, 60, true]);
  assert.match(session.avPingPayload, /^[0-9A-F]{16}$/);
  assert.equal(session.clientCertPem.replace(/\s/g, ''), client.certPem.replace(/\s/g, ''));
  const info = rootOf(await httpsGet(sim.httpsPort, '/serverinfo?uniqueid=a1b2c3', client));
  assert.deepEqual([text(info, 'currentgame'), text(info, 'state')], [String(desktop), 'SUNSHINE_SERVER_BUSY']);

  assert.equal(
    await get(launchQuery(sim.apps()[1]?.id ?? 0)),
    `${XML_DECL}<root status_code="400" status_message="An app is already running on this host"><resume>0</resume></root>`,
  );
  // Resume ignores its appid and resumes the running app; without corever the URL is rtsp://.
  assert.equal(
    await get(`/resume?uniqueid=a1b2c3&appid=999&rikey=${RIKEY}&rikeyid=7`),
    `${XML_DECL}<root status_code="200"><sessionUrl0>rtsp://127.0.0.1:48010</sessionUrl0><resume>1</resume></root>`,
  );
  assert.equal(sim.launchSession()?.appId, desktop);
  assert.equal(
    await get('/resume?uniqueid=a1b2c3&rikey=00'),
    `${XML_DECL}<root status_code="400" status_message="Missing a required resume parameter"><resume>0</resume></root>`,
  );
  assert.equal(await get('/cancel?uniqueid=a1b2c3&uuid=1'), `${XML_DECL}<root status_code="200"><cancel>1</cancel></root>`);
  assert.equal(sim.runningAppId(), 0);
  assert.equal(sim.launchSession(), null);
});

test('launch and resume errors use Sunshine\'s codes and messages', async () => {
  assert.equal(
    await get('/launch?uniqueid=a1b2c3&appid=1&rikey=00&rikeyid=1'),
    `${XML_DECL}<root status_code="400" status_message="Missing a required launch parameter"><resume>0</resume></root>`,
  );
  assert.equal(
    await get(launchQuery(424242)),
    `${XML_DECL}<root status_code="404" status_message="Failed to start the specified application"><gamesession>0</gamesession></root>`,
  );
  assert.equal(
    await get(`/resume?uniqueid=a1b2c3&rikey=${RIKEY}&rikeyid=1`),
    `${XML_DECL}<root status_code="503" status_message="No running app to resume"><resume>0</resume></root>`,
  );
  // appid 0 starts a session without any app: success, and nothing runs.
  assert.match(await get(launchQuery(0)), /<gamesession>1<\/gamesession>/);
  assert.equal(sim.runningAppId(), 0);
  assert.equal(await get('/cancel'), `${XML_DECL}<root status_code="200"><cancel>1</cancel></root>`);
});

test('a client may resume or quit an app another client started', async () => {
  const other = sim.apps()[2]?.id ?? 0;
  sim.setMisbehaviour({ runningApp: other });
  assert.match(await get(`/resume?uniqueid=a1b2c3&rikey=${RIKEY}&rikeyid=1&corever=1`), /<resume>1<\/resume>/);
  assert.equal(sim.launchSession()?.appId, other);
  assert.match(await get('/cancel?uniqueid=a1b2c3'), /<cancel>1<\/cancel>/);
  assert.equal(sim.runningAppId(), 0);
  sim.setMisbehaviour({});
});

test('launch, applist and cancel do not exist on the HTTP port', async () => {
  for (const path of ['/launch', '/applist', '/cancel', '/appasset?appid=1']) {
    assert.equal(rootOf(await httpGet(sim.httpPort, path))['@status_code'], '404', path);
  }
});

/** |int32(CRC-32(text))| with the textbook bitwise CRC loop, independent of the simulator's table. */
function referenceAppId(text: string): number {
  let c = ~0;
  for (const b of Buffer.from(text)) {
    c ^= b;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return Math.abs(~c | 0);
}

/** Walks a PNG's chunks, reads its size and checks that the image data inflates to that size. */
function decodePng(bytes: Buffer): { widthPx: number; heightPx: number } {
  assert.equal(bytes.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  let at = 8;
  let widthPx = 0;
  let heightPx = 0;
  const idat: Buffer[] = [];
  for (let chunks = 0; at < bytes.length && chunks < 100; chunks += 1) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      widthPx = data.readUInt32BE(0);
      heightPx = data.readUInt32BE(4);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  assert.equal(at, bytes.length);
  assert.equal(inflateSync(Buffer.concat(idat)).length, heightPx * (1 + widthPx * 3));
  return { widthPx, heightPx };
}
