// The session's A/V clock: one timeline for the presentation times of both streams.
//
// In low and ultra-low latency EMSS renders each packet as it arrives and only uses pts to
// move the media element's clock, so pts must increase and agree between audio and video
// (platform/tizen.md 1.11). Host timestamps cannot give that: video RTP time is irregular
// with some encoders and audio RTP time counts milliseconds (data-plane.md 3.1, 6.1), and
// there is no clock shared with the host. So both streams are stamped from our own monotonic
// clock, the one the session worker feeds the core:
// - the timeline's zero is the first moment either stream asks;
// - a video unit's pts is when its first packet arrived (reassembly time excluded), made
//   strictly increasing;
// - audio pts advance by exactly the frames played, from the moment audio starts, so audio
//   has no gaps or overlaps; its consumer is paced by the same clock (audio-jitter-buffer.ts),
//   so the two stay together over any session length; if the consumer skipped time (a
//   stall), audio restarts at the present instead of lagging behind video from then on.

export interface AvClock {
  /** Position of `nowUs` on the timeline; the first call of any method fixes zero. */
  timelineUs(nowUs: number): number;
  /** Pts of a video unit whose first packet arrived at `arrivalUs`; strictly increasing. */
  videoPtsUs(arrivalUs: number): number;
  /** Pts of the next `frames` audio frames, produced at `nowUs`; contiguous with the previous ones. */
  audioPtsUs(frames: number, nowUs: number): number;
}

export function createAvClock(sampleRateHz: number): AvClock {
  let epochUs = NaN;
  let lastVideoPtsUs = -Infinity;
  let audioStartUs = NaN;
  let audioFrames = 0;

  function timelineUs(nowUs: number): number {
    if (isNaN(epochUs)) epochUs = nowUs;
    return Math.max(0, nowUs - epochUs);
  }

  return {
    timelineUs,
    videoPtsUs(arrivalUs) {
      const candidate = timelineUs(arrivalUs);
      lastVideoPtsUs = candidate > lastVideoPtsUs ? candidate : lastVideoPtsUs + kMinStepUs;
      return lastVideoPtsUs;
    },
    audioPtsUs(frames, nowUs) {
      const now = timelineUs(nowUs);
      if (isNaN(audioStartUs)) audioStartUs = now;
      let ptsUs = audioStartUs + (audioFrames * 1e6) / sampleRateHz;
      if (now - ptsUs > kMaxAudioLagUs) {
        // The consumer skipped time (a stall); audio resumes at the present, later than
        // where it stopped, so pts still increase.
        audioStartUs = now;
        audioFrames = 0;
        ptsUs = now;
      }
      audioFrames += frames;
      return ptsUs;
    },
  };
}

/** Audio further behind the timeline than this has skipped time, not merely rounded. */
const kMaxAudioLagUs = 20_000;
/** The smallest pts step: EMSS takes seconds as doubles, so 1 µs is still distinct. */
const kMinStepUs = 1;
