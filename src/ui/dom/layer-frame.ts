// The outer shape shared by every screen (a labelled region) and dialog (a modal dialog
// over a dimmed backdrop), and the status and alert lines inside them.

import { FOCUS_KEY_ATTR, h } from './element.ts';

export function screenFrame(doc: Document, title: string, className: string, body: ReadonlyArray<Node | null>): HTMLElement {
  return h(doc, 'section', { class: `layer screen ${className}`, attrs: { 'aria-label': title } }, [
    h(doc, 'h1', { class: 'screen-title', text: title }),
    ...body,
  ]);
}

export function dialogFrame(doc: Document, title: string, className: string, body: ReadonlyArray<Node | null>): HTMLElement {
  return h(doc, 'div', { class: `layer dialog-layer ${className}` }, [
    h(doc, 'div', { class: 'dialog', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': title } }, [
      h(doc, 'h2', { class: 'dialog-title', text: title }),
      ...body,
    ]),
  ]);
}

/** A line a screen reader announces: `alert` for errors, `status` for progress. Absent when there is nothing to say. */
export function messageLine(doc: Document, role: 'alert' | 'status', text: string | null): HTMLElement | null {
  if (text === null || text.length === 0) return null;
  return h(doc, 'p', { class: role === 'alert' ? 'message message-alert' : 'message message-status', text, attrs: { role } });
}

/**
 * A status line that can hold focus, for a layer with nothing else to focus yet (loading,
 * empty), so that some element always has focus and Back still has a target.
 */
export function focusableLine(doc: Document, role: 'alert' | 'status' | null, text: string): HTMLElement {
  const attrs: Record<string, string> = { [FOCUS_KEY_ATTR]: NOTE_FOCUS_KEY, tabindex: '-1' };
  if (role !== null) attrs['role'] = role;
  return h(doc, 'p', { class: `message focusable-line${role === 'alert' ? ' message-alert' : ''}`, text, attrs });
}

export const NOTE_FOCUS_KEY = 'note';
