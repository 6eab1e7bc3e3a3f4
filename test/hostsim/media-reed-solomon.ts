// Reed-Solomon erasure coding over GF(2^8), as both GameStream sides use it
// (shared/protocol/data-plane.md §2.5 and §3.3): a systematic code where each parity shard is
// a byte-wise linear combination of the data shards. Video uses the Cauchy matrix
// P[j][i] = 1 / ((m + i) XOR j); audio replaces it with a fixed 2x4 matrix. The same module
// also inverts the code, so tests can prove that what the simulator sends is decodable.

/** A parity matrix, row-major: `rows[j][i]` multiplies data shard i into parity shard j. */
export type ParityMatrix = readonly (readonly number[])[];

/** The matrix for `dataShards` data and `parityShards` parity shards (§2.5). */
export function cauchyMatrix(dataShards: number, parityShards: number): ParityMatrix {
  checkShape(dataShards, parityShards);
  const rows: number[][] = [];
  for (let j = 0; j < parityShards; j++) {
    const row: number[] = [];
    for (let i = 0; i < dataShards; i++) row.push(gfInverse((parityShards + i) ^ j));
    rows.push(row);
  }
  return rows;
}

/**
 * Parity shards for `data` (all the same length) with `matrix`; each returned shard has the
 * data shards' length.
 */
export function encodeParity(data: readonly Uint8Array[], matrix: ParityMatrix): Uint8Array[] {
  const sizeBytes = data[0]?.length ?? 0;
  for (const shard of data) {
    if (shard.length !== sizeBytes) throw new RangeError('reed-solomon: data shards differ in length');
  }
  return matrix.map((row) => {
    if (row.length !== data.length) throw new RangeError('reed-solomon: matrix width differs from the data shard count');
    const parity = new Uint8Array(sizeBytes);
    row.forEach((coefficient, i) => mulAdd(parity, data[i] as Uint8Array, coefficient));
    return parity;
  });
}

/**
 * Rebuilds the missing data shards of a block. `shards` holds data then parity, `null` where
 * a shard was lost. Returns the data shards, or null when fewer than `dataShards` shards are
 * present (the block cannot be rebuilt).
 */
export function reconstructData(shards: readonly (Uint8Array | null)[], matrix: ParityMatrix): Uint8Array[] | null {
  const dataShards = matrix[0]?.length ?? 0;
  const missing: number[] = [];
  for (let i = 0; i < dataShards; i++) if (shards[i] === null || shards[i] === undefined) missing.push(i);
  const sizeBytes = shards.find((s) => s !== null && s !== undefined)?.length ?? 0;
  const rowsUsed: number[] = [];
  for (let j = 0; j < matrix.length && rowsUsed.length < missing.length; j++) {
    if (shards[dataShards + j] !== null && shards[dataShards + j] !== undefined) rowsUsed.push(j);
  }
  if (rowsUsed.length < missing.length) return null;

  // Each used parity row, minus the known data shards' contribution, is a combination of the
  // missing shards only: solve that square system.
  const system = rowsUsed.map((j) => missing.map((i) => rowOf(matrix, j)[i] ?? 0));
  const inverse = invert(system);
  if (inverse === null) return null;
  const residues = rowsUsed.map((j) => {
    const residue = Uint8Array.from(shards[dataShards + j] as Uint8Array);
    for (let i = 0; i < dataShards; i++) {
      const known = shards[i];
      if (known !== null && known !== undefined) mulAdd(residue, known, rowOf(matrix, j)[i] ?? 0);
    }
    return residue;
  });
  const out = shards.slice(0, dataShards).map((s) => (s === null || s === undefined ? new Uint8Array(sizeBytes) : s));
  missing.forEach((shardIndex, c) => {
    const rebuilt = out[shardIndex] as Uint8Array;
    residues.forEach((residue, r) => mulAdd(rebuilt, residue, inverse[c]?.[r] ?? 0));
  });
  return out;
}

/** a · b in GF(2^8) with the 0x11D polynomial. */
export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[(LOG[a] as number) + (LOG[b] as number)] as number;
}

/** 1 / a in GF(2^8); 0 has no inverse and maps to 0. */
export function gfInverse(a: number): number {
  if (a === 0) return 0;
  return EXP[FIELD_ORDER - (LOG[a] as number)] as number;
}

function mulAdd(dst: Uint8Array, src: Uint8Array, coefficient: number): void {
  if (coefficient === 0) return;
  const row = MUL_ROWS[coefficient] as Uint8Array;
  const n = Math.min(dst.length, src.length);
  for (let x = 0; x < n; x++) dst[x] = (dst[x] as number) ^ (row[src[x] as number] as number);
}

function rowOf(matrix: ParityMatrix, j: number): readonly number[] {
  return matrix[j] ?? [];
}

// Gauss-Jordan over GF(2^8); null when the matrix is singular (cannot happen for Cauchy
// submatrices, but the audio matrix is arbitrary).
function invert(square: number[][]): number[][] | null {
  const n = square.length;
  const a = square.map((row, r) => [...row, ...Array.from({ length: n }, (_, c) => (r === c ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    const pivot = a.findIndex((row, r) => r >= col && row[col] !== 0);
    if (pivot < 0) return null;
    [a[col], a[pivot]] = [a[pivot] as number[], a[col] as number[]];
    const pivotRow = a[col] as number[];
    const scale = gfInverse(pivotRow[col] as number);
    for (let c = 0; c < 2 * n; c++) pivotRow[c] = gfMul(pivotRow[c] as number, scale);
    for (let r = 0; r < n; r++) {
      const row = a[r] as number[];
      const factor = row[col] as number;
      if (r === col || factor === 0) continue;
      for (let c = 0; c < 2 * n; c++) row[c] = (row[c] as number) ^ gfMul(factor, pivotRow[c] as number);
    }
  }
  return a.map((row) => row.slice(n));
}

function checkShape(dataShards: number, parityShards: number): void {
  if (!Number.isInteger(dataShards) || !Number.isInteger(parityShards) || dataShards < 1 || parityShards < 1 || dataShards + parityShards > MAX_SHARDS) {
    throw new RangeError(`reed-solomon: ${dataShards}+${parityShards} shards is outside 1..${MAX_SHARDS}`);
  }
}

function buildTables(): { exp: Uint8Array; log: Uint8Array; mulRows: Uint8Array[] } {
  const exp = new Uint8Array(2 * FIELD_ORDER);
  const log = new Uint8Array(256);
  let value = 1;
  for (let i = 0; i < FIELD_ORDER; i++) {
    exp[i] = value;
    exp[i + FIELD_ORDER] = value;
    log[value] = i;
    value <<= 1;
    if (value & 0x100) value ^= FIELD_POLYNOMIAL;
  }
  const mulRows: Uint8Array[] = [];
  for (let a = 0; a < 256; a++) {
    const row = new Uint8Array(256);
    for (let b = 1; b < 256 && a !== 0; b++) row[b] = exp[(log[a] as number) + (log[b] as number)] as number;
    mulRows.push(row);
  }
  return { exp, log, mulRows };
}

// x^8 + x^4 + x^3 + x^2 + 1 with generator 2 (data-plane.md §2.5).
const FIELD_POLYNOMIAL = 0x11d;
const FIELD_ORDER = 255;
// Every shard index must be a distinct non-zero field element pair: k + m <= 255 (§2.5).
const MAX_SHARDS = 255;
const { exp: EXP, log: LOG, mulRows: MUL_ROWS } = buildTables();
