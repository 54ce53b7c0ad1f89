import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  makeData,
  makeVector,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { tapeViews } from '../src/engine/columns.js';
import { M } from '../src/engine/schema.js';
import { readArrowTape } from '../src/io/arrow.js';
import { TapeInputError } from '../src/io/problems.js';
import { DAY_2025_01_31, days, dollars } from './support/arrow-columns.js';

const root = mkdtempSync(join(tmpdir(), 'io-arrow-reject-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function arrowFile(columns: Record<string, Vector>): string {
  const path = join(mkdtempSync(join(root, 'case-')), 'tape.arrow');
  writeFileSync(path, tableToIPC(new Table(columns), 'file'));
  return path;
}

const ones = (n: number) => dollars(new Array<number>(n).fill(1));

/** A three-row tape whose receivable (or any column given) is replaced. */
function tape(overrides: Record<string, Vector>): string {
  const n = Object.values(overrides)[0]?.length ?? 3;
  return arrowFile({
    loan_id: vectorFromArray(Array.from({ length: n }, (_, i) => `L${i + 1}`), new Utf8()),
    measurement_date: days(n),
    total_receivable_usd: ones(n),
    total_eligible_usd: ones(n),
    discounted_balance_usd: ones(n),
    ...overrides,
  });
}

async function rejection(path: string): Promise<TapeInputError> {
  try {
    await readArrowTape(path);
  } catch (error) {
    if (error instanceof TapeInputError) return error;
    throw error;
  }
  throw new Error('the tape was accepted');
}

describe('Arrow tapes are rejected cell by cell, naming the row, the column, the value and the reason', () => {
  const cases: { name: string; column: string; vector: Vector; row: number; value: string | null; reason: string }[] = [
    { name: 'negative float', column: 'total_receivable_usd', vector: dollars([1, -5, 1]), row: 2, value: '-5', reason: 'negative amount' },
    { name: 'a third decimal', column: 'total_receivable_usd', vector: dollars([1, 1, 1.234]), row: 3, value: '1.234', reason: 'more than 2 decimal places' },
    { name: 'a third decimal on a large amount', column: 'total_receivable_usd', vector: dollars([123456.789, 1, 1]), row: 1, value: '123456.789', reason: 'more than 2 decimal places' },
    { name: 'NaN', column: 'total_eligible_usd', vector: dollars([Number.NaN, 1, 1]), row: 1, value: 'NaN', reason: 'not a number' },
    { name: 'Infinity', column: 'cash_available_usd', vector: dollars([1, Number.POSITIVE_INFINITY, 1]), row: 2, value: 'Infinity', reason: 'not a number' },
    { name: 'null in a required column', column: 'discounted_balance_usd', vector: dollars([1, null, 1]), row: 2, value: null, reason: 'missing value' },
    { name: 'negative integer', column: 'dpd_90_plus_usd', vector: vectorFromArray([0, 0, -1], new Int32()), row: 3, value: '-1', reason: 'negative amount' },
    {
      name: 'negative decimal',
      column: 'total_receivable_usd',
      vector: makeVector(makeData({ type: new Decimal(2, 10, 128), length: 3, nullCount: 0, data: new Uint32Array([1, 0, 0, 0, 0xffffff9c, ~0, ~0, ~0, 1, 0, 0, 0]) })),
      row: 2,
      value: '-1.00',
      reason: 'negative amount',
    },
    {
      name: 'decimal with a non-zero third decimal',
      column: 'total_receivable_usd',
      vector: makeVector(makeData({ type: new Decimal(3, 10, 128), length: 3, nullCount: 0, data: new Uint32Array([1000, 0, 0, 0, 1000, 0, 0, 0, 1234, 0, 0, 0]) })),
      row: 3,
      value: '1.234',
      reason: 'more than 2 decimal places',
    },
    { name: 'text that is not a number', column: 'total_receivable_usd', vector: vectorFromArray(['1', '1,000', '1'], new Utf8()), row: 2, value: '1,000', reason: 'not a number' },
    { name: 'an empty text amount in a required column', column: 'total_receivable_usd', vector: vectorFromArray(['1', '1', ''], new Utf8()), row: 3, value: '', reason: 'missing value' },
    { name: 'a null date', column: 'measurement_date', vector: vectorFromArray(['2025-01-31', null, '2025-01-31'], new Utf8()), row: 2, value: null, reason: 'missing value' },
    { name: 'an impossible text date', column: 'measurement_date', vector: vectorFromArray(['2025-02-30', '2025-01-31', '2025-01-31'], new Utf8()), row: 1, value: '2025-02-30', reason: 'bad date' },
    {
      name: 'a day count past year 9999',
      column: 'measurement_date',
      vector: makeVector(makeData({ type: new DateDay(), length: 3, nullCount: 0, data: new Int32Array([DAY_2025_01_31, DAY_2025_01_31, 3_000_000]) })),
      row: 3,
      value: '3000000',
      reason: 'bad date',
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const error = await rejection(tape({ [c.column]: c.vector }));
      expect(error.total).toBe(1);
      expect(error.problems[0]).toEqual({ file: expect.stringMatching(/tape\.arrow$/), line: c.row, lineKind: 'row', column: c.column, value: c.value, reason: c.reason });
      expect(error.message).toContain(`row ${c.row}, column ${c.column}`);
      expect(error.message).toContain(c.reason);
    });
  }

  it('a missing required column rejects the whole file, naming every missing column', async () => {
    const path = arrowFile({ measurement_date: days(1), total_receivable_usd: ones(1) });
    const error = await rejection(path);
    expect(error.message).toMatch(/tape\.arrow: missing required column\(s\): total_eligible_usd, discounted_balance_usd$/);
    expect(error.problems[0]!.lineKind).toBe('row');
  });

  it('headers are matched after trimming and ignoring case; two names for one column are rejected', async () => {
    const ok = arrowFile({ ' Measurement_Date ': days(1), TOTAL_RECEIVABLE_USD: ones(1), Total_Eligible_USD: ones(1), discounted_balance_usd: ones(1) });
    expect((await readArrowTape(ok)).tape.rows).toBe(1);
    const twice = arrowFile({ measurement_date: days(1), total_receivable_usd: ones(1), Total_Receivable_USD: ones(1), total_eligible_usd: ones(1), discounted_balance_usd: ones(1) });
    expect((await rejection(twice)).message).toMatch(/duplicate column/);
  });

  it('a money column of a type that holds no amount is rejected as a whole', async () => {
    const bools = vectorFromArray([true, false, true], new Bool());
    expect((await rejection(tape({ total_receivable_usd: bools }))).message).toMatch(/unsupported type Bool for column total_receivable_usd$/);
    const struct = makeVector(
      makeData({
        type: new Struct([new Field('x', new Float64())]),
        length: 3,
        nullCount: 0,
        children: [makeData({ type: new Float64(), length: 3, nullCount: 0, data: new Float64Array(3) })],
      }),
    );
    expect((await rejection(tape({ dpd_0_7_usd: struct }))).message).toMatch(/unsupported type Struct<.*> for column dpd_0_7_usd$/);
    expect((await rejection(tape({ measurement_date: vectorFromArray([1.5, 2, 3], new Float64()) }))).message).toMatch(
      /unsupported type Float64 for column measurement_date$/,
    );
  });

  it('strict mode reads every row and reports the total; lenient mode drops bad rows and counts them by reason', async () => {
    const n = 30;
    const receivable = dollars(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1 : 10)));
    const path = tape({ total_receivable_usd: receivable, total_eligible_usd: ones(n) });
    const error = await rejection(path);
    expect(error.total).toBe(15);
    expect(error.problems).toHaveLength(15);
    expect(error.message).toContain('(15 problems in all)');

    const lenient = await readArrowTape(path, { lenient: true });
    expect(lenient.rowsRead).toBe(30);
    expect(lenient.tape.rows).toBe(15);
    expect(lenient.dropped.invalid).toBe(15);
    expect(lenient.invalidByReason).toEqual({ 'negative amount': 15 });
    expect(Array.from(tapeViews(lenient.tape).money[M.receivable]!)).toEqual(new Array<number>(15).fill(1000));
  });

  it('a row with two bad cells is one dropped row with two problems', async () => {
    const path = tape({ total_receivable_usd: dollars([1, -1, 1]), total_eligible_usd: dollars([1, 0.001, 1]) });
    expect((await rejection(path)).total).toBe(2);
    const lenient = await readArrowTape(path, { lenient: true });
    expect(lenient.dropped.invalid).toBe(1);
    expect(lenient.tape.rows).toBe(2);
  });

  it('duplicate (loan_id, date) rows keep the first', async () => {
    const path = tape({ loan_id: vectorFromArray(['A', 'A', 'B'], new Utf8()), total_receivable_usd: dollars([1, 2, 3]) });
    const result = await readArrowTape(path);
    expect(result.dropped.duplicates).toBe(1);
    expect(Array.from(tapeViews(result.tape).money[M.receivable]!)).toEqual([100, 300]);
  });

  it('an unknown group-by column and a tape without rows are rejected', async () => {
    await expect(readArrowTape(tape({}), { groupBy: 'segment' })).rejects.toThrow(/segment.*unknown group-by column/);
    const empty = arrowFile({ measurement_date: days(0), total_receivable_usd: ones(0), total_eligible_usd: ones(0), discounted_balance_usd: ones(0) });
    await expect(readArrowTape(empty)).rejects.toThrow(/no data rows/);
  });
});
