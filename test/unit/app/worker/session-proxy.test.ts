// The page's side of a session worker against a scripted worker: what it readies before the
// worker starts, which media target it asks for, where the worker's PCM goes, which track
// reports reach the worker, and whose audio delay the stats carry. Messages cross as
// structured clones with their buffers transferred, as between a page and a worker.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamEvent, StreamMedia, StreamStats } from '../../../../src/app/services.ts';
import type { InitMessage } from '../../../../src/app/worker/protocol.ts';
import { createSessionWorkerOpener } from '../../../../src/app/worker/session-proxy.ts';
import type { WorkerLike } from '../../../../src/app/worker/services-proxy.ts';
import { err, ok } from '../../../../src/lib/result.ts';
import type { AudioSink, AudioStreamFormat, PcmBlockInfo, VideoSink } from '../../../../src/media/media-sink.ts';
import type { EmssTrackEvent } from '../../../../src/platform/tizen/emss-track-events.ts';
import { parseToSessionWorker, sessionTransfer, type FromSessionWorker, type ToSessionWorker } from '../../../../src/session/session-protocol.ts';
import { PREPARED } from '../../session/prepared-stream.fixture.ts';

const TV_INIT: InitMessage = { kind: 'init', platform: 'tizen', coreWasmUrl: 'file:///core.wasm' };
const STATS: StreamStats = { framesComplete: 60, framesRecoveredByFec: 0, framesDropped: 0, idrRequests: 1, rfiRequests: 0, audioBlocks: 200, audioConcealed: 0, packets: 900, bytes: 800_000, firstFrameMs: 90, audioDelayMs: null };
const VIDEO_OPEN: EmssTrackEvent = { kind: 'track-open', track: 'video', trackId: 1, sessionId: 4 };

interface ScriptedWorker {
  worker: WorkerLike;
  /** What the page posted, parsed as the worker would. */
  received(): ToSessionWorker[];
  /** Posts `message` to the page as the worker would: cloned, its buffer transferred. */
  post(message: FromSessionWorker): void;
  terminated(): boolean;
}

function scriptedWorker(): ScriptedWorker {
  const listeners: Array<(event: { data: unknown }) => void> = [];
  const received: ToSessionWorker[] = [];
  let terminated = false;
  return {
    worker: {
      postMessage(message) {
        const parsed = parseToSessionWorker(structuredClone(message));
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
        received.push(parsed.value);
      },
      addEventListener: (_type, listener) => void listeners.push(listener),
      terminate: () => void (terminated = true),
    },
    received: () => received,
    post(message) {
      const data: unknown = structuredClone(message, { transfer: sessionTransfer(message) });
      for (const listener of listeners) listener({ data });
    },
    terminated: () => terminated,
  };
}

/** A page audio sink that records what it was told (the AudioWorklet needs a browser). */
function recordingAudioSink(options: { delayMs?: number; refuse?: boolean } = {}) {
  const seen = { formats: [] as AudioStreamFormat[], blocks: [] as Array<{ samples: Int16Array; info: PcmBlockInfo }>, order: [] as string[] };
  const sink: AudioSink = {
    configure: async (format) => {
      seen.formats.push(format);
      seen.order.push('audio-configured');
      return options.refuse === true ? err({ kind: 'unsupported', detail: 'no AudioWorklet here' }) : ok(undefined);
    },
    pushPcm: (samples, info) => void seen.blocks.push({ samples, info }),
    delayMs: () => options.delayMs ?? 0,
    stats: () => ({ receivedFrames: 0, underruns: 0, silenceFrames: 0, droppedFrames: 0, targetDelayMs: 0 }),
    close: () => undefined,
  };
  return { sink, seen };
}

/** EMSS as the page's owner presents it: tracks that opened while `open` ran are replayed. */
function emssParts(order: string[]) {
  const listeners = new Set<(event: EmssTrackEvent) => void>();
  const reported: EmssTrackEvent[] = [];
  return {
    open: async () => {
      order.push('emss-opened');
      reported.push(VIDEO_OPEN);
      return ok(undefined);
    },
    subscribeTrackEvents(listener: (event: EmssTrackEvent) => void) {
      listeners.add(listener);
      reported.forEach(listener);
      return () => void listeners.delete(listener);
    },
    report: (event: EmssTrackEvent) => listeners.forEach((listener) => listener(event)),
  };
}

const nullVideoSink: VideoSink = {
  configure: async () => ok(undefined),
  pushAccessUnit: () => undefined,
  stats: () => ({ submittedFrames: 0, droppedFrames: 0, decodedFrames: 0, keyFrameRequests: 0 }),
  close: () => undefined,
};

