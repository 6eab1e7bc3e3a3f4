// The GameStream HTTP(S) API as the client services use it (control-plane.md §2-5): one
// request per connection, HTTP on the host's HTTP port, HTTPS through the core's TLS engine
// with the client certificate, accepting only the host certificate pinned at pairing.

import type { Core } from '../../wasm/core.ts';
import type { AppView, ServiceError } from '../app/services.ts';
import type { ClientIdentity } from '../app/identity/identity.ts';
import type { CancelSignal } from '../lib/cancel.ts';
import { bytesToHex } from '../lib/hex.ts';
import { err, ok, type Result } from '../lib/result.ts';
import type { Clock, NetError, Platform, TcpConnection } from '../platform/platform.ts';
import { parseAppList } from './applist.ts';
import { httpGet, type HttpGetError, type HttpResponse } from './http-client.ts';
import { parseServerInfo, type ServerInfo } from './serverinfo.ts';
import { openTlsStream } from './tls-stream.ts';
import { checkStatus, parseXmlReply, type XmlReply } from './xml-reply.ts';

export type { ServerInfo } from './serverinfo.ts';

export interface HostEndpoint {
  /** Host name or IP literal, no brackets. */
  address: string;
  httpPort: number;
  httpsPort: number;
  pinnedCertDer: Uint8Array | null;
}

/** Opens TLS over a connected socket; the core's engine unless a test or platform replaces it. */
export type TlsOpener = (
  core: Core,
  tcp: TcpConnection,
  options: { clientCertDer: Uint8Array; clientKeyDer: Uint8Array; pinnedServerCertDer: Uint8Array; seed: Uint8Array; timeoutMs: number; clock: Pick<Clock, 'nowMs'> },
) => Promise<Result<TcpConnection, { kind: 'tls'; detail: string } | NetError>>;

export interface NvHttpContext {
  platform: Platform;
  core: Core;
  identity: ClientIdentity;
  /** Defaults to openTlsStream (src/nvhttp/tls-stream.ts). */
  openTls?: TlsOpener;
}

export function getServerInfo(ctx: NvHttpContext, host: HostEndpoint, options: { secure: boolean; timeoutMs: number }): Promise<Result<ServerInfo, ServiceError>> {
  return requestChecked(ctx, host, { secure: options.secure, path: '/serverinfo', query: [], timeoutMs: options.timeoutMs }, (reply) =>
    parseServerInfo(reply, { secure: options.secure, httpPort: host.httpPort }),
  );
}

export function getAppList(ctx: NvHttpContext, host: HostEndpoint, timeoutMs: number): Promise<Result<AppView[], ServiceError>> {
  return requestChecked(ctx, host, { secure: true, path: '/applist', query: [], timeoutMs }, parseAppList);
}

/** PNG bytes of an app's box art (§5.2), at most BOX_ART_MAX_BYTES. */
export async function getBoxArt(ctx: NvHttpContext, host: HostEndpoint, appId: number, timeoutMs: number): Promise<Result<Uint8Array, ServiceError>> {
  const query: Array<[string, string]> = [['appid', String(appId)], ['AssetType', '2'], ['AssetIdx', '0']];
  const response = await request(ctx, host, { secure: true, path: '/appasset', query, timeoutMs, maxBodyBytes: BOX_ART_MAX_BYTES });
  if (!response.ok) return response;
  const body = response.value.body;
  if (isSuccess(response.value) && startsWith(body, PNG_SIGNATURE)) return ok(body);
  // Not an image: Sunshine answers an unpaired client with its XML 401, others may too.
  if (looksLikeXml(body)) {
    const reply = replyFrom(response.value);
    if (!reply.ok) return reply;
    const checked = checkStatus(reply.value);
    if (!checked.ok) return checked;
  }
  if (!isSuccess(response.value)) return err(httpStatusError(response.value));
  return err({ kind: 'malformed-reply', detail: `box art of app ${appId} is not a PNG image` });
}

/** HTTP /unpair (§4.8). Sunshine has no such route and answers XML 404: any XML reply is fine. */
export async function sendUnpair(ctx: NvHttpContext, host: HostEndpoint, timeoutMs: number): Promise<Result<void, ServiceError>> {
  const reply = await requestXml(ctx, host, { secure: false, path: '/unpair', query: [], timeoutMs });
  return reply.ok ? ok(undefined) : reply;
}

export interface XmlRequest {
  secure: boolean;
  /** e.g. `/pair`; `uniqueid` and a fresh `uuid` are added first to the query. */
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  /** Bounds connect, TLS handshake and the exchange together. */
  timeoutMs: number;
  cancel?: CancelSignal;
}

/**
 * One GameStream XML request, its reply parsed but its status not checked (see checkStatus).
 * A non-2xx HTTP status is an error unless the body is XML with a status of its own, which
 * then says more (GFE may use real HTTP statuses; Sunshine always sends 200, §3.6).
 */
export async function requestXml(ctx: NvHttpContext, host: HostEndpoint, req: XmlRequest): Promise<Result<XmlReply, ServiceError>> {
  const response = await request(ctx, host, { ...req, maxBodyBytes: XML_MAX_BYTES });
  if (!response.ok) return response;
  const reply = replyFrom(response.value);
  if (isSuccess(response.value)) return reply;
  if (reply.ok && reply.value.statusCode !== 200) return reply;
  return err(httpStatusError(response.value));
}

