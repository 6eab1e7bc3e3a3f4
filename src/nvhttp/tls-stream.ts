// TLS over a TcpConnection, for HTTPS requests to the host: the core's BearSSL client
// (wasm/tls.ts) is the engine, this module is its I/O shell (style guide C.10).
//
// Theory of operation. The engine takes TCP bytes and gives TCP bytes and plaintext; it
// refuses more input while its output waits. So every step first "settles" the engine: send
// what it has to send, move decrypted plaintext into a queue, feed it the TCP bytes it has not
// taken yet, and repeat until nothing moves. Only then does the shell wait on the socket, and
// every such wait is bounded by the time left. The handshake runs in openTlsStream; the
// returned connection carries plaintext with the TcpConnection contract (read gives null once
// the host's close_notify arrived; close sends ours, then closes TCP: control-plane.md §2.3).

import type { Core } from '../../wasm/core.ts';
import { createTlsClient, type TlsClient, type TlsFailure, type TlsFailureKind } from '../../wasm/tls.ts';
import { err, ok, type Result } from '../lib/result.ts';
import type { Clock, NetError, TcpConnection } from '../platform/platform.ts';

/** Why TLS could not start; `reason` tells a pin mismatch (re-pair) from the rest. */
export type TlsError = { kind: 'tls'; reason: TlsFailureKind | 'stalled'; detail: string } | NetError;

export interface TlsStreamOptions {
  clientCertDer: Uint8Array;
  /** PKCS#1 DER. */
  clientKeyDer: Uint8Array;
  /** The host certificate saved at pairing: the only one accepted. */
  pinnedServerCertDer: Uint8Array;
  /** Fresh strong randomness, at least 32 bytes. */
  seed: Uint8Array;
  /** Bounds the whole handshake. */
  timeoutMs: number;
  /** Monotonic time for the deadline; defaults to performance.now(). */
  clock?: Pick<Clock, 'nowMs'>;
}

/**
 * Runs the TLS handshake over `tcp`, presenting the client certificate and accepting only the
 * pinned server certificate. On success the returned connection owns `tcp`; on failure `tcp`
 * is closed.
 */
export async function openTlsStream(core: Core, tcp: TcpConnection, options: TlsStreamOptions): Promise<Result<TcpConnection, TlsError>> {
  const created = createTlsClient(core, options);
  if (!created.ok) {
    tcp.close();
    return err(tlsError(created.error));
  }
  const pump = createPump(created.value, tcp);
  const clock = options.clock ?? { nowMs: () => performance.now() };
  const deadlineMs = clock.nowMs() + options.timeoutMs;
  for (let round = 0; round < MAX_WAIT_ROUNDS; round++) {
    const settled = await pump.settle();
    if (!settled.ok) return fail(pump, settled.error);
    const state = pump.client.state();
    if (state === 'open') return ok(pump.connection(clock));
    if (state !== 'handshaking') return fail(pump, handshakeEnded(pump.client));
    const waited = await pump.waitForBytes(deadlineMs - clock.nowMs(), `TLS handshake: no answer from the host within ${options.timeoutMs} ms`);
    if (!waited.ok) return fail(pump, waited.error);
  }
  return fail(pump, stalled('the TLS handshake did not finish'));
}

// A handshake needs about a dozen socket reads; a host that trickles one byte per read
// still finishes within a few thousand, and the deadline bounds the time anyway.
const MAX_WAIT_ROUNDS = 100_000;
// Rounds of settle(): each one moves bytes, so it ends when the bytes at hand are used up.
const MAX_SETTLE_ROUNDS = 100_000;
// At close: a pending application record, then the close_notify alert.
const MAX_CLOSING_RECORDS = 4;

interface Pump {
  readonly client: TlsClient;
  /** Sends, decrypts and feeds until nothing moves. */
  settle(): Promise<Result<void, TlsError>>;
  /** One read from TCP into the pump, bounded by remainingMs. */
  waitForBytes(remainingMs: number, timeoutDetail: string): Promise<Result<void, TlsError>>;
  connection(clock: Pick<Clock, 'nowMs'>): TcpConnection;
  /** Frees the engine and closes TCP, sending close_notify first when `orderly`. */
  shutdown(orderly: boolean): void;
}

