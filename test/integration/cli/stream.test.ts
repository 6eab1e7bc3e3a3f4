// The CLI's `stream` command as a person runs it: a separate process on the Node platform with
// the real core, against the host simulator on loopback. Each run is bounded by --seconds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findApp, parseStreamCommand } from '../../../src/cli/stream.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat } from '../../../src/session/stream-config.ts';
import { generateIdentity } from '../../hostsim/host-identity.ts';
import { startHostSim, type HostSim } from '../../hostsim/host-sim.ts';
import { ensureDefaultFixtures } from '../../hostsim/media-fixture-build.ts';
import { loadVideoFixture } from '../../hostsim/media-fixtures.ts';
import type { StreamSession } from '../../hostsim/stream-session.ts';
import { splitAccessUnits, splitNalUnits } from '../../hostsim/video-annexb.ts';
import { runCli, type CliRun } from './run-cli.ts';

const PIN = '3141';
// Bounds on each run; never reached when things work.
const RUN_TIMEOUT_MS = 60_000;
// HEVC NAL unit types (H.265 Table 7-1).
const HEVC_IDR_W_RADL = 19;
const HEVC_IDR_N_LP = 20;
const HEVC_VPS = 32;
const HEVC_SPS = 33;
const HEVC_PPS = 34;

let workDir = '';
let state = '';
let sim: HostSim;
let host = '';

const cli = (args: string[]): Promise<CliRun> => runCli(args, RUN_TIMEOUT_MS);

/** The simulator's stream sessions that start while `run` runs, with `run`'s result. */
async function watchingSessions<T>(run: () => Promise<T>): Promise<{ result: T; sessions: StreamSession[] }> {
  const sessions: StreamSession[] = [];
  const unsubscribe = sim.streams.onSession((session) => sessions.push(session));
  try {
    return { result: await run(), sessions };
  } finally {
    unsubscribe();
  }
}

/**
 * The client said goodbye when it stopped: by the time the CLI has exited, the simulator's
 * session has already ended because the client's ENet DISCONNECT arrived, not by one of its
 * timeouts (which would leave it running for seconds after the exit).
 */
function assertEndedByClientGoodbye(sessions: readonly StreamSession[]): void {
  assert.equal(sessions.length, 1);
  const session = sessions[0] as StreamSession;
  assert.equal(session.state(), 'ended');
  assert.deepEqual(session.endReason(), { kind: 'control', reason: 'client-disconnected' });
}

before(async () => {
  // The runs below last a couple of seconds each: the media must not wait for an encoder.
  await ensureDefaultFixtures();
  workDir = mkdtempSync(join(tmpdir(), 'cli-stream-it-'));
  state = join(workDir, 'state');
  sim = await startHostSim({ httpPort: 0, identity: generateIdentity(), hostName: 'sim-pc', pin: PIN });
  // Every stream session of the simulator sends its test pattern and Opus audio.
  host = `127.0.0.1:${sim.httpPort}`;
  const paired = await cli(['pair', host, '--pin', PIN, '--state', state]);
  assert.equal(paired.code, 0, paired.stderr);
});

after(async () => {
  await sim.close();
  rmSync(workDir, { recursive: true, force: true });
});

test('stream APP-TITLE --seconds N streams, writes the dump files and prints one JSON line of statistics', async () => {
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const video = join(workDir, 'video.h264');
  const audio = join(workDir, 'audio.pcm');
  const { result: run, sessions } = await watchingSessions(() =>
    cli(['stream', host, app.title, '--codec', 'h264', '--width', '1280', '--height', '720', '--fps', '30', '--bitrate', '4000', '--audio', 'stereo', '--seconds', '2', '--dump-video', video, '--dump-audio', audio, '--quit', '--state', state]),
  );
  assert.equal(run.code, 0, run.stderr);
  assertEndedByClientGoodbye(sessions);
  const lines = run.stdout.split('\n').filter((line) => line.length > 0);
  assert.equal(lines.length, 1, run.stdout);
  const report = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  for (const key of ['framesComplete', 'framesRecoveredByFec', 'framesDropped', 'idrRequests', 'rfiRequests', 'packets', 'bytes']) assert.equal(typeof report[key], 'number', key);
  assert.ok(report['firstFrameMs'] === null || typeof report['firstFrameMs'] === 'number');
  assert.deepEqual({ codec: report['codec'], width: report['width'], height: report['height'], fps: report['fps'], end: report['end'] }, { codec: 'h264', width: 1280, height: 720, fps: 30, end: 'stopped' });
  assert.ok((report['framesComplete'] as number) > 0 && (report['packets'] as number) > 0 && typeof report['firstFrameMs'] === 'number', run.stdout);
  // The access units, Annex-B, and the PCM: whole 16-bit stereo samples.
  const written = readFileSync(video);
  assert.deepEqual([...written.subarray(0, 4)], [0, 0, 0, 1]);
  const pcm = readFileSync(audio);
  assert.ok(pcm.length > 0 && pcm.length % 4 === 0, `${pcm.length} bytes of PCM`);
  // --quit: nothing runs on the host any more.
  assert.equal(sim.runningAppId(), 0);
});

