// `node --import tsx scripts/make-trace.ts`: builds the large simulator trace of `npm run bench`
// (the headline case): 4K60 HEVC at about 100 Mbit/s, sent as Sunshine sends it by the
// host simulator's media sender (test/hostsim/media-sender.ts: its packetizer with packet size
// 1392, FEC 20 %, at least 2 parity shards, its send pacing) through its seeded impairment
// with 10 % random loss, on a virtual clock. The surviving datagrams and their arrival times go
// to a trace file in build/fixtures/; the clip and the trace are kept and reused while their
// description (TRACE_SPEC + TRACE_VERSION) is unchanged, so a second run does nothing.
//
// The clip is two seconds of ffmpeg's testsrc2 pattern under strong per-frame noise, so the
// encoder needs the whole bitrate; libx265 ultrafast/zerolatency as Sunshine's software
// encoder, with a VBV of four frames so frames stay near 1/60 of the bitrate. Every frame is
// an IDR: a trace cannot answer the client's IDR request, so with P-frames the first frame
// lost beyond FEC's reach would leave the client discarding the rest of the trace (as it
// must); with intra frames only that frame is lost, and the figures cover the whole stream.
//
// Trace file (little-endian): "GSCTRACE", u32 version (1), u32 codec (0 H.264, 1 HEVC),
// u32 width, u32 height, u32 fps, u32 packetSizeBytes, u32 datagram count, u32 n, then n bytes
// of JSON describing the trace (TraceInfo); then per datagram: u64 arrival time in
// microseconds, u16 length, the datagram. Read by readTrace() here and by
// native/bench/trace_bench.cpp.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchKeysFrom } from '../src/session/launch.ts';
import type { StreamConfig } from '../src/session/stream-config.ts';
import type { CoreSession } from '../wasm/session.ts';
import type { ImpairmentStats } from '../test/hostsim/impairment.ts';
import { createMediaSender, type DatagramSink, type MediaClock } from '../test/hostsim/media-sender.ts';
import { runFfmpeg, vbvBufferKbits, type VideoFixtureSpec } from '../test/hostsim/media-fixture-build.ts';
import { isIdrAccessUnit, splitAccessUnits } from '../test/hostsim/video-annexb.ts';

export interface TraceSpec extends VideoFixtureSpec {
  /** The announced x-nv-video[0].packetSize; a datagram is 16 bytes more. */
  packetSizeBytes: number;
  fecPercent: number;
  minParity: number;
  lossRate: number;
  seed: number;
}

/** The trace's JSON header. */
export interface TraceInfo {
  spec: TraceSpec;
  version: number;
  /** Frames sent, their datagrams (data and parity) before loss, and the clip's size. */
  framesSent: number;
  datagramsSent: number;
  clipBytes: number;
  /** Mean encoded bitrate of the clip, kbit/s. */
  clipKbps: number;
  impairment: ImpairmentStats;
}

export interface TraceDatagram {
  arrivalUs: number;
  bytes: Uint8Array;
}

export interface Trace {
  info: TraceInfo;
  datagrams: TraceDatagram[];
}

export const TRACE_SPEC: TraceSpec = {
  codec: 'hevc', widthPx: 3840, heightPx: 2160, fps: 60, frames: 120, bitrateKbps: 100_000,
  packetSizeBytes: 1392, fecPercent: 20, minParity: 2, lossRate: 0.1, seed: 4060,
};

export const TRACE_DIR = join(new URL('..', import.meta.url).pathname, 'build', 'fixtures');

