// The strings and numbers an EMSS track config needs for our streams (platform/tizen.md 1.6).

import type { VideoStreamFormat } from '../../media/media-sink.ts';

/** The mime type of the video track: H.264 High or HEVC Main / Main10, level from the stream's rate. */
export function emssMimeType(format: VideoStreamFormat & { hdr: boolean }): string {
  if (format.codec === 'h264') {
    // Level from macroblocks per second, as one port picks it (tizen.md 1.6): 4.2, 5.1, 5.2.
    const mbPerS = Math.ceil(format.width / 16) * Math.ceil(format.height / 16) * format.fps;
    const level = mbPerS <= kH264Level42MbPerS ? '2A' : mbPerS <= kH264Level51MbPerS ? '33' : '34';
    return `video/mp4; codecs="avc1.6400${level}"`;
  }
  const lumaPerS = format.width * format.height * format.fps;
  const level = lumaPerS <= kHevcLevel51LumaPerS ? 'L153' : 'L156';
  // Main10 for HDR, or the picture comes out washed out (tizen.md 7).
  const profile = format.hdr ? '2.4' : '1.6';
  return `video/mp4; codecs="hev1.${profile}.${level}.B0"`;
}

/** The PCM track's layout for 2, 6 or 8 channels; null for anything else. */
export function emssChannelLayout(channels: number): string | null {
  return kChannelLayouts[channels] ?? null;
}

/** 60 → 60/1; 59.94 → 59940/1000. */
export function frameRate(fps: number): { num: number; den: number } {
  return Number.isInteger(fps) ? { num: fps, den: 1 } : { num: Math.round(fps * 1000), den: 1000 };
}

/** H.264 Table A-1 MaxMBPS for levels 4.2 and 5.1. */
const kH264Level42MbPerS = 522_240;
const kH264Level51MbPerS = 983_040;
/** HEVC Table A.8 MaxLumaSr for level 5.1 (4096×2176 at 60). */
const kHevcLevel51LumaPerS = 534_773_760;
const kChannelLayouts: Readonly<Record<number, string>> = { 2: 'ChannelLayoutStereo', 6: 'ChannelLayout5_1', 8: 'ChannelLayout7_1' };
