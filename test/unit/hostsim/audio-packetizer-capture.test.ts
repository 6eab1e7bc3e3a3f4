// The simulator's audio packetizer against real Sunshine traffic: the Opus packets of each
// recorded session, encrypted again with the session's launch key and run through the
// packetizer, must give every recorded audio datagram (data and FEC) byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { audioIv } from '../../hostsim/audio-encryption.ts';
import { createAudioPacketizer } from '../../hostsim/audio-packetizer.ts';
import { loadMediaCapture, MEDIA_CAPTURES } from '../../hostsim/media-capture.ts';

for (const folder of MEDIA_CAPTURES) {
  test(`${folder}: the Opus packets re-encrypt and packetize to the recorded audio datagrams`, () => {
    const capture = loadMediaCapture(folder);
    const data = capture.audio.filter((d) => d[1] === 97);
    // The records start at RTP seq 100 (the client's initial discard); the packets before and
    // after them are taken from the capture by decryption, then checked against the records.
    const opus = data.map((d) => {
      const sequence = new DataView(d.buffer, d.byteOffset).getUint16(2, false);
      const decipher = createDecipheriv('aes-128-cbc', capture.rikey, audioIv(capture.rikeyid, sequence));
      return new Uint8Array(Buffer.concat([decipher.update(d.subarray(12)), decipher.final()]));
    });
    const first = capture.session.firstOpusRecordSequence;
    assert.ok(capture.opusRecords.length > 400);
    capture.opusRecords.forEach((record, i) => assert.equal(hex(opus[first + i] as Uint8Array), hex(record), `record ${i}`));

    const packetizer = createAudioPacketizer({ packetDurationMs: capture.session.audioPacketDurationMs, encrypt: true, key: capture.rikey, rikeyid: capture.rikeyid });
    const ours = opus.flatMap((packet) => packetizer.push(packet));
    assert.equal(ours.length, capture.audio.length);
    ours.forEach((datagram, i) => assert.equal(hex(datagram), hex(capture.audio[i] as Uint8Array), `audio datagram ${i}`));
    assert.ok(ours.filter((d) => d[1] === 127).length > 200);
  });
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
