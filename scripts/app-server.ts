// The static file server behind `npm start` and the end-to-end tests: it serves the built
// app (dist/app) and, next to index.html, /app-config.json, which tells the page where the
// relay is and which token opens it. Loopback only. Because the config carries the relay
// token, requests must name the server by a loopback Host: a foreign page that re-points its
// own domain name at 127.0.0.1 (DNS rebinding) is refused instead of reading the token.

import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { err, ok, type Result } from '../src/lib/result.ts';

/** What the page reads from ./app-config.json (the DOM contract in README). */
export interface AppConfig {
  relayUrl: string;
  token: string;
  /** `host:port` of the demo host, added once when the host list is empty. */
  demoHost?: string;
  /** Where a person types the PIN for the demo host. */
  hostPinPage?: string;
}

export interface AppServerOptions {
  /** The folder served at `/`. */
  rootDir: string;
  config: AppConfig;
  /** A loopback literal; defaults to 127.0.0.1. */
  host?: string;
  /** Ports tried in order; 0 asks for any free port. Defaults to [0]. */
  ports?: readonly number[];
}

export interface AppServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  port: number;
  close(): Promise<void>;
}

export type AppServerError = { kind: 'listen'; detail: string };

export async function startAppServer(options: AppServerOptions): Promise<Result<AppServer, AppServerError>> {
  const host = options.host ?? '127.0.0.1';
  if (!kLoopbackLiterals.has(host)) return err({ kind: 'listen', detail: `the app server binds to loopback only, not ${host}` });
  const rootDir = resolve(options.rootDir);
  const configJson = JSON.stringify(options.config);
  const server = createServer((req, res) => handle(req, res, rootDir, configJson));
  // Keep-alive sockets from a browser would hold close() open until they time out.
  server.keepAliveTimeout = kKeepAliveMs;

  const failures: string[] = [];
  for (const port of options.ports ?? [0]) {
    const listened = await listen(server, host, port);
    if (listened.ok) {
      const actual = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return ok({
        url: `http://${urlHost}:${actual}/`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    }
    failures.push(`${host}:${port}: ${listened.error}`);
  }
  return err({ kind: 'listen', detail: failures.join('; ') });
}

/** The Content-Type for a file name; unknown extensions are served as bytes. */
export function mimeType(file: string): string {
  return kMimeTypes.get(extname(file).toLowerCase()) ?? 'application/octet-stream';
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<Result<void, string>> {
  return new Promise((done) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      done(err(e.code === 'EADDRINUSE' ? 'port in use' : e.message));
    };
    const onListening = (): void => {
      server.off('error', onError);
      done(ok(undefined));
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function handle(req: IncomingMessage, res: ServerResponse, rootDir: string, configJson: string): void {
  if (!isLoopbackHost(req.headers.host)) return sendText(res, 421, 'This server answers only to 127.0.0.1, [::1] or localhost.\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendText(res, 405, 'Method not allowed\n');
  }
  const path = decodePath(req.url ?? '/');
  if (path === null) return sendText(res, 400, 'Bad path\n');
  if (path === '/app-config.json') return sendBody(res, req.method, 200, 'application/json; charset=utf-8', configJson);

  const relativePath = path === '/' ? 'index.html' : path.slice(1);
  // Dotfiles are never part of the app; refusing them also keeps editor and VCS files private.
  if (relativePath.split('/').some((part) => part.startsWith('.') || part === '')) return sendText(res, 404, 'Not found\n');
  const file = resolve(rootDir, ...relativePath.split('/'));
  if (!file.startsWith(rootDir + sep)) return sendText(res, 404, 'Not found\n');
  let sizeBytes: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return sendText(res, 404, 'Not found\n');
    sizeBytes = stat.size;
  } catch {
    return sendText(res, 404, 'Not found\n');
  }
  res.writeHead(200, { ...kCommonHeaders, 'content-type': mimeType(file), 'content-length': sizeBytes });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The URL's path, percent-decoded, or null when it is malformed or holds a NUL or backslash. */
function decodePath(url: string): string | null {
  const raw = url.split(/[?#]/, 1)[0] ?? '/';
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  return path;
}

function isLoopbackHost(header: string | undefined): boolean {
  if (header === undefined) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header);
  if (m === null) return false;
  const name = (m[1] ?? '').toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  sendBody(res, 'GET', status, 'text/plain; charset=utf-8', text);
}

function sendBody(res: ServerResponse, method: string | undefined, status: number, contentType: string, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...kCommonHeaders, 'content-type': contentType, 'content-length': bytes.length });
  res.end(method === 'HEAD' ? undefined : bytes);
}

/** A development server: every reload must see the latest build, and no type is guessed. */
const kCommonHeaders = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
const kKeepAliveMs = 1000;
const kLoopbackLiterals = new Set(['127.0.0.1', '::1']);
/** `application/wasm` matters: WebAssembly.instantiateStreaming refuses any other type. */
const kMimeTypes = new Map<string, string>([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.wasm', 'application/wasm'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
  ['.jpeg', 'image/jpeg'],
  ['.webp', 'image/webp'],
  ['.svg', 'image/svg+xml'],
  ['.ico', 'image/x-icon'],
  ['.woff2', 'font/woff2'],
  ['.txt', 'text/plain; charset=utf-8'],
]);
