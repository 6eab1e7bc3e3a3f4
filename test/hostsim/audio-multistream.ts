// Opus multistream packets (RFC 7845 §5.1.1, RFC 6716 Appendix B) assembled from single-stream
// packets: every stream but the last uses self-delimiting framing, so the decoder can find
// where the next one starts. The simulator encodes each stream of Sunshine's layout on its
// own and joins them here, which gives the exact stream and coupling structure Sunshine's
// encoder produces (data-plane.md §3.2) without a multistream encoder in Node.

/** One multistream packet from one packet per stream, in stream order. */
export function joinMultistream(streamPackets: readonly Uint8Array[]): Uint8Array {
  const parts = streamPackets.map((packet, i) => (i < streamPackets.length - 1 ? toSelfDelimited(packet) : packet));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The per-stream packets of a multistream packet of `streams` streams (each as a standard packet). */
export function splitMultistream(packet: Uint8Array, streams: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let s = 0; s < streams - 1; s++) {
    const toc = packet[at];
    if (toc === undefined || (toc & 0x03) !== CODE_ONE_FRAME) throw new Error('opus multistream: only one-frame streams are handled');
    const { frameBytes, lengthBytes } = readLength(packet, at + 1);
    const frameStart = at + 1 + lengthBytes;
    if (frameStart + frameBytes > packet.length) throw new Error('opus multistream: stream overruns the packet');
    const single = new Uint8Array(1 + frameBytes);
    single[0] = toc;
    single.set(packet.subarray(frameStart, frameStart + frameBytes), 1);
    out.push(single);
    at = frameStart + frameBytes;
  }
  out.push(packet.subarray(at));
  return out;
}

/** A one-frame (code 0) packet in self-delimiting framing: the frame length follows the TOC byte. */
export function toSelfDelimited(packet: Uint8Array): Uint8Array {
  const toc = packet[0];
  // CBR Opus at 5 or 10 ms is one frame per packet; the other codes are not needed here.
  if (toc === undefined || (toc & 0x03) !== CODE_ONE_FRAME) throw new Error('opus: self-delimiting framing of multi-frame packets is not implemented');
  const frameBytes = packet.length - 1;
  const length = frameBytes < 252 ? [frameBytes] : [252 + (frameBytes & 3), (frameBytes - 252 - (frameBytes & 3)) >> 2];
  const out = new Uint8Array(1 + length.length + frameBytes);
  out[0] = toc;
  out.set(length, 1);
  out.set(packet.subarray(1), 1 + length.length);
  return out;
}

// RFC 6716 §3.2.1: one byte below 252, else two bytes (first + 4 * second).
function readLength(packet: Uint8Array, at: number): { frameBytes: number; lengthBytes: number } {
  const first = packet[at];
  if (first === undefined) throw new Error('opus: missing frame length');
  if (first < 252) return { frameBytes: first, lengthBytes: 1 };
  const second = packet[at + 1];
  if (second === undefined) throw new Error('opus: missing frame length');
  return { frameBytes: first + 4 * second, lengthBytes: 2 };
}

const CODE_ONE_FRAME = 0;
