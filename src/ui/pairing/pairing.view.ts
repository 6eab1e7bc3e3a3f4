// The pairing dialog: shows the PIN the user types on the PC, follows the services' progress,
// and ends by opening the host's apps, or with the reason it failed and "Try again".

import { errorText } from '../../app/error-text.ts';
import type { PairingHandle } from '../../app/services.ts';
import { focusButton, h, replaceChildren } from '../dom/element.ts';
import { dialogFrame, messageLine } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';
import { pairingStep, stageText, type PairingEvent, type PairingState } from './pairing-flow.ts';

const CANCEL_KEY = 'cancel';
const RETRY_KEY = 'retry';

export function createPairingView(ctx: ViewContext, hostId: string): LayerView {
  const { doc } = ctx;
  const hostName = ctx.host(hostId)?.name ?? 'the computer';
  let state: PairingState = { kind: 'starting' };
  let handle: PairingHandle | null = null;
  // Each attempt's results are tagged so that a late answer from an earlier one is dropped.
  let attempt = 0;

  const body = h(doc, 'div', { class: 'pairing-body' });
  const buttons = h(doc, 'div', { class: 'dialog-buttons' });
  const root = dialogFrame(doc, `Pair with ${hostName}`, 'pairing-dialog', [body, buttons]);

  const dispatch = (event: PairingEvent): void => {
    const before = state;
    state = pairingStep(state, event);
    if (state === before) return;
    switch (state.kind) {
      case 'paired':
        handle = null;
        ctx.replace({ kind: 'apps', hostId });
        return;
      case 'cancelled':
        handle?.cancel();
        handle = null;
        ctx.close();
        return;
      case 'failed':
        handle = null;
        ctx.update(render);
        ctx.focus(RETRY_KEY);
        return;
      case 'starting':
      case 'showing-pin':
        ctx.update(render);
        return;
    }
  };

  const start = async (): Promise<void> => {
    const mine = ++attempt;
    const started = await ctx.services.pair(hostId);
    if (mine !== attempt) {
      if (started.ok) started.value.cancel();
      return;
    }
    if (!started.ok) {
      dispatch({ kind: 'finished', result: started });
      return;
    }
    handle = started.value;
    dispatch({ kind: 'started', pin: started.value.pin });
    const result = await started.value.done;
    if (mine === attempt) dispatch({ kind: 'finished', result });
  };

  const retry = (): void => {
    dispatch({ kind: 'retry' });
    if (state.kind === 'starting') void start();
  };

  function render(): void {
    const pinPage = ctx.config.hostPinPage;
    switch (state.kind) {
      case 'starting':
        replaceChildren(body, [messageLine(doc, 'status', 'Preparing a PIN…')]);
        break;
      case 'showing-pin':
        replaceChildren(body, [
          h(doc, 'p', { class: 'hint', text: pinPage === null ? `On ${hostName}, open Sunshine's PIN page and type this PIN:` : `Open ${pinPage} and type this PIN:` }),
          h(doc, 'p', { class: 'pin', text: state.pin, attrs: { 'aria-label': 'PIN' } }),
          messageLine(doc, 'status', stageText(state.stage, hostName)),
        ]);
        break;
      case 'failed':
        replaceChildren(body, [messageLine(doc, 'alert', errorText(state.error, { hostName }))]);
        break;
      case 'paired':
      case 'cancelled':
        return;
    }
    replaceChildren(buttons, [
      state.kind === 'failed' ? focusButton(doc, RETRY_KEY, { class: 'button primary', text: 'Try again', onClick: retry }) : null,
      focusButton(doc, CANCEL_KEY, { class: 'button', text: 'Cancel', onClick: () => dispatch({ kind: 'cancel' }) }),
    ]);
  }

  render();
  const stopEvents = ctx.onServiceEvent((event) => {
    if (event.kind === 'pairing-progress' && event.hostId === hostId) dispatch({ kind: 'progress', stage: event.stage });
  });
  void start();

  return {
    root,
    initialFocusKey: () => CANCEL_KEY,
    handleIntent: () => false,
    dispose() {
      stopEvents();
      attempt++;
      handle?.cancel();
      handle = null;
    },
  };
}
