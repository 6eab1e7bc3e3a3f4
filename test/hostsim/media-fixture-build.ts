// Builds the simulator's media fixtures with Debian's ffmpeg (design.md principle 6: real
// encoders), cached under build/fixtures/media/ so a test run encodes each one once:
//
// - video: the frame-numbered test pattern (media-test-pattern.ts), generated in Node and
//   piped to libx264 / libx265 with settings like Sunshine's software encoders (ultrafast,
//   zerolatency: no B-frames), one IDR at the start and P-frames after it, headers in band;
//   written as an Annex-B elementary stream.
// - audio: one tone per channel plus a little noise, encoded with libopus as Sunshine does
//   (restricted low delay, CBR, 5 ms), one Opus stream at a time in Sunshine's stream layout
//   and joined into multistream packets (audio-multistream.ts); written as length-prefixed
//   records (the format of the captures' audio.opus-records) with a JSON description.
//
// A fixture is rebuilt when its description (spec + GENERATOR_VERSION) changes. Writes go to a
// temporary name first, so concurrent test processes never read a half-written file.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinMultistream } from './audio-multistream.ts';
import { readOggOpus } from './audio-ogg.ts';
import { drawTestPatternFrame } from './media-test-pattern.ts';
import type { VideoCodec } from './video-annexb.ts';

export const FIXTURES_DIR = process.env['GSC_MEDIA_FIXTURES_DIR'] ?? new URL('../../build/fixtures/media/', import.meta.url).pathname;

export interface VideoFixtureSpec {
  codec: VideoCodec;
  widthPx: number;
  heightPx: number;
  fps: number;
  frames: number;
  bitrateKbps: number;
}

export interface AudioFixtureSpec {
  /** 2, 6 or 8: Sunshine's stereo, 5.1 and 7.1 layouts (data-plane.md §3.2). */
  channels: number;
  /** Sunshine's high-quality layout: more bitrate, and uncoupled streams for surround. */
  highQuality: boolean;
  packetDurationMs: number;
  seconds: number;
}

/** What an audio fixture's JSON file says about its records. */
export interface AudioFixtureInfo {
  spec: AudioFixtureSpec;
  streams: number;
  coupledStreams: number;
  /** Decoder mapping for Sunshine's channel order FL FR C LFE BL BR SL SR (identity). */
  mapping: number[];
  bitrateBps: number;
  /** The tone in each output channel, Hz, in channel order. */
  toneHz: number[];
  packetBytes: number;
}

/** The fixtures `scripts/make-fixtures.ts` builds and the media sender uses by default. */
export const DEFAULT_VIDEO_FIXTURES: readonly VideoFixtureSpec[] = [
  { codec: 'h264', widthPx: 320, heightPx: 240, fps: 60, frames: 180, bitrateKbps: 600 },
  { codec: 'hevc', widthPx: 320, heightPx: 240, fps: 60, frames: 180, bitrateKbps: 600 },
  { codec: 'h264', widthPx: 1280, heightPx: 720, fps: 60, frames: 120, bitrateKbps: 3000 },
  { codec: 'hevc', widthPx: 1280, heightPx: 720, fps: 60, frames: 120, bitrateKbps: 3000 },
];
export const DEFAULT_AUDIO_FIXTURES: readonly AudioFixtureSpec[] = [
  { channels: 2, highQuality: false, packetDurationMs: 5, seconds: 2 },
  { channels: 6, highQuality: false, packetDurationMs: 5, seconds: 2 },
  { channels: 8, highQuality: false, packetDurationMs: 5, seconds: 2 },
];

export function videoFixturePath(spec: VideoFixtureSpec): string {
  return join(FIXTURES_DIR, `${videoName(spec)}.${spec.codec === 'h264' ? '264' : '265'}`);
}

export function audioFixturePaths(spec: AudioFixtureSpec): { records: string; info: string } {
  const name = `opus-${spec.channels}ch${spec.highQuality ? '-hq' : ''}-${spec.packetDurationMs}ms-${spec.seconds}s`;
  return { records: join(FIXTURES_DIR, `${name}.opus-records`), info: join(FIXTURES_DIR, `${name}.json`) };
}

/** Builds every default fixture that is missing or stale; `report` hears of each one. */
export async function ensureDefaultFixtures(report: (line: string) => void = () => undefined): Promise<void> {
  for (const spec of DEFAULT_VIDEO_FIXTURES) {
    const path = await ensureVideoFixture(spec);
    report(`video ${spec.codec} ${spec.widthPx}x${spec.heightPx}, ${spec.frames} frames: ${path}`);
  }
  for (const spec of DEFAULT_AUDIO_FIXTURES) {
    const info = await ensureAudioFixture(spec);
    report(`audio ${spec.channels} channels, ${info.streams} streams (${info.coupledStreams} coupled), ${info.packetBytes}-byte packets`);
  }
}

