// The client side of GameStream's RTSP handshake: from a launch (or resume) to a StreamConfig.
//
// Theory of operation
// -------------------
// After /launch or /resume the host holds one pending session, keyed by the launch's rikey,
// for about ten seconds (control-plane.md §6.7). In that window the client sends seven RTSP
// requests (§6.3): OPTIONS, DESCRIBE (the host's capabilities: codecs, encryption, Opus
// layouts), SETUP for audio, video and control (the host's UDP ports, the ping payload and
// the ENet connect data), ANNOUNCE (an SDP with every choice the client made, §6.4) and PLAY.
// The host starts encoding on ANNOUNCE; after PLAY the RTSP phase is over and the data plane
// (pings, ENet, video, audio) takes the StreamConfig from here.
//
// Three layers, each in its own file:
//   rtsp-handshake.ts  which request comes next and what each reply means; no I/O
//   rtsp-frame.ts      the encrypted framing when sessionUrl0 says rtspenc:// (§6.1)
//   this file          the sockets: one TCP connection per request, as Sunshine expects
//
// One exchange: connect (retrying a refused connect every 500 ms for up to 10 s, because a
// host may answer /launch before its RTSP port listens), write the request, read the reply,
// close. A plaintext reply has no Content-Length, so it ends when the host closes; an
// encrypted reply is one frame whose first word gives its length. Every read is bounded in
// size (64 KiB) and the whole exchange in time (15 s). A reply is used only when it carries
// the CSeq of our request and, in encrypted mode, when it authenticated with the host's
// direction letter and its frame number is above the previous reply's (so a recorded reply
// cannot be played back in place of a later one).
//
// Nothing here keeps state between handshakes: the client's frame counter starts at 1 for
// each one (Sunshine does not check it, §9 item 7; the nonce stays unique because every
// launch has a new key).

import type { Aes128Gcm } from '../../wasm/gcm.ts';
import type { CancelSignal } from '../lib/cancel.ts';
import { err, ok, type Result } from '../lib/result.ts';
import type { Clock, NetError, Sockets, TcpConnection } from '../platform/platform.ts';
import type { RtspStage, StreamStartError } from './rtsp-error.ts';
import { createRtspFrameReader, openRtspFrame, sealRtspFrame, type RtspFrameError } from './rtsp-frame.ts';
import { createRtspHandshake, type HandshakeParams } from './rtsp-handshake.ts';
import { createRtspMessageReader, MAX_RTSP_MESSAGE_BYTES, parseRtspMessage, type RtspMessage } from './rtsp-message.ts';
import type { StreamConfig } from './stream-config.ts';

export interface RtspClientDeps {
  sockets: Sockets;
  clock: Pick<Clock, 'nowMs' | 'setTimer' | 'clearTimer'>;
  /** AES-128-GCM for rtspenc:// (wasm/gcm.ts over the core). */
  gcm: Aes128Gcm;
  cancel?: CancelSignal;
  /** Defaults: MLC's 10 s connect (refusals retried within it) and 15 s per reply (§6.1). */
  connectTimeoutMs?: number;
  replyTimeoutMs?: number;
}

/**
 * Runs the whole handshake; the StreamConfig is the stream the host agreed to send. Run it
 * once per launch or resume: the frame counter restarts at 1, so a second run with the same
 * keys would reuse GCM nonces (and the host's pending session is spent anyway).
 */
export async function negotiateStream(deps: RtspClientDeps, params: HandshakeParams): Promise<Result<StreamConfig, StreamStartError>> {
  const created = createRtspHandshake(params);
  if (!created.ok) return created;
  const handshake = created.value;
  const channel = params.rtsp.encrypted ? encryptedChannel(deps.gcm, params.keys.rikey) : plainChannel();
  for (let stage = handshake.stage(); stage !== null; stage = handshake.stage()) {
    if (isCancelled(deps)) return err({ kind: 'cancelled' });
    const reply = await exchange(deps, params.hostAddress, params.rtsp.port, stage, channel, handshake.request());
    if (!reply.ok) return reply;
    const handled = handshake.handleReply(reply.value);
    if (!handled.ok) return handled;
  }
  const config = handshake.result();
  if (config === null) throw new Error('the RTSP handshake ended without a result');
  return ok(config);
}

