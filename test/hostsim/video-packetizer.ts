// Turns encoded video frames into Sunshine's video datagrams (shared/protocol/data-plane.md
// §2.1-2.5): an 8-byte frame header, slices of `packetSize - 16` bytes behind a 32-byte
// RTP + NV header, grouped into at most four Reed-Solomon FEC blocks per frame, with parity
// over whole datagrams. The steps follow §2.4 in order, because the order is visible on the
// wire: header fields written after the parity was computed (RTP header, frameIndex,
// multiFecBlocks, fecInfo) are not covered by it, the others are.
//
// Pure and deterministic: the caller supplies sequence numbers, frame numbers and timestamps,
// so the output for a recorded frame can be compared with the recorded datagrams.

import { cauchyMatrix, encodeParity } from './media-reed-solomon.ts';

export interface VideoPacketizerConfig {
  /** The negotiated `x-nv-video[0].packetSize` (NV header + payload); datagram = this + 16. */
  packetSizeBytes: number;
  /** Sunshine's `fec_percentage` (default 20; 0 sends no parity). */
  fecPercent: number;
  /** The client's `x-nv-vqos[0].fec.minRequiredFecPackets` (MCC asks for 2). */
  minParity: number;
}

/** Frame-header byte 3 (§2.3); Sunshine emits these three. */
export const FrameType = { P: 1, IDR: 2, AFTER_RFI: 5 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export interface VideoFrame {
  /** The encoder's output for the frame (Annex B), without any GameStream header. */
  bitstream: Uint8Array;
  /** u32, Sunshine starts at 1. */
  frameIndex: number;
  frameType: FrameType;
  /** Frame-header bytes 1-2: capture to send, 0.1 ms units, 0 when unknown (§2.3). */
  hostLatencyTenthsMs: number;
  /** 90 kHz, the same for every datagram of the frame (current Sunshine, §2.1). */
  rtpTimestamp: number;
}

export interface FecBlockLayout {
  dataShards: number;
  parityShards: number;
  /** The percentage written in `fecInfo`, after the minimum-parity adjustment. */
  fecPercent: number;
  firstSequence: number;
}

export interface PacketizedFrame {
  /** Data then parity shards of each block, blocks in order: the send order. */
  datagrams: Uint8Array[];
  blocks: FecBlockLayout[];
  /** The RTP sequence number of the next frame's first datagram. */
  nextSequence: number;
}

/** One frame's datagrams, sequence numbers from `firstSequence` (mod 2^16). */
export function packetizeFrame(frame: VideoFrame, config: VideoPacketizerConfig, firstSequence: number): PacketizedFrame {
  checkConfig(config);
  const datagramBytes = config.packetSizeBytes + RTP_NV_HEADER_BYTES - NV_HEADER_BYTES;
  const sliceBytes = config.packetSizeBytes - NV_HEADER_BYTES;
  const payload = withFrameHeader(frame, sliceBytes);
  const shardCount = Math.max(1, Math.ceil(payload.length / sliceBytes));
  const plan = planBlocks(payload.length, shardCount, datagramBytes, config.fecPercent);

  const datagrams: Uint8Array[] = [];
  const blocks: FecBlockLayout[] = [];
  let sequence = firstSequence & 0xffff;
  let shardBase = 0;
  plan.blockShardCounts.forEach((dataShards, blockIndex) => {
    const multiFecBlocks = (blockIndex << 4) | ((plan.blockShardCounts.length - 1) << 6);
    const data: Uint8Array[] = [];
    for (let x = 0; x < dataShards; x++) {
      const shard = new Uint8Array(datagramBytes);
      const sliceStart = (shardBase + x) * sliceBytes;
      shard.set(payload.subarray(sliceStart, Math.min(payload.length, sliceStart + sliceBytes)), RTP_NV_HEADER_BYTES);
      const view = viewOf(shard);
      // Step 5 of §2.4: fields present while the parity is computed. The block's low sequence
      // is a 16-bit counter but the sum is not wrapped inside a block (inferred, §2.1 only
      // promises congruence mod 2^16).
      view.setUint32(16, ((sequence + x) * 256) >>> 0, true);
      view.setUint32(20, frame.frameIndex >>> 0, true);
      shard[24] = FLAG_PICTURE_DATA | (x === 0 ? FLAG_SOF : 0) | (x === dataShards - 1 ? FLAG_EOF : 0);
      shard[26] = MULTI_FEC_FLAGS;
      shard[27] = multiFecBlocks;
      data.push(shard);
    }
    const { parityShards, fecPercent } = parityFor(dataShards, plan.fecPercent, config.minParity);
    const parity = parityShards === 0 ? [] : encodeParity(data, cauchyMatrix(dataShards, parityShards));
    [...data, ...parity].forEach((shard, x) => {
      // Step 7: written on every shard after the parity, so not protected by it.
      const view = viewOf(shard);
      shard[0] = RTP_BYTE0;
      view.setUint16(2, (sequence + x) & 0xffff, false);
      view.setUint32(4, frame.rtpTimestamp >>> 0, false);
      view.setUint32(20, frame.frameIndex >>> 0, true);
      shard[27] = multiFecBlocks;
      view.setUint32(28, ((dataShards << 22) | (x << 12) | (fecPercent << 4)) >>> 0, true);
      datagrams.push(shard);
    });
    blocks.push({ dataShards, parityShards, fecPercent, firstSequence: sequence });
    sequence = (sequence + dataShards + parityShards) & 0xffff;
    shardBase += dataShards;
  });
  return { datagrams, blocks, nextSequence: sequence };
}

/** The parity count and the percentage to announce for a block of `dataShards` (§2.5). */
export function parityFor(dataShards: number, fecPercent: number, minParity: number): { parityShards: number; fecPercent: number } {
  if (fecPercent === 0) return { parityShards: 0, fecPercent: 0 };
  const parityShards = Math.ceil((dataShards * fecPercent) / 100);
  if (parityShards >= minParity) return { parityShards, fecPercent };
  const adjusted = Math.floor((100 * minParity) / dataShards);
  // The field has 8 bits; what Sunshine writes past 255 is unknown (§2.5 open question), so
  // the simulator refuses rather than invent it.
  if (adjusted > MAX_FEC_PERCENT) throw new RangeError(`video FEC: ${minParity} parity shards for ${dataShards} data shards needs ${adjusted} %`);
  return { parityShards: minParity, fecPercent: adjusted };
}

function withFrameHeader(frame: VideoFrame, sliceBytes: number): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + frame.bitstream.length);
  const view = viewOf(out);
  const lastBytes = out.length % sliceBytes;
  out[0] = FRAME_HEADER_SHORT;
  view.setUint16(1, frame.hostLatencyTenthsMs, true);
  out[3] = frame.frameType;
  view.setUint16(4, lastBytes === 0 ? sliceBytes : lastBytes, true);
  out.set(frame.bitstream, FRAME_HEADER_BYTES);
  return out;
}

