// The stream screen: the picture fills it; over it, while the stream starts, the stages of the
// start; then, on request, the statistics, the "Stop streaming?" question, and at the end the
// host's reason in words. Behaviour is stream-flow.ts; this file renders it and carries out
// its effects with the services.

import { errorText, streamEndText } from '../../app/error-text.ts';
import type { ServiceError, StreamHandle } from '../../app/services.ts';
import { focusButton, h, replaceChildren } from '../dom/element.ts';
import { focusableLine, messageLine } from '../dom/layer-frame.ts';
import type { LayerView, ViewContext } from '../shell/view-context.ts';
import { INITIAL_STREAM_FLOW, stageText, statsLines, stepStreamFlow, type StreamChoice, type StreamFlowEffect, type StreamFlowInput, type StreamFlowState } from './stream-flow.ts';

/** The attribute on the screen's root that says where the stream is (`StreamFlowState` kind); tests read it. */
export const STREAM_STATE_ATTR = 'data-stream-state';
/** Set to "true" on the root once the first picture arrived. */
export const FIRST_FRAME_ATTR = 'data-first-frame';

export function createStreamView(ctx: ViewContext, hostId: string, appId: number): LayerView {
  const { doc } = ctx;
  const streaming = ctx.config.streaming ?? null;
  const hostName = ctx.host(hostId)?.name ?? 'the PC';
  const titles = new Map<number, string>();
  let state: StreamFlowState = INITIAL_STREAM_FLOW;
  let handle: StreamHandle | null = null;
  let media: { close(): void } | null = null;
  let stopEvents: (() => void) | null = null;
  let disposed = false;

  const surface = h(doc, 'div', { class: 'stream-surface', attrs: { 'aria-hidden': 'true' } });
  const panel = h(doc, 'div', { class: 'stream-panel' });
  const overlay = h(doc, 'div', { class: 'stream-stats', attrs: { role: 'status' } });
  const root = h(doc, 'section', { class: 'layer screen stream-screen', attrs: { 'aria-label': `Streaming from ${hostName}`, [STREAM_STATE_ATTR]: state.kind } }, [surface, overlay, panel]);

  const appName = (id: number): string => titles.get(id) ?? (id === appId ? 'the app' : 'the running app');

  const dispatch = (input: StreamFlowInput): boolean => {
    if (disposed) return false;
    const step = stepStreamFlow(state, input);
    const changed = step.state !== state;
    state = step.state;
    if (changed) ctx.update(render);
    for (const effect of step.effects) run(effect);
    if (changed) focusPrimary();
    return step.handled;
  };

  const choose = (choice: StreamChoice): void => {
    dispatch({ kind: 'choice', choice });
  };

  const run = (effect: StreamFlowEffect): void => {
    switch (effect) {
      case 'start-stream':
        void start();
        return;
      case 'cancel-start':
        ctx.services.cancelStreamStart(hostId);
        return;
      case 'quit-app':
        void ctx.services.quitApp(hostId).then((result) => dispatch({ kind: 'quit-done', result }));
        return;
      case 'stop-stream':
        handle?.stop();
        return;
      case 'close-screen':
        ctx.close();
        return;
    }
  };

  const start = async (): Promise<void> => {
    const config = streaming;
    if (config === null) {
      dispatch({ kind: 'started', result: { ok: false, error: { kind: 'internal', detail: 'streaming is not part of this build' } } });
      return;
    }
    releaseMedia();
    const built = config.createMedia(surface, {
      requestKeyFrame: () => handle?.requestIdr(),
      onFailure: (detail) => void dispatch({ kind: 'media-failed', detail }),
    });
    media = built;
    const started = await ctx.services.startStream(hostId, appId, config.settings, built.media);
    if (!started.ok) {
      releaseMedia();
      dispatch({ kind: 'started', result: started });
      return;
    }
    if (disposed) {
      started.value.stop();
      return;
    }
    handle = started.value;
    stopEvents = handle.subscribe((event) => {
      dispatch({ kind: 'stream-event', event });
      if (event.kind === 'ended') releaseMedia();
    });
    dispatch({ kind: 'started', result: { ok: true, value: handle.info } });
  };

  const releaseMedia = (): void => {
    stopEvents?.();
    stopEvents = null;
    media?.close();
    media = null;
  };

  const focusPrimary = (): void => {
    const key = primaryKey(state);
    if (key !== null) ctx.focus(key);
  };

  function render(): void {
    root.setAttribute(STREAM_STATE_ATTR, state.kind);
    root.setAttribute(FIRST_FRAME_ATTR, String(state.kind === 'streaming' && state.firstFrame));
    overlay.hidden = !(state.kind === 'streaming' && state.overlay);
    replaceChildren(overlay, state.kind === 'streaming' && state.overlay ? statsLines(state.info, state.stats).map((line) => h(doc, 'p', { text: line })) : []);
    replaceChildren(panel, panelContent());
    panel.hidden = state.kind === 'streaming' && state.firstFrame && !state.askingStop;
  }

  function panelContent(): Array<Node | null> {
    switch (state.kind) {
      case 'starting':
        return [
          h(doc, 'h1', { class: 'screen-title', text: `Starting “${appName(appId)}” on ${hostName}` }),
          h(doc, 'div', { class: 'progress', attrs: { 'aria-hidden': 'true' } }, [h(doc, 'div', { class: 'progress-bar' })]),
          focusableLine(doc, 'status', stageText(state.stage, { app: appName(appId), host: hostName })),
        ];
      case 'app-running':
        return question('Quit the running app first?', `${hostName} is running “${appName(state.runningAppId)}”. Quit it to start “${appName(appId)}”? Anything unsaved in it is lost.`, [
          ['quit-and-start', 'Quit and start', true],
          ['cancel', 'Cancel', false],
        ]);
      case 'quitting':
        return [focusableLine(doc, 'status', 'Quitting the running app…')];
      case 'streaming':
        if (state.askingStop) {
          return question('Stop streaming?', `“${appName(appId)}” keeps running on ${hostName}; choose it again to come back.`, [
            ['stop', 'Stop', true],
            ['continue', 'Continue', false],
          ]);
        }
        return state.firstFrame ? [] : [focusableLine(doc, 'status', 'Waiting for the picture…')];
      case 'stopping':
        return [focusableLine(doc, 'status', 'Stopping…')];
      case 'ended':
        return [
          messageLine(doc, 'alert', streamEndText(state.end, { hostName }) ?? 'The stream ended.'),
          focusButton(doc, 'close', { class: 'button primary', text: 'OK', onClick: () => choose('close') }),
        ];
      case 'failed':
        return [
          messageLine(doc, 'alert', failureText(state.error)),
          h(doc, 'div', { class: 'dialog-buttons' }, [
            focusButton(doc, 'retry', { class: 'button primary', text: 'Try again', onClick: () => choose('retry') }),
            focusButton(doc, 'close', { class: 'button', text: 'Back', onClick: () => choose('close') }),
          ]),
        ];
    }
  }

  function question(title: string, text: string, buttons: Array<[StreamChoice, string, boolean]>): Array<Node | null> {
    return [
      h(doc, 'div', { class: 'dialog', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': title } }, [
        h(doc, 'h2', { class: 'dialog-title', text: title }),
        h(doc, 'p', { class: 'message', text }),
        h(doc, 'div', { class: 'dialog-buttons' }, buttons.map(([choice, label, primary]) =>
          focusButton(doc, choice, { class: primary ? 'button primary' : 'button', text: label, onClick: () => choose(choice) }),
        )),
      ]),
    ];
  }

  const failureText = (error: ServiceError): string => errorText(error, { hostName });

  render();
  const stopProgress = ctx.onServiceEvent((event) => {
    if (event.kind === 'stream-progress' && event.hostId === hostId) dispatch({ kind: 'progress', stage: event.stage });
  });
  // Titles for the words on screen; the list is cached, and the stream does not wait for it.
  void ctx.services.apps(hostId).then((apps) => {
    if (disposed || !apps.ok) return;
    for (const app of apps.value) titles.set(app.id, app.title);
    ctx.update(render);
  });
  void start();

  return {
    root,
    initialFocusKey: () => primaryKey(state),
    handleIntent: (intent) => dispatch({ kind: 'intent', intent }),
    dispose() {
      if (state.kind === 'starting') ctx.services.cancelStreamStart(hostId);
      disposed = true;
      stopProgress();
      handle?.stop();
      releaseMedia();
    },
  };
}

/** The button to focus when a state shows, if it has any. */
function primaryKey(state: StreamFlowState): string | null {
  switch (state.kind) {
    case 'app-running':
      return 'quit-and-start';
    case 'streaming':
      return state.askingStop ? 'stop' : null;
    case 'ended':
      return 'close';
    case 'failed':
      return 'retry';
    case 'starting':
    case 'quitting':
    case 'stopping':
      return null;
  }
}
