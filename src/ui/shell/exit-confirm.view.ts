// Samsung's return-key policy: Back on the first screen asks before the app closes (tizen.md 5.2).

import { focusButton, h } from '../dom/element.ts';
import { dialogFrame } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from './view-context.ts';

export function createExitConfirmView(ctx: ViewContext): LayerView {
  const { doc } = ctx;
  const root = dialogFrame(doc, 'Exit the app?', 'exit-dialog', [
    h(doc, 'div', { class: 'dialog-buttons' }, [
      focusButton(doc, 'exit', { class: 'button primary', text: 'Exit', onClick: () => ctx.exitApp() }),
      focusButton(doc, 'stay', { class: 'button', text: 'Cancel', onClick: () => ctx.close() }),
    ]),
  ]);
  return { root, initialFocusKey: () => 'exit', handleIntent: () => false, dispose: () => undefined };
}
