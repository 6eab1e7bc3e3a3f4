// `cli replay DIR [--dump-video FILE] [--dump-audio FILE]`: plays the host's side of a recorded
// session (a folder as in shared/captures: capture.pcap, keys.json, session.json) through the
// core session, in WebAssembly as on the TV, and writes what it produced: the access units,
// Annex-B, back to back; the Opus packets as audio.opus-records (a 4-byte little-endian length,
// then the packet; length 0 for a lost packet). Prints one JSON line of totals on stdout, or a
// one-line reason on stderr. Exit status: 0 done, 1 the folder or the replay failed, 2 usage.
//
// Only the host-to-client datagrams of the video and audio ports are fed, at their capture
// times; the recorded control stream belongs to the recording client's ENet session, so the
// session runs media-only.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { joinBytes } from '../lib/bytes.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { launchKeysFrom } from '../session/launch.ts';
import type { AudioChannelCount, StreamConfig, VideoCodec } from '../session/stream-config.ts';
import { loadCore } from '../../wasm/core.ts';
import { createSession, type CoreSession, type SessionChannel, type SessionStats } from '../../wasm/session.ts';
import { defaultCoreWasmPath } from '../platform/node/node-platform.ts';
import { readPcapUdp } from './pcap-udp.ts';

export interface ReplayInput {
  channel: SessionChannel;
  timeUs: number;
  bytes: Uint8Array;
}

/** A recorded session, ready to replay. */
export interface CaptureFolder {
  config: StreamConfig;
  /** Host-to-client video and audio datagrams, in capture order. */
  inputs: ReplayInput[];
}

export interface ReplayTotals {
  videoFrames: number;
  keyFrames: number;
  videoBytes: number;
  audioPackets: number;
  audioConcealed: number;
  terminated: string | null;
  stats: SessionStats;
}

export const REPLAY_USAGE = 'usage: cli replay DIR [--dump-video FILE] [--dump-audio FILE]';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
// Replays must be repeatable: a fixed seed (media-only sessions draw nothing from it anyway).
const REPLAY_SEED = new Uint8Array(32);

