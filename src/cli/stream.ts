// The CLI's `stream` command: starts a stream of one app on a paired host, runs it in this
// process for a while, writes what arrived (Annex-B access units, s16le PCM) to files, and
// prints one JSON line of statistics at the end:
//   stream HOST APP [--codec h265|h264] [--width W --height H --fps F] [--bitrate KBPS]
//          [--audio stereo|5.1|7.1] [--seconds N] [--dump-video FILE] [--dump-audio FILE]
//          [--quit] --state DIR
// APP is an app id or its title. Without --seconds the stream runs until the host ends it or
// Ctrl-C. The app keeps running on the host unless --quit.

import { closeSync, openSync, writeSync } from 'node:fs';
import { errorText, streamEndText } from '../app/error-text.ts';
import type { AppView, HostView, ServiceError, Services, StreamEnd, StreamStats } from '../app/services.ts';
import { err, ok, type Result } from '../lib/result.ts';
import type { AudioSink, VideoSink } from '../media/media-sink.ts';
import { DEFAULT_STREAM_SETTINGS, VideoFormat, type AudioChannelCount, type StreamSettings } from '../session/stream-config.ts';

export interface StreamCommand {
  kind: 'stream';
  host: string;
  /** An app id, or a title. */
  app: string;
  settings: StreamSettings;
  seconds: number | null;
  dumpVideo: string | null;
  dumpAudio: string | null;
  /** Quit the app on the host when the stream is over. */
  quit: boolean;
  stateDir: string;
}

/** What the command prints: the stream's statistics and how it ended. */
export interface StreamReport extends StreamStats {
  codec: string;
  width: number;
  height: number;
  fps: number;
  audioChannels: number;
  end: StreamEnd['kind'];
}

export const STREAM_USAGE = [
  '  stream HOST APP          stream an app (id or title); prints one JSON line of statistics at the end',
  '    [--codec h265|h264] [--width W --height H --fps F] [--bitrate KBPS] [--audio stereo|5.1|7.1]',
  '    [--seconds N] [--dump-video FILE] [--dump-audio FILE] [--quit]',
].join('\n');

