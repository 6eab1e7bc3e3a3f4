// The TV's StreamMedia for one stream: pictures through the page's EMSS source (the session
// worker appends them, platform/tizen.md §1.8), sound through one of two paths the user picks:
// - the source's PCM track, fed by the worker (StreamMedia `emss`);
// - a page audio sink (the AudioWorklet with its jitter buffer), for sets whose PCM track
//   crackles (§1.13): the source then has a video track only, and the worker posts PCM to the
//   page (StreamMedia `emss-video`).
// Track events are kept from the moment the source is built, because its tracks open while
// `open` runs, before the session worker listens; a late subscriber is told them all.

import type { StreamInfo, StreamMedia } from '../../app/services.ts';
import { err, ok, type Result } from '../../lib/result.ts';
import type { AudioSink, AudioStreamFormat, SinkError, VideoCodec } from '../../media/media-sink.ts';
import { AUDIO_SAMPLE_RATE_HZ } from '../../session/start-stream.ts';
import { createEmssSourceOwner, type EmssFailure, type EmssLatency, type EmssOwnerOptions } from './emss-source-owner.ts';
import type { EmssTrackEvent } from './emss-track-events.ts';

export interface EmssStreamMediaOptions extends Omit<EmssOwnerOptions, 'onTrackEvent' | 'onFailure'> {
  /** The latency mode to ask for with this codec (tizen-capabilities.ts recommendedLatency). */
  latencyFor(codec: VideoCodec): EmssLatency;
  /** Where sound plays instead of the PCM track (the Web Audio sink); null: on the PCM track. */
  pageAudio: AudioSink | null;
  onFailure(failure: EmssFailure): void;
}

export interface EmssStreamMedia {
  media: StreamMedia;
  /** Tears the source down and closes the page's audio sink; idempotent. */
  close(): Promise<void>;
}

export function createEmssStreamMedia(options: EmssStreamMediaOptions): EmssStreamMedia {
  const { pageAudio } = options;
  const listeners = new Set<(event: EmssTrackEvent) => void>();
  const reported: EmssTrackEvent[] = [];
  const owner = createEmssSourceOwner({
    emss: options.emss,
    features: options.features,
    media: options.media,
    objectUrls: options.objectUrls,
    timers: options.timers,
    onTrackEvent(event) {
      reported.push(event);
      for (const listener of [...listeners]) listener(event);
    },
    onFailure: options.onFailure,
  });

  const open = async (info: StreamInfo): Promise<Result<void, SinkError>> => {
    if (info.codec === 'av1') return err({ kind: 'unsupported', detail: 'AV1' });
    const codec = info.codec === 'hevc' ? 'h265' : 'h264';
    const pcmTrack: AudioStreamFormat | null = pageAudio === null ? { channels: info.audioChannels, sampleRateHz: AUDIO_SAMPLE_RATE_HZ } : null;
    const started = await owner.start({
      latency: options.latencyFor(codec),
      video: { codec, width: info.width, height: info.height, fps: info.fps, hdr: info.hdr },
      audio: pcmTrack,
    });
    return started.ok ? ok(undefined) : started;
  };

  const subscribeTrackEvents = (listener: (event: EmssTrackEvent) => void): (() => void) => {
    listeners.add(listener);
    for (const event of reported) listener(event);
    return () => {
      listeners.delete(listener);
    };
  };

  const media: StreamMedia = pageAudio === null ? { kind: 'emss', open, subscribeTrackEvents } : { kind: 'emss-video', open, subscribeTrackEvents, audio: pageAudio };
  return {
    media,
    async close() {
      pageAudio?.close();
      await owner.close();
      // After the owner's own closing reports, which the worker must still hear.
      listeners.clear();
    },
  };
}
