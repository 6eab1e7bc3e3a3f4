// Registers remote keys through `tizen.tvinputdevice` (platform/tizen.md 5.1): without it the
// colour, media and channel keys never reach the page. A batch fails as a whole if one name
// is unknown to the model, so names are first checked against the TV's supported keys, and
// a refused batch is retried one key at a time.

import type { TVInputDeviceManager } from 'tizen-common-web';
import type { KeyRegistry } from '../../ui/ui-platform.ts';

export function createTizenKeys(tizen: unknown): KeyRegistry {
  return {
    registerKeys(names) {
      const device = inputDevice(tizen);
      if (device === null) {
        console.warn('tizen.tvinputdevice is missing: colour and media keys stay with the TV');
        return;
      }
      const supported = supportedNames(device);
      const wanted = supported === null ? [...names] : names.filter((name) => supported.has(name));
      const oneByOne = (): void => {
        for (const name of wanted) {
          try {
            device.registerKey(name);
          } catch (e) {
            console.warn(`key ${name} could not be registered: ${String(e)}`);
          }
        }
      };
      if (device.registerKeyBatch === undefined) {
        oneByOne();
        return;
      }
      try {
        device.registerKeyBatch(wanted, () => undefined, oneByOne);
      } catch {
        oneByOne();
      }
    },
  };
}

/** Samsung's typing, with the methods older firmware may lack made optional. */
type InputDevice = Pick<TVInputDeviceManager, 'registerKey'> & Partial<Pick<TVInputDeviceManager, 'registerKeyBatch' | 'getSupportedKeys'>>;

function inputDevice(tizen: unknown): InputDevice | null {
  const device = property(tizen, 'tvinputdevice');
  if (device === null || typeof property(device, 'registerKey') !== 'function') return null;
  return device as InputDevice;
}

function supportedNames(device: InputDevice): Set<string> | null {
  try {
    const keys: unknown = device.getSupportedKeys?.();
    if (!Array.isArray(keys)) return null;
    const names = keys.map((key: unknown) => property(key, 'name')).filter((name): name is string => typeof name === 'string');
    return new Set(names);
  } catch {
    return null;
  }
}

function property(value: unknown, name: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return null;
  return (value as Record<string, unknown>)[name] ?? null;
}
