// Loopback TCP peers and reads for the socket tests of every platform (Node sockets, the
// relay): a listening server, a connection through the platform under test, and reading
// until a byte count arrived.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Sockets, TcpConnection } from '../../../src/platform/platform.ts';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function listen(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((s) => {
    count += 1;
    onConnection(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, connections: () => count };
}

export async function closeServer(server: Server): Promise<void> {
  server.close();
  await once(server, 'close');
}

export async function connectedVia(sockets: Sockets, port: number): Promise<TcpConnection> {
  const result = await sockets.connectTcp('127.0.0.1', port, 2000);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.error));
  return result.value;
}

/** Reads until `count` bytes arrived or the stream ended (at most 10,000 reads). */
export async function readBytes(conn: TcpConnection, count: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < 10_000 && total < count; i++) {
    const r = await conn.read(5000);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    if (r.value === null) break;
    parts.push(r.value);
    total += r.value.length;
  }
  return Uint8Array.from(Buffer.concat(parts));
}
