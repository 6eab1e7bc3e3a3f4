// The settings screen: one stepper row per setting (settings-screen.ts decides what they say
// and how they step), then Back. Every change is in force at once and saved right away; the
// rows are built once and repainted in place, so focus never moves under the user's thumb.

import type { SettingsStore } from '../../app/settings/settings-store.ts';
import type { Intent } from '../../input/intent.ts';
import { FOCUS_KEY_ATTR, focusButton, h, replaceChildren } from '../dom/element.ts';
import { focusableLine, messageLine, screenFrame } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';
import { applyCommand, commandFor, loadProblemText, rowKey, rowIds, settingRows, SETTINGS_BACK_KEY, type SettingRow, type SettingRowId, type SettingsCommand } from './settings-screen.ts';

export const SETTINGS_TITLE = 'Settings';

export function createSettingsView(ctx: ViewContext): LayerView {
  const { doc } = ctx;
  const store = ctx.config.settings ?? null;
  if (store === null) {
    const root = screenFrame(doc, SETTINGS_TITLE, 'settings-screen', [focusableLine(doc, 'status', 'Settings are not part of this build.')]);
    return { root, initialFocusKey: () => null, handleIntent: () => false, dispose: () => undefined };
  }
  return settingsView(ctx, store);
}

interface RowParts {
  element: HTMLElement;
  value: HTMLElement;
  less: HTMLElement;
  more: HTMLElement;
  note: HTMLElement;
}

function settingsView(ctx: ViewContext, store: SettingsStore): LayerView {
  const { doc } = ctx;
  const notice = h(doc, 'div', { class: 'notice' });
  const list = h(doc, 'div', { class: 'settings-list' });
  const back = focusButton(doc, SETTINGS_BACK_KEY, { class: 'button settings-back', text: 'Back', onClick: () => ctx.close() });
  const root = screenFrame(doc, SETTINGS_TITLE, 'settings-screen', [notice, list, h(doc, 'div', { class: 'settings-buttons' }, [back])]);
  const loadProblem = loadProblemText(store.loadProblems());
  let saveProblem: string | null = null;
  let disposed = false;

  const run = (command: SettingsCommand): void => {
    const before = store.current();
    const next = applyCommand(before, store.profile, command);
    if (next === before) return;
    void store.set(next).then((saved) => {
      if (disposed) return;
      const text = saved.ok ? null : `The settings could not be saved (${saved.error.detail}); they apply until the app closes.`;
      if (text === saveProblem) return;
      saveProblem = text;
      paintNotice();
    });
    paintRows();
  };

  const parts = new Map<SettingRowId, RowParts>();
  for (const id of rowIds(store.profile)) {
    const row = buildRow(doc, id, run);
    parts.set(id, row);
    list.appendChild(row.element);
  }

  const paintRows = (): void => {
    for (const row of settingRows(store.current(), store.profile)) {
      const part = parts.get(row.id);
      if (part !== undefined) paintRow(part, row);
    }
  };
  const paintNotice = (): void => {
    replaceChildren(notice, [messageLine(doc, 'alert', saveProblem), messageLine(doc, 'alert', loadProblem)]);
  };
  paintRows();
  paintNotice();

  return {
    root,
    initialFocusKey: () => rowKey(rowIds(store.profile)[0] ?? 'resolution'),
    handleIntent(intent: Intent, focusedKey: string | null): boolean {
      const command = commandFor(intent, focusedKey);
      if (command.kind === 'none') return false;
      run(command);
      return true;
    },
    dispose() {
      disposed = true;
    },
  };
}

function buildRow(doc: Document, id: SettingRowId, run: (command: SettingsCommand) => void): RowParts {
  const noteId = `setting-note-${id}`;
  // The arrows are for a pointer (the Smart Remote's cursor); keys step through the row itself.
  const arrow = (text: string, delta: -1 | 1): HTMLElement => {
    const element = h(doc, 'span', { class: 'setting-arrow', text, attrs: { 'aria-hidden': 'true' } });
    element.addEventListener('click', (event) => {
      event.stopPropagation();
      run({ kind: 'step', row: id, delta });
    });
    return element;
  };
  const less = arrow('‹', -1);
  const more = arrow('›', 1);
  const value = h(doc, 'span', { class: 'setting-value' });
  const label = h(doc, 'span', { class: 'setting-label' });
  const note = h(doc, 'span', { class: 'setting-note', attrs: { id: noteId } });
  const element = h(
    doc,
    'div',
    {
      class: 'setting-row',
      attrs: { role: 'spinbutton', [FOCUS_KEY_ATTR]: rowKey(id), tabindex: '-1', 'aria-describedby': noteId },
      onClick: () => run({ kind: 'cycle', row: id }),
    },
    [label, h(doc, 'span', { class: 'setting-stepper' }, [less, value, more]), note],
  );
  return { element, value, less, more, note };
}

function paintRow(part: RowParts, row: SettingRow): void {
  const label = part.element.querySelector('.setting-label');
  if (label !== null && label.textContent !== row.label) label.textContent = row.label;
  part.element.setAttribute('aria-label', row.label);
  part.element.setAttribute('aria-valuetext', row.value);
  part.value.textContent = row.value;
  part.less.classList.toggle('setting-arrow-off', !row.canDecrease);
  part.more.classList.toggle('setting-arrow-off', !row.canIncrease);
  part.note.textContent = row.note ?? '';
  part.note.hidden = row.note === null;
}
