// The picture of the simulator's video fixtures: a frame number that survives encoding, and
// content that keeps the encoder busy. The number is written in binary across the top of the
// picture as 16 black or white cells (most significant bit left), with the complement in the
// row of cells below, so a reader can tell a damaged picture from a number. Below that, a
// scrolling gradient makes every P-frame carry some data, and a patch of random two-tone
// tiles that changes every few frames makes some frames span many packets, as the recorded
// Sunshine sessions' desktop does (shared/captures/README.md, "Picture").

/** One yuv420p (I420) picture: the full-size luma plane, then the two quarter-size chroma planes. */
export function drawTestPatternFrame(widthPx: number, heightPx: number, frameNumber: number): Uint8Array {
  checkSize(widthPx, heightPx);
  const lumaBytes = widthPx * heightPx;
  const frame = new Uint8Array(lumaBytes + lumaBytes / 2);
  const { cellWidthPx, cellHeightPx } = cellSize(widthPx, heightPx);
  const bandPx = 2 * cellHeightPx;
  const scrollPx = frameNumber * SCROLL_PX_PER_FRAME;
  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    for (let x = 0; x < widthPx; x++) frame[row + x] = y < bandPx ? 0 : 40 + (((x + scrollPx + y) >> 2) % 160);
  }
  for (let bit = 0; bit < NUMBER_BITS; bit++) {
    const set = ((frameNumber >> (NUMBER_BITS - 1 - bit)) & 1) === 1;
    fillLuma(frame, widthPx, bit * cellWidthPx, 0, cellWidthPx, cellHeightPx, set ? WHITE : BLACK);
    fillLuma(frame, widthPx, bit * cellWidthPx, cellHeightPx, cellWidthPx, cellHeightPx, set ? BLACK : WHITE);
  }
  drawNoisePatch(frame, widthPx, heightPx, bandPx, Math.floor(frameNumber / NOISE_PERIOD_FRAMES));
  frame.fill(NEUTRAL_CHROMA, lumaBytes);
  return frame;
}

/**
 * The frame number in a decoded picture's luma plane (8 bits per pixel, `widthPx` per row),
 * or null when the two rows of cells disagree.
 */
export function readFrameNumber(luma: Uint8Array, widthPx: number, heightPx: number): number | null {
  checkSize(widthPx, heightPx);
  const { cellWidthPx, cellHeightPx } = cellSize(widthPx, heightPx);
  let value = 0;
  for (let bit = 0; bit < NUMBER_BITS; bit++) {
    const top = cellMean(luma, widthPx, bit * cellWidthPx, 0, cellWidthPx, cellHeightPx) > THRESHOLD;
    const bottom = cellMean(luma, widthPx, bit * cellWidthPx, cellHeightPx, cellWidthPx, cellHeightPx) > THRESHOLD;
    if (top === bottom) return null;
    value = (value << 1) | (top ? 1 : 0);
  }
  return value;
}

/** Frame numbers are 16 bits: the pattern repeats after this many frames. */
export const FRAME_NUMBER_MODULUS = 1 << 16;

// Cells sized to whole 16-pixel macroblocks where the picture allows, so the encoder keeps
// their edges sharp.
function cellSize(widthPx: number, heightPx: number): { cellWidthPx: number; cellHeightPx: number } {
  return { cellWidthPx: Math.floor(widthPx / NUMBER_BITS), cellHeightPx: Math.max(8, Math.floor(heightPx / 12 / 8) * 8) };
}

// The centre half of the cell only: edges blur under compression.
function cellMean(luma: Uint8Array, widthPx: number, x0: number, y0: number, w: number, h: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y0 + (h >> 2); y < y0 + h - (h >> 2); y++) {
    for (let x = x0 + (w >> 2); x < x0 + w - (w >> 2); x++) {
      sum += luma[y * widthPx + x] ?? 0;
      n += 1;
    }
  }
  return n === 0 ? 0 : sum / n;
}

function fillLuma(frame: Uint8Array, widthPx: number, x0: number, y0: number, w: number, h: number, value: number): void {
  for (let y = y0; y < y0 + h; y++) frame.fill(value, y * widthPx + x0, y * widthPx + x0 + w);
}

function drawNoisePatch(frame: Uint8Array, widthPx: number, heightPx: number, topPx: number, seed: number): void {
  const patchWidthPx = Math.floor(widthPx / 4 / TILE_PX) * TILE_PX;
  const patchHeightPx = Math.floor((heightPx - topPx) / 3 / TILE_PX) * TILE_PX;
  const x0 = Math.floor(widthPx / 2 / TILE_PX) * TILE_PX;
  const y0 = topPx + TILE_PX * 2;
  // xorshift32: any fixed sequence will do, it only has to be the same on every run.
  let state = (seed * 0x9e3779b1 + 1) >>> 0 || 1;
  for (let ty = 0; ty < patchHeightPx; ty += TILE_PX) {
    for (let tx = 0; tx < patchWidthPx; tx += TILE_PX) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      fillLuma(frame, widthPx, x0 + tx, y0 + ty, TILE_PX, TILE_PX, (state & 1) === 1 ? 220 : 30);
    }
  }
}

function checkSize(widthPx: number, heightPx: number): void {
  if (widthPx % 2 !== 0 || heightPx % 2 !== 0 || widthPx < 2 * NUMBER_BITS || heightPx < 64) throw new RangeError(`test pattern: ${widthPx}x${heightPx}`);
}

const NUMBER_BITS = 16;
// Video range luma (BT.601/709 limited range) black and white.
const BLACK = 16;
const WHITE = 235;
const THRESHOLD = (BLACK + WHITE) / 2;
const NEUTRAL_CHROMA = 128;
const SCROLL_PX_PER_FRAME = 4;
const TILE_PX = 4;
// About 0.15 s at 60 fps, the rhythm of the recorded sessions' random patterns.
const NOISE_PERIOD_FRAMES = 9;
