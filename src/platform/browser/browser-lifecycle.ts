// A browser tab cannot close itself (scripts may only close windows they opened), so Back
// at the root screen does nothing there.

import type { AppLifecycle } from '../../ui/ui-platform.ts';

export function createBrowserLifecycle(): AppLifecycle {
  return { canExit: false, exit: () => undefined };
}
