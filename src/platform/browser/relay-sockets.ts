// TCP and UDP for the browser build, through the local relay (src/relay/), one WebSocket
// per socket; the wire format is in relay-protocol.ts. Works in windows and workers, with
// the global WebSocket or an injected class (Node tests pass the `ws` package's).
//
// Each socket is one small state machine driven by the WebSocket's events: `opening`
// until the relay reports `connected`/`bound` (or an error, or the open timeout), then
// `open` until the relay, the peer or the app closes it. Data events feed a receive
// queue; the TCP queue asks the relay to pause reading from the target while the app
// lags behind, since a WebSocket in a browser cannot itself stop receiving.

import { err, ok, type Result } from '../../lib/result.ts';
import type { NetError, Sockets, TcpConnection, UdpDatagram, UdpSocket } from '../platform.ts';
import { createReceiveQueue, type ReceiveQueue } from './receive-queue.ts';
import {
  RELAY_CLOSE_POLICY,
  RELAY_CLOSE_TOO_BIG,
  RELAY_CLOSE_TRY_LATER,
  RELAY_MAX_DATA_BYTES,
  decodeDatagram,
  encodeDatagram,
  encodeRelayMessage,
  parseRelayEvent,
  tcpRelayUrl,
  udpRelayUrl,
  type RelayEvent,
} from './relay-protocol.ts';

