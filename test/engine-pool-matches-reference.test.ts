import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { KpiPool } from '../src/workers/kpi-pool.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows, type TestRow } from './support/tapes.js';

interface TapeShape {
  rows: number;
  dates: number;
  groups: number;
  seed: number;
  /** dates whose receivable and eligible are all zero (zero denominators) */
  zeroDates: number;
  /** amounts up to $100 million, so that the tape keeps Float64 columns; else up to $100,000 (Uint32 columns) */
  wide: boolean;
}

function randomRows(shape: TapeShape): TestRow[] {
  const random = seededRandom(shape.seed);
  const cents = (max: number) => Math.floor(random() * max);
  const rows: TestRow[] = [];
  for (let i = 0; i < shape.rows; i++) {
    const dateIndex = Math.floor(random() * shape.dates);
    const zero = dateIndex < shape.zeroDates;
    const receivable = zero ? 0 : cents(shape.wide ? 1e10 : 10_000_000);
    const amounts = MONEY_COLUMNS.map((_, c) => (c === 0 ? receivable : c === 1 && zero ? 0 : cents(receivable + 1)));
    rows.push({
      cents: amounts,
      date: `2025-${String(1 + (dateIndex % 12)).padStart(2, '0')}-${String(1 + Math.floor(dateIndex / 12)).padStart(2, '0')}`,
      // a skewed group choice leaves some (date, group) pairs empty
      group: `g${Math.floor(random() ** 3 * shape.groups)}`,
    });
  }
  return rows;
}

const shapes = fc.record({
  rows: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 25_000 }).map((n) => 2 * n - 1)),
  dates: fc.integer({ min: 1, max: 40 }),
  groups: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  zeroDates: fc.integer({ min: 0, max: 2 }),
  wide: fc.boolean(),
});

const open: KpiPool[] = [];
afterAll(async () => Promise.all(open.map((pool) => pool.close())));

async function poolSnapshots(rows: TestRow[], threads: number, groupBy: string | null) {
  const { tape } = tapeFromRows(rows, groupBy);
  const wide = rows.some((row) => row.cents.some((cents) => cents > 0xffffffff));
  expect(tape.layout.moneyWidth).toBe(wide ? 8 : 4);
  const pool = await KpiPool.open(tape, { threads, crossoverRows: 0 });
  open.push(pool);
  try {
    return { pool: await pool.snapshots(), reference: referenceSnapshots(tape) };
  } finally {
    await pool.close();
  }
}

describe('the pool and the serial reference agree bit for bit', () => {
  for (const groupBy of [null, 'segment']) {
    it(`for 1, 2, 3 and 7 threads on random tapes${groupBy ? ', grouped' : ''}`, async () => {
      await fc.assert(
        fc.asyncProperty(shapes, async (shape) => {
          const rows = randomRows(shape);
          for (const threads of [1, 2, 3, 7]) {
            const { pool, reference } = await poolSnapshots(rows, threads, groupBy);
            expect(bitwise(pool)).toBe(bitwise(reference));
          }
        }),
        { numRuns: 15, seed: 20251121 },
      );
    });
  }

  it('reports the zero-denominator snapshots as 0, not NaN', async () => {
    const rows = randomRows({ rows: 1001, dates: 3, groups: 1, seed: 7, zeroDates: 1, wide: false });
    const { pool } = await poolSnapshots(rows, 2, null);
    const zero = pool.find((s) => s.total_receivable_usd === 0);
    expect(zero).toBeDefined();
    expect([zero!.par30, zero!.par90, zero!.collection_rate, zero!.portfolio_health]).toEqual([0, 0, 0, 0]);
  });

  it('computes on the calling thread below the crossover, with the same result', async () => {
    const rows = randomRows({ rows: 999, dates: 5, groups: 1, seed: 11, zeroDates: 0, wide: false });
    const { tape } = tapeFromRows(rows);
    const pool = await KpiPool.open(tape, { threads: 2, crossoverRows: 1_000 });
    try {
      expect(bitwise(await pool.snapshots())).toBe(bitwise(referenceSnapshots(tape)));
    } finally {
      await pool.close();
    }
  });
});
