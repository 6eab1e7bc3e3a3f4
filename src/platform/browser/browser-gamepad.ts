// Gamepad readings from the W3C Gamepad API, which desktop Chromium and Samsung TVs share
// (platform/tizen.md 5.3). Pads are read once per animation frame while any is connected;
// with none, nothing runs until the browser reports one (it does so after a button press).

import type { GamepadSnapshot } from '../../input/gamepad-snapshot.ts';
import type { GamepadPoller } from '../../ui/ui-platform.ts';
import type { Clock } from '../platform.ts';

export function createGamepadPoller(win: Window, clock: Clock): GamepadPoller {
  return {
    start(onReading) {
      let frame: number | null = null;
      let stopped = false;

      const tick = (): void => {
        frame = null;
        if (stopped) return;
        const pads = readPads(win.navigator);
        onReading(pads, clock.nowMs());
        // One last empty reading above lets the consumer forget the pads; then rest until one returns.
        if (pads.length > 0) frame = win.requestAnimationFrame(tick);
      };
      const wake = (): void => {
        if (!stopped && frame === null) frame = win.requestAnimationFrame(tick);
      };

      win.addEventListener('gamepadconnected', wake);
      wake();
      return () => {
        stopped = true;
        win.removeEventListener('gamepadconnected', wake);
        if (frame !== null) win.cancelAnimationFrame(frame);
        frame = null;
      };
    },
  };
}

/** Copies out the connected pads; the API's array has holes and stale entries. */
export function readPads(nav: Navigator): GamepadSnapshot[] {
  if (typeof nav.getGamepads !== 'function') return [];
  const out: GamepadSnapshot[] = [];
  for (const pad of Array.from(nav.getGamepads())) {
    // A zero timestamp means the pad never reported a reading (seen on TVs, tizen.md 5.3).
    if (pad === null || !pad.connected || pad.timestamp === 0) continue;
    out.push({
      id: `${pad.index}:${pad.id}`,
      standard: pad.mapping === 'standard',
      pressed: Array.from(pad.buttons, (button) => button.pressed),
      axes: Array.from(pad.axes),
    });
  }
  return out;
}
