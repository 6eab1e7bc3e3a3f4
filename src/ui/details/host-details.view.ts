// A host's details dialog: its address, status and last problem, and Wake / Unpair / Remove.

import { errorText } from '../../app/error-text.ts';
import type { HostView, ServiceError } from '../../app/services.ts';
import type { Result } from '../../lib/result.ts';
import { focusButton, h, replaceChildren } from '../dom/element.ts';
import { dialogFrame, messageLine } from '../dom/layer-frame.ts';
import { statusWords } from '../hosts/host-tile.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';

const CLOSE_KEY = 'close';

export function createHostDetailsView(ctx: ViewContext, hostId: string): LayerView {
  const { doc } = ctx;
  const initial = ctx.host(hostId);
  const title = initial?.name ?? 'Computer details';
  let alert: string | null = null;
  let status: string | null = null;
  let busy = false;
  let disposed = false;

  const body = h(doc, 'div', { class: 'details-body' });
  const buttons = h(doc, 'div', { class: 'dialog-buttons' });
  const root = dialogFrame(doc, title, 'details-dialog', [body, buttons]);

  /** Runs one action at a time; its outcome replaces the message lines. */
  const act = async (pending: string, run: () => Promise<Result<void, ServiceError>>, done: string | null): Promise<boolean> => {
    if (busy) return false;
    busy = true;
    alert = null;
    status = pending;
    ctx.update(render);
    const result = await run();
    busy = false;
    if (disposed) return false;
    alert = result.ok ? null : errorText(result.error, { hostName: title });
    status = result.ok ? done : null;
    ctx.update(render);
    return result.ok;
  };

  const wake = (): void =>
    void act('Sending the wake-up signal…', () => ctx.services.wake(hostId), `Wake-up signal sent. ${title} may take a minute to start.`);
  const unpair = (): void => void act('Unpairing…', () => ctx.services.unpair(hostId), `This TV is no longer paired with ${title}.`);
  const remove = async (): Promise<void> => {
    if (await act('Removing…', () => ctx.services.removeHost(hostId), null)) {
      await ctx.refreshHosts();
      if (!disposed) ctx.close();
    }
  };

  function render(): void {
    const host = ctx.host(hostId);
    if (host === undefined) return;
    replaceChildren(body, [
      h(doc, 'p', { class: 'detail-line', text: `Address: ${host.address}` }),
      h(doc, 'p', { class: 'detail-line', text: `Status: ${statusWords(host).join(', ')}` }),
      lastProblem(doc, host),
      messageLine(doc, 'alert', alert),
      messageLine(doc, 'status', status),
    ]);
    replaceChildren(buttons, [
      host.canWake ? focusButton(doc, 'wake', { class: 'button', text: 'Wake', onClick: wake }) : null,
      host.paired ? focusButton(doc, 'unpair', { class: 'button', text: 'Unpair', onClick: unpair }) : null,
      focusButton(doc, 'remove', { class: 'button danger', text: 'Remove', onClick: () => void remove() }),
      focusButton(doc, CLOSE_KEY, { class: 'button', text: 'Close', onClick: () => ctx.close() }),
    ]);
  }

  render();
  const stopHosts = ctx.onHostsChanged((hosts) => {
    if (!hosts.some((host) => host.id === hostId)) ctx.close();
    else ctx.update(render);
  });

  return {
    root,
    initialFocusKey: () => {
      const host = ctx.host(hostId);
      return host !== undefined && host.canWake && host.reachability !== 'online' ? 'wake' : CLOSE_KEY;
    },
    handleIntent: () => false,
    dispose() {
      disposed = true;
      stopHosts();
    },
  };
}

function lastProblem(doc: Document, host: HostView): HTMLElement | null {
  if (host.lastError === null || host.reachability === 'online') return null;
  return h(doc, 'p', { class: 'detail-line detail-problem', text: errorText(host.lastError, { hostName: host.name }) });
}
