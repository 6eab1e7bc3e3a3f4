// Seeded impairment: one seed gives one pattern, different seeds differ, and over a fixed
// sequence of 200 000 datagrams each effect happens at its configured rate (within tolerances
// far wider than the sampling error at that size, so the test is stable yet meaningful).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImpairment, createPrng, type Delivery, type ImpairmentConfig } from '../../hostsim/impairment.ts';

const N = 200_000;

function run(config: ImpairmentConfig, n = N): Delivery[][] {
  const impairment = createImpairment(config);
  return Array.from({ length: n }, () => impairment.decide());
}

const pattern = (decisions: Delivery[][]): string => decisions.map((d) => d.length).join('');

test('the same seed gives the same drops, duplicates and delays; another seed does not', () => {
  const config = { seed: 7, lossRate: 0.05, burst: { startRate: 0.01, meanLength: 4 }, reorderRate: 0.02, reorderDelayMs: 5, duplicateRate: 0.01, jitterMs: 2 };
  assert.deepEqual(run(config, 5000), run(config, 5000));
  assert.notEqual(pattern(run(config, 5000)), pattern(run({ ...config, seed: 8 }, 5000)));
});

test('changing one rate leaves the other decisions of the same seed in place', () => {
  const base = run({ seed: 3, duplicateRate: 0.1 }, 5000);
  const withJitter = run({ seed: 3, duplicateRate: 0.1, jitterMs: 4 }, 5000);
  assert.equal(pattern(withJitter), pattern(base));
});

test('no configuration, no impairment: one immediate copy of every datagram', () => {
  assert.ok(run({ seed: 1 }, 1000).every((d) => d.length === 1 && d[0]?.delayUs === 0));
});

test('random loss happens at its rate', () => {
  const impairment = createImpairment({ seed: 11, lossRate: 0.1 });
  for (let i = 0; i < N; i++) impairment.decide();
  const { lost, bursts } = impairment.stats();
  assert.ok(Math.abs(lost / N - 0.1) < 0.005, `${lost / N}`);
  assert.equal(bursts, 0);
});

test('burst loss starts at its rate and lasts its mean length', () => {
  const decisions = run({ seed: 12, burst: { startRate: 0.002, meanLength: 5 } });
  const runs: number[] = [];
  let current = 0;
  for (const d of decisions) {
    if (d.length === 0) current += 1;
    else if (current > 0) {
      runs.push(current);
      current = 0;
    }
  }
  // Bursts start only outside a burst: about N × rate / (1 + rate × length) of them.
  const expectedBursts = (N * 0.002) / (1 + 0.002 * 5);
  assert.ok(Math.abs(runs.length - expectedBursts) / expectedBursts < 0.12, `${runs.length} bursts, expected ~${expectedBursts.toFixed(0)}`);
  // Back-to-back bursts merge into one run, so runs are slightly longer than bursts.
  const meanRun = runs.reduce((a, b) => a + b, 0) / runs.length;
  assert.ok(meanRun > 4.5 && meanRun < 5.7, `mean run ${meanRun}`);
  assert.ok(Math.max(...runs) > 15, 'a geometric length has a long tail');
});

test('reordering holds back its share by the configured delay', () => {
  const decisions = run({ seed: 13, reorderRate: 0.03, reorderDelayMs: 8 });
  const held = decisions.filter((d) => d[0]?.delayUs === 8000).length;
  assert.ok(Math.abs(held / N - 0.03) < 0.003, `${held / N}`);
  assert.ok(decisions.every((d) => d.length === 1 && (d[0]?.delayUs === 0 || d[0]?.delayUs === 8000)));
});

test('duplication sends its share twice', () => {
  const duplicated = run({ seed: 14, duplicateRate: 0.02 }).filter((d) => d.length === 2).length;
  assert.ok(Math.abs(duplicated / N - 0.02) < 0.002, `${duplicated / N}`);
});

test('jitter delays uniformly within [0, jitterMs]', () => {
  const delays = run({ seed: 15, jitterMs: 10 }).map((d) => d[0]?.delayUs ?? -1);
  assert.ok(delays.every((us) => us >= 0 && us <= 10_000));
  const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
  assert.ok(Math.abs(mean - 5000) < 100, `mean ${mean}`);
  const belowOneMs = delays.filter((us) => us < 1000).length / delays.length;
  assert.ok(Math.abs(belowOneMs - 0.1) < 0.005, `${belowOneMs}`);
});

test('the PRNG is uniform enough: deciles within 2 % of 10 %', () => {
  const random = createPrng(99);
  const deciles = new Array<number>(10).fill(0);
  for (let i = 0; i < N; i++) {
    const d = Math.floor(random() * 10);
    deciles[d] = (deciles[d] ?? 0) + 1;
  }
  assert.ok(deciles.every((n) => Math.abs(n / N - 0.1) < 0.002), deciles.join(' '));
});

test('rates outside 0-1 and burst lengths below 1 are refused', () => {
  assert.throws(() => createImpairment({ seed: 1, lossRate: 1.5 }), RangeError);
  assert.throws(() => createImpairment({ seed: 1, burst: { startRate: 0.1, meanLength: 0.5 } }), RangeError);
  assert.throws(() => createImpairment({ seed: 1.5 }), RangeError);
});
