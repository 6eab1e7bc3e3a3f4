// The browser's video sink: WebCodecs VideoDecoder, each decoded picture drawn on a canvas as
// soon as it comes out (the browser composites it at its next refresh; no queue of our own).
//
// - Annex-B in, no `description`: WebCodecs then reads parameter sets in band, which the
//   host sends before every IDR (data-plane.md 2.7).
// - `configure` asks `isConfigSupported` first, so a codec the browser cannot decode (H.265
//   in Debian's Chromium) is a clear `unsupported`, not a decoder error later.
// - Units before the first key frame are dropped and a key frame is requested, once per wait.
// - A decoder error, or a decode queue past `kMaxQueuedUnits` once the decoder has started
//   putting out pictures (it cannot keep up), resets the decoder and waits for a key frame:
//   for a game stream, catching up beats showing every late picture.
// - EncodedVideoChunk copies its data, so the caller's borrowed bytes are free on return.

import { err, ok } from '../../lib/result.ts';
import type { KeyFrameRequest, VideoSink, VideoSinkStats, VideoStreamFormat } from '../../media/media-sink.ts';

export interface WebCodecsVideoSinkOptions {
  canvas: HTMLCanvasElement | OffscreenCanvas;
  requestKeyFrame: KeyFrameRequest;
}

export interface WebCodecsVideoSink extends VideoSink {
  /** The codec string given to the decoder, once configured. */
  codecString(): string | null;
}

export function createWebCodecsVideoSink(options: WebCodecsVideoSinkOptions): WebCodecsVideoSink {
  const { canvas, requestKeyFrame } = options;
  const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  let decoder: VideoDecoder | null = null;
  let config: VideoDecoderConfig | null = null;
  let waitingForKeyFrame = true;
  let askedThisWait = false;
  let outputsSinceStart = 0;
  let closed = false;
  const counters: VideoSinkStats = { submittedFrames: 0, droppedFrames: 0, decodedFrames: 0, keyFrameRequests: 0 };

  function draw(frame: VideoFrame): void {
    counters.decodedFrames++;
    outputsSinceStart++;
    if (context !== null) context.drawImage(frame, 0, 0, canvas.width, canvas.height);
    frame.close();
  }

  function startDecoder(): void {
    if (config === null) return;
    const d = new VideoDecoder({
      output: draw,
      error: (e) => {
        console.warn(`video decoder error: ${e.message}`);
        if (decoder === d) restart();
      },
    });
    d.configure(config);
    decoder = d;
    outputsSinceStart = 0;
  }

  /** A fresh decoder that waits for a key frame. */
  function restart(): void {
    if (decoder !== null && decoder.state !== 'closed') decoder.close();
    decoder = null;
    waitForKeyFrame();
    if (!closed) startDecoder();
  }

  function waitForKeyFrame(): void {
    waitingForKeyFrame = true;
    askedThisWait = false;
  }

  function drop(): void {
    counters.droppedFrames++;
    if (!waitingForKeyFrame || askedThisWait) return;
    askedThisWait = true;
    counters.keyFrameRequests++;
    requestKeyFrame();
  }

  return {
    async configure(format) {
      if (closed) return err({ kind: 'not-ready', detail: 'the sink is closed' });
      if (typeof VideoDecoder === 'undefined') return err({ kind: 'unsupported', detail: 'this browser has no WebCodecs' });
      const next: VideoDecoderConfig = { codec: codecString(format), codedWidth: format.width, codedHeight: format.height, optimizeForLatency: true };
      let supported = false;
      try {
        supported = (await VideoDecoder.isConfigSupported(next)).supported === true;
      } catch (e) {
        return err({ kind: 'unsupported', detail: `${next.codec}: ${String(e)}` });
      }
      if (!supported) return err({ kind: 'unsupported', detail: `this browser cannot decode ${format.codec} (${next.codec})` });
      config = next;
      canvas.width = format.width;
      canvas.height = format.height;
      restart();
      return ok(undefined);
    },
    pushAccessUnit(data, info) {
      if (closed || decoder === null || decoder.state !== 'configured') {
        counters.droppedFrames++;
        return;
      }
      if (waitingForKeyFrame && !info.keyFrame) {
        drop();
        return;
      }
      // A decoder still starting up (its first picture not out yet) queues legitimately.
      if (outputsSinceStart > 0 && decoder.decodeQueueSize > kMaxQueuedUnits) {
        restart();
        drop();
        return;
      }
      waitingForKeyFrame = false;
      decoder.decode(new EncodedVideoChunk({ type: info.keyFrame ? 'key' : 'delta', timestamp: info.ptsUs, data }));
      counters.submittedFrames++;
    },
    stats: () => ({ ...counters }),
    codecString: () => config?.codec ?? null,
    close() {
      if (closed) return;
      closed = true;
      if (decoder !== null && decoder.state !== 'closed') decoder.close();
      decoder = null;
    },
  };
}

/** WebCodecs codec strings: H.264 High and HEVC Main/Main10 at the level the stream needs. */
export function codecString(format: VideoStreamFormat & { hdr?: boolean }): string {
  if (format.codec === 'h264') {
    const mbPerS = Math.ceil(format.width / 16) * Math.ceil(format.height / 16) * format.fps;
    const level = kH264Levels.find((l) => mbPerS <= l.maxMbPerS) ?? kH264Levels[kH264Levels.length - 1];
    return `avc1.6400${level?.hex ?? '34'}`;
  }
  const lumaPerS = format.width * format.height * format.fps;
  return `hev1.${format.hdr === true ? '2.4' : '1.6'}.${lumaPerS <= kHevcLevel51LumaPerS ? 'L153' : 'L156'}.B0`;
}

/** Eight units behind is 133 ms of lag at 60 fps: time to start over. */
const kMaxQueuedUnits = 8;
/** H.264 Table A-1 MaxMBPS. */
const kH264Levels = [
  { maxMbPerS: 245_760, hex: '28' }, // 4.0
  { maxMbPerS: 522_240, hex: '2A' }, // 4.2
  { maxMbPerS: 983_040, hex: '33' }, // 5.1
  { maxMbPerS: 2_073_600, hex: '34' }, // 5.2
];
/** HEVC Table A.8 MaxLumaSr for level 5.1. */
const kHevcLevel51LumaPerS = 534_773_760;
