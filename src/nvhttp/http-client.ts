// One HTTP GET over a connected stream (plain TCP or TLS: the same TcpConnection interface),
// then the connection is closed. GameStream clients use one request per connection
// (control-plane.md §2.3): GFE misbehaves with keep-alive, and current Sunshine's HTTPS server
// serves nobody else until the client closes, so we close as soon as the answer is complete
// rather than waiting for the host to close.

import type { Clock, NetError, TcpConnection } from '../platform/platform.ts';
import type { CancelSignal } from '../lib/cancel.ts';
import { err, ok, type Result } from '../lib/result.ts';
import { createResponseParser, type HttpResponse, type ParseProgress } from './http-response-parser.ts';

export type { HttpResponse } from './http-response-parser.ts';
export { headerValue } from './http-response-parser.ts';

export interface HttpGetRequest {
  /** Host name or IP literal, without brackets. */
  host: string;
  port: number;
  /** Path and query, e.g. `/serverinfo?uniqueid=…`. */
  target: string;
}

export interface HttpGetOptions {
  /** Bounds the whole exchange, from the first write to the last byte. */
  timeoutMs: number;
  /** The caller's whole budget when part of it went on connecting, named in timeout messages. */
  budgetMs?: number;
  maxBodyBytes: number;
  clock: Clock;
  /** Cancelling closes the connection and ends the call with `cancelled`. */
  cancel?: CancelSignal;
}

export type HttpGetError = NetError | { kind: 'malformed-reply'; detail: string } | { kind: 'cancelled' };

/** Sends the request, reads one response, and always closes `conn`. */
export async function httpGet(conn: TcpConnection, request: HttpGetRequest, options: HttpGetOptions): Promise<Result<HttpResponse, HttpGetError>> {
  if (options.cancel?.cancelled === true) {
    conn.close();
    return err({ kind: 'cancelled' });
  }
  options.cancel?.onCancel(() => conn.close());
  try {
    return await exchange(conn, request, options);
  } finally {
    conn.close();
  }
}

/** The request bytes: request line, Host, Connection: close. */
export function formatGetRequest(request: HttpGetRequest): Uint8Array {
  const hostPart = request.host.includes(':') ? `[${request.host}]` : request.host;
  const text = `GET ${request.target} HTTP/1.1\r\nHost: ${hostPart}:${request.port}\r\nConnection: close\r\n\r\n`;
  return new TextEncoder().encode(text);
}

async function exchange(conn: TcpConnection, request: HttpGetRequest, options: HttpGetOptions): Promise<Result<HttpResponse, HttpGetError>> {
  const { clock } = options;
  const deadlineMs = clock.nowMs() + options.timeoutMs;
  const cancelled = (): boolean => options.cancel?.cancelled === true;
  const budgetMs = options.budgetMs ?? options.timeoutMs;
  const timedOut = (detail: string): { ok: false; error: HttpGetError } => err({ kind: 'timeout', detail });

  const written = await withDeadline(conn.write(formatGetRequest(request)), clock, deadlineMs - clock.nowMs());
  if (cancelled()) return err({ kind: 'cancelled' });
  if (written === 'timeout') return timedOut(`the host did not take the request within ${budgetMs} ms`);
  if (!written.ok) return err(written.error);

  const parser = createResponseParser({ maxBodyBytes: options.maxBodyBytes });
  // Each read returns at least one byte or ends the loop, and the parser fails past its
  // limits, so the loop is bounded by the size limit as well as by the deadline.
  for (;;) {
    const remainingMs = deadlineMs - clock.nowMs();
    const read = remainingMs > 0 ? await conn.read(remainingMs) : null;
    if (cancelled()) return err({ kind: 'cancelled' });
    if (read === null || (!read.ok && read.error.kind === 'timeout')) {
      return timedOut(
        parser.receivedBytes === 0
          ? `the host accepted the connection but sent no answer within ${budgetMs} ms`
          : `no complete answer within ${budgetMs} ms (${parser.receivedBytes} bytes received)`,
      );
    }
    if (!read.ok) {
      if (read.error.kind === 'closed' && parser.receivedBytes > 0) return fromProgress(parser.finish());
      return err(read.error);
    }
    if (read.value === null && parser.receivedBytes === 0) return err({ kind: 'closed', detail: 'the host closed the connection without answering' });
    const progress = read.value === null ? parser.finish() : parser.push(read.value);
    if (progress.kind !== 'need-more') return fromProgress(progress);
  }
}

function fromProgress(progress: ParseProgress): Result<HttpResponse, HttpGetError> {
  switch (progress.kind) {
    case 'done':
      return ok(progress.response);
    case 'error':
      return err({ kind: 'malformed-reply', detail: progress.detail });
    case 'need-more':
      throw new Error('fromProgress(need-more)');
  }
}

/** The promise's value, or 'timeout' if it has not settled within `timeoutMs`. */
async function withDeadline<T>(promise: Promise<T>, clock: Clock, timeoutMs: number): Promise<T | 'timeout'> {
  if (timeoutMs <= 0) return 'timeout';
  let expire: (value: 'timeout') => void = () => {};
  const expired = new Promise<'timeout'>((resolve) => {
    expire = resolve;
  });
  const timer = clock.setTimer(timeoutMs, () => expire('timeout'));
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clock.clearTimer(timer);
  }
}
