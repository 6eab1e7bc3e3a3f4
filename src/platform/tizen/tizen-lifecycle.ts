// Leaving the app on a TV: `tizen.application.getCurrentApplication().exit()`, which Samsung's
// return-key policy calls for after the app's own confirmation (platform/tizen.md 5.2).

import type { AppLifecycle } from '../../ui/ui-platform.ts';

export function createTizenLifecycle(tizen: unknown): AppLifecycle {
  return {
    canExit: true,
    exit() {
      const current = currentApplication(tizen);
      if (current === null) {
        console.warn('tizen.application is missing: cannot exit');
        return;
      }
      current.exit();
    },
  };
}

function currentApplication(tizen: unknown): { exit(): void } | null {
  if (typeof tizen !== 'object' || tizen === null) return null;
  const application = (tizen as { application?: unknown }).application;
  if (typeof application !== 'object' || application === null) return null;
  const get = (application as { getCurrentApplication?: unknown }).getCurrentApplication;
  if (typeof get !== 'function') return null;
  const current: unknown = get.call(application);
  if (typeof current !== 'object' || current === null || typeof (current as { exit?: unknown }).exit !== 'function') return null;
  return current as { exit(): void };
}
