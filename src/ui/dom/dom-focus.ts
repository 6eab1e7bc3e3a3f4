// Spatial navigation applied to the DOM: the elements marked with a focus key inside one
// layer are the candidates, their on-screen boxes the rectangles (logic in focus/spatial-nav.ts).

import type { Direction } from '../../input/intent.ts';
import { nextFocus, type FocusCandidate } from '../focus/spatial-nav.ts';
import { FOCUS_KEY_ATTR } from './element.ts';

/** Every focus key in the layer, in document order, shown or not. */
export function focusKeysIn(root: Element): string[] {
  return markedIn(root)
    .map((el) => el.getAttribute(FOCUS_KEY_ATTR))
    .filter((key): key is string => key !== null);
}

/** The key of the focused element if it is inside `root`. */
export function activeKeyIn(root: Element): string | null {
  const active = root.ownerDocument.activeElement;
  if (active === null || !root.contains(active)) return null;
  return active.getAttribute(FOCUS_KEY_ATTR);
}

/** Focuses the element with `key`, or the layer's first focusable one; returns the key focused. */
export function focusByKey(root: Element, key: string | null): string | null {
  const targets = reachableIn(root);
  const target = targets.find((el) => el.getAttribute(FOCUS_KEY_ATTR) === key) ?? targets[0];
  if (target === undefined) return null;
  if (root.ownerDocument.activeElement !== target) target.focus();
  target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  return target.getAttribute(FOCUS_KEY_ATTR);
}

/** Moves focus one step; false at an edge. */
export function moveFocus(root: Element, direction: Direction): boolean {
  const from = activeKeyIn(root);
  const candidates: FocusCandidate[] = reachableIn(root).map((el) => {
    const box = el.getBoundingClientRect();
    return { key: el.getAttribute(FOCUS_KEY_ATTR) ?? '', rect: { x: box.left, y: box.top, width: box.width, height: box.height } };
  });
  const to = from === null ? (candidates[0]?.key ?? null) : nextFocus(candidates, from, direction);
  if (to === null) return false;
  focusByKey(root, to);
  return true;
}

function markedIn(root: Element): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(`[${FOCUS_KEY_ATTR}]`));
}

/** Marked elements that are laid out (not inside a hidden part) and not disabled. */
function reachableIn(root: Element): HTMLElement[] {
  return markedIn(root).filter((el) => el.getClientRects().length > 0 && !(el as HTMLButtonElement).disabled);
}
