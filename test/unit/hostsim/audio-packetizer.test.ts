// The audio packetizer's layout (data-plane.md §3.1, §3.3, §3.4) on synthetic Opus packets:
// RTP headers, the FEC packets after every fourth data packet, recovery from any four of six,
// and the IV rule with a negative rikeyid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { audioIv, encryptAudioPayload } from '../../hostsim/audio-encryption.ts';
import { AUDIO_FEC_MATRIX, createAudioPacketizer } from '../../hostsim/audio-packetizer.ts';
import { reconstructData } from '../../hostsim/media-reed-solomon.ts';

const KEY = Buffer.from('dea5f358e13d62f4907594d629384258', 'hex');
const opus = (n: number): Uint8Array => Uint8Array.from({ length: 60 }, (_, i) => (n * 7 + i) & 0xff);
const view = (d: Uint8Array): DataView => new DataView(d.buffer, d.byteOffset, d.byteLength);

test('data packets: 0x80, PT 97, sequence from 0, timestamp +5 per 5 ms packet, SSRC 0, payload as given when not encrypted', () => {
  const packetizer = createAudioPacketizer({ packetDurationMs: 5, encrypt: false, key: KEY, rikeyid: 0 });
  const first = packetizer.push(opus(0));
  const second = packetizer.push(opus(1));
  assert.equal(first.length, 1);
  assert.deepEqual([...(second[0] as Uint8Array).subarray(0, 12)], [0x80, 97, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0]);
  assert.deepEqual((second[0] as Uint8Array).subarray(12), opus(1));
  assert.equal(packetizer.nextSequence(), 2);
});

test('after every fourth data packet come two FEC packets with the block header of §3.3', () => {
  const packetizer = createAudioPacketizer({ packetDurationMs: 5, encrypt: false, key: KEY, rikeyid: 0 });
  const out = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => packetizer.push(opus(n)));
  assert.deepEqual(out.map((d) => d.length), [1, 1, 1, 3, 1, 1, 1, 3]);
  const [, fec0, fec1] = out[7] as Uint8Array[];
  for (const [index, fec] of [fec0, fec1].entries()) {
    const d = fec as Uint8Array;
    assert.equal(d[1], 127);
    assert.equal(view(d).getUint16(2, false), 8 + index, 'the next block’s sequence numbers');
    assert.equal(view(d).getUint32(4, false), 0);
    assert.equal(d[12], index);
    assert.equal(d[13], 97);
    assert.equal(view(d).getUint16(14, false), 4, 'base sequence');
    assert.equal(view(d).getUint32(16, false), 20, 'base timestamp');
    assert.equal(view(d).getUint32(20, false), 0);
    assert.equal(d.length, 24 + 60);
  }
});

test('any four of the six payloads of a block rebuild the encrypted data packets', () => {
  const packetizer = createAudioPacketizer({ packetDurationMs: 5, encrypt: true, key: KEY, rikeyid: -621405226 });
  const datagrams = [0, 1, 2, 3].flatMap((n) => packetizer.push(opus(n)));
  const shards = datagrams.map((d, i) => d.subarray(i < 4 ? 12 : 24));
  for (let a = 0; a < 6; a++) {
    for (let b = a + 1; b < 6; b++) {
      const rebuilt = reconstructData(shards.map((s, i) => (i === a || i === b ? null : s)), AUDIO_FEC_MATRIX);
      assert.ok(rebuilt !== null);
      rebuilt.forEach((payload, i) => assert.deepEqual(payload, shards[i], `lost ${a},${b}: packet ${i}`));
    }
  }
});

test('encryption: AES-128-CBC with PKCS#7, IV = BE32(rikeyid + seq) wrapping at 2^32, then zeros', () => {
  assert.equal(Buffer.from(audioIv(-1, 1)).toString('hex'), '00000000000000000000000000000000');
  assert.equal(Buffer.from(audioIv(-621405226, 100)).toString('hex'), 'daf61c3a000000000000000000000000');
  const sealed = encryptAudioPayload(KEY, -5, 9, opus(3));
  assert.equal(sealed.length, 64, '16 × (⌊60/16⌋ + 1)');
  const decipher = createDecipheriv('aes-128-cbc', KEY, audioIv(-5, 9));
  assert.deepEqual(new Uint8Array(Buffer.concat([decipher.update(sealed), decipher.final()])), opus(3));
});

test('sequence numbers wrap at 2^16 and blocks stay aligned on multiples of four', () => {
  const packetizer = createAudioPacketizer({ packetDurationMs: 10, encrypt: false, key: KEY, rikeyid: 0 });
  let last: Uint8Array[] = [];
  for (let n = 0; n < 65_540; n++) last = packetizer.push(opus(n));
  // Packet 65 539 has sequence 3 and closes the block that starts at 0 again.
  assert.equal(last.length, 3);
  assert.equal(view(last[0] as Uint8Array).getUint16(2, false), 3);
  assert.equal(view(last[1] as Uint8Array).getUint16(14, false), 0);
  assert.equal(view(last[0] as Uint8Array).getUint32(4, false), (65_539 * 10) >>> 0);
});
