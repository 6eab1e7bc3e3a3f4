// What the main-thread owner of the EMSS source tells the session worker about its tracks,
// so the worker can append with the side-thread functions (platform/tizen.md 1.8): which
// track id to use, whether the track is open, and its current session id. These cross the
// worker boundary, so they are parsed on arrival.

import { err, ok, type Result } from '../../lib/result.ts';

export type EmssTrackKind = 'video' | 'audio';

export type EmssTrackEvent =
  /** Start (or resume) appending, beginning with a key frame. `sessionId` null on legacy firmware. */
  | { kind: 'track-open'; track: EmssTrackKind; trackId: number; sessionId: number | null }
  /** Stop appending until the next `track-open`; `reason` as the platform gave it. */
  | { kind: 'track-closed'; track: EmssTrackKind; reason: string }
  | { kind: 'session-id'; track: EmssTrackKind; sessionId: number };

export function parseEmssTrackEvent(data: unknown): Result<EmssTrackEvent, string> {
  if (typeof data !== 'object' || data === null) return err('not an object');
  const d = data as Record<string, unknown>;
  const track = d['track'];
  if (track !== 'video' && track !== 'audio') return err(`bad track ${String(track)}`);
  switch (d['kind']) {
    case 'track-open': {
      const trackId = d['trackId'];
      const sessionId = d['sessionId'];
      if (!isId(trackId)) return err('bad trackId');
      if (sessionId !== null && !isId(sessionId)) return err('bad sessionId');
      return ok({ kind: 'track-open', track, trackId, sessionId });
    }
    case 'track-closed': {
      const reason = d['reason'];
      if (typeof reason !== 'string') return err('bad reason');
      return ok({ kind: 'track-closed', track, reason });
    }
    case 'session-id': {
      const sessionId = d['sessionId'];
      if (!isId(sessionId)) return err('bad sessionId');
      return ok({ kind: 'session-id', track, sessionId });
    }
    default:
      return err(`unknown kind ${String(d['kind'])}`);
  }
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
