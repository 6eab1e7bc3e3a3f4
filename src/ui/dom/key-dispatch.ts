// Keyboard and remote keys to intents for the whole page. A text field being edited keeps
// the keys that edit it (characters, Backspace, and Left/Right while the caret can still
// move), so Backspace deletes there instead of going back, and arrows leave the field
// only at its ends; everything else becomes an intent, with the browser's own handling
// suppressed (Enter would otherwise click a button a second time).

import { intentForKey } from '../../input/input-table.ts';
import type { Intent } from '../../input/intent.ts';

export function installKeyDispatch(doc: Document, onIntent: (intent: Intent) => void): () => void {
  const listener = (event: KeyboardEvent): void => {
    if (event.key === 'Tab') {
      // Tab order would reach covered layers; arrows are the way around.
      event.preventDefault();
      return;
    }
    const field = editedField(doc);
    if (field !== null && fieldKeeps(field, event)) return;
    const intent = intentForKey(event);
    if (intent === null) return;
    event.preventDefault();
    onIntent(intent);
  };
  doc.addEventListener('keydown', listener);
  return () => doc.removeEventListener('keydown', listener);
}

function editedField(doc: Document): HTMLInputElement | HTMLTextAreaElement | null {
  const active = doc.activeElement;
  if (active instanceof HTMLTextAreaElement) return active;
  if (active instanceof HTMLInputElement && TEXT_INPUT_TYPES.has(active.type)) return active;
  return null;
}

function fieldKeeps(field: HTMLInputElement | HTMLTextAreaElement, event: KeyboardEvent): boolean {
  const start = field.selectionStart ?? 0;
  const end = field.selectionEnd ?? field.value.length;
  switch (event.key) {
    case 'Backspace':
    case 'Delete':
    case 'Home':
    case 'End':
      return true;
    case 'ArrowLeft':
      return start > 0 || start !== end;
    case 'ArrowRight':
      return end < field.value.length || start !== end;
    default:
      // A printable character: one code point, no shortcut modifier.
      return [...event.key].length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
  }
}

const TEXT_INPUT_TYPES: ReadonlySet<string> = new Set(['text', 'search', 'url', 'tel', 'email', 'number', 'password']);