function createPump(client: TlsClient, tcp: TcpConnection): Pump {
  // TCP bytes the engine has not taken yet, and plaintext not yet read by the app.
  let unfed: Uint8Array | null = null;
  const plaintext: Uint8Array[] = [];
  let tcpEnded = false;
  let shutDown = false;

  // The app may close the stream while a read or write awaits the socket; after any await the
  // engine may be gone.
  const closedError = (): { ok: false; error: TlsError } => err({ kind: 'closed', detail: 'TLS connection closed by the app' });

  const flushOutgoing = async (): Promise<Result<boolean, TlsError>> => {
    let sent = false;
    for (let out = client.takeOutgoing(); out !== null; out = client.takeOutgoing()) {
      const written = await tcp.write(out);
      if (!written.ok) return written;
      if (shutDown) return closedError();
      sent = true;
    }
    return ok(sent);
  };

  const pump: Pump = {
    client,
    async settle() {
      for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
        if (shutDown) return closedError();
        const flushed = await flushOutgoing();
        if (!flushed.ok) return flushed;
        if (shutDown) return closedError();
        let moved = flushed.value;
        for (let chunk = client.takeIncoming(); chunk !== null; chunk = client.takeIncoming()) {
          plaintext.push(chunk);
          moved = true;
        }
        if (unfed !== null) {
          const taken = client.receive(unfed);
          unfed = taken < unfed.length ? unfed.subarray(taken) : null;
          moved = moved || taken > 0;
        }
        if (!moved) return ok(undefined);
      }
      return err(stalled('the TLS engine kept producing output'));
    },
    async waitForBytes(remainingMs, timeoutDetail) {
      if (unfed !== null) return err(stalled('the TLS engine refuses input it should take'));
      if (tcpEnded) return err(stalled('the TLS engine waits for bytes after the end of the stream'));
      if (remainingMs <= 0) return err({ kind: 'timeout', detail: timeoutDetail });
      const read = await tcp.read(remainingMs);
      if (shutDown) return closedError();
      if (!read.ok) return read.error.kind === 'timeout' ? err({ kind: 'timeout', detail: timeoutDetail }) : read;
      if (read.value === null) {
        tcpEnded = true;
        client.receiveEnd();
      } else if (read.value.length > 0) {
        unfed = read.value;
      }
      return ok(undefined);
    },
    connection: (clock) => plaintextConnection(pump, plaintext, clock),
    shutdown(orderly) {
      if (shutDown) return;
      shutDown = true;
      // What is still unsent, then our close_notify (a record or two at most).
      const last: Uint8Array[] = [];
      if (orderly && client.state() === 'open') {
        client.close();
        for (let out = client.takeOutgoing(); out !== null && last.length < MAX_CLOSING_RECORDS; out = client.takeOutgoing()) last.push(out);
      }
      client.destroy();
      if (last.length === 0) {
        tcp.close();
        return;
      }
      // Close TCP only once close_notify is with the platform, or it could be discarded.
      void writeAll(tcp, last).then(() => tcp.close());
    },
  };
  return pump;
}

async function writeAll(tcp: TcpConnection, chunks: Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    const written = await tcp.write(chunk);
    if (!written.ok) return;
  }
}

function plaintextConnection(pump: Pump, plaintext: Uint8Array[], clock: Pick<Clock, 'nowMs'>): TcpConnection {
  let closedByApp = false;
  const closedError = (): { ok: false; error: NetError } => err({ kind: 'closed', detail: 'TLS connection closed by the app' });

  return {
    async write(bytes) {
      let offset = 0;
      let idleRounds = 0;
      while (offset < bytes.length) {
        if (closedByApp) return closedError();
        if (pump.client.state() !== 'open') return err(afterHandshake(pump.client));
        const sealed = pump.client.send(bytes.subarray(offset));
        offset += sealed;
        // The engine takes data whenever its last record has gone out, which settle() ensures.
        idleRounds = sealed === 0 ? idleRounds + 1 : 0;
        if (idleRounds > 1) return err(asNetError(stalled('the TLS engine takes no data to send')));
        const settled = await pump.settle();
        if (!settled.ok) return err(asNetError(settled.error));
      }
      return ok(undefined);
    },
    async read(timeoutMs) {
      const deadlineMs = clock.nowMs() + timeoutMs;
      for (let round = 0; round < MAX_WAIT_ROUNDS; round++) {
        if (closedByApp) return closedError();
        const settled = await pump.settle();
        if (!settled.ok) return err(asNetError(settled.error));
        if (closedByApp) return closedError();
        const chunk = plaintext.shift();
        if (chunk !== undefined) return ok(chunk);
        const state = pump.client.state();
        if (state === 'closed') return ok(null);
        if (state !== 'open') return err(afterHandshake(pump.client));
        const waited = await pump.waitForBytes(deadlineMs - clock.nowMs(), `no TLS data within ${timeoutMs} ms`);
        if (!waited.ok) return err(asNetError(waited.error));
      }
      return err(asNetError(stalled('the TLS stream did not progress')));
    },
    close() {
      if (closedByApp) return;
      closedByApp = true;
      plaintext.length = 0;
      pump.shutdown(true);
    },
  };
}

