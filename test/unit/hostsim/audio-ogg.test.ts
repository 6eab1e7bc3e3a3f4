// Ogg Opus in and out (RFC 3533, RFC 7845) and the multistream framing (RFC 6716 App. B) the
// audio fixtures are built from: round trips, packets spanning pages, CRC checking, and
// self-delimited lengths of one and two bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinMultistream, splitMultistream, toSelfDelimited } from '../../hostsim/audio-multistream.ts';
import { readOggOpus, readOggPackets, writeOggOpus } from '../../hostsim/audio-ogg.ts';

const head = { channels: 6, preSkipSamples: 312, inputSampleRateHz: 48_000, mappingFamily: 255, streams: 4, coupledStreams: 2, mapping: [0, 1, 2, 3, 4, 5] };
const packet = (n: number, length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i === 0 ? 0xe8 : (n + i) & 0xff));

test('writeOggOpus then readOggOpus gives back the head and every packet, including ones longer than 255 bytes', () => {
  const packets = [packet(1, 60), packet(2, 255), packet(3, 600), packet(4, 1)];
  const file = writeOggOpus(head, packets, 240);
  const read = readOggOpus(file);
  assert.deepEqual(read.head, head);
  assert.deepEqual(read.packets, packets);
});

test('a flipped byte fails the page CRC', () => {
  const file = writeOggOpus(head, [packet(1, 60)], 240);
  file[file.length - 3] = (file[file.length - 3] as number) ^ 1;
  assert.throws(() => readOggPackets(file), /bad CRC/);
});

test('a stereo head (mapping family 0) implies one coupled stream', () => {
  const stereo = { ...head, channels: 2, mappingFamily: 0, streams: 1, coupledStreams: 1, mapping: [0, 1] };
  assert.deepEqual(readOggOpus(writeOggOpus(stereo, [packet(1, 60)], 240)).head, stereo);
});

test('self-delimited framing puts the frame length after the TOC byte, in two bytes from 252 on', () => {
  assert.deepEqual([...toSelfDelimited(Uint8Array.of(0xec, 9, 8, 7))], [0xec, 3, 9, 8, 7]);
  const long = toSelfDelimited(packet(0, 301));
  assert.deepEqual([...long.subarray(0, 3)], [0xe8, 252, 12], '300 = 252 + 4 × 12');
  assert.throws(() => toSelfDelimited(Uint8Array.of(0xed, 1)), /multi-frame/);
});

test('a multistream packet splits back into its streams', () => {
  const streams = [packet(1, 53), packet(2, 400), packet(3, 26), packet(4, 26)];
  const joined = joinMultistream(streams);
  assert.equal(joined.length, 53 + 400 + 26 + 26 + 1 + 2 + 1);
  assert.deepEqual(splitMultistream(joined, 4), streams);
});