/** The StreamConfig a client would have negotiated for the trace: media only, nothing encrypted. */
export function traceStreamConfig(trace: Trace): StreamConfig {
  const { spec } = trace.info;
  return {
    hostAddress: '127.0.0.1',
    ports: { video: 47998, audio: 48000, control: 47999 },
    video: {
      codec: spec.codec, format: 0, width: spec.widthPx, height: spec.heightPx, fps: spec.fps, packetSizeBytes: spec.packetSizeBytes,
      announcedBitrateKbps: spec.bitrateKbps, configuredBitrateKbps: spec.bitrateKbps, minRequiredFecPackets: spec.minParity,
      referenceFrameInvalidation: false, tenBit: false, yuv444: false, encoderCscMode: 0, slicesPerFrame: 1,
    },
    audio: { channels: 2, channelMask: 0x3, streams: 1, coupledStreams: 1, mapping: [0, 1], packetDurationMs: 5, highQuality: false },
    encryption: { rtsp: false, enabledFlags: 0, control: false, video: false, audio: false },
    pingPayload: null,
    control: { connectData: 0, channelCount: 48, protocol: 13 },
    hostFeatureFlags: 0,
    clientFeatureFlags: 3,
    nvFeatureFlags: 0,
    rtspSessionId: '',
    keys: launchKeysFrom(new Uint8Array(16), 0),
  };
}

function traceName(spec: TraceSpec): string {
  return `trace-${spec.codec}-${spec.widthPx}x${spec.heightPx}-${spec.fps}fps-${spec.frames}f-${spec.bitrateKbps}k`;
}

/** The encoder's output the trace was made from (Annex-B), once ensureTrace has run. */
export function traceClipPath(spec: TraceSpec): string {
  return join(TRACE_DIR, `${traceName(spec)}.${spec.codec === 'h264' ? '264' : '265'}`);
}

/**
 * Feeds the trace to a session as the session worker would: due timeouts, then each datagram
 * at its arrival time. `afterCall` runs after each core call with performance.now() from just
 * before it (the copy into rxBuffer, which stands for the socket read, is left out), to drain
 * what the call produced.
 */
export function feedTrace(s: CoreSession, trace: Trace, afterCall: (beganMs: number) => void): void {
  const start = trace.datagrams[0]?.arrivalUs ?? 0;
  for (const d of trace.datagrams) {
    for (let due = s.nextDeadlineUs(); due <= d.arrivalUs; due = s.nextDeadlineUs()) {
      const began = performance.now();
      s.handleTimeout(Math.max(due, start));
      afterCall(began);
    }
    const target = s.rxBuffer('video');
    target.set(d.bytes.length <= target.length ? d.bytes : d.bytes.subarray(0, target.length));
    const began = performance.now();
    s.rxCommit('video', d.bytes.length, d.arrivalUs);
    afterCall(began);
  }
}

/** Builds the trace unless an up-to-date one exists; returns its path. */
export async function ensureTrace(spec: TraceSpec = TRACE_SPEC, log: (line: string) => void = () => undefined): Promise<string> {
  const name = traceName(spec);
  const clip = traceClipPath(spec);
  const path = join(TRACE_DIR, `${name}-loss${Math.round(spec.lossRate * 100)}-seed${spec.seed}.gsctrace`);
  mkdirSync(TRACE_DIR, { recursive: true });
  const clipStamp = `${clip}.stamp`;
  const clipDescription = JSON.stringify({ version: TRACE_VERSION, codec: spec.codec, widthPx: spec.widthPx, heightPx: spec.heightPx, fps: spec.fps, frames: spec.frames, bitrateKbps: spec.bitrateKbps });
  if (!(existsSync(clip) && existsSync(clipStamp) && readFileSync(clipStamp, 'utf8') === clipDescription)) {
    log(`encoding ${spec.frames} frames of ${spec.widthPx}x${spec.heightPx} ${spec.codec} at ${spec.bitrateKbps} kbit/s with ffmpeg (once; takes a minute)`);
    const temporary = `${clip}.tmp-${process.pid}`;
    await runFfmpeg([...clipArgs(spec), temporary]);
    renameSync(temporary, clip);
    writeFileSync(clipStamp, clipDescription);
  }
  if (existsSync(path) && isCurrent(path, spec)) return path;
  log(`packetizing and impairing into ${path}`);
  const trace = await simulate(spec, readBytes(clip));
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, encodeTrace(trace));
  renameSync(temporary, path);
  return path;
}

