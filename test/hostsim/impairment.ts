// Seeded network impairment between the simulator's senders and their sockets: random loss,
// burst loss (a two-state Gilbert model: a burst starts with some probability and lasts a
// geometric number of datagrams), reordering (a datagram held back while later ones pass),
// duplication and jitter. Decisions come from a PRNG seeded by the caller, and every datagram
// consumes the same number of draws whatever happens to it, so one seed gives one pattern,
// and changing one rate leaves the other decisions where they were.
//
// Pure: `decide()` says what to do with the next datagram; the sender applies it with its
// clock (media-sender.ts).

export interface ImpairmentConfig {
  seed: number;
  /** Probability that a datagram is lost on its own, 0-1. */
  lossRate?: number;
  /** Burst loss: probability that a burst starts at a datagram, and its mean length in datagrams (>= 1). */
  burst?: { startRate: number; meanLength: number };
  /** Probability that a datagram is held back by `reorderDelayMs`, letting later ones pass. */
  reorderRate?: number;
  reorderDelayMs?: number;
  /** Probability that a datagram is delivered twice. */
  duplicateRate?: number;
  /** Extra delay drawn uniformly from [0, jitterMs] for every copy (large values reorder too). */
  jitterMs?: number;
}

/** One copy to deliver, after `delayUs`. */
export interface Delivery {
  delayUs: number;
}

export interface ImpairmentStats {
  datagrams: number;
  lost: number;
  lostInBursts: number;
  bursts: number;
  reordered: number;
  duplicated: number;
}

export interface Impairment {
  /** The copies of the next datagram to deliver: none (lost), one, or two (duplicated). */
  decide(): Delivery[];
  stats(): ImpairmentStats;
}

export function createImpairment(config: ImpairmentConfig): Impairment {
  checkConfig(config);
  const random = createPrng(config.seed);
  const lossRate = config.lossRate ?? 0;
  const burstStartRate = config.burst?.startRate ?? 0;
  const burstContinueRate = config.burst === undefined ? 0 : 1 - 1 / config.burst.meanLength;
  const reorderRate = config.reorderRate ?? 0;
  const reorderDelayUs = (config.reorderDelayMs ?? 0) * 1000;
  const duplicateRate = config.duplicateRate ?? 0;
  const jitterUs = (config.jitterMs ?? 0) * 1000;
  const stats: ImpairmentStats = { datagrams: 0, lost: 0, lostInBursts: 0, bursts: 0, reordered: 0, duplicated: 0 };
  let inBurst = false;
  return {
    decide() {
      // Always the same seven draws, in the same order (see the theory above).
      const uLoss = random();
      const uBurstStart = random();
      const uBurstContinue = random();
      const uReorder = random();
      const uDuplicate = random();
      const uJitter = random();
      const uJitterCopy = random();
      stats.datagrams += 1;
      const burstStarts = !inBurst && uBurstStart < burstStartRate;
      const dropInBurst = inBurst || burstStarts;
      if (burstStarts) stats.bursts += 1;
      inBurst = dropInBurst && uBurstContinue < burstContinueRate;
      if (dropInBurst) {
        stats.lost += 1;
        stats.lostInBursts += 1;
        return [];
      }
      if (uLoss < lossRate) {
        stats.lost += 1;
        return [];
      }
      const held = uReorder < reorderRate;
      if (held) stats.reordered += 1;
      const baseUs = held ? reorderDelayUs : 0;
      const out: Delivery[] = [{ delayUs: Math.floor(baseUs + uJitter * jitterUs) }];
      if (uDuplicate < duplicateRate) {
        stats.duplicated += 1;
        out.push({ delayUs: Math.floor(baseUs + uJitterCopy * jitterUs) });
      }
      return out;
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * A PRNG returning uniform numbers in [0, 1): sfc32 (Chris Doty-Humphrey's small fast
 * counter), seeded from one 32-bit number and warmed up so nearby seeds diverge.
 */
export function createPrng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 2 ** 32;
  };
  for (let i = 0; i < PRNG_WARM_UP_DRAWS; i++) next();
  return next;
}

function checkConfig(config: ImpairmentConfig): void {
  const rates: [string, number | undefined][] = [
    ['lossRate', config.lossRate],
    ['burst.startRate', config.burst?.startRate],
    ['reorderRate', config.reorderRate],
    ['duplicateRate', config.duplicateRate],
  ];
  for (const [name, rate] of rates) {
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw new RangeError(`impairment: ${name} ${rate} is outside 0-1`);
  }
  if (config.burst !== undefined && !(config.burst.meanLength >= 1)) throw new RangeError(`impairment: burst mean length ${config.burst.meanLength}`);
  for (const [name, ms] of [['reorderDelayMs', config.reorderDelayMs], ['jitterMs', config.jitterMs]] as const) {
    if (ms !== undefined && !(ms >= 0)) throw new RangeError(`impairment: ${name} ${ms}`);
  }
  if (!Number.isInteger(config.seed)) throw new RangeError(`impairment: seed ${config.seed}`);
}

// sfc32's authors advise discarding the first outputs after seeding.
const PRNG_WARM_UP_DRAWS = 12;
