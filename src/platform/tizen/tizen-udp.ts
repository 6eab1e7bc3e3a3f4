// UDP over the Sockets Extension: a non-blocking datagram socket bound to an ephemeral
// port, with receive waiting through short polls like TCP reads.

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError, UdpSocket } from '../platform.ts';
import { formatIp, unmapV4, v4Mapped, type IpBytes } from './ip-literal.ts';
import { netAddress, resolveHost } from './tizen-address.ts';
import {
  closeQuietly,
  isErrno,
  netErrorOf,
  socketCall,
  waitForSocket,
  type SocketsApi,
  type WorkerLoop,
} from './tizen-socket-calls.ts';

/** Every UDP payload fits (at most 65527 bytes); a larger buffer would only waste memory. */
const DATAGRAM_BUFFER_BYTES = 65536;
/** A datagram send waits for buffer space at most this long; UDP has no peer to wait for. */
const SEND_WAIT_MS = 1000;

export function openTizenUdp(
  api: SocketsApi,
  loop: WorkerLoop,
  options: { broadcast: boolean; family: 4 | 6 },
): Promise<Result<UdpSocket, NetError>> {
  const family = options.family === 4 ? 'af_inet' : 'af_inet6';
  const created = socketCall(api, () => api.manager.create(family, 'sock_dgram', api.nonBlock));
  if (!created.ok) return Promise.resolve(err(netErrorOf(api, created.error, 'UDP socket')));
  const id = created.value;
  const any: IpBytes = { family: options.family, bytes: new Uint8Array(options.family === 4 ? 4 : 16) };
  const bound = socketCall(api, () => api.manager.bind(id, netAddress(api, any, 0)));
  if (!bound.ok) {
    closeQuietly(api, id);
    return Promise.resolve(err(netErrorOf(api, bound.error, 'UDP bind')));
  }
  if (options.broadcast) {
    const allowed = socketCall(api, () => api.manager.setSockOpt(id, 'sol_socket', 'so_broadcast', 1));
    if (!allowed.ok) {
      closeQuietly(api, id);
      return Promise.resolve(err(netErrorOf(api, allowed.error, 'UDP broadcast')));
    }
  }
  return Promise.resolve(ok(wrapSocket(api, loop, id, options.family)));
}

function wrapSocket(api: SocketsApi, loop: WorkerLoop, id: number, family: 4 | 6): UdpSocket {
  const scratch = new Uint8Array(DATAGRAM_BUFFER_BYTES);
  let closed = false;
  const closedError: NetError = { kind: 'closed', detail: 'UDP socket closed by the app' };

  function destination(host: string, port: number): Result<IpBytes, NetError> {
    const resolved = resolveHost(api, host);
    if (!resolved.ok) return resolved;
    const match = resolved.value.find((ip) => ip.family === family);
    if (match !== undefined) return ok(match);
    const v4 = resolved.value.find((ip) => ip.family === 4);
    // A dual-stack IPv6 socket reaches IPv4 hosts through mapped addresses.
    if (family === 6 && v4 !== undefined) return ok({ family: 6, bytes: v4Mapped(v4.bytes) });
    return err({ kind: 'unreachable', detail: `${host}:${port}: no IPv${family} address` });
  }

  return {
    async send(bytes, host, port) {
      if (closed) return err(closedError);
      const to = destination(host, port);
      if (!to.ok) return to;
      const address = netAddress(api, to.value, port);
      const deadlineMs = loop.nowMs() + SEND_WAIT_MS;
      for (;;) {
        const sent = socketCall(api, () => api.manager.sendTo(id, bytes, api.noSignal, address));
        if (sent.ok) return ok(undefined);
        if (!isErrno(api, sent.error, 'EAGAIN', 'EWOULDBLOCK', 'ENOBUFS', 'EINTR')) {
          return err(netErrorOf(api, sent.error, `UDP send to ${host}:${port}`));
        }
        const ready = await waitForSocket(api, loop, id, api.pollOut, deadlineMs);
        if (closed) return err(closedError);
        if (!ready.ok) return err(netErrorOf(api, ready.error, `UDP send to ${host}:${port}`));
        if (ready.value === null) return err({ kind: 'timeout', detail: `UDP send to ${host}:${port}: no buffer space` });
      }
    },
    async receive(timeoutMs) {
      const deadlineMs = loop.nowMs() + timeoutMs;
      for (;;) {
        if (closed) return err(closedError);
        const ready = await waitForSocket(api, loop, id, api.pollIn, deadlineMs);
        if (closed) return err(closedError);
        if (!ready.ok) return err(netErrorOf(api, ready.error, 'UDP receive'));
        if (ready.value === null) return err({ kind: 'timeout', detail: `no datagram within ${timeoutMs} ms` });
        const got = socketCall(api, () => api.manager.recvFrom(id, scratch, 0));
        if (got.ok) {
          const from = got.value.peerAddress;
          return ok({
            bytes: scratch.slice(0, got.value.bytesRead),
            host: formatIp(unmapV4(Uint8Array.from(from.bytes))),
            port: from.port,
          });
        }
        // An ICMP error from an earlier send can surface here; it says nothing about this receive.
        if (!isErrno(api, got.error, 'EAGAIN', 'EWOULDBLOCK', 'EINTR', 'ECONNREFUSED')) {
          return err(netErrorOf(api, got.error, 'UDP receive'));
        }
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeQuietly(api, id);
    },
  };
}