export function readTrace(path: string): Trace {
  const file = readBytes(path);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (new TextDecoder().decode(file.subarray(0, MAGIC.length)) !== MAGIC || view.getUint32(8, true) !== FORMAT_VERSION) throw new Error(`${path}: not a trace file of version ${FORMAT_VERSION}`);
  const count = view.getUint32(32, true);
  const jsonBytes = view.getUint32(36, true);
  const info = JSON.parse(new TextDecoder().decode(file.subarray(HEADER_BYTES, HEADER_BYTES + jsonBytes))) as TraceInfo;
  const datagrams: TraceDatagram[] = [];
  let at = HEADER_BYTES + jsonBytes;
  for (let i = 0; i < count; i++) {
    if (at + RECORD_HEADER_BYTES > file.length) throw new Error(`${path}: cut short at datagram ${i}`);
    const arrivalUs = Number(view.getBigUint64(at, true));
    const length = view.getUint16(at + 8, true);
    at += RECORD_HEADER_BYTES;
    datagrams.push({ arrivalUs, bytes: file.subarray(at, at + length) });
    at += length;
  }
  return { info, datagrams };
}

function isCurrent(path: string, spec: TraceSpec): boolean {
  try {
    const { info } = readTrace(path);
    return JSON.stringify(info.spec) === JSON.stringify(spec) && info.version === TRACE_VERSION;
  } catch {
    return false;
  }
}

/** The media sender on a virtual clock, its video going to an in-memory sink. */
async function simulate(spec: TraceSpec, stream: Uint8Array): Promise<Trace> {
  const accessUnits = splitAccessUnits(stream, spec.codec);
  if (accessUnits.length !== spec.frames || !accessUnits.every((unit) => isIdrAccessUnit(unit, spec.codec))) {
    throw new Error(`trace clip: ${accessUnits.length} access units, expected ${spec.frames} IDR frames`);
  }
  const clock = createVirtualClock(START_US);
  const datagrams: TraceDatagram[] = [];
  const sink: DatagramSink = { send: (bytes) => datagrams.push({ arrivalUs: clock.nowUs(), bytes }) };
  const sender = createMediaSender({
    video: { codec: spec.codec, width: spec.widthPx, height: spec.heightPx, fps: spec.fps, packetSizeBytes: spec.packetSizeBytes, fecPercent: spec.fecPercent, minParity: spec.minParity, source: { codec: spec.codec, accessUnits } },
    // Never started: no audio target is set. The source only spares loading a fixture.
    audio: { channels: 2, key: new Uint8Array(16), rikeyid: 0, encrypt: false, source: { channels: 2, packetDurationMs: 5, packets: [new Uint8Array(1)] } },
    socket: sink,
    impairment: { video: { seed: spec.seed, lossRate: spec.lossRate } },
    clock,
  });
  await sender.start();
  sender.setVideoTarget('127.0.0.1', 47998);
  // Up to just before frame `frames` is due: every frame of the clip is sent once.
  clock.runUntil(START_US + Math.floor((spec.frames * 1_000_000) / spec.fps) - 1);
  sender.stop();
  const stats = sender.stats();
  if (stats.videoFrames !== spec.frames || stats.videoImpairment === null) throw new Error(`trace: ${stats.videoFrames} frames sent, expected ${spec.frames}`);
  return {
    info: {
      spec,
      version: TRACE_VERSION,
      framesSent: stats.videoFrames,
      datagramsSent: stats.videoDatagrams,
      clipBytes: stream.length,
      clipKbps: Math.round((stream.length * 8 * spec.fps) / spec.frames / 1000),
      impairment: stats.videoImpairment,
    },
    datagrams,
  };
}

