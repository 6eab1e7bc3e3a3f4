// The screen shown while the services start; on the first start they create the client's
// identity (an RSA key), which can take many seconds on a TV.

import { errorText } from '../../app/error-text.ts';
import { h, replaceChildren } from '../dom/element.ts';
import { focusableLine, screenFrame } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from './view-context.ts';
import { startupText } from './startup-text.ts';

export function createStartingView(ctx: ViewContext): LayerView {
  const { doc } = ctx;
  const body = h(doc, 'div', { class: 'starting-body' });
  const root = screenFrame(doc, 'Getting ready', 'starting-screen', [body]);

  const render = (): void => {
    const failure = ctx.startupFailure();
    replaceChildren(body, [
      failure === null ? h(doc, 'div', { class: 'progress', attrs: { 'aria-hidden': 'true' } }, [h(doc, 'div', { class: 'progress-bar' })]) : null,
      failure === null ? focusableLine(doc, 'status', startupText(ctx.startupStage())) : focusableLine(doc, 'alert', errorText(failure)),
    ]);
  };

  render();
  const stop = ctx.onServiceEvent((event) => {
    if (event.kind === 'startup' || event.kind === 'startup-failed') ctx.update(render);
  });
  return { root, initialFocusKey: () => null, handleIntent: () => false, dispose: stop };
}
