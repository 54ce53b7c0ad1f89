import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bool, DateDay, Field, Float64, Int32, List, makeData, makeVector, Null, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import type { ArrowTuning } from '../src/io/arrow.js';
import { closeIngestWorkers } from '../src/io/ingest-pool.js';
import { expectTuningsAgree, writeArrowFile } from './support/arrow-outcome.js';
import { seededRandom } from './support/tapes.js';

const root = mkdtempSync(join(tmpdir(), 'io-arrow-fast-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await closeIngestWorkers();
});

interface Shape {
  /** share of rows with a bad cell (NaN, negative, a third decimal, an infinite amount, a day out of range) */
  readonly bad: number;
  /** share of cells that are null */
  readonly nulls: number;
  /** ids come loan by loan in ascending order (dedupe's run mode) or at random */
  readonly sorted: boolean;
  /** leave out these optional money columns */
  readonly without: readonly string[];
  /**
   * other columns before the tape's own, which shift where its buffers lie in a batch: of flat types (text,
   * booleans, nulls), or also one with a child (a list), which the column-by-column reads do not take
   */
  readonly extra?: 'flat' | 'nested';
  /** leave out the half-cent amount of $5,497,558,138.885 (beyond Uint32 cents, it keeps a tape wide) */
  readonly noHalfCents?: boolean;
  /** one amount of $42,949,672.96 (2^32 cents, the least that keeps a tape wide) at [batch, row, money column] */
  readonly overflowAt?: readonly [number, number, number];
}

/** A random tape as an Arrow IPC file of several record batches. */
function randomArrow(seed: number, batches: number, shape: Shape): string {
  const random = seededRandom(seed);
  const tables: Table[] = [];
  let loan = 0;
  for (let b = 0; b < batches; b++) {
    const n = 50 + Math.floor(random() * 200);
    const columns: Record<string, Vector> = {};
    if (shape.extra !== undefined) {
      columns.segment = vectorFromArray(Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `segment ${i % 3}`)), new Utf8());
      columns.flag = vectorFromArray(Array.from({ length: n }, (_, i) => i % 2 === 0), new Bool());
      columns.note = makeVector(makeData({ type: new Null(), length: n }));
      if (shape.extra === 'nested') {
        columns.scores = vectorFromArray(Array.from({ length: n }, (_, i) => [i, i + 1]), new List(new Field('item', new Int32(), true)));
      }
    }
    const ids: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      if (shape.sorted && random() < 0.3) loan++;
      const id = `L${String(shape.sorted ? loan : Math.floor(random() * 300)).padStart(5, '0')}`;
      ids.push(random() < shape.nulls ? null : random() < 0.02 ? '' : id);
    }
    columns.loan_id = vectorFromArray(ids, new Utf8());
    const days = new Int32Array(n);
    for (let i = 0; i < n; i++) days[i] = 20_000 + Math.floor(random() * 6) * 30 + (random() < shape.bad / 4 ? 4_000_000 : 0);
    columns.measurement_date = makeVector(makeData({ type: new DateDay(), length: n, nullCount: 0, data: days }));
    MONEY_COLUMNS.forEach((name, m) => {
      if (shape.without.includes(name)) return;
      const values: (number | null)[] = [];
      for (let i = 0; i < n; i++) {
        const cents = Math.floor(random() * 10_000_000);
        // -0 is a valid amount (0 cents); $5,497,558,138.885 is 549755813888.5 cents exactly, half-way between
        // two cents yet within the tolerance at that size, where every path must round as Math.round does
        const halfCents = random() < 0.01 && shape.noHalfCents !== true;
        let value: number | null = random() < 0.01 ? -0 : halfCents ? 5497558138.885 : cents / 100;
        if (random() < shape.bad / 10) value = [Number.NaN, -1.5, 1.234, Number.POSITIVE_INFINITY, 1e300, 0.005, -0.01][Math.floor(random() * 7)]!;
        if (random() < shape.nulls) value = null;
        values.push(value);
      }
      const [atBatch, atRow, atColumn] = shape.overflowAt ?? [-1, -1, -1];
      if (atBatch === b && atColumn === m) values[Math.min(atRow, n - 1)] = 42949672.96;
      columns[name] = vectorFromArray(values, new Float64());
    });
    tables.push(new Table(columns));
  }
  return writeArrowFile(tables, root);
}

describe('the Arrow reader’s fast paths give the cell readers’ result', () => {
  it('columns straight from the file, batch by batch, or row by row; wasm or JavaScript; streamed or whole; on one thread or two', async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const shape: Shape = {
        bad: seed % 3 === 0 ? 0 : 0.05,
        nulls: seed % 4 === 0 ? 0.01 : 0,
        sorted: seed % 2 === 0,
        without: seed % 5 === 0 ? ['cash_available_usd', 'dpd_90_plus_usd'] : [],
        ...(seed % 7 === 1 ? { extra: 'flat' as const } : seed % 7 === 2 ? { extra: 'nested' as const } : {}),
      };
      const path = randomArrow(seed, 1 + (seed % 6), shape);
      for (const options of [{}, { lenient: true }]) {
        const tunings: ArrowTuning[] = [
          { threads: 1 },
          { threads: 1, uint32: false },
          { threads: 1, direct: false },
          { threads: 1, kernel: 'js' },
          { threads: 1, fastPath: false },
          { streaming: false },
          { threads: 2, minBytes: 0 },
          { threads: 2, minBytes: 0, kernel: 'js' },
          { threads: 2, minBytes: 0, fastPath: false },
        ];
        await expectTuningsAgree(path, options, tunings, `seed ${seed}`);
      }
    }
  });

  it('narrows the money columns exactly when the cell readers’ tape is narrowed: one amount of 2^32 cents anywhere keeps it wide', async () => {
    const tunings: ArrowTuning[] = [
      { threads: 1 },
      { threads: 1, uint32: false },
      { threads: 1, direct: false },
      { threads: 1, kernel: 'js' },
      { threads: 2, minBytes: 0 },
      { threads: 2, minBytes: 0, uint32: false },
    ];
    // none; in the first, a middle or the last batch; in the first or last column; in a pair or an odd tail
    const places: (readonly [number, number, number] | undefined)[] = [undefined, [0, 0, 0], [2, 77, 4], [4, 1000, 8], [4, 1000, 0], [1, 1, 8], [3, 2, 3]];
    for (const [k, overflowAt] of places.entries()) {
      const shape: Shape = { bad: 0, nulls: 0, sorted: k % 2 === 0, without: [], noHalfCents: true, ...(overflowAt ? { overflowAt } : {}) };
      const path = randomArrow(100 + k, 5, shape);
      const reference = (await expectTuningsAgree(path, {}, tunings, `overflow at ${JSON.stringify(overflowAt)}`)) as { moneyWidth: number; money: number[][] };
      expect(reference.moneyWidth).toBe(overflowAt === undefined ? 4 : 8);
      if (overflowAt !== undefined) expect(Math.max(...reference.money[overflowAt[2]]!)).toBe(2 ** 32);
    }
  });
});