function createVirtualClock(startUs: number): MediaClock & { runUntil(us: number): void } {
  let now = startUs;
  let nextId = 0;
  const timers = new Map<number, { atUs: number; order: number; fire: () => void }>();
  return {
    nowUs: () => now,
    setTimer(delayUs, fire) {
      const id = nextId++;
      timers.set(id, { atUs: now + Math.max(0, delayUs), order: id, fire });
      return () => timers.delete(id);
    },
    runUntil(us) {
      for (;;) {
        let next: { id: number; atUs: number; order: number } | null = null;
        for (const [id, t] of timers) if (next === null || t.atUs < next.atUs || (t.atUs === next.atUs && t.order < next.order)) next = { id, atUs: t.atUs, order: t.order };
        if (next === null || next.atUs > us) break;
        const timer = timers.get(next.id);
        timers.delete(next.id);
        now = Math.max(now, next.atUs);
        timer?.fire();
      }
      now = Math.max(now, us);
    },
  };
}

function encodeTrace(trace: Trace): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(trace.info));
  const size = HEADER_BYTES + json.length + trace.datagrams.reduce((n, d) => n + RECORD_HEADER_BYTES + d.bytes.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const { spec } = trace.info;
  [FORMAT_VERSION, spec.codec === 'h264' ? 0 : 1, spec.widthPx, spec.heightPx, spec.fps, spec.packetSizeBytes, trace.datagrams.length, json.length]
    .forEach((word, i) => view.setUint32(8 + 4 * i, word, true));
  out.set(json, HEADER_BYTES);
  let at = HEADER_BYTES + json.length;
  for (const d of trace.datagrams) {
    view.setBigUint64(at, BigInt(Math.round(d.arrivalUs)), true);
    view.setUint16(at + 8, d.bytes.length, true);
    out.set(d.bytes, at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + d.bytes.length;
  }
  return out;
}

// ffmpeg makes the picture too (testsrc2 + temporal noise): piping 12 MB raw frames from Node
// would cost more than the encode. One (frame) thread keeps the bitstream the same on every
// run and machine: x264's sliced threads cut pictures into as many slices as it has threads.
function clipArgs(spec: TraceSpec): string[] {
  const bufferKbits = vbvBufferKbits(spec);
  const source = `testsrc2=size=${spec.widthPx}x${spec.heightPx}:rate=${spec.fps},noise=alls=30:allf=t+u,format=yuv420p`;
  const input = ['-f', 'lavfi', '-i', source, '-frames:v', String(spec.frames)];
  if (spec.codec === 'h264') {
    return [...input, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-threads', '1', '-bf', '0', '-b:v', `${spec.bitrateKbps}k`, '-maxrate', `${spec.bitrateKbps}k`,
      '-bufsize', `${bufferKbits}k`, '-x264-params', 'keyint=1:scenecut=0:repeat-headers=1', '-f', 'h264'];
  }
  return [...input, '-c:v', 'libx265', '-preset', 'ultrafast', '-tune', 'zerolatency', '-b:v', `${spec.bitrateKbps}k`,
    '-x265-params', `keyint=1:min-keyint=1:scenecut=0:bframes=0:repeat-headers=1:frame-threads=1:vbv-maxrate=${spec.bitrateKbps}:vbv-bufsize=${bufferKbits}:log-level=error`, '-f', 'hevc'];
}

function readBytes(path: string): Uint8Array {
  const file = readFileSync(path);
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}

const MAGIC = 'GSCTRACE';
// Magic, then eight u32 words.
const HEADER_BYTES = 40;
const RECORD_HEADER_BYTES = 10;
// Bump when the clip or the simulation changes (the file's JSON), or the file layout (its header).
const TRACE_VERSION = 3;
const FORMAT_VERSION = 1;
// The virtual clock starts at 1 s, so no arrival time is 0.
const START_US = 1_000_000;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = await ensureTrace(TRACE_SPEC, (line) => console.log(line));
  const { info, datagrams } = readTrace(path);
  console.log(`${path}: ${info.framesSent} frames, ${datagrams.length} of ${info.datagramsSent} datagrams arrive (${((info.impairment.lost / info.impairment.datagrams) * 100).toFixed(1)} % lost), clip ${(info.clipKbps / 1000).toFixed(1)} Mbit/s`);
}
