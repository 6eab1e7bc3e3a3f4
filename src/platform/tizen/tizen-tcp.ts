// TCP over the Sockets Extension. Every socket is non-blocking (the only mode our design
// allows, since a blocking call stalls the worker): connect returns EINPROGRESS and is
// finished by polling for POLLOUT and reading so_error; reads and writes wait with the
// short polls of waitForSocket.

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError, TcpConnection } from '../platform.ts';
import { netAddress, resolveHost } from './tizen-address.ts';
import {
  closeQuietly,
  isErrno,
  netErrorOf,
  socketCall,
  waitForSocket,
  type SocketFailure,
  type SocketsApi,
  type WorkerLoop,
} from './tizen-socket-calls.ts';

/** One recv's buffer; larger reads just take more calls. */
const READ_CHUNK_BYTES = 64 * 1024;
/** A write that makes no progress for this long fails: the host stopped reading. */
const WRITE_STALL_TIMEOUT_MS = 30_000;

export async function connectTizenTcp(
  api: SocketsApi,
  loop: WorkerLoop,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Result<TcpConnection, NetError>> {
  const deadlineMs = loop.nowMs() + timeoutMs;
  const target = `${host}:${port}`;
  const addresses = resolveHost(api, host);
  if (!addresses.ok) return addresses;
  const ip = addresses.value[0];
  if (ip === undefined) return err({ kind: 'unreachable', detail: `${target}: no address` });

  const created = socketCall(api, () => api.manager.create(ip.family === 4 ? 'af_inet' : 'af_inet6', 'sock_stream', api.nonBlock));
  if (!created.ok) return err(netErrorOf(api, created.error, `${target}: socket`));
  const id = created.value;
  // Small control messages must not wait for Nagle's algorithm; not every TV may allow it.
  socketCall(api, () => api.manager.setSockOpt(id, 'ipproto_tcp', 'tcp_nodelay', 1));

  const connected = await finishConnect(api, loop, id, netAddress(api, ip, port), deadlineMs);
  if (!connected.ok) {
    closeQuietly(api, id);
    return err(connected.error === 'timeout'
      ? { kind: 'timeout', detail: `${target}: no connection within ${timeoutMs} ms` }
      : netErrorOf(api, connected.error, target));
  }
  return ok(wrapSocket(api, loop, id, target));
}

async function finishConnect(
  api: SocketsApi,
  loop: WorkerLoop,
  id: number,
  address: ReturnType<typeof netAddress>,
  deadlineMs: number,
): Promise<Result<void, SocketFailure | 'timeout'>> {
  const started = socketCall(api, () => api.manager.connect(id, address));
  if (started.ok) return ok(undefined); // connected at once (possible on loopback)
  if (!isErrno(api, started.error, 'EINPROGRESS')) return started;
  const ready = await waitForSocket(api, loop, id, api.pollOut, deadlineMs);
  if (!ready.ok) return ready;
  if (ready.value === null) return err('timeout');
  const status = socketCall(api, () => api.manager.getSockOpt(id, 'sol_socket', 'so_error'));
  if (!status.ok) return status;
  const code = Number(status.value);
  return code === 0 ? ok(undefined) : err({ code, message: 'so_error' });
}

function wrapSocket(api: SocketsApi, loop: WorkerLoop, id: number, target: string): TcpConnection {
  const scratch = new Uint8Array(READ_CHUNK_BYTES);
  let closed = false;
  let ended = false;
  // Partial sends of two overlapping writes would interleave their bytes.
  let writing: Promise<unknown> = Promise.resolve();

  const closedError = (): NetError => ({ kind: 'closed', detail: `${target}: closed by the app` });

  async function readOnce(timeoutMs: number): Promise<Result<Uint8Array | null, NetError>> {
    const deadlineMs = loop.nowMs() + timeoutMs;
    for (;;) {
      if (closed) return err(closedError());
      if (ended) return ok(null);
      const ready = await waitForSocket(api, loop, id, api.pollIn, deadlineMs);
      if (closed) return err(closedError());
      if (!ready.ok) return err(netErrorOf(api, ready.error, target));
      if (ready.value === null) return err({ kind: 'timeout', detail: `${target}: nothing received within ${timeoutMs} ms` });
      const got = socketCall(api, () => api.manager.recv(id, scratch, 0));
      if (got.ok) {
        if (got.value === 0) {
          ended = true;
          return ok(null);
        }
        return ok(scratch.slice(0, got.value));
      }
      // Readiness without data (a spurious wakeup) just means: wait again.
      if (!isErrno(api, got.error, 'EAGAIN', 'EWOULDBLOCK', 'EINTR')) return err(netErrorOf(api, got.error, target));
    }
  }

  async function writeAll(bytes: Uint8Array): Promise<Result<void, NetError>> {
    let offset = 0;
    let stallDeadlineMs = loop.nowMs() + WRITE_STALL_TIMEOUT_MS;
    while (offset < bytes.length) {
      if (closed) return err(closedError());
      const sent = socketCall(api, () => api.manager.send(id, bytes.subarray(offset), api.noSignal));
      if (sent.ok) {
        offset += sent.value;
        stallDeadlineMs = loop.nowMs() + WRITE_STALL_TIMEOUT_MS;
        continue;
      }
      if (!isErrno(api, sent.error, 'EAGAIN', 'EWOULDBLOCK', 'EINTR')) return err(netErrorOf(api, sent.error, target));
      const ready = await waitForSocket(api, loop, id, api.pollOut, stallDeadlineMs);
      if (!ready.ok) return err(netErrorOf(api, ready.error, target));
      if (ready.value === null) return err({ kind: 'timeout', detail: `${target}: the host stopped reading` });
    }
    return ok(undefined);
  }

  return {
    write(bytes) {
      const result = writing.then(() => writeAll(bytes));
      writing = result;
      return result;
    },
    read: readOnce,
    close() {
      if (closed) return;
      closed = true;
      closeQuietly(api, id);
    },
  };
}
