// A desktop browser delivers every key to the page; there is nothing to register.

import type { KeyRegistry } from '../../ui/ui-platform.ts';

export function createBrowserKeys(): KeyRegistry {
  return { registerKeys: () => undefined };
}
