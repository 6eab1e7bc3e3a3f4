// Sunshine's audio datagrams (shared/protocol/data-plane.md §3.1, §3.3, §3.4): one Opus packet
// per RTP packet (payload type 97), optionally AES-CBC encrypted, and after every fourth data
// packet two Reed-Solomon parity packets (payload type 127) computed over the four RTP
// payloads as sent (ciphertext when encrypted) with the fixed matrix both sides share.
//
// Stateful only in its counters: feed Opus packets in order, send what comes back in order.

import { encryptAudioPayload } from './audio-encryption.ts';
import { encodeParity, type ParityMatrix } from './media-reed-solomon.ts';

export interface AudioPacketizerConfig {
  /** Opus frame duration, ms: the RTP timestamp step (§3.1). */
  packetDurationMs: number;
  encrypt: boolean;
  /** The launch `rikey` (16 bytes); used only when `encrypt`. */
  key: Uint8Array;
  /** The launch `rikeyid`, a signed 32-bit number. */
  rikeyid: number;
}

export interface AudioPacketizer {
  /** The datagrams for the next Opus packet: its data packet, then two FEC packets after every fourth. */
  push(opus: Uint8Array): Uint8Array[];
  /** The sequence number the next data packet gets. */
  nextSequence(): number;
}

/** Rows of the audio parity matrix (§3.3), GF(2^8)/0x11D. */
export const AUDIO_FEC_MATRIX: ParityMatrix = [
  [0x77, 0x40, 0x38, 0x0e],
  [0xc7, 0xa7, 0x0d, 0x6c],
];
export const AUDIO_DATA_SHARDS = 4;
export const AUDIO_PAYLOAD_TYPE = 97;
export const AUDIO_FEC_PAYLOAD_TYPE = 127;

/** Sequence numbers and timestamps start at 0, as Sunshine's do (§3.1). */
export function createAudioPacketizer(config: AudioPacketizerConfig): AudioPacketizer {
  if (!Number.isInteger(config.packetDurationMs) || config.packetDurationMs <= 0) throw new RangeError(`audio: packet duration ${config.packetDurationMs} ms`);
  let sequence = 0;
  let timestamp = 0;
  let block: Uint8Array[] = [];
  let blockBaseTimestamp = 0;
  return {
    push(opus) {
      const payload = config.encrypt ? encryptAudioPayload(config.key, config.rikeyid, sequence, opus) : opus;
      if (RTP_HEADER_BYTES + payload.length > MAX_AUDIO_DATAGRAM_BYTES) throw new RangeError(`audio: ${payload.length}-byte payload`);
      const out = [rtpPacket(AUDIO_PAYLOAD_TYPE, sequence, timestamp, payload)];
      if (block.length === 0) blockBaseTimestamp = timestamp;
      block.push(payload);
      if (block.length === AUDIO_DATA_SHARDS) {
        const baseSequence = (sequence - (AUDIO_DATA_SHARDS - 1)) & 0xffff;
        out.push(...fecPackets(block, baseSequence, blockBaseTimestamp));
        block = [];
      }
      sequence = (sequence + 1) & 0xffff;
      timestamp = (timestamp + config.packetDurationMs) >>> 0;
      return out;
    },
    nextSequence: () => sequence,
  };
}

function fecPackets(block: readonly Uint8Array[], baseSequence: number, baseTimestamp: number): Uint8Array[] {
  // The shard size is the block's last payload (§3.3); with CBR all four are equal. Shorter
  // payloads count as zero-padded, longer ones as cut, which is what a fixed-size shard gives.
  const shardBytes = (block[block.length - 1] as Uint8Array).length;
  const shards = block.map((payload) => {
    const shard = new Uint8Array(shardBytes);
    shard.set(payload.subarray(0, shardBytes));
    return shard;
  });
  return encodeParity(shards, AUDIO_FEC_MATRIX).map((parity, index) => {
    const body = new Uint8Array(FEC_HEADER_BYTES + parity.length);
    const view = new DataView(body.buffer);
    body[0] = index;
    body[1] = AUDIO_PAYLOAD_TYPE;
    view.setUint16(2, baseSequence, false);
    view.setUint32(4, baseTimestamp, false);
    view.setUint32(8, AUDIO_SSRC, false);
    body.set(parity, FEC_HEADER_BYTES);
    // The RTP sequence number reuses the next block's numbers and the timestamp is 0 (§3.3).
    return rtpPacket(AUDIO_FEC_PAYLOAD_TYPE, (baseSequence + AUDIO_DATA_SHARDS + index) & 0xffff, 0, body);
  });
}

function rtpPacket(payloadType: number, sequence: number, timestamp: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RTP_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  out[0] = RTP_BYTE0;
  out[1] = payloadType;
  view.setUint16(2, sequence, false);
  view.setUint32(4, timestamp, false);
  view.setUint32(8, AUDIO_SSRC, false);
  out.set(payload, RTP_HEADER_BYTES);
  return out;
}

// RTP version 2, no extension (§3.1).
const RTP_BYTE0 = 0x80;
const RTP_HEADER_BYTES = 12;
const AUDIO_SSRC = 0;
// Shard index, protected payload type, base sequence, base timestamp, SSRC (§3.3).
const FEC_HEADER_BYTES = 12;
// Both sides size audio buffers for 1400-byte datagrams (§3.1).
const MAX_AUDIO_DATAGRAM_BYTES = 1400;
