// What a GameStream route answers, before misbehaviour and framing are applied.

import type { XmlReply } from './xml-reply.ts';

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
