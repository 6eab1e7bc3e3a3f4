// The UI's composition: the screen stack, one view per stack entry, the host list from the
// services, and intents from every input device.
//
// Theory of operation: the stack (focus/screen-stack.ts) is the truth about what is open.
// `show` brings the DOM in line with it: views whose entries left are disposed, new entries
// get views, only the topmost screen and the dialogs over it are displayed, and every layer
// under the top is hidden from assistive technology. Focus always sits in the top layer, on
// what that entry remembers, or its first item. Views rebuild parts of themselves through
// `update`, which keeps focus on the same item (by key) or hands it to a neighbour.

import type { HostView, ServiceError, ServiceEvent, Services, StartupStage } from '../../app/services.ts';
import { isDirection, type Intent } from '../../input/intent.ts';
import { createAddHostView } from '../add-host/add-host.view.ts';
import { createAppsView } from '../apps/apps.view.ts';
import { createHostDetailsView } from '../details/host-details.view.ts';
import { activeKeyIn, focusByKey, focusKeysIn, moveFocus } from '../dom/dom-focus.ts';
import { FOCUS_KEY_ATTR } from '../dom/element.ts';
import { keepFocus } from '../focus/focus-keep.ts';
import { createStack, rememberFocus, rememberFocusAt, replaceRoot, top, type ScreenStack } from '../focus/screen-stack.ts';
import { createHostsView } from '../hosts/hosts.view.ts';
import { createPairingView } from '../pairing/pairing.view.ts';
import { createSettingsView } from '../settings/settings.view.ts';
import { createExitConfirmView } from './exit-confirm.view.ts';
import { goBack, openScreen, type Screen } from './screens.ts';
import { createStartingView } from './starting.view.ts';
import { createStreamView } from '../stream/stream.view.ts';
import type { LayerView, ShellConfig, ViewContext } from './view-context.ts';

export interface ShellOptions {
  doc: Document;
  /** The element the layers are mounted in. */
  mount: HTMLElement;
  services: Services;
  /** Back at the root asks to exit when the platform can exit (a TV). */
  lifecycle: { readonly canExit: boolean; exit(): void };
  config: ShellConfig;
  /** Added once when the host list is empty at start (the desktop demo). */
  demoHost: string | null;
}

export interface Shell {
  handleIntent(intent: Intent): void;
  dispose(): void;
}

interface Mounted {
  screen: Screen;
  view: LayerView;
}