/** The arguments after `stream`. */
export function parseStreamCommand(argv: readonly string[], defaultStateDir: string): Result<StreamCommand, string> {
  const positional: string[] = [];
  const values = new Map<string, string>();
  let quit = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--quit') {
      quit = true;
    } else if (VALUE_OPTIONS.includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined) return err(`${arg} needs a value`);
      values.set(arg, value);
      i += 1;
    } else if (arg.startsWith('--')) {
      return err(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [host, app, ...extra] = positional;
  if (host === undefined) return err('stream needs a HOST');
  if (app === undefined) return err('stream needs an APP (id or title)');
  if (extra.length > 0) return err(`unexpected argument ${extra[0] ?? ''}`);

  const settings: StreamSettings = { ...DEFAULT_STREAM_SETTINGS };
  const codec = values.get('--codec');
  if (codec !== undefined) {
    if (codec !== 'h264' && codec !== 'h265') return err('--codec takes h265 or h264');
    settings.videoFormats = codec === 'h264' ? VideoFormat.H264 : VideoFormat.H265;
  }
  for (const [option, field, max] of NUMBER_OPTIONS) {
    const text = values.get(option);
    if (text === undefined) continue;
    const n = positiveInteger(text, max);
    if (n === null) return err(`${option} takes a whole number from 1 to ${max}`);
    settings[field] = n;
  }
  const audio = values.get('--audio');
  if (audio !== undefined) {
    const channels = AUDIO_LAYOUTS[audio];
    if (channels === undefined) return err('--audio takes stereo, 5.1 or 7.1');
    settings.audioChannels = channels;
  }
  let seconds: number | null = null;
  const secondsText = values.get('--seconds');
  if (secondsText !== undefined) {
    seconds = positiveInteger(secondsText, MAX_SECONDS);
    if (seconds === null) return err(`--seconds takes a whole number from 1 to ${MAX_SECONDS}`);
  }
  return ok({
    kind: 'stream',
    host,
    app,
    settings,
    seconds,
    dumpVideo: values.get('--dump-video') ?? null,
    dumpAudio: values.get('--dump-audio') ?? null,
    quit,
    stateDir: values.get('--state') ?? defaultStateDir,
  });
}

/** What the command needs from its process: output, and Ctrl-C. */
export interface StreamIo {
  print(line: string): void;
  printError(line: string): void;
  /** Calls `fn` once on Ctrl-C; returns a function that stops listening. */
  onInterrupt(fn: () => void): () => void;
}

/** Runs the command; answers the exit status (0: ran and ended normally, 1: failed). */
export async function runStreamCommand(command: StreamCommand, services: Services, host: HostView, io: StreamIo): Promise<number> {
  const fail = (error: ServiceError): number => {
    io.printError(errorLine(error, host.name));
    return EXIT_FAILED;
  };
  const apps = await services.apps(host.id);
  if (!apps.ok) return fail(apps.error);
  const app = findApp(apps.value, command.app);
  if (app === null) return fail({ kind: 'host-error', code: 404, message: `no app “${command.app}” among ${apps.value.map((a) => a.title).join(', ')}` });

  const sinks = createFileSinks(command.dumpVideo, command.dumpAudio);
  if (!sinks.ok) return fail({ kind: 'storage', detail: sinks.error });
  try {
    const started = await services.startStream(host.id, app.id, command.settings, { kind: 'sinks', video: sinks.value.video, audio: sinks.value.audio });
    if (!started.ok) {
      const error = started.error;
      const running = error.kind === 'app-running' ? apps.value.find((a) => a.id === error.runningAppId) : undefined;
      io.printError(errorLine(error, host.name, running?.title));
      return EXIT_FAILED;
    }
    const handle = started.value;
    let latest: StreamStats | null = null;
    handle.subscribe((event) => {
      if (event.kind === 'stats') latest = event.stats;
    });
    const stopListening = io.onInterrupt(() => handle.stop());
    const timer = command.seconds === null ? null : setTimeout(() => handle.stop(), command.seconds * 1000);
    const end = await handle.ended;
    if (timer !== null) clearTimeout(timer);
    stopListening();
    // The final statistics come right before `ended`.
    await Promise.resolve();
    const stats: StreamStats = latest ?? EMPTY_STATS;
    const { info } = handle;
    const report: StreamReport = { ...stats, codec: info.codec, width: info.width, height: info.height, fps: info.fps, audioChannels: info.audioChannels, end: end.kind };
    io.print(JSON.stringify(report));
    if (command.quit) {
      const quit = await services.quitApp(host.id);
      if (!quit.ok) return fail(quit.error);
    }
    const reason = streamEndText(end, { hostName: host.name });
    if (reason !== null && !isNormalEnd(end)) {
      io.printError(reason);
      return EXIT_FAILED;
    }
    return EXIT_OK;
  } finally {
    sinks.value.close();
  }
}

/** An id matches first; then a title, ignoring case. */
export function findApp(apps: readonly AppView[], wanted: string): AppView | null {
  if (/^\d+$/.test(wanted)) {
    const byId = apps.find((a) => a.id === Number(wanted));
    if (byId !== undefined) return byId;
  }
  const lower = wanted.toLowerCase();
  return apps.find((a) => a.title.toLowerCase() === lower) ?? null;
}

/** The app on the host was closed: the stream did what it should. */
function isNormalEnd(end: StreamEnd): boolean {
  return end.kind === 'stopped' || (end.kind === 'host-terminated' && end.graceful);
}

function errorLine(error: ServiceError, hostName: string, runningAppTitle?: string): string {
  return errorText(error, runningAppTitle === undefined ? { hostName } : { hostName, runningAppTitle });
}

interface FileSinks {
  video: VideoSink;
  audio: AudioSink;
  close(): void;
}

/** Sinks that append each access unit (Annex-B, as sent) and each PCM block (s16le) to a file. */
function createFileSinks(videoPath: string | null, audioPath: string | null): Result<FileSinks, string> {
  let videoFd: number | null = null;
  let audioFd: number | null = null;
  try {
    videoFd = videoPath === null ? null : openSync(videoPath, 'w');
    audioFd = audioPath === null ? null : openSync(audioPath, 'w');
  } catch (e) {
    if (videoFd !== null) closeSync(videoFd);
    return err(`cannot write ${videoPath ?? audioPath ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const video = { submitted: 0, dropped: 0 };
  let receivedFrames = 0;
  const write = (fd: number | null, bytes: Uint8Array): void => {
    if (fd !== null) writeSync(fd, bytes);
  };
  return ok({
    video: {
      configure: async () => ok(undefined),
      pushAccessUnit(data) {
        video.submitted += 1;
        write(videoFd, data);
      },
      stats: () => ({ submittedFrames: video.submitted, droppedFrames: video.dropped, decodedFrames: 0, keyFrameRequests: 0 }),
      close: () => undefined,
    },
    audio: {
      configure: async () => ok(undefined),
      pushPcm(samples, info) {
        receivedFrames += info.samplesPerChannel;
        // Int16Array memory is little-endian on every platform Node runs on, as s16le wants.
        write(audioFd, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
      },
      delayMs: () => 0,
      stats: () => ({ receivedFrames, underruns: 0, silenceFrames: 0, droppedFrames: 0, targetDelayMs: 0 }),
      close: () => undefined,
    },
    close() {
      if (videoFd !== null) closeSync(videoFd);
      if (audioFd !== null) closeSync(audioFd);
      videoFd = null;
      audioFd = null;
    },
  });
}

function positiveInteger(text: string, max: number): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= max ? n : null;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const VALUE_OPTIONS = ['--codec', '--width', '--height', '--fps', '--bitrate', '--audio', '--seconds', '--dump-video', '--dump-audio', '--state'];
// Bounds a person might type; the host refuses what it cannot encode.
const NUMBER_OPTIONS: ReadonlyArray<[string, 'width' | 'height' | 'fps' | 'bitrateKbps', number]> = [
  ['--width', 'width', 7680],
  ['--height', 'height', 4320],
  ['--fps', 'fps', 240],
  ['--bitrate', 'bitrateKbps', 500_000],
];
const AUDIO_LAYOUTS: Readonly<Record<string, AudioChannelCount>> = { stereo: 2, '5.1': 6, '7.1': 8 };
const MAX_SECONDS = 86_400;
const EMPTY_STATS: StreamStats = { framesComplete: 0, framesRecoveredByFec: 0, framesDropped: 0, idrRequests: 0, rfiRequests: 0, audioBlocks: 0, audioConcealed: 0, packets: 0, bytes: 0, firstFrameMs: null, audioDelayMs: null };