/** Builds the video fixture unless an up-to-date one exists; returns its path. */
export async function ensureVideoFixture(spec: VideoFixtureSpec): Promise<string> {
  const path = videoFixturePath(spec);
  const stamp = `${path}.stamp`;
  const description = JSON.stringify({ generator: GENERATOR_VERSION, spec });
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === description) return path;
  mkdirSync(FIXTURES_DIR, { recursive: true });
  const temporary = `${path}.tmp-${process.pid}`;
  await runFfmpeg([...rawVideoInput(spec), ...videoEncoderArgs(spec), '-f', spec.codec === 'h264' ? 'h264' : 'hevc', temporary], async (stdin) => {
    for (let n = 0; n < spec.frames; n++) await write(stdin, drawTestPatternFrame(spec.widthPx, spec.heightPx, n));
  });
  renameSync(temporary, path);
  writeFileSync(stamp, description);
  return path;
}

/** Builds the audio fixture unless an up-to-date one exists; returns its description. */
export async function ensureAudioFixture(spec: AudioFixtureSpec): Promise<AudioFixtureInfo> {
  const paths = audioFixturePaths(spec);
  const layout = SUNSHINE_LAYOUTS.find((l) => l.channels === spec.channels && l.highQuality === spec.highQuality);
  if (layout === undefined) throw new RangeError(`audio fixture: no Sunshine layout with ${spec.channels} channels`);
  const description = { generator: GENERATOR_VERSION, spec };
  if (existsSync(paths.records) && existsSync(paths.info)) {
    const info = JSON.parse(readFileSync(paths.info, 'utf8')) as AudioFixtureInfo & { description: unknown };
    if (JSON.stringify(info.description) === JSON.stringify(description)) return info;
  }
  mkdirSync(FIXTURES_DIR, { recursive: true });
  const toneHz = TONES_HZ.slice(0, spec.channels);
  const streamBytes = streamPacketBytes(layout, spec.packetDurationMs);
  const perStream: Uint8Array[][] = [];
  let channel = 0;
  for (let s = 0; s < layout.streams; s++) {
    const streamChannels = s < layout.coupled ? 2 : 1;
    const tones = toneHz.slice(channel, channel + streamChannels);
    channel += streamChannels;
    perStream.push(await encodeOpusStream(spec, tones, (streamBytes[s] as number) * 8 * (1000 / spec.packetDurationMs)));
  }
  const count = Math.min(...perStream.map((p) => p.length));
  const packets = Array.from({ length: count }, (_, i) => joinMultistream(perStream.map((p) => p[i] as Uint8Array)));
  const info: AudioFixtureInfo & { description: unknown } = {
    description,
    spec,
    streams: layout.streams,
    coupledStreams: layout.coupled,
    mapping: Array.from({ length: spec.channels }, (_, i) => i),
    bitrateBps: layout.bitrateBps,
    toneHz,
    packetBytes: packets[0]?.length ?? 0,
  };
  writeAtomically(paths.records, encodeRecords(packets));
  writeAtomically(paths.info, new TextEncoder().encode(JSON.stringify(info, null, 1)));
  return info;
}

