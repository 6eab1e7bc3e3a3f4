// The apps screen of one host: a grid of box art with titles. Pictures arrive as PNG bytes
// from the services and are shown through object URLs, released when the screen closes.

import { errorText } from '../../app/error-text.ts';
import type { AppView, ServiceError } from '../../app/services.ts';
import { focusButton, h, replaceChildren } from '../dom/element.ts';
import { focusableLine, messageLine, screenFrame } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';
import { BOX_ART_CONCURRENCY, createBoxArtLoader } from './box-art-loader.ts';

type AppsState =
  | { kind: 'loading' }
  | { kind: 'loaded'; apps: AppView[] }
  | { kind: 'failed'; error: ServiceError };

const RETRY_KEY = 'retry';

export function appKey(appId: number): string {
  return `app:${appId}`;
}

export function createAppsView(ctx: ViewContext, hostId: string): LayerView {
  const { doc } = ctx;
  const hostName = ctx.host(hostId)?.name ?? 'this computer';
  let state: AppsState = { kind: 'loading' };
  let notice: string | null = null;
  let disposed = false;
  const objectUrls = new Map<number, string>();
  const artSlots = new Map<number, HTMLElement>();

  const body = h(doc, 'div', { class: 'apps-body' });
  const root = screenFrame(doc, `Apps on ${hostName}`, 'apps-screen', [body]);

  const loader = createBoxArtLoader({
    concurrency: BOX_ART_CONCURRENCY,
    load: (appId) => ctx.services.boxArt(hostId, appId),
    onLoaded(appId, pngBytes) {
      const url = URL.createObjectURL(new Blob([new Uint8Array(pngBytes)], { type: 'image/png' }));
      objectUrls.set(appId, url);
      const slot = artSlots.get(appId);
      const title = appTitle(appId);
      if (slot !== undefined && title !== null) showArt(slot, url, title);
    },
  });

  const appTitle = (appId: number): string | null => (state.kind === 'loaded' ? (state.apps.find((a) => a.id === appId)?.title ?? null) : null);

  const showArt = (slot: HTMLElement, url: string, title: string): void => {
    const img = h(doc, 'img', { class: 'box-art', attrs: { alt: title, src: url } });
    replaceChildren(slot, [img]);
  };

  const activate = (app: AppView): void => {
    const launch = ctx.config.launchApp;
    if (launch !== null) {
      launch(hostId, app.id);
      return;
    }
    notice = `Starting “${app.title}” is not possible yet: streaming is not part of this version.`;
    ctx.update(render);
  };

  function appTile(app: AppView): HTMLElement {
    const slot = h(doc, 'span', { class: 'art-slot' }, [h(doc, 'span', { class: 'art-placeholder', text: app.title.slice(0, 1).toUpperCase() })]);
    artSlots.set(app.id, slot);
    const url = objectUrls.get(app.id);
    if (url !== undefined) showArt(slot, url, app.title);
    const running = ctx.host(hostId)?.runningAppId === app.id;
    return focusButton(doc, appKey(app.id), { class: 'tile app-tile', attrs: { 'aria-label': app.title }, onClick: () => activate(app) }, [
      slot,
      h(doc, 'span', { class: 'app-title', text: app.title }),
      running ? h(doc, 'span', { class: 'badge badge-running', text: 'Running' }) : null,
    ]);
  }

  function render(): void {
    artSlots.clear();
    switch (state.kind) {
      case 'loading':
        replaceChildren(body, [focusableLine(doc, 'status', 'Loading apps…')]);
        return;
      case 'failed':
        replaceChildren(body, [
          messageLine(doc, 'alert', errorText(state.error, { hostName })),
          focusButton(doc, RETRY_KEY, { class: 'button primary', text: 'Try again', onClick: () => void load() }),
        ]);
        return;
      case 'loaded':
        replaceChildren(body, [
          messageLine(doc, 'status', notice),
          state.apps.length === 0 ? focusableLine(doc, null, `${hostName} offers no apps.`) : null,
          h(doc, 'div', { class: 'tile-grid app-grid' }, state.apps.map(appTile)),
        ]);
        return;
    }
  }

  const load = async (): Promise<void> => {
    state = { kind: 'loading' };
    ctx.update(render);
    const result = await ctx.services.apps(hostId);
    if (disposed) return;
    state = result.ok ? { kind: 'loaded', apps: result.value } : { kind: 'failed', error: result.error };
    ctx.update(render);
    if (result.ok) loader.request(result.value.map((app) => app.id));
  };

  render();
  const stopHosts = ctx.onHostsChanged((hosts) => {
    // The host was removed elsewhere (another dialog, another client): nothing left to show.
    if (!hosts.some((host) => host.id === hostId)) ctx.close();
    else if (state.kind === 'loaded') ctx.update(render);
  });
  void load();

  return {
    root,
    initialFocusKey: () => null,
    handleIntent: () => false,
    dispose() {
      disposed = true;
      stopHosts();
      loader.dispose();
      for (const url of objectUrls.values()) URL.revokeObjectURL(url);
      objectUrls.clear();
    },
  };
}
