// Joins a media sender to a stream session (stream-session.ts): the announced stream and the
// launch keys give the sender's configuration as Sunshine derives its own from them, the
// session's events give the client's endpoints and its IDR and invalidation requests, and the
// session's own ports carry the datagrams (Sunshine sends video from its video port and audio
// from its audio port).

import type { LaunchSession } from './launch-control.ts';
import { createMediaSender, type AudioSenderConfig, type MediaClock, type MediaSender, type VideoSenderConfig } from './media-sender.ts';
import type { ImpairmentConfig } from './impairment.ts';
import type { AnnouncedStream } from './rtsp-handlers.ts';
import type { StreamSession } from './stream-session.ts';

export interface MediaSessionOptions {
  /** Sunshine's `fec_percentage` setting; default 20. */
  fecPercent?: number;
  impairment?: { video?: ImpairmentConfig; audio?: ImpairmentConfig };
  clock?: MediaClock;
  /** Replaces parts of the derived configuration (e.g. a `source`). */
  video?: Partial<VideoSenderConfig>;
  audio?: Partial<AudioSenderConfig>;
}

/** The parts of a stream session the media sender uses. */
export type MediaSessionPort = Pick<StreamSession, 'stream' | 'launch' | 'state' | 'videoTarget' | 'audioTarget' | 'onEvent' | 'sendVideo' | 'sendAudio'>;

export interface AttachedMedia {
  sender: MediaSender;
  /** Settles when the media is loaded and the streams can start; rejects if it cannot load. */
  ready: Promise<void>;
}

/** The sender configuration Sunshine would stream with for this ANNOUNCE and launch. */
export function mediaConfigFor(stream: AnnouncedStream, launch: LaunchSession, fecPercent = DEFAULT_FEC_PERCENT): { video: VideoSenderConfig; audio: AudioSenderConfig } {
  if (stream.codec === 'av1') throw new RangeError('media session: the simulator has no AV1 encoder');
  return {
    video: {
      codec: stream.codec,
      width: stream.width,
      height: stream.height,
      fps: stream.fps,
      packetSizeBytes: stream.packetSizeBytes,
      fecPercent,
      minParity: stream.minRequiredFecPackets,
      encrypt: stream.encryptVideo,
      key: launch.rikey,
    },
    audio: {
      channels: stream.audioChannels,
      key: launch.rikey,
      rikeyid: launch.rikeyId,
      encrypt: stream.encryptAudio,
      packetDurationMs: stream.audioPacketDurationMs,
      highQuality: stream.highQualityAudio,
    },
  };
}

/** Creates a sender for the session, starts it, and follows the session until it ends. */
export function attachMediaSender(session: MediaSessionPort, options: MediaSessionOptions = {}): AttachedMedia {
  const derived = mediaConfigFor(session.stream, session.launch, options.fecPercent);
  const sender = createMediaSender({
    video: { ...derived.video, ...options.video },
    audio: { ...derived.audio, ...options.audio },
    socket: { send: (datagram) => void session.sendVideo(datagram) },
    audioSocket: { send: (datagram) => void session.sendAudio(datagram) },
    ...(options.impairment === undefined ? {} : { impairment: options.impairment }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const unsubscribe = session.onEvent((event) => {
    switch (event.kind) {
      case 'video-target':
        sender.setVideoTarget(event.endpoint.address, event.endpoint.port);
        break;
      case 'audio-target':
        sender.setAudioTarget(event.endpoint.address, event.endpoint.port);
        break;
      case 'idr-request':
        sender.requestIdr();
        break;
      case 'rfi':
        sender.invalidateRefFrames(event.firstFrame, event.lastFrame);
        break;
      case 'ended':
        sender.stop();
        unsubscribe();
        break;
      default:
        break;
    }
  });
  // Endpoints the session learned before the sender existed.
  const video = session.videoTarget();
  if (video !== null) sender.setVideoTarget(video.address, video.port);
  const audio = session.audioTarget();
  if (audio !== null) sender.setAudioTarget(audio.address, audio.port);
  if (session.state() === 'ended') sender.stop();
  return { sender, ready: sender.start() };
}

// Sunshine's default `fec_percentage` (data-plane.md §2.4).
const DEFAULT_FEC_PERCENT = 20;