export async function runReplay(argv: readonly string[]): Promise<number> {
  const args = parseReplayArgs(argv);
  if (!args.ok) {
    process.stderr.write(`replay: ${args.error}\n${REPLAY_USAGE}\n`);
    return EXIT_USAGE;
  }
  const folder = await readCaptureFolder(args.value.dir);
  if (!folder.ok) return fail(folder.error);
  const corePath = defaultCoreWasmPath();
  const wasm = await readFile(corePath).catch(() => null);
  if (wasm === null) return fail(`cannot read ${corePath} (npm run build makes it)`);
  const core = await loadCore(new Uint8Array(wasm));
  if (!core.ok) return fail(core.error.detail);
  // The Opus packets are the output: decoding them to PCM would only cost time.
  const session = createSession(core.value, folder.value.config, { seed: REPLAY_SEED, mediaOnly: true, decodeAudio: false });
  if (!session.ok) return fail(`the core refused the session's config: ${session.error.name}`);

  const video: Uint8Array[] = [];
  const audio: Uint8Array[] = [];
  const totals = replayInto(session.value, folder.value.inputs, video, audio);
  session.value.destroy();
  try {
    if (args.value.dumpVideo !== null) await writeFile(args.value.dumpVideo, joinBytes(video));
    if (args.value.dumpAudio !== null) await writeFile(args.value.dumpAudio, joinBytes(audio));
  } catch (e) {
    return fail(`cannot write the output: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (totals.terminated !== null) return fail(`the session ended early: ${totals.terminated}`);
  const { stats, ...rest } = totals;
  process.stdout.write(`${JSON.stringify({ ...rest, malformed: stats.malformed, framesDropped: stats.framesDropped, videoDecryptFailures: stats.videoDecryptFailures })}\n`);
  return EXIT_OK;
}

/**
 * Feeds the inputs at their times (running the session's timers in between, as the worker's
 * loop does) and collects copies of the access units and Opus records.
 */
export function replayInto(session: CoreSession, inputs: readonly ReplayInput[], video: Uint8Array[], audio: Uint8Array[]): ReplayTotals {
  const totals = { videoFrames: 0, keyFrames: 0, videoBytes: 0, audioPackets: 0, audioConcealed: 0, terminated: null as string | null };
  const drain = (): void => {
    while (session.pollTransmit() !== null) { /* a replay sends nothing */ }
    for (let event = session.pollEvent(); event !== null; event = session.pollEvent()) {
      switch (event.kind) {
        case 'video-frame':
          totals.videoFrames += 1;
          totals.keyFrames += event.keyFrame ? 1 : 0;
          totals.videoBytes += event.data.length;
          video.push(event.data.slice());
          break;
        case 'audio-pcm': {
          totals.audioPackets += 1;
          totals.audioConcealed += event.concealed ? 1 : 0;
          const packet = event.opus ?? new Uint8Array(0);
          const record = new Uint8Array(RECORD_LENGTH_BYTES + packet.length);
          new DataView(record.buffer).setUint32(0, packet.length, true);
          record.set(packet, RECORD_LENGTH_BYTES);
          audio.push(record);
          break;
        }
        case 'terminated':
          totals.terminated = event.reason;
          break;
        case 'connected':
        case 'rumble':
        case 'hdr-mode':
          break;
      }
    }
  };
  const runTimers = (untilUs: number): void => {
    for (let deadline = session.nextDeadlineUs(); deadline <= untilUs;) {
      session.handleTimeout(Math.max(deadline, inputs[0]?.timeUs ?? 0));
      drain();
      const next = session.nextDeadlineUs();
      if (next === deadline) throw new Error(`the core session did not move its deadline past ${deadline}`);
      deadline = next;
    }
  };
  for (const input of inputs) {
    if (totals.terminated !== null) break;
    runTimers(input.timeUs);
    const target = session.rxBuffer(input.channel);
    target.set(input.bytes.length <= target.length ? input.bytes : input.bytes.subarray(0, target.length));
    session.rxCommit(input.channel, input.bytes.length, input.timeUs);
    drain();
  }
  return { ...totals, stats: session.stats() };
}

/** Reads and checks a capture folder; the error is a one-line reason. */
export async function readCaptureFolder(dir: string): Promise<Result<CaptureFolder, string>> {
  const files: Record<string, Uint8Array> = {};
  for (const name of ['capture.pcap', 'keys.json', 'session.json']) {
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (bytes === null) return err(`${join(dir, name)} is missing or unreadable`);
    files[name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const keys = parseJson(files['keys.json'], 'keys.json');
  if (!keys.ok) return keys;
  const session = parseJson(files['session.json'], 'session.json');
  if (!session.ok) return session;
  const config = streamConfigOf(session.value, keys.value);
  if (!config.ok) return config;
  const datagrams = readPcapUdp(files['capture.pcap'] ?? new Uint8Array(0));
  if (!datagrams.ok) return err(`capture.pcap: ${datagrams.error}`);
  const { ports } = config.value;
  const inputs: ReplayInput[] = [];
  for (const d of datagrams.value) {
    const channel: SessionChannel | null = d.srcPort === ports.video ? 'video' : d.srcPort === ports.audio ? 'audio' : null;
    if (channel !== null) inputs.push({ channel, timeUs: d.timeUs, bytes: d.payload });
  }
  if (inputs.length === 0) return err(`capture.pcap holds no datagram from the host's video port ${ports.video} or audio port ${ports.audio}`);
  return ok({ config: config.value, inputs });
}

function parseReplayArgs(argv: readonly string[]): Result<{ dir: string; dumpVideo: string | null; dumpAudio: string | null }, string> {
  let dir: string | null = null;
  let dumpVideo: string | null = null;
  let dumpAudio: string | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--dump-video' || arg === '--dump-audio') {
      const value = argv[i + 1];
      if (value === undefined) return err(`${arg} needs a file`);
      i += 1;
      if (arg === '--dump-video') dumpVideo = value;
      else dumpAudio = value;
    } else if (arg.startsWith('--')) {
      return err(`unknown option ${arg}`);
    } else if (dir === null) {
      dir = arg;
    } else {
      return err(`unexpected argument ${arg}`);
    }
  }
  if (dir === null) return err('no capture folder given');
  return ok({ dir, dumpVideo, dumpAudio });
}

type Json = Record<string, unknown>;

