// A MediaClock on fake time for the simulator's senders: timers fire only when a test moves
// time, in due order (ties in the order they were set), so schedules are checked exactly.
import type { MediaClock } from '../hostsim/media-sender.ts';

export interface FakeMediaClock extends MediaClock {
  /** Moves time forward, firing due timers in order. */
  advance(us: number): void;
  /** Moves time forward without firing anything (the process was stalled). */
  jump(us: number): void;
  pendingTimers(): number;
}

export function fakeMediaClock(): FakeMediaClock {
  let nowUs = 0;
  let nextId = 0;
  const timers = new Map<number, { dueUs: number; fire: () => void }>();
  return {
    nowUs: () => nowUs,
    setTimer(delayUs, fire) {
      const id = nextId++;
      timers.set(id, { dueUs: nowUs + Math.max(0, delayUs), fire });
      return () => timers.delete(id);
    },
    advance(us) {
      const endUs = nowUs + us;
      // A sender that keeps re-arming a zero delay would spin here: fail the test instead.
      for (let fired = 0; ; fired++) {
        if (fired > kMaxFiresPerAdvance) throw new Error(`more than ${kMaxFiresPerAdvance} timers fired in one advance of ${us} us`);
        const due = [...timers.entries()].filter(([, t]) => t.dueUs <= endUs).sort((a, b) => a[1].dueUs - b[1].dueUs || a[0] - b[0])[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        nowUs = Math.max(nowUs, due[1].dueUs);
        due[1].fire();
      }
      nowUs = endUs;
    },
    jump(us) {
      nowUs += us;
    },
    pendingTimers: () => timers.size,
  };
}

const kMaxFiresPerAdvance = 1_000_000;