// Step 3-4 of §2.4: how many blocks, and how many data shards in each.
function planBlocks(payloadBytes: number, shardCount: number, datagramBytes: number, fecPercent: number): { blockShardCounts: number[]; fecPercent: number } {
  // The host measures the frame as its data shards laid end to end, the last one short.
  const totalBytes = payloadBytes + shardCount * RTP_NV_HEADER_BYTES;
  const maxDataPerBlock = Math.floor((MAX_RS_SHARDS * 100) / (100 + fecPercent));
  let blocks = Math.ceil(totalBytes / (maxDataPerBlock * datagramBytes));
  let percent = fecPercent;
  if (blocks > MAX_FEC_BLOCKS) {
    blocks = MAX_FEC_BLOCKS;
    percent = 0;
  }
  const perBlock = Math.ceil(Math.floor(totalBytes / blocks) / datagramBytes);
  const counts: number[] = [];
  for (let b = 0; b < blocks - 1; b++) counts.push(perBlock);
  counts.push(shardCount - perBlock * (blocks - 1));
  if (counts.some((n) => n < 1 || n > MAX_SHARD_INDEX)) throw new RangeError(`video: ${payloadBytes}-byte frame does not fit ${MAX_FEC_BLOCKS} FEC blocks`);
  return { blockShardCounts: counts, fecPercent: percent };
}

function checkConfig(config: VideoPacketizerConfig): void {
  const { packetSizeBytes, fecPercent, minParity } = config;
  if (!Number.isInteger(packetSizeBytes) || packetSizeBytes <= NV_HEADER_BYTES + FRAME_HEADER_BYTES) throw new RangeError(`video: packet size ${packetSizeBytes}`);
  if (!Number.isInteger(fecPercent) || fecPercent < 0 || fecPercent > MAX_FEC_PERCENT) throw new RangeError(`video: FEC percentage ${fecPercent}`);
  if (!Number.isInteger(minParity) || minParity < 0) throw new RangeError(`video: minimum parity ${minParity}`);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// §2.1: RTP version 2 with the X bit; Sunshine leaves payload type and SSRC at 0.
const RTP_BYTE0 = 0x90;
// RTP (12) + 4 "extension" bytes + the 16-byte NV header.
const RTP_NV_HEADER_BYTES = 32;
const NV_HEADER_BYTES = 16;
const FLAG_PICTURE_DATA = 0x01;
const FLAG_EOF = 0x02;
const FLAG_SOF = 0x04;
// Sunshine always sends 0x10 in multiFecFlags (§2.1).
const MULTI_FEC_FLAGS = 0x10;
// §2.3: Sunshine's short header, type byte 0x01, 8 bytes.
const FRAME_HEADER_SHORT = 0x01;
const FRAME_HEADER_BYTES = 8;
// §2.4: nanors' limit of 255 shards sets the data shards per block; more than 4 blocks
// switches FEC off; the shard index has 10 bits.
const MAX_RS_SHARDS = 255;
const MAX_FEC_BLOCKS = 4;
const MAX_SHARD_INDEX = 1023;
// §2.4: `fec_percentage` ranges 1-255 in Sunshine's settings; the fecInfo field has 8 bits.
const MAX_FEC_PERCENT = 255;