/** requestXml, then the status check, then `parse` on the successful reply. */
export async function requestChecked<T>(ctx: NvHttpContext, host: HostEndpoint, req: XmlRequest, parse: (reply: XmlReply) => Result<T, ServiceError>): Promise<Result<T, ServiceError>> {
  const reply = await requestXml(ctx, host, req);
  if (!reply.ok) return reply;
  const checked = checkStatus(reply.value);
  if (!checked.ok) return checked;
  return parse(checked.value);
}

/** The query string: `uniqueid` and a fresh random `uuid` (§2.2), then `extra`, URL-encoded. */
export function buildQuery(ctx: NvHttpContext, extra: ReadonlyArray<readonly [string, string]>): string {
  const uuid = bytesToHex(ctx.platform.entropy.randomBytes(UUID_BYTES));
  const pairs: Array<readonly [string, string]> = [['uniqueid', ctx.identity.uniqueId], ['uuid', uuid], ...extra];
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

async function request(ctx: NvHttpContext, host: HostEndpoint, req: XmlRequest & { maxBodyBytes: number }): Promise<Result<HttpResponse, ServiceError>> {
  const { clock } = ctx.platform;
  // A function, so that each check reads the signal anew after an await.
  const cancelled = (): boolean => req.cancel?.cancelled === true;
  if (cancelled()) return err({ kind: 'cancelled' });
  // §2.3: HTTPS is only ever made with a pinned certificate; without one we are not paired.
  if (req.secure && host.pinnedCertDer === null) return err({ kind: 'not-paired' });
  const deadlineMs = clock.nowMs() + req.timeoutMs;
  const port = req.secure ? host.httpsPort : host.httpPort;
  const where = `${host.address}:${port}`;

  const tcp = await ctx.platform.sockets.connectTcp(host.address, port, req.timeoutMs);
  if (cancelled()) {
    if (tcp.ok) tcp.value.close();
    return err({ kind: 'cancelled' });
  }
  if (!tcp.ok) return err(fromNetError(tcp.error, where));
  let conn = tcp.value;

  if (req.secure && host.pinnedCertDer !== null) {
    const closeOnCancel = (): void => tcp.value.close();
    req.cancel?.onCancel(closeOnCancel);
    const openTls = ctx.openTls ?? openTlsStream;
    const tls = await openTls(ctx.core, tcp.value, {
      clientCertDer: ctx.identity.certDer,
      clientKeyDer: ctx.identity.privateKeyDer,
      pinnedServerCertDer: host.pinnedCertDer,
      seed: ctx.platform.entropy.randomBytes(TLS_SEED_BYTES),
      timeoutMs: Math.max(1, Math.round(deadlineMs - clock.nowMs())),
      clock,
    });
    if (cancelled()) {
      if (tls.ok) tls.value.close();
      tcp.value.close();
      return err({ kind: 'cancelled' });
    }
    if (!tls.ok) {
      tcp.value.close();
      return err(tls.error.kind === 'tls' ? { kind: 'tls', detail: tls.error.detail } : fromNetError(tls.error, where));
    }
    conn = tls.value;
  }

  const target = `${req.path}?${buildQuery(ctx, req.query)}`;
  const response = await httpGet(conn, { host: host.address, port, target }, {
    timeoutMs: deadlineMs - clock.nowMs(),
    budgetMs: req.timeoutMs,
    maxBodyBytes: req.maxBodyBytes,
    clock,
    ...(req.cancel === undefined ? {} : { cancel: req.cancel }),
  });
  // httpGet closed `conn`; a TLS stream closes its socket after its close_notify.
  return response.ok ? response : err(fromHttpError(response.error, where, req.path));
}

function fromHttpError(error: HttpGetError, where: string, path: string): ServiceError {
  switch (error.kind) {
    case 'cancelled':
      return error;
    case 'malformed-reply':
      return { kind: 'malformed-reply', detail: `${path} from ${where}: ${error.detail}` };
    default:
      return fromNetError(error, where);
  }
}

function fromNetError(error: NetError, where: string): ServiceError {
  switch (error.kind) {
    case 'timeout':
      return { kind: 'timeout', detail: `${where}: ${error.detail}` };
    case 'unreachable':
    case 'closed':
    case 'io':
      return { kind: 'unreachable', detail: `${where}: ${error.detail}` };
  }
}

function replyFrom(response: HttpResponse): Result<XmlReply, ServiceError> {
  return parseXmlReply(response.body);
}

function isSuccess(response: HttpResponse): boolean {
  return response.statusCode >= 200 && response.statusCode < 300;
}

function httpStatusError(response: HttpResponse): ServiceError {
  return { kind: 'host-error', code: response.statusCode, message: response.reason || `HTTP ${response.statusCode}` };
}

function looksLikeXml(body: Uint8Array): boolean {
  for (const b of body) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x3c; // '<'
  }
  return false;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

// §3: XML replies are a few KiB (Sunshine v0.23.1's serverinfo with 55 display modes: 6 KiB).
const XML_MAX_BYTES = 1024 * 1024;
// Box art is a cover image; Sunshine's own default is 20 KiB, a large custom PNG a few MiB.
const BOX_ART_MAX_BYTES = 8 * 1024 * 1024;
const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// MQt's uuid: 32 hex characters; Sunshine ignores it (§2.2).
const UUID_BYTES = 16;
// Entropy for the TLS engine's DRBG, 256 bits.
const TLS_SEED_BYTES = 32;