// Handlers are assigned by us and typed loosely enough for both the DOM's WebSocket and
// the `ws` package's class, whose event objects differ.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the WebSocket API this module uses. */
export interface RelayWebSocket {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array<ArrayBuffer> | string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type RelayWebSocketConstructor = new (url: string) => RelayWebSocket;

export interface RelaySocketsOptions {
  /** Base URL of the relay, e.g. `ws://127.0.0.1:8765`. */
  relayUrl: string;
  token: string;
  webSocket?: RelayWebSocketConstructor;
}

/** WebSocket.OPEN in every implementation. */
const WS_OPEN = 1;
/** Received TCP bytes the app has not read yet before the relay is asked to pause. */
const TCP_RECEIVE_HIGH_WATER_BYTES = 1024 * 1024;
/** Received datagrams the app has not read yet; more are dropped, as by a full kernel buffer. */
const UDP_RECEIVE_HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** Bytes queued in the WebSocket before `write` waits for them to leave. */
const SEND_HIGH_WATER_BYTES = 1024 * 1024;
/** Browsers have no drain event for WebSockets, so a full send buffer is polled. */
const SEND_DRAIN_POLL_MS = 5;
/** Opening a UDP socket at the relay is local work; this only guards against a stuck relay. */
const UDP_OPEN_TIMEOUT_MS = 10_000;

export function createRelaySockets(options: RelaySocketsOptions): Sockets {
  const Ws = options.webSocket ?? globalWebSocket();
  return {
    connectTcp(host, port, timeoutMs) {
      return openTcp(new Ws(tcpRelayUrl(options.relayUrl, options.token, host, port, timeoutMs)), timeoutMs);
    },
    openUdp({ broadcast, family }) {
      return openUdp(new Ws(udpRelayUrl(options.relayUrl, options.token, family, broadcast)));
    },
  };
}

function openTcp(ws: RelayWebSocket, timeoutMs: number): Promise<Result<TcpConnection, NetError>> {
  ws.binaryType = 'arraybuffer';
  return new Promise((resolve) => {
    let state: 'opening' | 'open' | 'closed' = 'opening';
    // Why further writes fail: the peer ended, the relay reported an error, or we closed.
    let writeError: NetError | null = null;
    const queue: ReceiveQueue<Uint8Array> = createReceiveQueue<Uint8Array>({
      sizeOf: (chunk) => chunk.length,
      highWater: TCP_RECEIVE_HIGH_WATER_BYTES,
      overflow: {
        kind: 'pause',
        pause: () => sendControl(ws, { kind: 'pause' }),
        resume: () => sendControl(ws, { kind: 'resume' }),
      },
    });
    const timer = setTimeout(() => failOpen({ kind: 'timeout', detail: `no connection within ${timeoutMs} ms` }), timeoutMs);

    function failOpen(error: NetError): void {
      if (state !== 'opening') return;
      state = 'closed';
      clearTimeout(timer);
      detach(ws);
      resolve(err(error));
    }

    function onEvent(event: RelayEvent): void {
      switch (event.kind) {
        case 'connected':
          if (state !== 'opening') return;
          state = 'open';
          clearTimeout(timer);
          resolve(ok(connection));
          return;
        case 'end':
          writeError = writeError ?? { kind: 'closed', detail: 'the host closed the connection' };
          queue.finish({ kind: 'eof' });
          return;
        case 'error':
          if (state === 'opening') return failOpen(event.error);
          writeError = writeError ?? event.error;
          queue.finish({ kind: 'error', error: event.error });
          return;
        case 'bound':
        case 'send-failed':
          return protocolError(`unexpected ${event.kind} on a TCP socket`);
      }
    }

    function protocolError(detail: string): void {
      const error: NetError = { kind: 'io', detail: `relay: ${detail}` };
      if (state === 'opening') return failOpen(error);
      writeError = writeError ?? error;
      queue.finish({ kind: 'error', error });
      detach(ws);
    }

    ws.onmessage = (message) => {
      const data = message.data;
      if (typeof data === 'string') {
        const event = parseRelayEvent(data);
        if (event.ok) onEvent(event.value);
        else protocolError(event.error);
      } else if (data instanceof ArrayBuffer) {
        if (state === 'open') queue.push(new Uint8Array(data));
        else protocolError('data before the connection was made');
      }
    };
    ws.onclose = (event) => {
      if (state === 'opening') return failOpen(closeError(event));
      const error: NetError = { kind: 'closed', detail: 'the relay connection was lost' };
      writeError = writeError ?? error;
      queue.finish({ kind: 'error', error });
    };
    ws.onerror = () => undefined; // a close event follows with the code

    const connection: TcpConnection = {
      async write(bytes) {
        if (writeError !== null) return err(writeError);
        if (ws.readyState !== WS_OPEN) return err({ kind: 'closed', detail: 'the relay connection was lost' });
        for (let offset = 0; offset < bytes.length; offset += RELAY_MAX_DATA_BYTES) {
          ws.send(ownedView(bytes.subarray(offset, offset + RELAY_MAX_DATA_BYTES)));
        }
        while (ws.bufferedAmount > SEND_HIGH_WATER_BYTES && ws.readyState === WS_OPEN && writeError === null) {
          await delay(SEND_DRAIN_POLL_MS);
        }
        return writeError === null ? ok(undefined) : err(writeError);
      },
      read(readTimeoutMs) {
        return queue.take(readTimeoutMs);
      },
      close() {
        if (state === 'closed') return;
        state = 'closed';
        writeError = { kind: 'closed', detail: 'closed by the app' };
        queue.abort(writeError);
        detach(ws);
      },
    };
  });
}

function openUdp(ws: RelayWebSocket): Promise<Result<UdpSocket, NetError>> {
  ws.binaryType = 'arraybuffer';
  return new Promise((resolve) => {
    let state: 'opening' | 'open' | 'closed' = 'opening';
    let fatal: NetError | null = null;
    // A failed send surfaces on the next call, as an ICMP error does on a real socket.
    let pendingSendError: NetError | null = null;
    const queue = createReceiveQueue<UdpDatagram>({
      sizeOf: (datagram) => datagram.bytes.length,
      highWater: UDP_RECEIVE_HIGH_WATER_BYTES,
      overflow: { kind: 'drop' },
    });
    const timer = setTimeout(
      () => failOpen({ kind: 'timeout', detail: `the relay did not open a UDP socket within ${UDP_OPEN_TIMEOUT_MS} ms` }),
      UDP_OPEN_TIMEOUT_MS,
    );

    function failOpen(error: NetError): void {
      if (state !== 'opening') return;
      state = 'closed';
      clearTimeout(timer);
      detach(ws);
      resolve(err(error));
    }

    function failOpenSocket(error: NetError): void {
      if (state === 'opening') return failOpen(error);
      fatal = fatal ?? error;
      queue.finish({ kind: 'error', error });
    }

    ws.onmessage = (message) => {
      const data = message.data;
      if (typeof data === 'string') {
        const event = parseRelayEvent(data);
        if (!event.ok) return failOpenSocket({ kind: 'io', detail: `relay: ${event.error}` });
        switch (event.value.kind) {
          case 'bound':
            if (state !== 'opening') return;
            state = 'open';
            clearTimeout(timer);
            resolve(ok(socket));
            return;
          case 'send-failed':
            pendingSendError = event.value.error;
            return;
          case 'error':
            return failOpenSocket(event.value.error);
          case 'connected':
          case 'end':
            return failOpenSocket({ kind: 'io', detail: `relay: unexpected ${event.value.kind} on a UDP socket` });
        }
      } else if (data instanceof ArrayBuffer && state === 'open') {
        const datagram = decodeDatagram(new Uint8Array(data));
        // The relay is ours, so a malformed frame is a bug there; dropping it keeps UDP semantics.
        if (datagram.ok) queue.push({ bytes: datagram.value.payload, host: datagram.value.host, port: datagram.value.port });
      }
    };
    ws.onclose = (event) => {
      if (state === 'opening') return failOpen(closeError(event));
      failOpenSocket({ kind: 'closed', detail: 'the relay connection was lost' });
    };
    ws.onerror = () => undefined;

    const socket: UdpSocket = {
      send(bytes, host, port) {
        if (fatal !== null) return Promise.resolve(err(fatal));
        if (ws.readyState !== WS_OPEN) return Promise.resolve(err({ kind: 'closed', detail: 'the UDP socket is closed' }));
        const earlier = pendingSendError;
        if (earlier !== null) {
          pendingSendError = null;
          return Promise.resolve(err(earlier));
        }
        const frame = encodeDatagram({ host, port, payload: bytes });
        if (!frame.ok) return Promise.resolve(err({ kind: 'io', detail: frame.error }));
        ws.send(ownedView(frame.value));
        return Promise.resolve(ok(undefined));
      },
      async receive(timeoutMs) {
        const next = await queue.take(timeoutMs);
        if (!next.ok) return next;
        return next.value === null ? err({ kind: 'closed', detail: 'the UDP socket is closed' }) : ok(next.value);
      },
      close() {
        if (state === 'closed') return;
        state = 'closed';
        fatal = { kind: 'closed', detail: 'closed by the app' };
        queue.abort(fatal);
        detach(ws);
      },
    };
  });
}

function closeError(event: { code: number; reason: string }): NetError {
  switch (event.code) {
    case RELAY_CLOSE_POLICY:
      return { kind: 'io', detail: `the relay refused the request (${event.reason || 'policy'})` };
    case RELAY_CLOSE_TRY_LATER:
      return { kind: 'io', detail: 'the relay has too many sockets open' };
    case RELAY_CLOSE_TOO_BIG:
      return { kind: 'io', detail: 'the relay refused an oversized message' };
    default:
      return { kind: 'io', detail: `the relay is not reachable (WebSocket closed with ${event.code})` };
  }
}

function sendControl(ws: RelayWebSocket, command: { kind: 'pause' } | { kind: 'resume' }): void {
  if (ws.readyState === WS_OPEN) ws.send(encodeRelayMessage(command));
}

/** Stops all further events and closes; safe to call in any state. */
function detach(ws: RelayWebSocket): void {
  ws.onmessage = null;
  ws.onclose = null;
  ws.onopen = null;
  ws.onerror = () => undefined;
  ws.close();
}

// WebSocket.send takes views of ArrayBuffers only; a view of shared memory is copied.
function ownedView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.buffer instanceof ArrayBuffer) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function globalWebSocket(): RelayWebSocketConstructor {
  if (typeof WebSocket === 'undefined') throw new Error('no WebSocket in this environment; pass options.webSocket');
  return WebSocket;
}
