// Wires the EMSS sinks to the fake as the app wires them on a TV: the owner on the "main
// thread" (the fake's page global), the appender and sinks on the "worker" (the fake's worker
// global), and track events crossing between them as structured clones, parsed on arrival.

import assert from 'node:assert/strict';
import { createFakeEmss, type FakeEmss, type FakeEmssOptions } from '../../../fakes/tizen/emss.fake.ts';
import { createEmssAppender, type EmssAppender } from '../../../../src/platform/tizen/emss-appender.ts';
import { createEmssSourceOwner, type EmssFailure, type EmssSourceOwner } from '../../../../src/platform/tizen/emss-source-owner.ts';
import { parseEmssTrackEvent, type EmssTrackEvent } from '../../../../src/platform/tizen/emss-track-events.ts';
import { parseEmssGlobal, parseSideThreadTrack } from '../../../../src/platform/tizen/emss-types.ts';
import { detectEmssFeatures } from '../../../../src/platform/tizen/tizen-capabilities.ts';
import type { TimerHandle } from '../../../../src/platform/platform.ts';

export interface Rig {
  fake: FakeEmss;
  owner: EmssSourceOwner;
  appender: EmssAppender;
  events: EmssTrackEvent[];
  failures: EmssFailure[];
  /** Track events not yet delivered to the worker while `holdEvents` is true. */
  held: EmssTrackEvent[];
  holdEvents: boolean;
  deliverHeld(): void;
  /** Fires every pending owner timer (its start timeouts). */
  fireTimers(): void;
}

export function createRig(options: FakeEmssOptions = {}): Rig {
  const fake = createFakeEmss(options);
  const emss = parseEmssGlobal(fake.mainGlobal);
  const features = detectEmssFeatures(fake.mainGlobal);
  const sideThread = parseSideThreadTrack(fake.workerGlobal);
  assert.ok(emss !== null && features !== null && sideThread !== null);
  const appender = createEmssAppender(sideThread);
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  const deliver = (event: EmssTrackEvent): void => {
    const parsed = parseEmssTrackEvent(structuredClone(event));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    appender.handleTrackEvent(parsed.value);
  };
  const rig: Rig = {
    fake,
    appender,
    events: [],
    failures: [],
    held: [],
    holdEvents: false,
    deliverHeld() {
      rig.held.splice(0).forEach(deliver);
    },
    fireTimers() {
      const fns = [...timers.values()];
      timers.clear();
      fns.forEach((fn) => fn());
    },
    owner: null as unknown as EmssSourceOwner,
  };
  rig.owner = createEmssSourceOwner({
    emss,
    features,
    media: fake.video,
    objectUrls: { create: (s) => fake.createObjectUrl(s), revoke: (u) => fake.revokeObjectUrl(u) },
    timers: {
      setTimer(_delayMs, fn): TimerHandle {
        const id = nextTimer++;
        timers.set(id, fn);
        return { id };
      },
      clearTimer(handle) {
        timers.delete(handle.id);
      },
    },
    onTrackEvent(event) {
      rig.events.push(event);
      if (rig.holdEvents) rig.held.push(event);
      else deliver(event);
    },
    onFailure: (failure) => rig.failures.push(failure),
  });
  return rig;
}

/** An Annex-B access unit: an IDR slice (type 5) or a non-IDR slice (type 1). */
export function accessUnit(keyFrame: boolean, tag: number): Uint8Array {
  return Uint8Array.of(0, 0, 0, 1, keyFrame ? 0x65 : 0x41, 0x88, tag & 0xff, 0x10);
}

export const VIDEO_1080P60 = { codec: 'h264' as const, width: 1920, height: 1080, fps: 60, hdr: false };
export const STEREO_48K = { channels: 2, sampleRateHz: 48_000 };
