// Leaving the app on a TV: `tizen.application.getCurrentApplication().exit()`, which Samsung's
// return-key policy calls for after the app's own confirmation (platform/tizen.md 5.2).

import type { Application, ApplicationManager } from 'tizen-common-web';
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

function currentApplication(tizen: unknown): Pick<Application, 'exit'> | null {
  if (typeof tizen !== 'object' || tizen === null) return null;
  const application = (tizen as { application?: Partial<ApplicationManager> }).application;
  if (typeof application?.getCurrentApplication !== 'function') return null;
  const current: Partial<Application> | null | undefined = application.getCurrentApplication();
  return typeof current?.exit === 'function' ? (current as Pick<Application, 'exit'>) : null;
}
