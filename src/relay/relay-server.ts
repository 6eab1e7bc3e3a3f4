// The local relay that gives the browser build TCP and UDP: a WebSocket server on the
// loopback interface, one WebSocket per socket (protocol in
// src/platform/browser/relay-protocol.ts). It is a development and demo tool for machines
// with no TV, so its defences are against other local pages and processes:
// - it binds to loopback only, and refuses any other address;
// - every WebSocket must carry this run's random token, or it is closed with a policy
//   code before anything else happens;
// - it connects only where the app asks, with bounded frames and a bounded socket count.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  RELAY_CLOSE_POLICY,
  RELAY_CLOSE_TRY_LATER,
  RELAY_MAX_FRAME_BYTES,
  RELAY_TCP_PATH,
  RELAY_UDP_PATH,
  encodeRelayMessage,
} from '../platform/browser/relay-protocol.ts';
import { bridgeTcp, parseTcpTarget } from './relay-tcp.ts';
import { bridgeUdp, parseUdpOptions } from './relay-udp.ts';

export interface RelayOptions {
  /** A loopback address: 127.0.0.0/8 or ::1. Defaults to 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 32 random bytes; a given one must be at least MIN_TOKEN_CHARS long. */
  token?: string;
  /** Open sockets (TCP and UDP together) at one time. */
  maxSockets?: number;
}

export interface RunningRelay {
  /** Base URL for the browser platform's `relayUrl`, e.g. `ws://127.0.0.1:41234`. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
/** A session uses a handful (HTTP, HTTPS, RTSP, ENet, video, audio); 64 leaves room for polling many hosts. */
const DEFAULT_MAX_SOCKETS = 64;
const MIN_TOKEN_CHARS = 16;
const TOKEN_BYTES = 32;

export async function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const host = options.host ?? DEFAULT_HOST;
  if (!isLoopbackLiteral(host)) throw new Error(`the relay binds to loopback only (127.0.0.0/8 or ::1), not ${host}`);
  const token = options.token ?? randomBytes(TOKEN_BYTES).toString('base64url');
  if (token.length < MIN_TOKEN_CHARS) throw new Error(`the relay token must have at least ${MIN_TOKEN_CHARS} characters`);
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const tokenDigest = digest(token);

  const http = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
  });
  const wss = new WebSocketServer({ server: http, maxPayload: RELAY_MAX_FRAME_BYTES, perMessageDeflate: false });
  const open = new Set<WebSocket>();

  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    // Frames over maxPayload make `ws` close with 1009 and emit this; nothing else to do.
    ws.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'ws://relay');
    const given = url.searchParams.get('token') ?? '';
    if (!timingSafeEqual(digest(given), tokenDigest)) {
      ws.close(RELAY_CLOSE_POLICY, 'bad token');
      return;
    }
    if (open.size >= maxSockets) {
      ws.send(encodeRelayMessage({ kind: 'error', error: { kind: 'io', detail: 'too many relay sockets' } }));
      ws.close(RELAY_CLOSE_TRY_LATER, 'too many sockets');
      return;
    }
    const started = route(ws, url);
    if (!started) return;
    open.add(ws);
    ws.on('close', () => open.delete(ws));
  });

  http.listen(options.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    http.once('listening', resolve);
    http.once('error', reject);
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `ws://${urlHost}:${port}`,
    port,
    token,
    async close() {
      for (const ws of open) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // Plain HTTP keep-alive connections would otherwise hold close() for their idle timeout.
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function route(ws: WebSocket, url: URL): boolean {
  switch (url.pathname) {
    case RELAY_TCP_PATH: {
      const target = parseTcpTarget(url.searchParams);
      if (!target.ok) return refuse(ws, target.error);
      bridgeTcp(ws, target.value);
      return true;
    }
    case RELAY_UDP_PATH: {
      const udp = parseUdpOptions(url.searchParams);
      if (!udp.ok) return refuse(ws, udp.error);
      bridgeUdp(ws, udp.value);
      return true;
    }
    default:
      return refuse(ws, 'unknown path');
  }
}

function refuse(ws: WebSocket, reason: string): false {
  ws.close(RELAY_CLOSE_POLICY, reason);
  return false;
}

export function isLoopbackLiteral(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) !== 6) return false;
  // ::1 can be written with explicit zero groups; the URL parser normalises it.
  try {
    return new URL(`http://[${host}]/`).hostname === '[::1]';
  } catch {
    return false; // a zone index (fe80::1%eth0) is no loopback either
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