test('stream --codec h265 dumps the HEVC access units the simulator sent, byte for byte, one per frame counted', async () => {
  const app = sim.apps()[0];
  assert.ok(app !== undefined);
  const video = join(workDir, 'video.h265');
  const { result: run, sessions } = await watchingSessions(() => cli(['stream', host, app.title, '--codec', 'h265', '--seconds', '2', '--dump-video', video, '--quit', '--state', state]));
  assert.equal(run.code, 0, run.stderr);
  assertEndedByClientGoodbye(sessions);
  const report = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
  assert.deepEqual({ codec: report['codec'], width: report['width'], height: report['height'], end: report['end'] }, { codec: 'hevc', width: 1280, height: 720, end: 'stopped' }, run.stdout);

  const dump = new Uint8Array(readFileSync(video));
  assert.deepEqual([...dump.subarray(0, 4)], [0, 0, 0, 1], 'an Annex-B start code first');
  const units = splitAccessUnits(dump, 'hevc');
  assert.ok(units.length > 0);
  assert.equal(units.length, report['framesComplete'], 'one access unit per frame the statistics count');

  // The first access unit is decodable on its own: parameter sets first, then an IDR slice.
  const first = splitNalUnits(units[0] as Uint8Array, 'hevc').map((nal) => nal.type);
  assert.deepEqual(first.slice(0, 3), [HEVC_VPS, HEVC_SPS, HEVC_PPS], `first access unit: NAL types ${first.join(' ')}`);
  assert.ok(first.includes(HEVC_IDR_W_RADL) || first.includes(HEVC_IDR_N_LP), `first access unit: NAL types ${first.join(' ')}`);

  // Every unit is whole NAL units with valid two-byte headers (H.265 §7.3.1.2).
  units.forEach((unit, i) => {
    const nals = splitNalUnits(unit, 'hevc');
    assert.ok(nals.length > 0 && nals[0]?.offset === 0, `access unit ${i} does not start with a start code`);
    for (const nal of nals) {
      assert.ok(nal.end - nal.headerOffset >= 2, `access unit ${i}: a NAL unit without its header`);
      const [b0, b1] = [unit[nal.headerOffset] ?? 0, unit[nal.headerOffset + 1] ?? 0];
      const where = `access unit ${i}, NAL at ${nal.offset}: ${b0.toString(16)} ${b1.toString(16)}`;
      assert.equal(b0 >> 7, 0, `forbidden_zero_bit set in ${where}`);
      assert.equal(((b0 & 1) << 5) | (b1 >> 3), 0, `nuh_layer_id not 0 in ${where}`);
      assert.notEqual(b1 & 7, 0, `nuh_temporal_id_plus1 is 0 in ${where}`);
    }
  });

  // With no loss on loopback each unit is one of the fixture's, as sent. The clip only moves
  // forward, restarting from its IDR (index 0) at its end and on each IDR request.
  const fixture = await loadVideoFixture('hevc', 1280, 720, 60);
  const indexOf = new Map(fixture.accessUnits.map((unit, i) => [Buffer.from(unit).toString('base64'), i]));
  const indices = units.map((unit, i) => {
    const index = indexOf.get(Buffer.from(unit).toString('base64'));
    assert.ok(index !== undefined, `access unit ${i} (${unit.length} bytes) is none of the fixture's`);
    return index;
  });
  assert.equal(indices[0], 0);
  indices.forEach((index, i) => {
    if (i > 0) assert.ok(index === 0 || index > (indices[i - 1] ?? 0), `fixture unit ${index} after ${indices[i - 1] ?? ''}`);
  });
});

test('stream with an app id that is not on the host fails with a sentence and status 1', async () => {
  const run = await cli(['stream', host, 'No Such Game', '--seconds', '1', '--state', state]);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /No Such Game/);
});

test('stream of one app while another runs says so and changes nothing', async () => {
  const [first, second] = sim.apps();
  assert.ok(first !== undefined && second !== undefined);
  const started = await cli(['stream', host, String(first.id), '--seconds', '1', '--state', state]);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(sim.runningAppId(), first.id);
  const refused = await cli(['stream', host, String(second.id), '--seconds', '1', '--state', state]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `“sim-pc” is running “${first.title}”. Quit it first to start a different app, or choose it to go back to it.\n`);
  assert.equal(sim.runningAppId(), first.id);
});

test('stream options are checked before anything is asked of the host', async () => {
  const run = await cli(['stream', host, 'x', '--audio', 'mono', '--state', state]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^--audio takes stereo, 5\.1 or 7\.1\n/);
});

test('the stream command line maps to settings, and an app is found by id before title', () => {
  const parsed = parseStreamCommand(['h', '7', '--codec', 'h265', '--width', '1920', '--height', '1080', '--fps', '120', '--bitrate', '50000', '--audio', '7.1', '--seconds', '9', '--state', 'S'], 'D');
  assert.deepEqual(parsed, {
    ok: true,
    value: {
      kind: 'stream', host: 'h', app: '7', seconds: 9, dumpVideo: null, dumpAudio: null, quit: false, stateDir: 'S',
      settings: { ...DEFAULT_STREAM_SETTINGS, videoFormats: VideoFormat.H265, width: 1920, height: 1080, fps: 120, bitrateKbps: 50000, audioChannels: 8 },
    },
  });
  assert.equal(parseStreamCommand(['h'], 'D').ok, false);
  assert.equal(parseStreamCommand(['h', 'a', '--fps', '0'], 'D').ok, false);
  const apps = [{ id: 7, title: '12', hdrSupported: false }, { id: 12, title: 'Desktop', hdrSupported: false }];
  assert.equal(findApp(apps, '12')?.id, 12);
  assert.equal(findApp(apps, 'desktop')?.id, 12);
  assert.equal(findApp(apps, 'steam'), null);
});
