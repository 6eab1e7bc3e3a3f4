// The media the simulator streams, loaded from the generated fixtures (media-fixture-build.ts):
// video as access units of the frame-numbered test pattern (the first is the only IDR), audio
// as Opus multistream packets in Sunshine's layout for the channel count.

import { readFileSync } from 'node:fs';
import { audioFixturePaths, DEFAULT_VIDEO_FIXTURES, ensureAudioFixture, ensureVideoFixture, type AudioFixtureInfo, type VideoFixtureSpec } from './media-fixture-build.ts';
import { isIdrAccessUnit, splitAccessUnits, type VideoCodec } from './video-annexb.ts';

export interface VideoSource {
  codec: VideoCodec;
  /** One encoded frame each; index 0 is an IDR, and frame n shows frame number n. */
  accessUnits: readonly Uint8Array[];
}

export interface AudioSource {
  channels: number;
  packetDurationMs: number;
  /** One Opus multistream packet each, `packetDurationMs` of audio. */
  packets: readonly Uint8Array[];
}

/** The test-pattern stream for a codec and picture size, encoded first if needed. */
export async function loadVideoFixture(codec: VideoCodec, widthPx: number, heightPx: number, fps: number): Promise<VideoSource> {
  const spec = videoFixtureSpecFor(codec, widthPx, heightPx, fps);
  const path = await ensureVideoFixture(spec);
  const accessUnits = splitAccessUnits(readBytes(path), codec);
  if (accessUnits.length !== spec.frames) throw new Error(`video fixture ${path}: ${accessUnits.length} access units, expected ${spec.frames}`);
  if (!isIdrAccessUnit(accessUnits[0] as Uint8Array, codec)) throw new Error(`video fixture ${path}: does not start with an IDR`);
  return { codec, accessUnits };
}

/** Opus packets for Sunshine's layout of `channels` (2, 6 or 8) in normal or high quality. */
export async function loadAudioFixture(channels: number, packetDurationMs: number, highQuality = false): Promise<AudioSource & { info: AudioFixtureInfo }> {
  const spec = { channels, highQuality, packetDurationMs, seconds: AUDIO_SECONDS };
  const info = await ensureAudioFixture(spec);
  const packets = readRecords(readBytes(audioFixturePaths(spec).records));
  return { channels, packetDurationMs, packets, info };
}

/**
 * A listed fixture when one has this codec and size (the frame rate only sets the pacing);
 * otherwise a two-second clip made for the request, as Sunshine encodes at the size the
 * client asked for.
 */
export function videoFixtureSpecFor(codec: VideoCodec, widthPx: number, heightPx: number, fps: number): VideoFixtureSpec {
  const listed = DEFAULT_VIDEO_FIXTURES.find((s) => s.codec === codec && s.widthPx === widthPx && s.heightPx === heightPx);
  if (listed !== undefined) return listed;
  const pixelsPer720p = (widthPx * heightPx) / (1280 * 720);
  return { codec, widthPx, heightPx, fps, frames: Math.max(2, Math.round(fps * CLIP_SECONDS)), bitrateKbps: Math.max(300, Math.round(3000 * pixelsPer720p)) };
}

// Plain Uint8Array views, not Buffers, so consumers compare and copy them as bytes.
function readBytes(path: string): Uint8Array {
  const file = readFileSync(path);
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}

function readRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at + 4 <= file.length; ) {
    const lengthBytes = view.getUint32(at, true);
    out.push(file.subarray(at + 4, at + 4 + lengthBytes));
    at += 4 + lengthBytes;
  }
  return out;
}

const AUDIO_SECONDS = 2;
const CLIP_SECONDS = 2;
