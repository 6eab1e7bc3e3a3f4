// One reading of one gamepad, copied out of the Gamepad API by the platform so that the
// logic that turns it into intents runs anywhere, on recorded or invented readings.

export interface GamepadSnapshot {
  /** Identifies the pad while it stays connected (its slot and its product string). */
  id: string;
  /** The pad uses the W3C standard mapping, so button indices mean known buttons. */
  standard: boolean;
  pressed: readonly boolean[];
  /** Each in [-1, 1]; for the standard mapping 0/1 are the left stick, down and right positive. */
  axes: readonly number[];
}
