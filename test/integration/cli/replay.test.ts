// `cli replay` as a person runs it: a separate process, the real core in WebAssembly, each
// recorded Sunshine session of shared/captures. The access units it writes reproduce the
// reference client's video.annexb by the captures README's rule (NAL unit by NAL unit,
// ignoring SEI/AUD units and trailing zero bytes), and its Opus records are audio.opus-records
// byte for byte; the frames and packets the reference client received after it stopped
// recording come on top. A malformed folder ends with a one-line reason and a non-zero status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPcapUdp } from '../../../src/cli/pcap-udp.ts';
import { runCli, type CliRun } from './run-cli.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CAPTURES = join(ROOT, '..', 'shared', 'captures');
const FOLDERS = [
  'sunshine-0.23.1/dev-h264-720p60',
  'sunshine-0.23.1/dev-h265-720p60',
  'sunshine-2026.817/dev-h264-720p60',
  'sunshine-2026.817/dev-h265-720p60-encvideo',
];
// Bounds each run; never reached when things work.
const RUN_TIMEOUT_MS = 60_000;

let workDir = '';
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'replay-test-'));
});
after(() => {
  rmSync(workDir, { recursive: true, force: true });
});

const cli = (args: string[]): Promise<CliRun> => runCli(args, RUN_TIMEOUT_MS);

/** NAL units of an Annex-B stream without SEI/AUD units, each without trailing zero bytes. */
function comparableNals(stream: Uint8Array, codec: 'h264' | 'hevc'): string[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  const nals: string[] = [];
  starts.forEach((start, n) => {
    let end = n + 1 < starts.length ? (starts[n + 1] ?? stream.length) - 3 : stream.length;
    while (end > start && stream[end - 1] === 0) end--;
    const header = stream[start] ?? 0;
    const skip = codec === 'h264' ? [6, 9].includes(header & 0x1f) : [35, 39, 40].includes((header >> 1) & 0x3f);
    if (!skip) nals.push(Buffer.from(stream.subarray(start, end)).toString('hex'));
  });
  return nals;
}

