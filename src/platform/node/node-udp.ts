// UDP over node:dgram, bound to an ephemeral port on every interface.

import { createSocket, type Socket } from 'node:dgram';
import { err, ok, type Result } from '../../lib/result.ts';
import { createReceiveQueue } from '../browser/receive-queue.ts';
import type { NetError, UdpDatagram, UdpSocket } from '../platform.ts';
import { netErrorFromNode } from './node-net-error.ts';

/** Datagrams not yet received by the app; more are dropped, as by a full kernel buffer. */
const RECEIVE_HIGH_WATER_BYTES = 4 * 1024 * 1024;

export function openNodeUdp(options: { broadcast: boolean; family: 4 | 6 }): Promise<Result<UdpSocket, NetError>> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: options.family === 6 ? 'udp6' : 'udp4' });
    const onBindError = (e: Error): void => {
      socket.close();
      resolve(err(netErrorFromNode(e, 'UDP bind')));
    };
    socket.once('error', onBindError);
    socket.bind(0, () => {
      socket.off('error', onBindError);
      if (options.broadcast) socket.setBroadcast(true);
      resolve(ok(wrapSocket(socket)));
    });
  });
}

function wrapSocket(socket: Socket): UdpSocket {
  const queue = createReceiveQueue<UdpDatagram>({
    sizeOf: (datagram) => datagram.bytes.length,
    highWater: RECEIVE_HIGH_WATER_BYTES,
    overflow: { kind: 'drop' },
  });
  let failure: NetError | null = null;
  let closed = false;

  socket.on('message', (message, remote) => {
    queue.push({
      bytes: new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
      host: remote.address,
      port: remote.port,
    });
  });
  socket.on('error', (e) => {
    failure = failure ?? netErrorFromNode(e, 'UDP socket');
    queue.finish({ kind: 'error', error: failure });
  });

  return {
    send(bytes, host, port) {
      if (closed) return Promise.resolve(err({ kind: 'closed', detail: 'UDP socket closed by the app' }));
      if (failure !== null) return Promise.resolve(err(failure));
      return new Promise((resolve) => {
        try {
          // Resolves once the datagram left, so the caller may reuse its buffer.
          socket.send(bytes, port, host, (e) => resolve(e ? err(netErrorFromNode(e, `UDP send to ${host}:${port}`)) : ok(undefined)));
        } catch (e) {
          // dgram throws synchronously for arguments it rejects outright (a bad port, say).
          resolve(err(netErrorFromNode(e, `UDP send to ${host}:${port}`)));
        }
      });
    },
    async receive(timeoutMs) {
      const next = await queue.take(timeoutMs);
      if (!next.ok) return next;
      return next.value === null ? err({ kind: 'closed', detail: 'UDP socket closed' }) : ok(next.value);
    },
    close() {
      if (closed) return;
      closed = true;
      queue.abort({ kind: 'closed', detail: 'UDP socket closed by the app' });
      socket.close();
    },
  };
}