function fail(pump: Pump, error: TlsError): { ok: false; error: TlsError } {
  pump.shutdown(false);
  return err(error);
}

function handshakeEnded(client: TlsClient): TlsError {
  const failure = client.failure();
  if (failure === null) return { kind: 'tls', reason: 'peer-closed', detail: 'the host ended the TLS handshake' };
  return tlsError(failure);
}

// After the handshake the stream speaks the TcpConnection contract, whose errors are NetErrors.
function afterHandshake(client: TlsClient): NetError {
  const failure = client.failure();
  if (failure === null) return { kind: 'closed', detail: 'TLS connection closed' };
  return asNetError(tlsError(failure));
}

function asNetError(error: TlsError): NetError {
  if (error.kind !== 'tls') return error;
  return { kind: error.reason === 'truncated' ? 'closed' : 'io', detail: `TLS: ${error.detail}` };
}

function stalled(detail: string): TlsError {
  return { kind: 'tls', reason: 'stalled', detail };
}

function tlsError(failure: TlsFailure): TlsError {
  return { kind: 'tls', reason: failure.kind, detail: describeFailure(failure) };
}

function describeFailure(failure: TlsFailure): string {
  const code = `${failure.name}, BearSSL error ${failure.engineError}`;
  switch (failure.kind) {
    case 'pin-mismatch':
      return 'the host presented a certificate other than the one saved at pairing (pinned certificate mismatch); pair again';
    case 'alert-received': {
      const alert = failure.engineError - RECEIVED_ALERT_BASE;
      return `the host refused the TLS handshake with alert ${alert} (${ALERT_NAMES.get(alert) ?? 'unknown'})`;
    }
    case 'bad-record':
      return `truncated or corrupt TLS record from the host (${code})`;
    case 'not-tls':
      return 'the host did not answer in TLS (is this its HTTP port?)';
    case 'handshake':
      return `the host's TLS handshake is not acceptable (${code})`;
    case 'peer-closed':
      return 'the host closed the connection during the TLS handshake';
    case 'truncated':
      return 'the host closed the connection without a TLS close_notify';
    case 'truncated-record':
      return 'the host closed the connection in the middle of a TLS record (truncated record)';
    case 'bad-client-cert':
    case 'bad-client-key':
    case 'bad-pinned-cert':
    case 'bad-seed':
      return `cannot start TLS: unusable ${FAILURE_INPUTS[failure.kind]} (${failure.name})`;
    case 'internal':
    case 'core':
      return `TLS engine error (${code})`;
  }
}

// BearSSL reports a received fatal alert as 256 + its number (bearssl_ssl.h BR_ERR_RECV_FATAL_ALERT).
const RECEIVED_ALERT_BASE = 256;

// RFC 5246 §7.2 (and RFC 8446 §6 for 116): the alerts a host sends when it refuses a client.
const ALERT_NAMES: ReadonlyMap<number, string> = new Map([
  [10, 'unexpected_message'],
  [20, 'bad_record_mac'],
  [40, 'handshake_failure'],
  [42, 'bad_certificate'],
  [43, 'unsupported_certificate'],
  [45, 'certificate_expired'],
  [46, 'certificate_unknown'],
  [47, 'illegal_parameter'],
  [48, 'unknown_ca'],
  [49, 'access_denied'],
  [50, 'decode_error'],
  [51, 'decrypt_error'],
  [70, 'protocol_version'],
  [71, 'insufficient_security'],
  [80, 'internal_error'],
  [116, 'certificate_required'],
]);

const FAILURE_INPUTS = {
  'bad-client-cert': 'client certificate',
  'bad-client-key': 'client private key',
  'bad-pinned-cert': 'pinned host certificate',
  'bad-seed': 'random seed',
} as const;
