// One relayed TCP connection: the WebSocket's binary frames are written to the target and
// the target's bytes go back as binary frames. Reading from the target pauses while the
// WebSocket's send buffer is full or the app asked for a pause, so a slow page never makes
// the relay buffer without bound; writing pauses the WebSocket while the target is slow.

import { connect } from 'node:net';
import { WebSocket, type RawData } from 'ws';
import { err, ok, type Result } from '../lib/result.ts';
import { RELAY_CLOSE_NORMAL, RELAY_CLOSE_POLICY, RELAY_MAX_HOST_BYTES, parseRelayCommand } from '../platform/browser/relay-protocol.ts';
import { netErrorFromNode } from '../platform/node/node-net-error.ts';
import type { NetError } from '../platform/platform.ts';
import { asBuffer, sendEvent } from './relay-ws.ts';

export interface TcpTarget {
  host: string;
  port: number;
  timeoutMs: number;
}

/** The app's own timeout normally fires first; this caps what a request may ask for. */
const MAX_CONNECT_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Unsent bytes in the WebSocket above which reading from the target stops. */
const WS_HIGH_WATER_BYTES = 1024 * 1024;
const WS_LOW_WATER_BYTES = 256 * 1024;

export function parseTcpTarget(params: URLSearchParams): Result<TcpTarget, string> {
  const host = params.get('host') ?? '';
  if (host === '' || Buffer.byteLength(host) > RELAY_MAX_HOST_BYTES) return err('bad host');
  const port = integer(params.get('port'));
  if (port === null || port < 1 || port > 65535) return err('bad port');
  const timeoutParam = params.get('timeoutMs');
  const timeoutMs = timeoutParam === null ? DEFAULT_CONNECT_TIMEOUT_MS : integer(timeoutParam);
  if (timeoutMs === null || timeoutMs < 1) return err('bad timeout');
  return ok({ host, port, timeoutMs: Math.min(timeoutMs, MAX_CONNECT_TIMEOUT_MS) });
}

export function bridgeTcp(ws: WebSocket, target: TcpTarget): void {
  const name = `${target.host}:${target.port}`;
  const socket = connect({ host: target.host, port: target.port });
  let wsFull = false;
  let appPaused = false;

  const timer = setTimeout(() => fail({ kind: 'timeout', detail: `${name}: no connection within ${target.timeoutMs} ms` }), target.timeoutMs);

  function fail(error: NetError): void {
    clearTimeout(timer);
    sendEvent(ws, { kind: 'error', error });
    socket.destroy();
    ws.close(RELAY_CLOSE_NORMAL);
  }

  function applyPause(): void {
    if (wsFull || appPaused) socket.pause();
    else socket.resume();
  }

  function afterSend(): void {
    if (wsFull && ws.bufferedAmount < WS_LOW_WATER_BYTES) {
      wsFull = false;
      applyPause();
    }
  }

  socket.once('connect', () => {
    clearTimeout(timer);
    socket.setNoDelay(true);
    sendEvent(ws, { kind: 'connected' });
  });
  socket.on('data', (chunk: Buffer) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.send(chunk, afterSend);
    if (!wsFull && ws.bufferedAmount > WS_HIGH_WATER_BYTES) {
      wsFull = true;
      applyPause();
    }
  });
  socket.on('end', () => sendEvent(ws, { kind: 'end' }));
  socket.on('error', (e) => fail(netErrorFromNode(e, name)));
  socket.on('close', () => {
    clearTimeout(timer);
    ws.close(RELAY_CLOSE_NORMAL);
  });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) {
      const command = parseRelayCommand(data.toString());
      if (!command.ok) {
        ws.close(RELAY_CLOSE_POLICY, 'bad command');
        return;
      }
      appPaused = command.value.kind === 'pause';
      applyPause();
      return;
    }
    if (!socket.write(asBuffer(data))) {
      ws.pause();
      socket.once('drain', () => ws.resume());
    }
  });
  ws.on('close', () => {
    clearTimeout(timer);
    socket.destroy();
  });
}

function integer(text: string | null): number | null {
  if (text === null || !/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}
