// Which item keeps focus when a list changes under it (platform/tizen.md 5.4: focus is
// never lost after a list update). Items are known by stable keys, not positions, so a
// host that moves in the list keeps focus; one that disappears hands it to the item that
// followed it (which now sits where it was), or else to the one before it.

/** The key to focus in `nextKeys`, given the focus and the order before the update. */
export function keepFocus(previousKeys: readonly string[], nextKeys: readonly string[], focusedKey: string | null): string | null {
  if (focusedKey !== null && nextKeys.includes(focusedKey)) return focusedKey;
  const remaining = new Set(nextKeys);
  const at = focusedKey === null ? -1 : previousKeys.indexOf(focusedKey);
  if (at >= 0) {
    for (let i = at + 1; i < previousKeys.length; i++) {
      const key = previousKeys[i];
      if (key !== undefined && remaining.has(key)) return key;
    }
    for (let i = at - 1; i >= 0; i--) {
      const key = previousKeys[i];
      if (key !== undefined && remaining.has(key)) return key;
    }
  }
  return nextKeys[0] ?? null;
}
