// The hosts screen: one card per computer with its status, a Details button under it, the
// "Add a computer" tile, and last the "Settings" tile when the page has settings.

import { errorText } from '../../app/error-text.ts';
import type { HostView, ServiceEvent } from '../../app/services.ts';
import type { Intent } from '../../input/intent.ts';
import { focusButton, h, replaceChildren } from '../dom/element.ts';
import { messageLine, screenFrame } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';
import { activationFor, ADD_HOST_KEY, hostDetailsKey, hostTileKey, statusWords } from './host-tile.ts';

const SETTINGS_TILE_KEY = 'settings';

export function createHostsView(ctx: ViewContext): LayerView {
  const { doc } = ctx;
  const grid = h(doc, 'div', { class: 'tile-grid' });
  const notice = h(doc, 'div', { class: 'notice' });
  const root = screenFrame(doc, 'Computers', 'hosts-screen', [notice, grid]);
  let problem: string | null = null;

  const render = (): void => {
    const hosts = ctx.hosts();
    const cards: Node[] = hosts.map((host) => hostCard(ctx, host));
    cards.push(
      focusButton(doc, ADD_HOST_KEY, { class: 'tile add-tile', onClick: () => ctx.open({ kind: 'add-host' }) }, [
        h(doc, 'span', { class: 'tile-icon add-icon', text: '+', attrs: { 'aria-hidden': 'true' } }),
        h(doc, 'span', { class: 'tile-name', text: 'Add a computer' }),
      ]),
    );
    if (ctx.config.settings !== undefined && ctx.config.settings !== null) {
      cards.push(
        focusButton(doc, SETTINGS_TILE_KEY, { class: 'tile settings-tile', onClick: () => ctx.open({ kind: 'settings' }) }, [
          h(doc, 'span', { class: 'tile-icon settings-icon', attrs: { 'aria-hidden': 'true' } }),
          h(doc, 'span', { class: 'tile-name', text: 'Settings' }),
        ]),
      );
    }
    replaceChildren(grid, cards);
    const hint = hosts.length === 0 ? h(doc, 'p', { class: 'hint', text: 'No computers yet. Choose “Add a computer” and type the address of a PC running Sunshine.' }) : null;
    replaceChildren(notice, [messageLine(doc, 'alert', problem), hint]);
  };

  render();
  const stopHosts = ctx.onHostsChanged(() => ctx.update(render));
  const stopEvents = ctx.onServiceEvent((event: ServiceEvent) => {
    if (event.kind !== 'problem') return;
    problem = errorText(event.error);
    ctx.update(render);
  });

  return {
    root,
    initialFocusKey: () => {
      const first = ctx.hosts()[0];
      return first === undefined ? ADD_HOST_KEY : hostTileKey(first.id);
    },
    handleIntent(intent: Intent, focusedKey: string | null): boolean {
      if (intent !== 'menu' && intent !== 'info') return false;
      const host = ctx.hosts().find((candidate) => focusedKey === hostTileKey(candidate.id) || focusedKey === hostDetailsKey(candidate.id));
      if (host === undefined) return false;
      ctx.open({ kind: 'details', hostId: host.id });
      return true;
    },
    dispose() {
      stopHosts();
      stopEvents();
    },
  };
}

function hostCard(ctx: ViewContext, host: HostView): HTMLElement {
  const { doc } = ctx;
  const onActivate = (): void => {
    const activation = activationFor(host);
    switch (activation.kind) {
      case 'pair':
        ctx.open({ kind: 'pairing', hostId: host.id });
        return;
      case 'open-apps':
        ctx.open({ kind: 'apps', hostId: host.id });
        return;
      case 'details':
        ctx.open({ kind: 'details', hostId: host.id });
        return;
    }
  };
  const badges = statusWords(host).map((word) => h(doc, 'span', { class: `badge badge-${word.toLowerCase().replace(/\s+/g, '-')}`, text: word }));
  return h(doc, 'div', { class: `host-card host-${host.reachability}` }, [
    focusButton(doc, hostTileKey(host.id), { class: 'tile host-tile', onClick: onActivate }, [
      h(doc, 'span', { class: 'tile-icon pc-icon', attrs: { 'aria-hidden': 'true' } }),
      h(doc, 'span', { class: 'tile-name', text: host.name }),
      // Spaces keep the accessible name readable: "Gaming PC Online Paired", not "Gaming PCOnlinePaired".
      doc.createTextNode(' '),
      h(doc, 'span', { class: 'badges' }, badges.flatMap((badge, i) => (i === 0 ? [badge] : [doc.createTextNode(' '), badge]))),
    ]),
    // Named "Details" alone: the host's name in it would make the name ambiguous with the tile's.
    focusButton(doc, hostDetailsKey(host.id), { class: 'tile-option', text: 'Details', onClick: () => ctx.open({ kind: 'details', hostId: host.id }) }),
  ]);
}
