// The simulator's RTSP port (control-plane.md §6.1, §6.5, §6.7): TCP, one request per
// connection, the host closing first after its reply. Like Sunshine it accepts connections
// only while a launch session is pending (armed by /launch or /resume) and drops them at once
// otherwise; when the launch asked for encrypted RTSP (corever >= 1) it reads only frames,
// answers a plaintext request with an encrypted 400, and counts its reply frames from 1 per
// launch session.

import { createServer, type Server, type Socket } from 'node:net';
import type { LaunchSession } from './launch-control.ts';
import { handleRtspRequest, type AnnouncedStream, type RtspHostConfig } from './rtsp-handlers.ts';
import { completeRequest, renderReply, STATUS, type RequestRead } from './rtsp-wire.ts';

export type { AnnouncedStream, EncryptionMode, RtspHostConfig } from './rtsp-handlers.ts';

export type RtspSimEvent =
  | { kind: 'rtsp-request'; method: string; target: string; encrypted: boolean; status: number }
  /** A connection dropped without an answer, and why. */
  | { kind: 'rtsp-dropped'; reason: 'no-launch-session' | 'bad-frame' | 'malformed' | 'timeout' | 'closed' }
  | { kind: 'rtsp-stream-start'; stream: AnnouncedStream };

export interface RtspServerOptions extends RtspHostConfig {
  /** The pending launch session, or null when none is. */
  launchSession: () => LaunchSession | null;
  onEvent?: (event: RtspSimEvent) => void;
}

export interface RtspServer {
  readonly server: Server;
  /** Streams started by an accepted ANNOUNCE, oldest first. */
  streams(): readonly AnnouncedStream[];
  /** Ends every open connection (the listener is closed by its owner). */
  dropConnections(): void;
}

export function createRtspServer(options: RtspServerOptions): RtspServer {
  const sockets = new Set<Socket>();
  const streams: AnnouncedStream[] = [];
  // Sunshine's reply counter belongs to the launch session: frames 1, 2, ... (§6.1).
  const replySequences = new WeakMap<LaunchSession, number>();
  const emit = (event: RtspSimEvent): void => options.onEvent?.(event);

  const serve = (socket: Socket): void => {
    const session = options.launchSession();
    if (session === null) {
      emit({ kind: 'rtsp-dropped', reason: 'no-launch-session' });
      socket.destroy();
      return;
    }
    let buffered = Buffer.alloc(0);
    let answered = false;
    const drop = (reason: 'bad-frame' | 'malformed' | 'timeout' | 'closed'): void => {
      if (answered) return;
      answered = true;
      emit({ kind: 'rtsp-dropped', reason });
      socket.destroy();
    };
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => drop('timeout'));
    socket.on('end', () => drop('closed'));
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      buffered = Buffer.concat([buffered, chunk]);
      const read = completeRequest(buffered, session.encryptedRtsp, session.rikey);
      if (read === null) return;
      answered = true;
      socket.setTimeout(0);
      answer(socket, session, read);
    });
  };

  const answer = (socket: Socket, session: LaunchSession, read: RequestRead): void => {
    const seal = (): { key: Uint8Array; sequence: number } | null => {
      if (!session.encryptedRtsp) return null;
      const sequence = (replySequences.get(session) ?? 0) + 1;
      replySequences.set(session, sequence);
      return { key: session.rikey, sequence };
    };
    switch (read.kind) {
      case 'request': {
        const reply = handleRtspRequest(read.request, session, options, (stream) => {
          streams.push(stream);
          emit({ kind: 'rtsp-stream-start', stream });
        });
        emit({ kind: 'rtsp-request', method: read.request.method, target: read.request.target, encrypted: read.sequence !== null, status: reply.status.code });
        socket.end(renderReply(reply.status, reply.headers, reply.body, seal()));
        return;
      }
      case 'plaintext-refused':
      case 'too-large':
        // Sunshine answers these in the session's own framing, without a CSeq it could trust.
        emit({ kind: 'rtsp-request', method: '', target: '', encrypted: session.encryptedRtsp, status: STATUS.badRequest.code });
        socket.end(renderReply(STATUS.badRequest, [], '', seal()));
        return;
      case 'bad-frame':
      case 'malformed':
        emit({ kind: 'rtsp-dropped', reason: read.kind });
        socket.destroy();
        return;
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    serve(socket);
  });

  return {
    server,
    streams: () => streams,
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
  };
}

// A client sends its request at once after connecting; Sunshine's reader gives up after a while.
const REQUEST_TIMEOUT_MS = 5000;