function opusRecords(file: Uint8Array): Uint8Array[] {
  const records: Uint8Array[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let at = 0; at + 4 <= file.length;) {
    const size = view.getUint32(at, true);
    records.push(file.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return records;
}

interface SessionFacts {
  video: { codec: string; frames_on_wire: number };
  dumps_vs_capture: { video_annexb_frames: number; audio_records: number; audio_data_packets_after_last_record: number };
}

for (const folder of FOLDERS) {
  const dir = join(CAPTURES, folder);
  test(`replay of ${folder} reproduces video.annexb and audio.opus-records`, { skip: !existsSync(dir) && 'captures not found' }, async () => {
    const out = join(workDir, folder.replace('/', '_'));
    mkdirSync(out, { recursive: true });
    const videoFile = join(out, 'video.annexb');
    const audioFile = join(out, 'audio.opus-records');
    const run = await cli(['replay', dir, '--dump-video', videoFile, '--dump-audio', audioFile]);
    assert.equal(run.code, 0, run.stderr);
    const facts = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')) as SessionFacts;
    const totals = JSON.parse(run.stdout) as { videoFrames: number; keyFrames: number; audioPackets: number; audioConcealed: number; malformed: number };
    assert.equal(totals.videoFrames, facts.video.frames_on_wire);
    assert.equal(totals.keyFrames, 1);
    assert.equal(totals.malformed, 0);
    assert.equal(totals.audioConcealed, 0);

    const codec = facts.video.codec === 'H.264' ? 'h264' : 'hevc';
    const ours = comparableNals(new Uint8Array(readFileSync(videoFile)), codec);
    const reference = comparableNals(new Uint8Array(readFileSync(join(dir, 'video.annexb'))), codec);
    assert.ok(reference.length > facts.dumps_vs_capture.video_annexb_frames, 'the reference holds at least a slice per frame');
    assert.ok(ours.length > reference.length, 'the frames after the reference client stopped recording come on top');
    const firstDifference = reference.findIndex((nal, i) => nal !== ours[i]);
    assert.equal(firstDifference, -1, `NAL unit ${firstDifference} differs from video.annexb`);

    const audio = opusRecords(new Uint8Array(readFileSync(audioFile)));
    const referenceAudio = new Uint8Array(readFileSync(join(dir, 'audio.opus-records')));
    const { audio_records: records, audio_data_packets_after_last_record: extra } = facts.dumps_vs_capture;
    assert.equal(audio.length, records + extra);
    assert.equal(totals.audioPackets, records + extra);
    const ourPrefix = new Uint8Array(readFileSync(audioFile)).subarray(0, referenceAudio.length);
    assert.ok(Buffer.from(ourPrefix).equals(Buffer.from(referenceAudio)), 'the first records are audio.opus-records byte for byte');
  });
}

const SOURCE = join(CAPTURES, FOLDERS[0] ?? '');
const sourceMissing = !existsSync(SOURCE) && 'captures not found';

/** A copy of the first capture folder with `change` applied to it. */
function brokenFolder(name: string, change: (dir: string) => void): string {
  const dir = join(workDir, `broken-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const file of ['capture.pcap', 'keys.json', 'session.json']) copyFileSync(join(SOURCE, file), join(dir, file));
  change(dir);
  return dir;
}

const MALFORMED = [
  { name: 'missing capture', change: (dir: string) => rmSync(join(dir, 'capture.pcap')), reason: /capture\.pcap is missing/ },
  { name: 'keys that are not JSON', change: (dir: string) => writeFileSync(join(dir, 'keys.json'), '{"rikey_hex": '), reason: /keys\.json is not valid JSON/ },
  { name: 'session without video', change: (dir: string) => writeFileSync(join(dir, 'session.json'), '{"audio": {}}'), reason: /session\.json has no video/ },
  { name: 'capture that is not a pcap', change: (dir: string) => writeFileSync(join(dir, 'capture.pcap'), 'GET / HTTP/1.1\r\n\r\n'.repeat(4)), reason: /not a pcap file/ },
  {
    name: 'key of the wrong length',
    change: (dir: string) => {
      const keys = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'keys.json'), JSON.stringify({ ...keys, rikey_hex: 'abcd' }));
    },
    reason: /rikey_hex is not 32 hex digits/,
  },
];

for (const c of MALFORMED) {
  test(`replay of a folder with a ${c.name} exits 1 with a one-line reason`, { skip: sourceMissing }, async () => {
    const run = await cli(['replay', brokenFolder(c.name.replace(/ /g, '-'), c.change)]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, c.reason);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.equal(run.stdout, '');
  });
}

test('replay without a folder, or with an unknown option, is a usage error', async () => {
  const none = await cli(['replay']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no capture folder given/);
  const unknown = await cli(['replay', 'somewhere', '--dump-everything', 'x']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --dump-everything/);
});

/** A pcap of one frame: the global header and one record in the given byte order and time unit. */
function pcapOf(frame: Uint8Array, options: { littleEndian: boolean; nanoseconds: boolean; linkType: number }): Uint8Array {
  const out = new Uint8Array(24 + 16 + frame.length);
  const view = new DataView(out.buffer);
  const le = options.littleEndian;
  view.setUint32(0, options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, le);
  view.setUint16(4, 2, le);
  view.setUint16(6, 4, le);
  view.setUint32(16, 65535, le);
  view.setUint32(20, options.linkType, le);
  view.setUint32(24, 1_700_000_000, le);
  view.setUint32(28, options.nanoseconds ? 123_456_789 : 123_456, le);
  view.setUint32(32, frame.length, le);
  view.setUint32(36, frame.length, le);
  out.set(frame, 40);
  return out;
}

/** IPv4 + UDP from port 47998 to 5000 around `payload`. */
function ipv4Udp(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(28 + payload.length);
  const view = new DataView(out.buffer);
  out[0] = 0x45;
  view.setUint16(2, out.length);
  out[8] = 64;
  out[9] = 17;
  view.setUint16(20, 47998);
  view.setUint16(22, 5000);
  view.setUint16(24, 8 + payload.length);
  out.set(payload, 28);
  return out;
}

test('the pcap reader takes big-endian nanosecond files, VLAN-tagged Ethernet and raw IP, and refuses a cut record', () => {
  const payload = Uint8Array.from([1, 2, 3, 4, 5]);
  const ip = ipv4Udp(payload);
  const ethernet = new Uint8Array(18 + ip.length);
  ethernet.set([0x81, 0x00, 0x00, 0x05, 0x08, 0x00], 12);
  ethernet.set(ip, 18);
  const cases = [
    { name: 'big-endian, ns, 802.1Q', file: pcapOf(ethernet, { littleEndian: false, nanoseconds: true, linkType: 1 }), timeUs: 1_700_000_000_123_456 },
    { name: 'little-endian, us, raw IPv4', file: pcapOf(ip, { littleEndian: true, nanoseconds: false, linkType: 101 }), timeUs: 1_700_000_000_123_456 },
  ];
  for (const c of cases) {
    const r = readPcapUdp(c.file);
    assert.ok(r.ok, c.name);
    assert.equal(r.value.length, 1, c.name);
    assert.equal(r.value[0]?.timeUs, c.timeUs, c.name);
    assert.equal(r.value[0]?.srcPort, 47998, c.name);
    assert.equal(r.value[0]?.dstPort, 5000, c.name);
    assert.deepEqual(Array.from(r.value[0]?.payload ?? []), [1, 2, 3, 4, 5], c.name);
  }
  const whole = pcapOf(ip, { littleEndian: true, nanoseconds: false, linkType: 101 });
  const cut = readPcapUdp(whole.subarray(0, whole.length - 1));
  assert.match(cut.ok ? '' : cut.error, /truncated pcap record at byte 24/);
  const pcapng = readPcapUdp(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...new Array<number>(24).fill(0)]));
  assert.match(pcapng.ok ? '' : pcapng.error, /not a pcap file/);
});
