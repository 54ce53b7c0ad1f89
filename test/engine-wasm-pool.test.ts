import { afterAll, describe, expect, it } from 'vitest';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { STREAM_ORDERS } from '../src/engine/wasm-kernels.js';
import { kernelModule } from '../src/workers/kernel-module.js';
import { KpiPool } from '../src/workers/kpi-pool.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows, type TestRow } from './support/tapes.js';

/** The pool's choice of kernels, its calling-thread path, and the roofline read. */

function rows(count: number, dates: number, seed: number): TestRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    cents: MONEY_COLUMNS.map(() => Math.floor(random() * 1e9)),
    // runs of one date, then a change at every row: both paths of the kernel
    date: `2025-02-${String(1 + (i < count / 2 ? Math.floor(i / 50) % dates : i % dates)).padStart(2, '0')}`,
    group: `g${Math.floor(random() * 4)}`,
  }));
}

const open: KpiPool[] = [];
afterAll(async () => Promise.all(open.map((pool) => pool.close())));

async function openPool(...args: Parameters<typeof KpiPool.open>): Promise<KpiPool> {
  const pool = await KpiPool.open(...args);
  open.push(pool);
  return pool;
}

describe('the pool with the wasm kernels', () => {
  it('finds the compiled module (npm run build makes it)', () => {
    expect(kernelModule().reason).toBe('');
    expect(kernelModule().module).not.toBeNull();
  });

  it('uses wasm by default, JavaScript on request, and both give the reference', async () => {
    for (const groupBy of [null, 'segment']) {
      const { tape } = tapeFromRows(rows(4097, 9, 21), groupBy);
      const reference = bitwise(referenceSnapshots(tape));
      const wasm = await openPool(tape, { threads: 2, crossoverRows: 0 });
      const js = await openPool(tape, { threads: 2, crossoverRows: 0, kernel: 'js' });
      expect(wasm.kernel).toBe('wasm');
      expect(js.kernel).toBe('js');
      expect(bitwise(await wasm.snapshots())).toBe(reference);
      expect(bitwise(await js.snapshots())).toBe(reference);
    }
  });

  it('gives the reference whether the calling thread takes a range or only waits for the workers', async () => {
    for (const groupBy of [null, 'segment']) {
      const { tape } = tapeFromRows(rows(3001, 6, 25), groupBy);
      const reference = bitwise(referenceSnapshots(tape));
      for (const threads of [2, 3]) {
        const helped = await openPool(tape, { threads, crossoverRows: 0 });
        const waiting = await openPool(tape, { threads, crossoverRows: 0, helpRows: 0 });
        const above = await openPool(tape, { threads, crossoverRows: 0, helpRows: 3000 });
        // helping by default: the calling thread takes the place of one worker
        expect([helped.workers, waiting.workers, above.workers]).toEqual([threads - 1, threads, threads]);
        for (const pool of [helped, waiting, above]) {
          expect(bitwise(await pool.snapshots())).toBe(reference);
          expect(Number.isInteger(await pool.stream())).toBe(true);
        }
      }
    }
  });

  it('refuses a negative crossover or help limit, and a polling time out of range', async () => {
    const { tape } = tapeFromRows(rows(10, 2, 26));
    await expect(KpiPool.open(tape, { crossoverRows: -1 })).rejects.toThrow(RangeError);
    await expect(KpiPool.open(tape, { helpRows: -1 })).rejects.toThrow(RangeError);
    for (const pollMicros of [-1, Number.NaN, 10_001]) await expect(KpiPool.open(tape, { pollMicros })).rejects.toThrow(RangeError);
  });

  it('computes on the calling thread with wasm below the crossover, with the same result', async () => {
    for (const groupBy of [null, 'segment']) {
      const { tape } = tapeFromRows(rows(2049, 4, 22), groupBy);
      const pool = await openPool(tape, { threads: 2, crossoverRows: 1_000_000 });
      expect(pool.kernel).toBe('wasm');
      expect(bitwise(await pool.snapshots())).toBe(bitwise(referenceSnapshots(tape)));
      // again: the slot the calling thread used is reused
      expect(bitwise(await pool.snapshots())).toBe(bitwise(referenceSnapshots(tape)));
    }
  });

  it('returns sums the caller owns: a later computation does not change them', async () => {
    const { tape } = tapeFromRows(rows(999, 3, 23));
    const pool = await openPool(tape, { threads: 2, crossoverRows: 0 });
    const first = await pool.sums();
    const copy = first.slice();
    await pool.sums();
    expect(bitwise(Array.from(first))).toBe(bitwise(Array.from(copy)));
  });

  it('reads the roofline bytes through the pool and on the calling thread in every order', async () => {
    const { tape } = tapeFromRows(rows(1001, 3, 24));
    for (const crossoverRows of [0, 1_000_000]) {
      const pool = await openPool(tape, { threads: 2, crossoverRows });
      for (const order of STREAM_ORDERS) expect(Number.isInteger(await pool.stream(order))).toBe(true);
    }
    const js = await openPool(tape, { threads: 1, kernel: 'js' });
    await expect(js.stream()).rejects.toThrow(/needs the wasm kernels/);
  });
});