// ---- one request on one connection ----

/** How messages are put on and taken off the wire: plaintext or encrypted frames. */
interface Channel {
  seal(plaintext: Uint8Array): Result<Uint8Array, RtspFrameError>;
  /** A reader for one reply: bytes in, the reply's plaintext out once complete. */
  reader(): ReplyReader;
}

interface ReplyReader {
  push(chunk: Uint8Array): Result<RtspMessage | null, string>;
  end(): Result<RtspMessage, string>;
}

function plainChannel(): Channel {
  return {
    seal: (plaintext) => ok(plaintext),
    reader() {
      const reader = createRtspMessageReader();
      return {
        push: (chunk) => mapError(reader.push(chunk), (e) => e.detail),
        end: () => mapError(reader.end(), (e) => e.detail),
      };
    },
  };
}

function encryptedChannel(gcm: Aes128Gcm, key: Uint8Array): Channel {
  let sentSequence = 0;
  let lastReplySequence = 0;
  const open = (frame: Uint8Array): Result<RtspMessage, string> => {
    const opened = openRtspFrame(gcm, key, 'host', frame);
    if (!opened.ok) return err(describeFrameError(opened.error));
    if (opened.value.sequence <= lastReplySequence) return err(`reply frame ${opened.value.sequence} does not follow frame ${lastReplySequence}`);
    lastReplySequence = opened.value.sequence;
    return mapError(parseRtspMessage(opened.value.plaintext), (e) => e.detail);
  };
  return {
    seal(plaintext) {
      sentSequence += 1;
      return sealRtspFrame(gcm, key, sentSequence, 'client', plaintext);
    },
    reader() {
      const frames = createRtspFrameReader();
      return {
        push(chunk) {
          const frame = frames.push(chunk);
          if (!frame.ok) return err(describeFrameError(frame.error));
          return frame.value === null ? ok(null) : open(frame.value);
        },
        end: () => err(describeFrameError(frames.end())),
      };
    },
  };
}

async function exchange(deps: RtspClientDeps, address: string, port: number, stage: RtspStage, channel: Channel, plaintext: Uint8Array): Promise<Result<RtspMessage, StreamStartError>> {
  const sealed = channel.seal(plaintext);
  if (!sealed.ok) {
    return err(sealed.error.kind === 'too-long'
      ? { kind: 'request-too-large', stage, sizeBytes: plaintext.length, limitBytes: MAX_RTSP_MESSAGE_BYTES }
      : { kind: 'rtsp-malformed', stage, detail: describeFrameError(sealed.error) });
  }
  // Sunshine reads each request into one 2048-byte buffer, frame header included (§6.4).
  if (sealed.value.length >= SUNSHINE_REQUEST_BUFFER_BYTES) {
    return err({ kind: 'request-too-large', stage, sizeBytes: sealed.value.length, limitBytes: SUNSHINE_REQUEST_BUFFER_BYTES - 1 });
  }
  const connected = await connectWithRetry(deps, address, port);
  if (!connected.ok) return err(connected.error.kind === 'cancelled' ? connected.error : { kind: 'rtsp-network', stage, error: connected.error });
  const conn = connected.value;
  const closeOnCancel = (): void => conn.close();
  deps.cancel?.onCancel(closeOnCancel);
  try {
    const written = await conn.write(sealed.value);
    if (!written.ok) return err(cancelledOr(deps, { kind: 'rtsp-network', stage, error: written.error }));
    return await readReply(deps, conn, stage, channel.reader());
  } finally {
    conn.close();
  }
}

