// What the start-up screen says at each stage of the services' start.

import type { StartupStage } from '../../app/services.ts';

export function startupText(stage: StartupStage | null): string {
  switch (stage) {
    case null:
    case 'loading-core':
      return 'Starting…';
    case 'preparing-identity':
      return 'Creating this TV’s pairing identity. The first start can take up to a minute.';
    case 'loading-hosts':
      return 'Loading your computers…';
    case 'ready':
      return 'Ready.';
  }
}
