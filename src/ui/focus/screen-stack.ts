// The screens the user walked through, each remembering its focus, with dialogs on top.
//
// Theory of operation: the bottom entry is the root screen. Opening a screen or a dialog
// pushes an entry; Back closes the top entry, so focus returns to what the entry below
// remembered (the element that opened it). At the root, Back on a TV asks before leaving
// the app (Samsung's return-key policy, platform/tizen.md 5.2); in a browser the page has
// nothing to return to, so Back there does nothing. All functions return new state.

export type Layer = 'screen' | 'dialog';

export interface StackEntry<S> {
  screen: S;
  layer: Layer;
  /** The focused item's key, kept while the entry is covered. */
  focusKey: string | null;
}

export interface ScreenStack<S> {
  /** Bottom first; never empty. */
  entries: readonly StackEntry<S>[];
}

export type BackAction = { kind: 'pop' } | { kind: 'ask-exit' } | { kind: 'ignore' };

export function createStack<S>(root: S): ScreenStack<S> {
  return { entries: [{ screen: root, layer: 'screen', focusKey: null }] };
}

export function top<S>(stack: ScreenStack<S>): StackEntry<S> {
  const entry = stack.entries[stack.entries.length - 1];
  if (entry === undefined) throw new Error('screen stack is empty');
  return entry;
}

export function push<S>(stack: ScreenStack<S>, screen: S, layer: Layer, focusKey: string | null = null): ScreenStack<S> {
  return { entries: [...stack.entries, { screen, layer, focusKey }] };
}

/** Closes the top entry; the root stays. */
export function pop<S>(stack: ScreenStack<S>): ScreenStack<S> {
  if (stack.entries.length <= 1) return stack;
  return { entries: stack.entries.slice(0, -1) };
}

/** Closes every entry above the first one `matches` accepts; unchanged when none does. */
export function popTo<S>(stack: ScreenStack<S>, matches: (screen: S) => boolean): ScreenStack<S> {
  for (let i = stack.entries.length - 1; i >= 0; i--) {
    const entry = stack.entries[i];
    if (entry !== undefined && matches(entry.screen)) return { entries: stack.entries.slice(0, i + 1) };
  }
  return stack;
}

/** Starts over from a new root (the start-up screen giving way to the hosts screen). */
export function replaceRoot<S>(root: S): ScreenStack<S> {
  return createStack(root);
}

/** Records the top entry's focus. */
export function rememberFocus<S>(stack: ScreenStack<S>, focusKey: string | null): ScreenStack<S> {
  return rememberFocusAt(stack, stack.entries.length - 1, focusKey);
}

/** Records the focus of the entry at `index` (a covered screen whose list changed). */
export function rememberFocusAt<S>(stack: ScreenStack<S>, index: number, focusKey: string | null): ScreenStack<S> {
  const entry = stack.entries[index];
  if (entry === undefined) return stack;
  const entries = stack.entries.slice();
  entries[index] = { ...entry, focusKey };
  return { entries };
}

/** What Back should do now. `canExit`: the platform can close the app (a TV, not a browser tab). */
export function backAction<S>(stack: ScreenStack<S>, canExit: boolean): BackAction {
  if (stack.entries.length > 1) return { kind: 'pop' };
  return canExit ? { kind: 'ask-exit' } : { kind: 'ignore' };
}
