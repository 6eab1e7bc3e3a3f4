// What a host's tile says and what Enter on it does, decided from the services' HostView.

import type { HostView } from '../../app/services.ts';

/** Enter on a host: pair with it, open its apps, or show its details (offline: Wake lives there). */
export type HostActivation = { kind: 'pair' } | { kind: 'open-apps' } | { kind: 'details' };

/** The words of the tile after the name, in reading order. */
export function statusWords(host: HostView): string[] {
  const words: string[] = [REACHABILITY_WORDS[host.reachability]];
  words.push(host.paired ? 'Paired' : 'Not paired');
  if (host.reachability === 'online' && host.busy) words.push('Busy');
  return words;
}

export function activationFor(host: HostView): HostActivation {
  // While the first poll is still out, try anyway: the call's own error is more telling than waiting.
  if (host.reachability === 'offline') return { kind: 'details' };
  return host.paired ? { kind: 'open-apps' } : { kind: 'pair' };
}

export function hostTileKey(hostId: string): string {
  return `host:${hostId}`;
}

export function hostDetailsKey(hostId: string): string {
  return `host-details:${hostId}`;
}

export const ADD_HOST_KEY = 'add-host';

const REACHABILITY_WORDS: Record<HostView['reachability'], string> = {
  unknown: 'Checking',
  online: 'Online',
  offline: 'Offline',
};
