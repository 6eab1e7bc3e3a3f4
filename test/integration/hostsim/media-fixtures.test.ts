// The generated media fixtures are what the simulator claims to stream: each video clip is
// H.264 or HEVC with one IDR first and P-frames after it, every decoded frame shows its own
// number, and each audio fixture is Opus in Sunshine's stream layout whose channels each carry
// their own tone when decoded with Sunshine's (identity) mapping. Decoding is ffmpeg's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitMultistream } from '../../hostsim/audio-multistream.ts';
import { writeOggOpus } from '../../hostsim/audio-ogg.ts';
import { DEFAULT_VIDEO_FIXTURES, ensureVideoFixture } from '../../hostsim/media-fixture-build.ts';
import { loadAudioFixture, loadVideoFixture } from '../../hostsim/media-fixtures.ts';
import { readFrameNumber } from '../../hostsim/media-test-pattern.ts';
import { isIdrAccessUnit, splitNalUnits } from '../../hostsim/video-annexb.ts';

for (const spec of DEFAULT_VIDEO_FIXTURES) {
  const name = `${spec.codec} ${spec.widthPx}x${spec.heightPx}`;

  test(`${name}: one IDR with parameter sets first, then only P-frames`, async () => {
    const source = await loadVideoFixture(spec.codec, spec.widthPx, spec.heightPx, spec.fps);
    assert.equal(source.accessUnits.length, spec.frames);
    const first = source.accessUnits[0] as Uint8Array;
    const firstNal = splitNalUnits(first, spec.codec)[0];
    assert.equal(firstNal?.type, spec.codec === 'h264' ? 7 : 32, 'SPS (H.264) or VPS (HEVC) first');
    assert.deepEqual(source.accessUnits.map((unit, i) => (isIdrAccessUnit(unit, spec.codec) ? i : -1)).filter((i) => i >= 0), [0]);

    const probe = ffprobeFrames(await ensureVideoFixture(spec));
    assert.equal(probe.codec, spec.codec === 'h264' ? 'h264' : 'hevc');
    assert.equal(probe.pictTypes.length, spec.frames);
    assert.equal(probe.pictTypes[0], 'I');
    assert.ok(probe.pictTypes.slice(1).every((t) => t === 'P'), `picture types ${[...new Set(probe.pictTypes)].join(',')}`);
  });

  test(`${name}: every decoded frame shows its own frame number`, async () => {
    const path = await ensureVideoFixture(spec);
    const decoded = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 256 * 1024 * 1024 });
    assert.equal(decoded.status, 0, decoded.stderr.toString());
    const frameBytes = spec.widthPx * spec.heightPx;
    assert.equal(decoded.stdout.length, frameBytes * spec.frames);
    for (let n = 0; n < spec.frames; n++) {
      const luma = decoded.stdout.subarray(n * frameBytes, (n + 1) * frameBytes);
      assert.equal(readFrameNumber(luma, spec.widthPx, spec.heightPx), n, `frame ${n}`);
    }
  });
}

// Sunshine's layouts and CBR packet sizes at 5 ms (data-plane.md §3.2; 60, 160 and 281 bytes
// were seen on the wire, §9).
const AUDIO_LAYOUTS = [
  { channels: 2, highQuality: false, streams: 1, coupled: 1, packetBytes: 60 },
  { channels: 6, highQuality: false, streams: 4, coupled: 2, packetBytes: 160 },
  { channels: 8, highQuality: false, streams: 5, coupled: 3, packetBytes: 281 },
  { channels: 2, highQuality: true, streams: 1, coupled: 1, packetBytes: 320 },
  { channels: 6, highQuality: true, streams: 6, coupled: 0, packetBytes: 960 },
  { channels: 8, highQuality: true, streams: 8, coupled: 0, packetBytes: 1280 },
];

for (const layout of AUDIO_LAYOUTS) {
  test(`${layout.channels}-channel${layout.highQuality ? ' high-quality' : ''} Opus: Sunshine's layout and packet size, each channel its own tone`, async () => {
    const source = await loadAudioFixture(layout.channels, 5, layout.highQuality);
    assert.equal(source.info.streams, layout.streams);
    assert.equal(source.info.coupledStreams, layout.coupled);
    assert.ok(source.packets.every((p) => p.length === layout.packetBytes), `${source.packets[0]?.length} bytes`);
    for (const packet of source.packets.slice(0, 20)) {
      const streams = splitMultistream(packet, layout.streams);
      assert.equal(streams.length, layout.streams);
      // Every stream is one 5 ms CELT frame (TOC config 16-31 at 5 ms: config % 4 === 1).
      for (const s of streams) assert.equal(((s[0] ?? 0) >> 3) % 4, 1);
    }

    const dir = mkdtempSync(join(tmpdir(), 'gsc-opus-'));
    try {
      const ogg = join(dir, 'fixture.ogg');
      const head = { channels: layout.channels, preSkipSamples: 0, inputSampleRateHz: 48_000, mappingFamily: layout.channels === 2 ? 0 : 255, streams: layout.streams, coupledStreams: layout.coupled, mapping: source.info.mapping };
      writeFileSync(ogg, writeOggOpus(head, source.packets, 240));
      const decoded = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', ogg, '-f', 'f32le', '-ac', String(layout.channels), '-'], { maxBuffer: 64 * 1024 * 1024 });
      assert.equal(decoded.status, 0, decoded.stderr.toString());
      const pcm = new Float32Array(decoded.stdout.buffer, decoded.stdout.byteOffset, decoded.stdout.length / 4);
      source.info.toneHz.forEach((hz, channel) => {
        const levels = source.info.toneHz.map((candidate) => toneLevel(pcm, layout.channels, channel, candidate));
        const strongest = levels.indexOf(Math.max(...levels));
        assert.equal(source.info.toneHz[strongest], hz, `channel ${channel}: levels ${levels.map((l) => l.toFixed(3)).join(' ')}`);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function ffprobeFrames(path: string): { codec: string; pictTypes: string[] } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name:frame=pict_type', '-of', 'compact=p=0:nk=1', path], { maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr.toString());
  const lines = r.stdout.toString().split('\n').map((l) => l.trim().replace(/\|$/, '')).filter((l) => l !== '');
  const pictTypes = lines.filter((l) => l.length === 1);
  const codec = lines.find((l) => l.length > 1) ?? '';
  return { codec, pictTypes };
}

// Goertzel magnitude of one frequency in one channel, over the second half second onwards
// (past the encoder's start-up).
function toneLevel(pcm: Float32Array, channels: number, channel: number, hz: number): number {
  const sampleRateHz = 48_000;
  const start = sampleRateHz / 2;
  const frames = Math.floor(pcm.length / channels);
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRateHz);
  let s1 = 0;
  let s2 = 0;
  for (let n = start; n < frames; n++) {
    const s0 = (pcm[n * channels + channel] ?? 0) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return Math.sqrt(s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (frames - start);
}
