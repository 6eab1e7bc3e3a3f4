// The contract between the shell and each screen or dialog it shows.

import type { SettingsStore } from '../../app/settings/settings-store.ts';
import type { HostView, ServiceError, ServiceEvent, Services, StartupStage, StreamMedia } from '../../app/services.ts';
import type { Intent } from '../../input/intent.ts';
import type { StreamSettings } from '../../session/stream-config.ts';
import type { Screen } from './screens.ts';

export interface LayerView {
  /** The layer's outermost element, which the shell mounts, hides and marks as covered. */
  readonly root: HTMLElement;
  /** The key to focus when the layer first shows and remembers nothing yet. */
  initialFocusKey(): string | null;
  /**
   * Gives the view the first say over an intent, with the key focused in it. Return true
   * when handled; otherwise directions move focus, confirm clicks, back closes the layer.
   */
  handleIntent(intent: Intent, focusedKey: string | null): boolean;
  /** The layer left the stack: cancel work, release object URLs, unsubscribe. */
  dispose(): void;
}

export interface ShellConfig {
  /** Where to type the PIN for the demo host (desktop demo only). */
  hostPinPage: string | null;
  /**
   * Starts a stream; absent while the stream engine is not part of the build. When absent and
   * `streaming` is given, the shell opens its own stream screen.
   */
  launchApp: ((hostId: string, appId: number) => void) | null;
  /** What the stream screen needs from the page; absent: streaming is not part of the build. */
  streaming?: StreamingConfig | null;
  /** The user's stream settings; absent: no settings screen (the hosts screen offers none). */
  settings?: SettingsStore | null;
}

export interface StreamingConfig {
  /** The stream to ask hosts for. */
  settings: StreamSettings;
  /**
   * Builds where pictures and sound go, inside `surface` (a canvas, a video element).
   * `requestKeyFrame` reaches the running stream once it exists; `onFailure` ends it (the
   * player broke). `close` releases it all.
   */
  createMedia(surface: HTMLElement, hooks: MediaHooks): { media: StreamMedia; close(): void };
}

export interface MediaHooks {
  requestKeyFrame(): void;
  onFailure(detail: string): void;
}

export interface ViewContext {
  readonly doc: Document;
  readonly services: Services;
  readonly config: ShellConfig;
  /** The latest host list. */
  hosts(): readonly HostView[];
  host(hostId: string): HostView | undefined;
  /** Called after every change of the host list; returns an unsubscribe function. */
  onHostsChanged(listener: (hosts: readonly HostView[]) => void): () => void;
  onServiceEvent(listener: (event: ServiceEvent) => void): () => void;
  /** The services' last reported start-up stage, null before the first report. */
  startupStage(): StartupStage | null;
  /** Why the services could not start, if they could not. */
  startupFailure(): ServiceError | null;
  /** Asks the services for the host list now instead of waiting for their next event. */
  refreshHosts(): Promise<void>;
  /** Opens a screen or dialog over this one. */
  open(screen: Screen): void;
  /** Closes this layer and any over it; `focusKeyBelow` overrides what the layer below remembered. */
  close(focusKeyBelow?: string): void;
  /** Closes this layer and opens `screen` in its place. */
  replace(screen: Screen): void;
  /** Runs `render` (which rebuilds part of the view) and keeps focus on the same item, or its neighbour. */
  update(render: () => void): void;
  /** Focuses `key` in this layer now if it is on top, else when it comes back. */
  focus(key: string): void;
  exitApp(): void;
}
