// The WebCodecs video sink in Debian's Chromium, fed the real H.264 access units of a Sunshine
// session (shared/captures, whose picture cycles through solid colours every 0.25 s): frames
// come out and the canvas changes colour. H.265 is decoded where the browser can, and is
// otherwise a clear 'unsupported'.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { splitAccessUnits } from './media-annexb.ts';
import { chromiumMissing, openMediaBrowser, type MediaBrowser } from './media-browser.ts';

const CAPTURES = fileURLToPath(new URL('../../../shared/captures/sunshine-0.23.1/', import.meta.url));
const H264 = `${CAPTURES}dev-h264-720p60/video.annexb`;
const H265 = `${CAPTURES}dev-h265-720p60/video.annexb`;
const skip = chromiumMissing() || (!existsSync(H264) && `${H264} is missing`);

// Runs in the page: feeds the units and records the canvas's mean colour every 0.25 s of video.
const HARNESS = `
import { createWebCodecsVideoSink } from '/src/platform/browser/webcodecs-video-sink.ts';

const meanColour = (canvas) => {
  const g = canvas.getContext('2d', { willReadFrequently: true });
  const { data } = g.getImageData(0, 0, canvas.width, canvas.height);
  const sum = [0, 0, 0];
  const step = 4 * 97;
  let n = 0;
  for (let i = 0; i < data.length; i += step) { sum[0] += data[i]; sum[1] += data[i + 1]; sum[2] += data[i + 2]; n++; }
  return sum.map((v) => Math.round(v / n));
};

const decodedAtLeast = (sink, count, timeoutMs) => new Promise((resolve) => {
  const started = performance.now();
  const check = () => {
    if (sink.stats().decodedFrames >= count || performance.now() - started > timeoutMs) resolve(sink.stats().decodedFrames);
    else setTimeout(check, 5);
  };
  check();
});

export async function run(codec, maxUnits) {
  const bytes = new Uint8Array(await (await fetch('/' + codec + '.annexb')).arrayBuffer());
  const spans = await (await fetch('/' + codec + '.json')).json();
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  let requests = 0;
  const sink = createWebCodecsVideoSink({ canvas, requestKeyFrame: () => requests++ });
  const configured = await sink.configure({ codec, width: 1280, height: 720, fps: 60 });
  if (!configured.ok) return { configured };
  const push = (i) => {
    const s = spans[i];
    sink.pushAccessUnit(bytes.subarray(s.offset, s.offset + s.length), { keyFrame: s.keyFrame, frameIndex: i + 1, ptsUs: Math.round(i * 1e6 / 60) });
  };
  // Units before the key frame: as if the stream had been joined late.
  for (let i = 1; i <= 5; i++) push(i);
  const beforeKey = { ...sink.stats(), requests };
  const colours = [];
  const count = Math.min(spans.length, maxUnits);
  // Each unit is pushed once the previous one came out (the host's encoder makes no B-frames,
  // so every unit yields a picture at once); every 15 units (0.25 s, one colour of the test
  // picture) the canvas's colour is read.
  for (let i = 0; i < count; i++) {
    push(i);
    await decodedAtLeast(sink, i + 1, 5000);
    if ((i + 1) % 15 === 0 || i + 1 === count) colours.push(meanColour(canvas));
  }
  const stats = sink.stats();
  sink.close();
  return { configured, codecString: sink.codecString(), beforeKey, stats, colours, units: count };
}
`;

async function open(): Promise<MediaBrowser> {
  const files: Record<string, { type: string; body: string | Uint8Array }> = { '/harness.js': { type: 'text/javascript', body: HARNESS } };
  for (const [codec, path] of [['h264', H264], ['h265', H265]] as const) {
    if (!existsSync(path)) continue;
    const stream = readFileSync(path);
    files[`/${codec}.annexb`] = { type: 'application/octet-stream', body: stream };
    files[`/${codec}.json`] = { type: 'application/json', body: JSON.stringify(splitAccessUnits(stream, codec)) };
  }
  return openMediaBrowser(files);
}

interface RunResult {
  configured: { ok: boolean; error?: { kind: string; detail: string } };
  codecString?: string;
  beforeKey?: { droppedFrames: number; submittedFrames: number; requests: number };
  stats?: { submittedFrames: number; decodedFrames: number; droppedFrames: number; keyFrameRequests: number };
  colours?: number[][];
  units?: number;
}

function runInPage(browser: MediaBrowser, codec: 'h264' | 'h265', maxUnits: number): Promise<RunResult> {
  return browser.page.evaluate(`import('/harness.js').then((m) => m.run(${JSON.stringify(codec)}, ${maxUnits}))`);
}

test('H.264 from a real Sunshine session is decoded to the canvas, whose colour changes as the picture cycles', { skip }, async () => {
  const browser = await open();
  try {
    const r = await runInPage(browser, 'h264', 396);
    assert.equal(r.configured.ok, true, JSON.stringify(r.configured));
    assert.equal(r.codecString, 'avc1.640028');
    assert.deepEqual(r.beforeKey, { submittedFrames: 0, droppedFrames: 5, decodedFrames: 0, keyFrameRequests: 1, requests: 1 });
    assert.equal(r.stats?.submittedFrames, 396);
    assert.equal(r.stats?.decodedFrames, 396, 'every submitted unit came out as a picture');
    const distinct = new Set((r.colours ?? []).map((c) => c.map((v) => Math.round(v / 32)).join(',')));
    assert.ok(distinct.size >= 4, `the canvas showed only ${distinct.size} colours: ${JSON.stringify(r.colours)}`);
    assert.deepEqual(browser.problems, []);
  } finally {
    await browser.close();
  }
});

test('H.265 is decoded where the browser can, and is otherwise refused as unsupported at configure', { skip: skip || (!existsSync(H265) && 'no H.265 capture') }, async () => {
  const browser = await open();
  try {
    const r = await runInPage(browser, 'h265', 60);
    if (r.configured.ok) {
      assert.ok((r.stats?.decodedFrames ?? 0) >= 45, `only ${r.stats?.decodedFrames} H.265 pictures`);
    } else {
      assert.equal(r.configured.error?.kind, 'unsupported');
      assert.match(r.configured.error?.detail ?? '', /h265 \(hev1\.1\.6\.L153\.B0\)/);
    }
    assert.deepEqual(browser.problems, []);
  } finally {
    await browser.close();
  }
});
