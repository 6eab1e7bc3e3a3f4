// TCP over node:net. Reading is push-based in Node; the receive queue turns it into the
// seam's `read(timeoutMs)` and pauses the socket while the reader lags behind.

import { Socket, connect } from 'node:net';
import { err, ok, type Result } from '../../lib/result.ts';
import { createReceiveQueue } from '../browser/receive-queue.ts';
import type { NetError, TcpConnection } from '../platform.ts';
import { netErrorFromNode } from './node-net-error.ts';

/** Received bytes not yet read before the socket stops reading from the kernel. */
const RECEIVE_HIGH_WATER_BYTES = 1024 * 1024;

export function connectNodeTcp(host: string, port: number, timeoutMs: number): Promise<Result<TcpConnection, NetError>> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const target = `${host}:${port}`;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(err({ kind: 'timeout', detail: `${target}: no connection within ${timeoutMs} ms` }));
    }, timeoutMs);
    const onError = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(err(netErrorFromNode(e, target)));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      // Control-plane messages are small and latency-bound.
      socket.setNoDelay(true);
      resolve(ok(wrapSocket(socket, target)));
    });
  });
}

function wrapSocket(socket: Socket, target: string): TcpConnection {
  const queue = createReceiveQueue<Uint8Array>({
    sizeOf: (chunk) => chunk.length,
    highWater: RECEIVE_HIGH_WATER_BYTES,
    overflow: { kind: 'pause', pause: () => socket.pause(), resume: () => socket.resume() },
  });
  let failure: NetError | null = null;
  let closed = false;

  // A plain Uint8Array view: Buffer's `slice` shares memory where Uint8Array's copies,
  // a difference callers should not have to know about.
  socket.on('data', (chunk: Buffer) => queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  socket.on('end', () => queue.finish({ kind: 'eof' }));
  socket.on('error', (e) => {
    failure = failure ?? netErrorFromNode(e, target);
    queue.finish({ kind: 'error', error: failure });
  });
  socket.on('close', () => {
    failure = failure ?? { kind: 'closed', detail: `${target}: connection closed` };
    queue.finish({ kind: 'eof' });
  });

  return {
    write(bytes) {
      if (closed) return Promise.resolve(err({ kind: 'closed', detail: `${target}: closed by the app` }));
      if (failure !== null) return Promise.resolve(err(failure));
      if (socket.writableEnded || socket.destroyed) {
        return Promise.resolve(err({ kind: 'closed', detail: `${target}: the host closed the connection` }));
      }
      return new Promise((resolve) => {
        // The callback runs once the bytes are handed to the kernel, so the caller may
        // reuse its buffer afterwards, and a slow peer slows the writer down.
        socket.write(bytes, (e) => resolve(e ? err(netErrorFromNode(e, target)) : ok(undefined)));
      });
    },
    read(timeoutMs) {
      return queue.take(timeoutMs);
    },
    close() {
      if (closed) return;
      closed = true;
      queue.abort({ kind: 'closed', detail: `${target}: closed by the app` });
      socket.destroy();
    },
  };
}
