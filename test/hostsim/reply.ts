// What a GameStream route answers, and how that answer goes on the wire (with the
// misbehaviours that change the bytes).

import type { Duplex } from 'node:stream';
import { frameResponse } from './http-wire.ts';
import { garbleXml, oversizedChunk } from './misbehaviour.ts';
import { renderXml, type XmlReply } from './xml-reply.ts';

export type Reply =
  /** XML with HTTP 200; `null` is the bare declaration Sunshine sends when a handler throws. */
  | { kind: 'xml'; xml: XmlReply | null }
  /** Sunshine's unknown-path answer: XML 404 with HTTP 200, then a stray status line and the XML again. */
  | { kind: 'not-found' }
  | { kind: 'png'; bytes: Uint8Array }
  /** The connection is closed without an answer (a handler that threw before writing). */
  | { kind: 'none' };

export function xml(reply: XmlReply | null): Reply {
  return { kind: 'xml', xml: reply };
}

/** Chunk of a streamed oversized answer. */
const OVERSIZED_CHUNK_BYTES = 64 * 1024;

/**
 * Sunshine answers an unauthorized certificate before it has read the request, so the
 * request path it puts in `query` is still empty (control-plane.md 3.2 shows it filled in).
 */
export function notAuthorizedReply(): XmlReply {
  return {
    attributes: [
      ['status_code', 401],
      ['query', ''],
      ['status_message', 'The client is not authorized. Certificate verification failed.'],
    ],
    children: [],
  };
}

export function renderReply(reply: Exclude<Reply, { kind: 'none' }>, malformed: boolean): Buffer {
  switch (reply.kind) {
    case 'xml': {
      const text = renderXml(reply.xml);
      return frameResponse('200 OK', [], Buffer.from(malformed ? garbleXml(text) : text, 'utf8'));
    }
    case 'not-found': {
      const text = renderXml({ attributes: [['status_code', 404]], children: [] });
      const body = Buffer.from(malformed ? garbleXml(text) : text, 'utf8');
      // Sunshine writes a normal answer, then appends a stray status line and the XML again.
      return Buffer.concat([frameResponse('200 OK', [], body), Buffer.from('HTTP/1.1 404 NOT FOUND\r\n', 'latin1'), body]);
    }
    case 'png':
      return frameResponse('200 OK', [['Content-Type', 'image/png']], reply.bytes);
  }
}

export async function streamOversized(socket: Duplex, sizeBytes: number): Promise<void> {
  socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${sizeBytes}\r\n\r\n`);
  let sent = 0;
  for (let i = 0; sent < sizeBytes && !socket.destroyed; i += 1) {
    const chunk = oversizedChunk(i, Math.min(OVERSIZED_CHUNK_BYTES, sizeBytes - sent));
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
  if (!socket.destroyed) socket.end();
}
