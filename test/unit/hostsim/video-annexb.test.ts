// Cutting encoder output into access units: by delimiters, parameter sets and SEI after a
// picture, and by the first-slice bit, for H.264 and HEVC; 3- and 4-byte start codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIdrAccessUnit, splitAccessUnits, splitNalUnits } from '../../hostsim/video-annexb.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const units = (stream: Uint8Array, codec: 'h264' | 'hevc'): string[] => splitAccessUnits(stream, codec).map((u) => Buffer.from(u).toString('hex'));

test('H.264: SPS, PPS, SEI and an IDR slice form the first unit; each P slice with first_mb 0 starts a new one', () => {
  // SPS, PPS, SEI, IDR (first_mb 0), P (first_mb 0), P (first_mb 0) then a second slice (first_mb != 0).
  const stream = hex('00000001 6742 00000001 68ce 000001 0605 00000001 6588aa 00000001 419a01 000001 419a02 000001 41 40 03');
  assert.deepEqual(units(stream, 'h264'), ['0000000167420000000168ce0000010605000000016588aa', '00000001419a01', '000001419a02000001414003']);
  const [idr, p] = splitAccessUnits(stream, 'h264');
  assert.ok(isIdrAccessUnit(idr as Uint8Array, 'h264'));
  assert.ok(!isIdrAccessUnit(p as Uint8Array, 'h264'));
});

test('H.264: an access-unit delimiter before a picture starts its unit', () => {
  const stream = hex('00000001 0910 00000001 6588 00000001 0930 00000001 4188');
  assert.deepEqual(units(stream, 'h264'), ['000000010910000000016588', '000000010930000000014188']);
});

test('HEVC: VPS, SPS, PPS and an IDR_W_RADL picture, then TRAIL_R pictures split by first_slice_segment_in_pic_flag', () => {
  // NAL header byte 0 = type << 1: VPS 0x40, SPS 0x42, PPS 0x44, prefix SEI 0x4e, IDR_W_RADL 0x26, TRAIL_R 0x02.
  const stream = hex('00000001 4001 0c 00000001 4201 01 00000001 4401 c1 00000001 4e01 05 00000001 2601 af 00000001 0201 d0 00000001 0201 50 00000001 0201 e0');
  const got = splitAccessUnits(stream, 'hevc');
  assert.equal(got.length, 3);
  assert.deepEqual(splitNalUnits(got[0] as Uint8Array, 'hevc').map((n) => n.type), [32, 33, 34, 39, 19]);
  assert.deepEqual(splitNalUnits(got[1] as Uint8Array, 'hevc').map((n) => n.type), [1, 1], 'a dependent slice segment stays in its picture');
  assert.ok(isIdrAccessUnit(got[0] as Uint8Array, 'hevc'));
  assert.ok(!isIdrAccessUnit(got[2] as Uint8Array, 'hevc'));
});

test('NAL spans include their start code and end at the next one', () => {
  const nals = splitNalUnits(hex('000001 6742 00000001 68ce'), 'h264');
  assert.deepEqual(nals.map((n) => [n.offset, n.headerOffset, n.end, n.type]), [[0, 3, 5, 7], [5, 9, 11, 8]]);
});
