// Reed-Solomon over GF(2^8)/0x11D as the simulator's video and audio FEC use it
// (data-plane.md §2.5, §3.3): known matrix rows, and any k of k + m shards rebuild the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIO_FEC_MATRIX } from '../../hostsim/audio-packetizer.ts';
import { createPrng } from '../../hostsim/impairment.ts';
import { cauchyMatrix, encodeParity, gfInverse, gfMul, reconstructData, type ParityMatrix } from '../../hostsim/media-reed-solomon.ts';

test('the Cauchy matrix for 4 data and 2 parity shards has the rows of data-plane.md §2.5', () => {
  assert.deepEqual(cauchyMatrix(4, 2), [
    [0x8e, 0xf4, 0x47, 0xa7],
    [0xf4, 0x8e, 0xa7, 0x47],
  ]);
});

test('every non-zero field element times its inverse is 1, and 2^8 wraps through 0x11D', () => {
  for (let a = 1; a < 256; a++) assert.equal(gfMul(a, gfInverse(a)), 1, `a = ${a}`);
  assert.equal(gfMul(0x80, 2), 0x1d);
  assert.equal(gfMul(0, 0x53), 0);
});

test('parity is the byte-wise sum of coefficient times data', () => {
  const data = [Uint8Array.of(1, 0), Uint8Array.of(0, 1), Uint8Array.of(3, 0), Uint8Array.of(0, 0)];
  const [p0] = encodeParity(data, cauchyMatrix(4, 2));
  assert.deepEqual([...(p0 as Uint8Array)], [0x8e ^ gfMul(0x47, 3), 0xf4]);
});

const SHAPES: { name: string; k: number; m: number; matrix: () => ParityMatrix }[] = [
  { name: 'video 1+2', k: 1, m: 2, matrix: () => cauchyMatrix(1, 2) },
  { name: 'video 3+2', k: 3, m: 2, matrix: () => cauchyMatrix(3, 2) },
  { name: 'video 8+2', k: 8, m: 2, matrix: () => cauchyMatrix(8, 2) },
  { name: 'video 24+5', k: 24, m: 5, matrix: () => cauchyMatrix(24, 5) },
  { name: 'video 212+43', k: 212, m: 43, matrix: () => cauchyMatrix(212, 43) },
  { name: 'audio 4+2', k: 4, m: 2, matrix: () => AUDIO_FEC_MATRIX },
];

for (const shape of SHAPES) {
  test(`${shape.name}: any ${shape.k} of the ${shape.k + shape.m} shards rebuild the data, fewer do not`, () => {
    const random = createPrng(shape.k * 31 + shape.m);
    const matrix = shape.matrix();
    const data = Array.from({ length: shape.k }, () => Uint8Array.from({ length: 64 }, () => Math.floor(random() * 256)));
    const all = [...data, ...encodeParity(data, matrix)];
    // Small blocks: every erasure pattern of m shards; large ones: 50 random patterns.
    const patterns = shape.k + shape.m <= 10 ? subsets(shape.k + shape.m, shape.m) : Array.from({ length: 50 }, () => randomSubset(random, shape.k + shape.m, shape.m));
    for (const lost of patterns) {
      const received = all.map((s, i) => (lost.includes(i) ? null : s));
      const rebuilt = reconstructData(received, matrix);
      assert.ok(rebuilt !== null, `lost ${lost.join(',')}`);
      rebuilt.forEach((shard, i) => assert.deepEqual(shard, data[i], `lost ${lost.join(',')}: shard ${i}`));
    }
    const tooMany = randomSubset(random, shape.k + shape.m, shape.m + 1);
    if (tooMany.some((i) => i < shape.k)) assert.equal(reconstructData(all.map((s, i) => (tooMany.includes(i) ? null : s)), matrix), null);
  });
}

test('the audio rows are not the Cauchy rows (they would not interoperate, §3.3)', () => {
  assert.notDeepEqual(AUDIO_FEC_MATRIX, cauchyMatrix(4, 2));
});

function subsets(n: number, size: number): number[][] {
  if (size === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= n - size; first++) {
    for (const rest of subsets(n - first - 1, size - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  }
  return out;
}

function randomSubset(random: () => number, n: number, size: number): number[] {
  const picked = new Set<number>();
  while (picked.size < size) picked.add(Math.floor(random() * n));
  return [...picked].sort((a, b) => a - b);
}
