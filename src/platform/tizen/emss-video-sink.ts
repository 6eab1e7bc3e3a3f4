// The TV's video sink, in the session worker: access units go to the EMSS video track through
// the appender (emss-appender.ts).
//
// Rules it keeps (platform/tizen.md 1.10, 1.11):
// - nothing is appended until the track is open, and the first unit of every track session
//   (first open, reopen after suspend, seek or error) is a key frame: units before it are
//   dropped and a key frame is requested once per wait, and again every
//   `kKeyFrameRetryFrames` dropped units in case the request was lost;
// - pts strictly increase across the whole stream (a non-increasing caller pts is nudged up
//   by 1 µs); dts = pts, since the host sends no B-frames; duration = one frame;
// - every packet carries the stream's size and frame rate;
// - a refused append means the decoder lost its reference: drop until the next key frame.

import { err, ok } from '../../lib/result.ts';
import type { KeyFrameRequest, VideoSink, VideoSinkStats, VideoStreamFormat } from '../../media/media-sink.ts';
import type { EmssAppender } from './emss-appender.ts';
import { frameRate } from './emss-codecs.ts';
import type { EmssPacket } from './emss-types.ts';

export interface EmssVideoSinkOptions {
  appender: EmssAppender;
  requestKeyFrame: KeyFrameRequest;
}

export function createEmssVideoSink(options: EmssVideoSinkOptions): VideoSink {
  const { appender, requestKeyFrame } = options;
  let format: VideoStreamFormat | null = null;
  let closed = false;
  let waitingForKeyFrame = true;
  let droppedWhileWaiting = 0;
  let seenGeneration = 0;
  let lastPtsUs = -Infinity;
  const counters: VideoSinkStats = { submittedFrames: 0, droppedFrames: 0, decodedFrames: 0, keyFrameRequests: 0 };

  function askForKeyFrame(): void {
    counters.keyFrameRequests++;
    requestKeyFrame();
  }

  function drop(): void {
    counters.droppedFrames++;
    if (!waitingForKeyFrame) return;
    droppedWhileWaiting++;
    if (droppedWhileWaiting === 1 || droppedWhileWaiting % kKeyFrameRetryFrames === 0) askForKeyFrame();
  }

  return {
    configure(next) {
      if (closed) return Promise.resolve(err({ kind: 'not-ready', detail: 'the sink is closed' }));
      if (!(next.width > 0 && next.height > 0 && next.fps > 0)) {
        return Promise.resolve(err({ kind: 'unsupported', detail: `bad format ${next.width}x${next.height}@${next.fps}` }));
      }
      format = next;
      waitingForKeyFrame = true;
      droppedWhileWaiting = 0;
      return Promise.resolve(ok(undefined));
    },
    pushAccessUnit(data, info) {
      if (closed || format === null) {
        counters.droppedFrames++;
        return;
      }
      const track = appender.state('video');
      if (track.generation !== seenGeneration) {
        // A new track session: the decoder starts from nothing (tizen.md 1.9, trackopen).
        seenGeneration = track.generation;
        waitingForKeyFrame = true;
        droppedWhileWaiting = 0;
      }
      if (!track.open || (waitingForKeyFrame && !info.keyFrame)) {
        drop();
        return;
      }
      const ptsUs = info.ptsUs > lastPtsUs ? info.ptsUs : lastPtsUs + 1;
      const outcome = appender.append('video', videoPacket(format, ptsUs, info.keyFrame), data);
      switch (outcome.kind) {
        case 'appended':
          lastPtsUs = ptsUs;
          waitingForKeyFrame = false;
          droppedWhileWaiting = 0;
          counters.submittedFrames++;
          return;
        case 'not-open':
        case 'stale-session':
          counters.droppedFrames++;
          return;
        case 'refused':
          waitingForKeyFrame = true;
          droppedWhileWaiting = 0;
          drop();
          return;
      }
    },
    stats: () => ({ ...counters }),
    close() {
      closed = true;
    },
  };
}

function videoPacket(format: VideoStreamFormat, ptsUs: number, keyFrame: boolean): EmssPacket {
  const { num, den } = frameRate(format.fps);
  const pts = ptsUs / 1e6;
  return {
    pts,
    dts: pts,
    duration: den / num,
    isKeyFrame: keyFrame,
    isEncrypted: false,
    width: format.width,
    height: format.height,
    framerateNum: num,
    framerateDen: den,
  };
}

/** At 60 fps, two seconds of dropped units before asking again. */
const kKeyFrameRetryFrames = 120;
