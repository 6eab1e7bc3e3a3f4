// A small builder for plain DOM elements, so views read as a tree rather than as statements.

export interface ElementProps {
  class?: string;
  text?: string;
  /** Attributes, including `aria-*`, `role` and `data-*`. */
  attrs?: Record<string, string>;
  onClick?: () => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: ElementProps = {},
  children: ReadonlyArray<Node | null> = [],
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  if (props.class !== undefined) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  const onClick = props.onClick;
  if (onClick !== undefined) element.addEventListener('click', () => onClick());
  for (const child of children) if (child !== null) element.appendChild(child);
  return element;
}

/** A button that takes part in spatial navigation under `focusKey`. */
export function focusButton(doc: Document, focusKey: string, props: ElementProps, children: ReadonlyArray<Node | null> = []): HTMLButtonElement {
  const attrs = { type: 'button', [FOCUS_KEY_ATTR]: focusKey, tabindex: '-1', ...props.attrs };
  return h(doc, 'button', { ...props, attrs }, children);
}

export function replaceChildren(parent: Element, children: ReadonlyArray<Node | null>): void {
  while (parent.firstChild !== null) parent.removeChild(parent.firstChild);
  for (const child of children) if (child !== null) parent.appendChild(child);
}

/** Marks an element as a spatial-navigation target; the value is its stable key. */
export const FOCUS_KEY_ATTR = 'data-focus-key';
