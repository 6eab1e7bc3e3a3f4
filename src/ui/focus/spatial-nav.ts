// Where focus goes when a direction is pressed, from the rectangles of the focusable items
// (platform/tizen.md 5.4: movement follows the visual layout, no traps).
//
// Only items lying entirely beyond the focused item's edge in that direction qualify.
// Among them, items that share the focused item's row (or column) band win, nearest first;
// with none in the band, the nearest by distance along the move plus twice the sideways gap.
// So a grid moves cell by cell, a shorter last row is reached from any column above it,
// and nothing is ever chosen behind the focused item.

import type { Direction } from '../../input/intent.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FocusCandidate {
  key: string;
  rect: Rect;
}

/** The key to focus after moving `direction` from `fromKey`, or null to stay put (an edge). */
export function nextFocus(candidates: readonly FocusCandidate[], fromKey: string, direction: Direction): string | null {
  const from = candidates.find((c) => c.key === fromKey);
  if (from === undefined) return candidates[0]?.key ?? null;
  let best: { key: string; score: Score } | null = null;
  for (const candidate of candidates) {
    if (candidate.key === fromKey) continue;
    const score = scoreMove(from.rect, candidate.rect, direction);
    if (score === null) continue;
    if (best === null || better(score, best.score)) best = { key: candidate.key, score };
  }
  return best?.key ?? null;
}

/** Lexicographic: out of band last, then distance, then how far the centres sit apart sideways. */
type Score = [outOfBand: number, distance: number, centreOffset: number];

function scoreMove(from: Rect, to: Rect, direction: Direction): Score | null {
  const f = project(from, direction);
  const t = project(to, direction);
  // Beyond the far edge; the tolerance absorbs sub-pixel layout rounding.
  if (t.near < f.far - EDGE_TOLERANCE_PX) return null;
  const along = Math.max(0, t.near - f.far);
  const overlap = Math.min(t.sideEnd, f.sideEnd) - Math.max(t.sideStart, f.sideStart);
  const centreOffset = Math.abs((t.sideStart + t.sideEnd) / 2 - (f.sideStart + f.sideEnd) / 2);
  // Rows that merely touch (one's bottom edge is the next one's top) are not the same band.
  if (overlap > EDGE_TOLERANCE_PX) return [0, along, centreOffset];
  return [1, along + SIDE_GAP_WEIGHT * Math.max(0, -overlap), centreOffset];
}

function better(a: Score, b: Score): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

/** The rectangle seen along the move: `near`/`far` edges in the direction, `side*` across it. */
function project(r: Rect, direction: Direction): { near: number; far: number; sideStart: number; sideEnd: number } {
  switch (direction) {
    case 'right':
      return { near: r.x, far: r.x + r.width, sideStart: r.y, sideEnd: r.y + r.height };
    case 'left':
      return { near: -(r.x + r.width), far: -r.x, sideStart: r.y, sideEnd: r.y + r.height };
    case 'down':
      return { near: r.y, far: r.y + r.height, sideStart: r.x, sideEnd: r.x + r.width };
    case 'up':
      return { near: -(r.y + r.height), far: -r.y, sideStart: r.x, sideEnd: r.x + r.width };
  }
}

const EDGE_TOLERANCE_PX = 1;
/** Sideways distance costs more than distance along the move, so a jump stays near the focused item's line. */
const SIDE_GAP_WEIGHT = 2;