async function readReply(deps: RtspClientDeps, conn: TcpConnection, stage: RtspStage, reader: ReplyReader): Promise<Result<RtspMessage, StreamStartError>> {
  const deadlineMs = deps.clock.nowMs() + (deps.replyTimeoutMs ?? REPLY_TIMEOUT_MS);
  const malformed = (detail: string): { ok: false; error: StreamStartError } => err({ kind: 'rtsp-malformed', stage, detail });
  let receivedBytes = 0;
  // Each pass takes at least one byte, and readers refuse more than their size limit, so
  // this ends after at most that many passes; the deadline bounds a host that trickles.
  for (;;) {
    const leftMs = deadlineMs - deps.clock.nowMs();
    if (leftMs <= 0) return err({ kind: 'rtsp-network', stage, error: { kind: 'timeout', detail: 'no complete RTSP reply in time' } });
    const chunk = await conn.read(leftMs);
    if (!chunk.ok) return err(cancelledOr(deps, { kind: 'rtsp-network', stage, error: chunk.error }));
    if (chunk.value === null) {
      // Sunshine drops a connection unanswered when no launch is pending (it expired, or the
      // app was quit): a network failure, not a garbled reply.
      if (receivedBytes === 0) return err({ kind: 'rtsp-network', stage, error: { kind: 'closed', detail: 'the host closed the connection without answering' } });
      const message = reader.end();
      return message.ok ? message : malformed(message.error);
    }
    receivedBytes += chunk.value.length;
    const message = reader.push(chunk.value);
    if (!message.ok) return malformed(message.error);
    if (message.value !== null) return ok(message.value);
  }
}

async function connectWithRetry(deps: RtspClientDeps, address: string, port: number): Promise<Result<TcpConnection, NetError | { kind: 'cancelled' }>> {
  const budgetMs = deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const deadlineMs = deps.clock.nowMs() + budgetMs;
  for (let attempt = 0; attempt < MAX_CONNECT_ATTEMPTS; attempt += 1) {
    if (isCancelled(deps)) return err({ kind: 'cancelled' });
    const leftMs = Math.max(1, deadlineMs - deps.clock.nowMs());
    const tcp = await deps.sockets.connectTcp(address, port, leftMs);
    if (tcp.ok) {
      if (isCancelled(deps)) {
        tcp.value.close();
        return err({ kind: 'cancelled' });
      }
      return tcp;
    }
    if (tcp.error.kind !== 'unreachable' || deps.clock.nowMs() + CONNECT_RETRY_MS >= deadlineMs) return tcp;
    await sleep(deps, CONNECT_RETRY_MS);
  }
  return err({ kind: 'unreachable', detail: `${address}:${port}: refused ${MAX_CONNECT_ATTEMPTS} times` });
}

/** A function, so that each check reads the signal anew after an await. */
function isCancelled(deps: RtspClientDeps): boolean {
  return deps.cancel?.cancelled === true;
}

function sleep(deps: RtspClientDeps, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = deps.clock.setTimer(ms, resolve);
    deps.cancel?.onCancel(() => {
      deps.clock.clearTimer(timer);
      resolve();
    });
  });
}

function cancelledOr(deps: RtspClientDeps, error: StreamStartError): StreamStartError {
  return isCancelled(deps) ? { kind: 'cancelled' } : error;
}

function describeFrameError(error: RtspFrameError): string {
  switch (error.kind) {
    case 'not-encrypted':
      return 'the host answered in plaintext where an encrypted frame was due';
    case 'too-long':
      return `frame length ${error.lengthBytes} is over the limit`;
    case 'truncated':
      return `the frame ended after ${error.haveBytes} of ${error.wantBytes} bytes`;
    case 'trailing-bytes':
      return `${error.extraBytes} bytes after the frame`;
    case 'auth-failed':
      return `frame ${error.sequence} did not authenticate as the host's`;
    case 'crypto':
      return `AES-GCM failed: ${error.detail}`;
  }
}

function mapError<T, E, F>(result: Result<T, E>, map: (e: E) => F): Result<T, F> {
  return result.ok ? result : err(map(result.error));
}

// §6.1: MLC's connect timeout and refused-connect retry, and its per-reply receive timeout.
const CONNECT_TIMEOUT_MS = 10_000;
const CONNECT_RETRY_MS = 500;
const MAX_CONNECT_ATTEMPTS = 40;
const REPLY_TIMEOUT_MS = 15_000;
// §6.4: Sunshine's receive buffer; a request must be strictly smaller.
const SUNSHINE_REQUEST_BUFFER_BYTES = 2048;