function parseJson(bytes: Uint8Array | undefined, name: string): Result<Json, string> {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return err(`${name} is not a JSON object`);
    return ok(value as Json);
  } catch (e) {
    return err(`${name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The StreamConfig the recorded session negotiated, from its session.json and keys.json. */
function streamConfigOf(session: Json, keys: Json): Result<StreamConfig, string> {
  const fields = new JsonFields();
  const video = fields.object(session, 'session.json', 'video');
  const audio = fields.object(session, 'session.json', 'audio');
  const negotiation = fields.object(session, 'session.json', 'negotiation');
  const hostPorts = fields.object(fields.object(session, 'session.json', 'ports'), 'session.json ports', 'host');
  const codecName = fields.string(video, 'session.json video', 'codec');
  const codec = CODECS[codecName];
  const channels = fields.number(audio, 'session.json audio', 'channels');
  const durationMs = fields.number(audio, 'session.json audio', 'packet_duration_ms');
  const mapping = fields.numbers(audio, 'session.json audio', 'opus_mapping');
  const rikeyHex = fields.string(keys, 'keys.json', 'rikey_hex');
  const rikeyId = fields.number(keys, 'keys.json', 'rikeyid');
  const encryptionFlags = fields.number(keys, 'keys.json', 'encryption_enabled_flags');
  const pingPayload = fields.string(negotiation, 'session.json negotiation', 'ping_payload');
  const connectData = fields.number(negotiation, 'session.json negotiation', 'control_connect_data');
  const ports = {
    video: fields.number(hostPorts, 'session.json ports.host', 'video'),
    audio: fields.number(hostPorts, 'session.json ports.host', 'audio'),
    control: fields.number(hostPorts, 'session.json ports.host', 'control'),
  };
  const packetSizeBytes = fields.number(video, 'session.json video', 'packet_size_announced');
  if (fields.problem !== null) return err(fields.problem);
  if (codec === undefined) return err(`session.json video.codec "${codecName}" is not H.264, HEVC or AV1`);
  if (channels !== 2 && channels !== 6 && channels !== 8) return err(`session.json audio.channels ${channels} is not 2, 6 or 8`);
  if (durationMs !== 5 && durationMs !== 10) return err(`session.json audio.packet_duration_ms ${durationMs} is not 5 or 10`);
  if (!/^[0-9a-fA-F]{32}$/.test(rikeyHex)) return err('keys.json rikey_hex is not 32 hex digits');
  const rikey = Uint8Array.from(rikeyHex.match(/../g) ?? [], (byte) => parseInt(byte, 16));
  const flags = encryptionFlags;
  return ok({
    hostAddress: '127.0.0.1',
    ports,
    video: {
      codec,
      format: 0,
      width: optionalNumber(video, 'width', 1280),
      height: optionalNumber(video, 'height', 720),
      fps: optionalNumber(video, 'fps', 60),
      packetSizeBytes,
      announcedBitrateKbps: optionalNumber(video, 'bitrate_kbps_announced_max', 0),
      configuredBitrateKbps: optionalNumber(video, 'bitrate_kbps_configured', 0),
      minRequiredFecPackets: 2,
      referenceFrameInvalidation: false,
      tenBit: false,
      yuv444: false,
      encoderCscMode: 0,
      slicesPerFrame: 1,
    },
    audio: {
      channels: channels as AudioChannelCount,
      channelMask: channels === 2 ? 0x3 : channels === 6 ? 0x3f : 0x63f,
      streams: optionalNumber(audio, 'opus_streams', 1),
      coupledStreams: optionalNumber(audio, 'opus_coupled_streams', 1),
      mapping,
      packetDurationMs: durationMs,
      highQuality: audio['high_quality'] === true,
    },
    encryption: { rtsp: true, enabledFlags: flags, control: (flags & 1) !== 0, video: (flags & 2) !== 0, audio: (flags & 4) !== 0 },
    pingPayload,
    control: { connectData, channelCount: optionalNumber(negotiation, 'enet_channels', 48), protocol: 13 },
    hostFeatureFlags: 0,
    clientFeatureFlags: 3,
    nvFeatureFlags: 0,
    rtspSessionId: '',
    keys: launchKeysFrom(rikey, rikeyId),
  });
}

/** Reads required fields, remembering the first one that is missing or of the wrong type. */
class JsonFields {
  problem: string | null = null;

  object(from: Json, where: string, name: string): Json {
    const value = from[name];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    return this.missing(where, name, 'an object', {});
  }

  string(from: Json, where: string, name: string): string {
    const value = from[name];
    return typeof value === 'string' ? value : this.missing(where, name, 'a string', '');
  }

  number(from: Json, where: string, name: string): number {
    const value = from[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : this.missing(where, name, 'a number', 0);
  }

  numbers(from: Json, where: string, name: string): number[] {
    const value = from[name];
    if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return value as number[];
    return this.missing(where, name, 'a list of numbers', []);
  }

  private missing<T>(where: string, name: string, what: string, fallback: T): T {
    this.problem ??= `${where} has no ${name} (${what})`;
    return fallback;
  }
}

function optionalNumber(from: Json, name: string, fallback: number): number {
  const value = from[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}


function fail(reason: string): number {
  process.stderr.write(`replay: ${reason}\n`);
  return EXIT_FAILED;
}

const RECORD_LENGTH_BYTES = 4;
const CODECS: Readonly<Record<string, VideoCodec>> = { 'H.264': 'h264', HEVC: 'hevc', 'H.265': 'hevc', AV1: 'av1' };
