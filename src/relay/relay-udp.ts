// One relayed UDP socket, bound to an ephemeral port on every interface. Each binary frame
// from the app is one datagram to send (its header names the destination); each datagram
// received goes back as one frame naming its source. When the page does not keep up,
// datagrams are dropped here rather than queued without bound, as UDP would.

import { createSocket } from 'node:dgram';
import type { RawData, WebSocket } from 'ws';
import { err, ok, type Result } from '../lib/result.ts';
import { RELAY_CLOSE_NORMAL, RELAY_CLOSE_POLICY, decodeDatagram, encodeDatagram } from '../platform/browser/relay-protocol.ts';
import { netErrorFromNode } from '../platform/node/node-net-error.ts';
import { asBuffer, sendEvent } from './relay-ws.ts';

export interface UdpOptions {
  family: 4 | 6;
  broadcast: boolean;
}

/** Unsent bytes in the WebSocket above which received datagrams are dropped. */
const WS_HIGH_WATER_BYTES = 4 * 1024 * 1024;

export function parseUdpOptions(params: URLSearchParams): Result<UdpOptions, string> {
  const family = params.get('family');
  const broadcast = params.get('broadcast') ?? '0';
  if (family !== '4' && family !== '6') return err('bad family');
  if (broadcast !== '0' && broadcast !== '1') return err('bad broadcast flag');
  return ok({ family: family === '6' ? 6 : 4, broadcast: broadcast === '1' });
}

export function bridgeUdp(ws: WebSocket, options: UdpOptions): void {
  const socket = createSocket({ type: options.family === 6 ? 'udp6' : 'udp4' });
  let bound = false;
  let closed = false;

  function closeSocket(): void {
    if (closed) return;
    closed = true;
    socket.close();
  }

  socket.on('error', (e) => {
    sendEvent(ws, { kind: 'error', error: netErrorFromNode(e, 'UDP socket') });
    closeSocket();
    ws.close(RELAY_CLOSE_NORMAL);
  });
  socket.bind(0, () => {
    bound = true;
    if (options.broadcast) socket.setBroadcast(true);
    sendEvent(ws, { kind: 'bound', port: socket.address().port });
  });
  socket.on('message', (message, from) => {
    if (ws.bufferedAmount > WS_HIGH_WATER_BYTES) return;
    const frame = encodeDatagram({ host: from.address, port: from.port, payload: message });
    if (frame.ok) ws.send(frame.value);
  });

  ws.on('message', (data: RawData, isBinary: boolean) => {
    const datagram = isBinary ? decodeDatagram(asBuffer(data)) : err('text frame on a UDP socket');
    if (!datagram.ok || !bound || closed) {
      ws.close(RELAY_CLOSE_POLICY, datagram.ok ? 'socket not ready' : datagram.error);
      return;
    }
    const { host, port, payload } = datagram.value;
    socket.send(payload, port, host, (e) => {
      if (e) sendEvent(ws, { kind: 'send-failed', error: netErrorFromNode(e, `UDP send to ${host}:${port}`) });
    });
  });
  ws.on('close', closeSocket);
}