async function turns(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise(setImmediate);
}

test('a TV with Web Audio: sound is readied, EMSS built, the worker told to post PCM, and each block plays on the page', async () => {
  const scripted = scriptedWorker();
  const { sink, seen } = recordingAudioSink();
  const emss = emssParts(seen.order);
  const media: StreamMedia = { kind: 'emss-video', open: emss.open, subscribeTrackEvents: emss.subscribeTrackEvents, audio: sink };
  const pending = createSessionWorkerOpener({ createWorker: () => scripted.worker, platform: TV_INIT })(PREPARED, media);
  await turns();
  assert.deepEqual(seen.order, ['audio-configured', 'emss-opened']);
  assert.deepEqual(seen.formats, [{ channels: 6, sampleRateHz: 48_000 }]);
  // The track that opened while the source was built reaches the worker, then the start.
  assert.deepEqual(scripted.received().map((m) => m.kind), ['emss-track', 'start']);
  const start = scripted.received()[1];
  assert.deepEqual(start?.kind === 'start' ? start.media : null, { kind: 'emss-video' });

  scripted.post({ kind: 'started' });
  const handle = await pending;
  assert.ok(handle.ok);
  const samples = Int16Array.from({ length: 6 * 240 }, (_, i) => i);
  scripted.post({ kind: 'audio', block: { samples: samples.slice(), channels: 6, samplesPerChannel: 240, concealed: true } });
  assert.equal(seen.blocks.length, 1);
  assert.deepEqual(seen.blocks[0]?.samples, samples);
  assert.deepEqual(seen.blocks[0]?.info, { samplesPerChannel: 240, concealed: true });

  // A suspend reported by the page's owner reaches the worker, so it stops appending video.
  emss.report({ kind: 'track-closed', track: 'video', reason: 'sourcesuspended' });
  assert.deepEqual(scripted.received().at(-1), { kind: 'emss-track', event: { kind: 'track-closed', track: 'video', reason: 'sourcesuspended' } });

  scripted.post({ kind: 'event', event: { kind: 'ended', end: { kind: 'stopped' } } });
  await turns();
  assert.equal(scripted.terminated(), true);
  const before = scripted.received().length;
  emss.report(VIDEO_OPEN);
  assert.equal(scripted.received().length, before);
});

test('the stats carry the audio delay of whichever sink plays the sound', async () => {
  const cases: Array<{ name: string; media: (sink: AudioSink) => StreamMedia; fromWorker: number | null; expected: number | null }> = [
    { name: 'browser sinks', media: (audio) => ({ kind: 'sinks', video: nullVideoSink, audio }), fromWorker: null, expected: 31.5 },
    { name: 'TV with Web Audio', media: (audio) => ({ kind: 'emss-video', ...emssParts([]), audio }), fromWorker: null, expected: 31.5 },
    // The PCM track's sink lives in the worker, which measured it.
    { name: 'TV with the PCM track', media: () => ({ kind: 'emss', ...emssParts([]) }), fromWorker: 7.5, expected: 7.5 },
  ];
  for (const c of cases) {
    const scripted = scriptedWorker();
    const { sink } = recordingAudioSink({ delayMs: 31.5 });
    const pending = createSessionWorkerOpener({ createWorker: () => scripted.worker, platform: TV_INIT })(PREPARED, c.media(sink));
    await turns();
    scripted.post({ kind: 'started' });
    const handle = await pending;
    assert.ok(handle.ok, c.name);
    const events: StreamEvent[] = [];
    handle.value.subscribe((event) => events.push(event));
    scripted.post({ kind: 'event', event: { kind: 'stats', stats: { ...STATS, audioDelayMs: c.fromWorker } } });
    const stats = events.find((e) => e.kind === 'stats');
    assert.equal(stats?.kind === 'stats' ? stats.stats.audioDelayMs : 'none', c.expected, c.name);
  }
});

test('a page that cannot play sound fails the start as a media problem, before EMSS is built or a worker started', async () => {
  let workers = 0;
  const { sink, seen } = recordingAudioSink({ refuse: true });
  const media: StreamMedia = { kind: 'emss-video', ...emssParts(seen.order), audio: sink };
  const result = await createSessionWorkerOpener({ createWorker: () => (workers++, scriptedWorker().worker), platform: TV_INIT })(PREPARED, media);
  assert.deepEqual(result, { ok: false, error: { kind: 'media', detail: 'audio: no AudioWorklet here' } });
  assert.deepEqual(seen.order, ['audio-configured']);
  assert.equal(workers, 0);
});