/** audio.opus-records format: a 4-byte little-endian length before each packet. */
export function encodeRecords(packets: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(packets.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of packets) {
    view.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

function videoName(spec: VideoFixtureSpec): string {
  return `pattern-${spec.codec}-${spec.widthPx}x${spec.heightPx}-${spec.fps}fps-${spec.frames}f-${spec.bitrateKbps}k`;
}

function rawVideoInput(spec: VideoFixtureSpec): string[] {
  return ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${spec.widthPx}x${spec.heightPx}`, '-r', String(spec.fps), '-i', '-'];
}

// Sunshine's software encoders: preset ultrafast, tune zerolatency (captures/README.md), and a
// VBV of a few frames so frame sizes stay near the bitrate's share. One thread and one frame
// thread keep the bitstream the same on every machine (x264's sliced threads would cut
// pictures into as many slices as there are cores).
function videoEncoderArgs(spec: VideoFixtureSpec): string[] {
  const bitrate = `${spec.bitrateKbps}k`;
  const bufferKbits = vbvBufferKbits(spec);
  if (spec.codec === 'h264') {
    return ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-threads', '1', '-bf', '0', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', `${bufferKbits}k`,
      '-x264-params', 'keyint=infinite:scenecut=0:repeat-headers=1'];
  }
  return ['-c:v', 'libx265', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', bitrate,
    '-x265-params', `keyint=-1:scenecut=0:bframes=0:repeat-headers=1:frame-threads=1:vbv-maxrate=${spec.bitrateKbps}:vbv-bufsize=${bufferKbits}:log-level=error`];
}

/** The encoder's VBV size: a few frames' share of the bitrate, so frame sizes stay near it. */
export function vbvBufferKbits(spec: VideoFixtureSpec): number {
  return Math.ceil((spec.bitrateKbps * VBV_FRAMES) / spec.fps);
}

async function encodeOpusStream(spec: AudioFixtureSpec, toneHz: readonly number[], bitrateBps: number): Promise<Uint8Array[]> {
  const ogg = join(FIXTURES_DIR, `stream-${toneHz.join('-')}-${bitrateBps}bps-${spec.packetDurationMs}ms-${spec.seconds}s-${process.pid}.ogg`);
  await runFfmpeg(['-f', 's16le', '-ar', String(SAMPLE_RATE_HZ), '-ac', String(toneHz.length), '-i', '-',
    '-c:a', 'libopus', '-application', 'lowdelay', '-vbr', 'off', '-b:a', String(bitrateBps), '-frame_duration', String(spec.packetDurationMs), '-f', 'ogg', ogg],
  (stdin) => write(stdin, tonePcm(toneHz, spec.seconds)));
  const { packets } = readOggOpus(readFileSync(ogg));
  renameSync(ogg, ogg.replace(`-${process.pid}.ogg`, '.ogg'));
  return packets;
}

// Interleaved s16le: a tone per channel at -12 dBFS plus noise 30 dB below it, so the encoder
// keeps full bandwidth and no two packets are alike.
function tonePcm(toneHz: readonly number[], seconds: number): Uint8Array {
  const frames = SAMPLE_RATE_HZ * seconds;
  const pcm = new Int16Array(frames * toneHz.length);
  let noise = 0x2545f491;
  for (let n = 0; n < frames; n++) {
    toneHz.forEach((hz, c) => {
      noise = (Math.imul(noise, 1664525) + 1013904223) >>> 0;
      const hiss = ((noise / 2 ** 32) * 2 - 1) * 0.008;
      pcm[n * toneHz.length + c] = Math.round((0.25 * Math.sin((2 * Math.PI * hz * n) / SAMPLE_RATE_HZ) + hiss) * 32767);
    });
  }
  return new Uint8Array(pcm.buffer);
}

// Sunshine's CBR packet = bitrate × duration; libopus spends one length byte per
// self-delimited stream out of it. The rest is shared in proportion to channels.
function streamPacketBytes(layout: SunshineLayout, packetDurationMs: number): number[] {
  const totalBytes = Math.floor((layout.bitrateBps * packetDurationMs) / 8000) - (layout.streams - 1);
  const shares = Array.from({ length: layout.streams }, (_, s) => (s < layout.coupled ? 2 : 1));
  const shareTotal = shares.reduce((a, b) => a + b, 0);
  const bytes = shares.map((share) => Math.floor((totalBytes * share) / shareTotal));
  for (let s = 0, left = totalBytes - bytes.reduce((a, b) => a + b, 0); left > 0; s++, left--) bytes[s] = (bytes[s] as number) + 1;
  return bytes;
}

/** Runs Debian's ffmpeg quietly; `feed`, when given, writes its input. Rejects with its message. */
export function runFfmpeg(args: string[], feed?: (stdin: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')} exited with ${code}: ${stderr}`))));
    // ffmpeg closing its input early is reported by its exit status above, with its message.
    child.stdin.on('error', () => undefined);
    if (feed === undefined) return void child.stdin.end();
    feed(child.stdin).then(() => child.stdin.end(), (err: unknown) => {
      child.kill();
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

function write(stream: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(bytes, (err) => (err ? reject(err) : undefined));
    if (ok) resolve();
    else stream.once('drain', resolve);
  });
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

interface SunshineLayout {
  channels: number;
  highQuality: boolean;
  streams: number;
  coupled: number;
  bitrateBps: number;
}

// data-plane.md §3.2: stereo, 5.1, 7.1, each in normal and high quality.
const SUNSHINE_LAYOUTS: readonly SunshineLayout[] = [
  { channels: 2, highQuality: false, streams: 1, coupled: 1, bitrateBps: 96_000 },
  { channels: 2, highQuality: true, streams: 1, coupled: 1, bitrateBps: 512_000 },
  { channels: 6, highQuality: false, streams: 4, coupled: 2, bitrateBps: 256_000 },
  { channels: 6, highQuality: true, streams: 6, coupled: 0, bitrateBps: 1_536_000 },
  { channels: 8, highQuality: false, streams: 5, coupled: 3, bitrateBps: 450_000 },
  { channels: 8, highQuality: true, streams: 8, coupled: 0, bitrateBps: 2_048_000 },
];
// One tone per channel in Sunshine's order FL FR C LFE BL BR SL SR, the frequencies of the
// 7.1 channel check in data-plane.md §9.2.
const TONES_HZ = [300, 500, 700, 80, 1100, 1300, 1700, 1900];
const SAMPLE_RATE_HZ = 48_000;
// The VBV holds this many frames' share of the bitrate.
const VBV_FRAMES = 4;
// Bump when the generated content or the encoder settings change.
const GENERATOR_VERSION = 1;
