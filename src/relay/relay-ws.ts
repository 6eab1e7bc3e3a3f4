// Small helpers for the relay's side of a WebSocket, shared by the TCP and UDP bridges.

import { WebSocket, type RawData } from 'ws';
import { encodeRelayMessage, type RelayEvent } from '../platform/browser/relay-protocol.ts';

/** Sends a control event unless the app already went away. */
export function sendEvent(ws: WebSocket, event: RelayEvent): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(encodeRelayMessage(event));
}

export function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
