// The worker side of EMSS: appends packets with the side-thread functions keyed by track id
// (platform/tizen.md 1.8), so access units and PCM go from the session worker to the decoder
// with no hop through the main thread.
//
// Theory of operation. The main-thread owner (emss-source-owner.ts) sends EmssTrackEvents.
// Per track the appender knows the track id, whether the track is open and its session id.
// Each `track-open` starts a new generation: the sinks see it and restart with a key frame.
// Appends go through `appendPacketAsync`, which for clear packets validates and copies at
// once without blocking the worker's loop, so the caller's (borrowed) bytes are free again
// when it returns. An exception is turned into an outcome by its name:
// - `AppendIgnoredError`: a packet of an old session, harmless (tizen.md 1.8);
// - `AppendInvalidTrackStateError`, `InvalidStateError`: the track closed before our worker
//   heard of it; the track counts as closed until the next `track-open`;
// - anything else: the packet was refused, the stream needs a key frame (tizen.md 1.10 step 8).

import type { EmssPacket, EmssSideThreadTrack } from './emss-types.ts';
import { emssErrorName } from './emss-types.ts';
import type { EmssTrackEvent, EmssTrackKind } from './emss-track-events.ts';

export type AppendOutcome =
  | { kind: 'appended' }
  | { kind: 'not-open' }
  | { kind: 'stale-session' }
  | { kind: 'refused'; name: string };

export interface EmssTrackState {
  open: boolean;
  trackId: number | null;
  /** Null when the firmware has no session ids (legacy 0.1). */
  sessionId: number | null;
  /** Incremented at every `track-open`. */
  generation: number;
}

export interface EmssAppender {
  handleTrackEvent(event: EmssTrackEvent): void;
  state(track: EmssTrackKind): Readonly<EmssTrackState>;
  /** `packet.sessionId` is filled in here from the track's current session. */
  append(track: EmssTrackKind, packet: EmssPacket, data: Uint8Array): AppendOutcome;
}

export function createEmssAppender(sideThread: EmssSideThreadTrack): EmssAppender {
  const tracks: Record<EmssTrackKind, EmssTrackState> = {
    video: { open: false, trackId: null, sessionId: null, generation: 0 },
    audio: { open: false, trackId: null, sessionId: null, generation: 0 },
  };

  return {
    handleTrackEvent(event) {
      const t = tracks[event.track];
      switch (event.kind) {
        case 'track-open':
          t.open = true;
          t.trackId = event.trackId;
          t.sessionId = event.sessionId;
          t.generation++;
          return;
        case 'track-closed':
          t.open = false;
          return;
        case 'session-id':
          t.sessionId = event.sessionId;
          return;
      }
    },
    state: (track) => tracks[track],
    append(track, packet, data) {
      const t = tracks[track];
      if (!t.open || t.trackId === null) return { kind: 'not-open' };
      if (t.sessionId !== null) packet.sessionId = t.sessionId;
      try {
        sideThread.appendPacketAsync(t.trackId, packet, data);
        return { kind: 'appended' };
      } catch (e) {
        const name = emssErrorName(e);
        if (name === 'AppendIgnoredError') return { kind: 'stale-session' };
        if (name === 'AppendInvalidTrackStateError' || name === 'InvalidStateError') {
          t.open = false;
          return { kind: 'not-open' };
        }
        return { kind: 'refused', name };
      }
    },
  };
}