export function startShell(options: ShellOptions): Shell {
  const { doc, mount, services } = options;
  let stack: ScreenStack<Screen> = createStack<Screen>({ kind: 'starting' });
  let mounted: Mounted[] = [];
  let hosts: HostView[] = [];
  let stage: StartupStage | null = null;
  let failure: ServiceError | null = null;
  let ready = false;
  let disposed = false;
  const hostListeners = new Set<(hosts: readonly HostView[]) => void>();
  const eventListeners = new Set<(event: ServiceEvent) => void>();

  const topRoot = (): HTMLElement | null => mounted[mounted.length - 1]?.view.root ?? null;

  const applyHosts = (next: HostView[]): void => {
    hosts = next;
    // A listener may close layers whose own listeners then must not run.
    for (const listener of [...hostListeners]) if (hostListeners.has(listener)) listener(hosts);
  };

  const emit = (event: ServiceEvent): void => {
    for (const listener of [...eventListeners]) if (eventListeners.has(listener)) listener(event);
  };

  /** Brings the DOM in line with `next`; `focusOverride` wins over what the new top remembers. */
  const show = (next: ScreenStack<Screen>, focusOverride?: string): void => {
    stack = next;
    let keep = 0;
    while (keep < mounted.length && keep < stack.entries.length && mounted[keep]?.screen === stack.entries[keep]?.screen) keep++;
    const leaving = mounted.slice(keep).reverse();
    mounted = mounted.slice(0, keep);
    for (const layer of leaving) {
      layer.view.dispose();
      layer.view.root.remove();
    }
    for (let i = keep; i < stack.entries.length; i++) {
      const entry = stack.entries[i];
      if (entry === undefined) continue;
      const view = createView(entry.screen, contextFor(entry.screen));
      mounted.push({ screen: entry.screen, view });
      mount.appendChild(view.root);
    }
    let topScreenIndex = 0;
    stack.entries.forEach((entry, i) => {
      if (entry.layer === 'screen') topScreenIndex = i;
    });
    mounted.forEach((layer, i) => {
      layer.view.root.hidden = i < topScreenIndex;
      if (i < mounted.length - 1) layer.view.root.setAttribute('aria-hidden', 'true');
      else layer.view.root.removeAttribute('aria-hidden');
    });
    const topView = mounted[mounted.length - 1]?.view;
    if (topView === undefined) return;
    const focused = focusByKey(topView.root, focusOverride ?? top(stack).focusKey ?? topView.initialFocusKey());
    stack = rememberFocus(stack, focused);
  };

  const indexOf = (screen: Screen): number => mounted.findIndex((layer) => layer.screen === screen);

  /** The app grid's launch hook: the page's own, else this shell's stream screen when streaming is built in. */
  const configFor = (screen: Screen): ShellConfig => {
    const { launchApp, streaming } = options.config;
    if (launchApp !== null || streaming === undefined || streaming === null) return options.config;
    return {
      ...options.config,
      launchApp: (hostId, appId) => {
        if (indexOf(screen) !== mounted.length - 1) return;
        const root = topRoot();
        show(openScreen(stack, { kind: 'stream', hostId, appId }, root === null ? null : activeKeyIn(root)));
      },
    };
  };

  const contextFor = (screen: Screen): ViewContext => ({
    doc,
    services,
    config: configFor(screen),
    hosts: () => hosts,
    host: (hostId) => hosts.find((host) => host.id === hostId),
    onHostsChanged(listener) {
      hostListeners.add(listener);
      return () => hostListeners.delete(listener);
    },
    onServiceEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    startupStage: () => stage,
    startupFailure: () => failure,
    refreshHosts: async () => {
      const list = await services.listHosts();
      if (!disposed) applyHosts(list);
    },
    open(next) {
      if (indexOf(screen) !== mounted.length - 1) return;
      const root = topRoot();
      show(openScreen(stack, next, root === null ? null : activeKeyIn(root)));
    },
    close(focusKeyBelow) {
      const index = indexOf(screen);
      if (index <= 0) return;
      show({ entries: stack.entries.slice(0, index) }, focusKeyBelow);
    },
    replace(next) {
      const index = indexOf(screen);
      if (index <= 0) return;
      const below = { entries: stack.entries.slice(0, index) };
      show(openScreen(below, next, top(below).focusKey));
    },
    update(render) {
      const index = indexOf(screen);
      const layer = mounted[index];
      if (layer === undefined) {
        render();
        return;
      }
      const root = layer.view.root;
      const isTop = index === mounted.length - 1;
      const before = focusKeysIn(root);
      const focused = isTop ? activeKeyIn(root) : (stack.entries[index]?.focusKey ?? null);
      render();
      const kept = keepFocus(before, focusKeysIn(root), focused);
      if (isTop) focusByKey(root, kept);
      else stack = rememberFocusAt(stack, index, kept);
    },
    focus(key) {
      const index = indexOf(screen);
      const layer = mounted[index];
      if (layer === undefined) return;
      if (index === mounted.length - 1) focusByKey(layer.view.root, key);
      else stack = rememberFocusAt(stack, index, key);
    },
    exitApp: () => options.lifecycle.exit(),
  });

  const becomeReady = (): void => {
    if (ready || failure !== null || disposed) return;
    ready = true;
    show(replaceRoot<Screen>({ kind: 'hosts' }));
    const demo = options.demoHost;
    if (demo !== null && hosts.length === 0) {
      void services.addHost(demo).then(async (result) => {
        if (disposed) return;
        if (!result.ok && result.error.kind !== 'duplicate-host') emit({ kind: 'problem', error: result.error });
        applyHosts(await services.listHosts());
      });
    }
  };

  const unsubscribe = services.subscribe((event) => {
    if (disposed) return;
    switch (event.kind) {
      case 'hosts-changed':
        applyHosts(event.hosts);
        break;
      case 'startup':
        stage = event.stage;
        break;
      case 'startup-failed':
        failure = event.error;
        if (ready) {
          ready = false;
          show(replaceRoot<Screen>({ kind: 'starting' }));
        }
        break;
      case 'pairing-progress':
      case 'problem':
        break;
    }
    emit(event);
  });

  const restoreFocus = (): void => {
    const root = topRoot();
    if (disposed || root === null) return;
    const active = doc.activeElement;
    if (active === null || active === doc.body || !root.contains(active)) focusByKey(root, top(stack).focusKey);
  };
  // A click on empty space or a rebuilt element drops focus to <body>; put it back in the top layer.
  const onFocusOut = (event: FocusEvent): void => {
    if (event.relatedTarget === null) setTimeout(restoreFocus, 0);
  };
  doc.addEventListener('focusout', onFocusOut);
  // The ring follows DOM focus however it moved (keys, pointer, a rebuilt list): one element wears it.
  const onFocusIn = (event: FocusEvent): void => {
    const target = event.target;
    for (const element of Array.from(doc.querySelectorAll(`.${FOCUSED_CLASS}`))) if (element !== target) element.classList.remove(FOCUSED_CLASS);
    if (target instanceof HTMLElement && target.hasAttribute(FOCUS_KEY_ATTR)) target.classList.add(FOCUSED_CLASS);
  };
  doc.addEventListener('focusin', onFocusIn);

  show(stack);
  void services.listHosts().then((list) => {
    if (disposed) return;
    applyHosts(list);
    becomeReady();
  });

  return {
    handleIntent(intent) {
      const layer = mounted[mounted.length - 1];
      if (disposed || layer === undefined) return;
      const root = layer.view.root;
      const focusedKey = activeKeyIn(root);
      if (layer.view.handleIntent(intent, focusedKey)) return;
      if (isDirection(intent)) {
        if (focusedKey === null) focusByKey(root, top(stack).focusKey);
        else moveFocus(root, intent);
        stack = rememberFocus(stack, activeKeyIn(root));
        return;
      }
      if (intent === 'confirm') {
        const active = doc.activeElement;
        if (active instanceof HTMLElement && root.contains(active)) active.click();
        else restoreFocus();
        return;
      }
      if (intent === 'back') {
        const before = stack;
        const after = goBack(stack, options.lifecycle.canExit, focusedKey);
        if (after !== before) show(after);
      }
    },
    dispose() {
      disposed = true;
      unsubscribe();
      doc.removeEventListener('focusout', onFocusOut);
      doc.removeEventListener('focusin', onFocusIn);
      for (const layer of mounted.reverse()) {
        layer.view.dispose();
        layer.view.root.remove();
      }
      mounted = [];
      hostListeners.clear();
      eventListeners.clear();
    },
  };
}

/** The class that draws the focus ring (styles.css); end-to-end tests look for it too. */
export const FOCUSED_CLASS = 'focused';

function createView(screen: Screen, ctx: ViewContext): LayerView {
  switch (screen.kind) {
    case 'starting':
      return createStartingView(ctx);
    case 'hosts':
      return createHostsView(ctx);
    case 'apps':
      return createAppsView(ctx, screen.hostId);
    case 'add-host':
      return createAddHostView(ctx);
    case 'pairing':
      return createPairingView(ctx, screen.hostId);
    case 'details':
      return createHostDetailsView(ctx, screen.hostId);
    case 'exit-confirm':
      return createExitConfirmView(ctx);
    case 'stream':
      return createStreamView(ctx, screen.hostId, screen.appId);
    case 'settings':
      return createSettingsView(ctx);
  }
}
