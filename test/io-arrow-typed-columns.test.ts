import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Binary,
  DateMillisecond,
  Decimal,
  Dictionary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  LargeUtf8,
  makeData,
  makeVector,
  Table,
  tableToIPC,
  TimeUnit,
  Timestamp,
  Uint64,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { tapeViews } from '../src/engine/columns.js';
import { M } from '../src/engine/schema.js';
import { readArrowTape } from '../src/io/arrow.js';
import { DAY_2025_01_31, days, dollars } from './support/arrow-columns.js';

const root = mkdtempSync(join(tmpdir(), 'io-arrow-types-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function arrowFile(columns: Record<string, Vector>): string {
  const path = join(mkdtempSync(join(root, 'case-')), 'tape.arrow');
  writeFileSync(path, tableToIPC(new Table(columns), 'file'));
  return path;
}


/** Decimal128 cells from unscaled bigints. */
function decimal(unscaled: bigint[], scale: number, precision = 18): Vector {
  const words = new Uint32Array(unscaled.length * 4);
  unscaled.forEach((value, i) => {
    let v = BigInt.asUintN(128, value);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  });
  return makeVector(makeData({ type: new Decimal(scale, precision, 128), length: unscaled.length, nullCount: 0, data: words }));
}

async function receivableOf(column: Vector): Promise<number[]> {
  const n = column.length;
  const result = await readArrowTape(
    arrowFile({
      measurement_date: days(n),
      total_receivable_usd: column,
      total_eligible_usd: dollars(new Array<number>(n).fill(1)),
      discounted_balance_usd: dollars(new Array<number>(n).fill(1)),
    }),
  );
  return Array.from(tapeViews(result.tape).money[M.receivable]!);
}

async function datesOf(column: Vector): Promise<string[]> {
  const n = column.length;
  const result = await readArrowTape(
    arrowFile({
      measurement_date: column,
      total_receivable_usd: dollars(new Array<number>(n).fill(1)),
      total_eligible_usd: dollars(new Array<number>(n).fill(1)),
      discounted_balance_usd: dollars(new Array<number>(n).fill(1)),
    }),
  );
  const keys = tapeViews(result.tape).dateKeys;
  return Array.from(keys, (key) => result.tape.dates[key]!);
}

describe('Arrow money columns of any numeric or text type give exact cents', () => {
  it('Float64 dollars, including the classic binary fractions', async () => {
    expect(await receivableOf(dollars([0.29, 0.1 + 0.2, 1234.56, 90071992547.41, 0, 7]))).toEqual([29, 30, 123456, 9007199254741, 0, 700]);
  });

  it('Float32 dollars', async () => {
    expect(await receivableOf(vectorFromArray([0.29, 19.99, 1000.5], new Float32()))).toEqual([29, 1999, 100050]);
  });

  it('integers of every width, as whole dollars', async () => {
    expect(await receivableOf(vectorFromArray([0, 5, 127], new Int8()))).toEqual([0, 500, 12700]);
    expect(await receivableOf(vectorFromArray([30000], new Int16()))).toEqual([3000000]);
    expect(await receivableOf(vectorFromArray([2_000_000_000], new Int32()))).toEqual([200_000_000_000]);
    expect(await receivableOf(vectorFromArray([12n, 90071992547000n], new Int64()))).toEqual([1200, 9007199254700000]);
    expect(await receivableOf(vectorFromArray([3n], new Uint64()))).toEqual([300]);
  });

  it('decimals of scale 0 to 4 (digits past the cents must be zeros)', async () => {
    expect(await receivableOf(decimal([123456n, 5n], 2))).toEqual([123456, 5]);
    expect(await receivableOf(decimal([12345n], 1))).toEqual([123450]);
    expect(await receivableOf(decimal([12n], 0))).toEqual([1200]);
    expect(await receivableOf(decimal([12345600n, 100n], 4))).toEqual([123456, 1]);
    // beyond 53 bits of unscaled value, through the exact path
    expect(await receivableOf(decimal([900719925474099100n], 4))).toEqual([9007199254740991]);
  });

  it('text amounts, as the CSV reader reads them', async () => {
    expect(await receivableOf(vectorFromArray(['123.45', ' 7 ', '0.5', '12.340'], new Utf8()))).toEqual([12345, 700, 50, 1234]);
    expect(await receivableOf(vectorFromArray(['1.01'], new LargeUtf8()))).toEqual([101]);
  });

  it('dictionary-encoded amounts, by the rules of their value type', async () => {
    const dictionary = vectorFromArray(['10.00', '20.50', '10.00'], new Dictionary(new Utf8(), new Int32()));
    expect(await receivableOf(dictionary)).toEqual([1000, 2050, 1000]);
  });

  it('optional money columns: absent or null read as 0', async () => {
    const result = await readArrowTape(
      arrowFile({
        measurement_date: days(2),
        total_receivable_usd: dollars([100, 200]),
        total_eligible_usd: dollars([90, 180]),
        discounted_balance_usd: dollars([95, 190]),
        cash_available_usd: vectorFromArray([null, 3.5], new Float64()),
      }),
    );
    const money = tapeViews(result.tape).money;
    expect(Array.from(money[M.cash]!)).toEqual([0, 350]);
    expect(Array.from(money[M.dpd90plus]!)).toEqual([0, 0]);
  });
});

describe('Arrow measurement dates of any date, timestamp or text type', () => {
  it('Date32 (days) and Date64 (milliseconds)', async () => {
    expect(await datesOf(days(1))).toEqual(['2025-01-31']);
    const ms = BigInt(DAY_2025_01_31) * 86_400_000n;
    const date64 = makeVector(makeData({ type: new DateMillisecond(), length: 2, nullCount: 0, data: new BigInt64Array([ms, ms + 86_400_000n - 1n]) }));
    expect(await datesOf(date64)).toEqual(['2025-01-31', '2025-01-31']);
  });

  it('timestamps of every unit: the date of the instant, in the column time zone (UTC by default)', async () => {
    const stamp = (unit: TimeUnit, values: bigint[], zone?: string) =>
      makeVector(makeData({ type: new Timestamp(unit, zone ?? null), length: values.length, nullCount: 0, data: new BigInt64Array(values) }));
    const midnight = BigInt(DAY_2025_01_31) * 86_400n;
    expect(await datesOf(stamp(TimeUnit.SECOND, [midnight, midnight + 86_399n]))).toEqual(['2025-01-31', '2025-01-31']);
    expect(await datesOf(stamp(TimeUnit.MILLISECOND, [midnight * 1000n + 86_400_000n]))).toEqual(['2025-02-01']);
    expect(await datesOf(stamp(TimeUnit.MICROSECOND, [midnight * 1_000_000n - 1n]))).toEqual(['2025-01-30']);
    expect(await datesOf(stamp(TimeUnit.NANOSECOND, [midnight * 1_000_000_000n + 1n]))).toEqual(['2025-01-31']);
    // 2025-01-31T03:00Z is still the 30th in New York, and already the 31st at +05:30
    const earlyUtc = (midnight + 3n * 3600n) * 1000n;
    expect(await datesOf(stamp(TimeUnit.MILLISECOND, [earlyUtc], 'America/New_York'))).toEqual(['2025-01-30']);
    expect(await datesOf(stamp(TimeUnit.MILLISECOND, [earlyUtc - 4n * 3_600_000n], '+05:30'))).toEqual(['2025-01-31']);
    expect(await datesOf(stamp(TimeUnit.MILLISECOND, [earlyUtc], 'UTC'))).toEqual(['2025-01-31']);
  });

  it('text dates, with an optional time part', async () => {
    expect(await datesOf(vectorFromArray(['2025-01-31', '2025-02-28T23:59:59.5Z', '2024-02-29T00:00:00+05:00'], new Utf8()))).toEqual([
      '2025-01-31',
      '2025-02-28',
      '2024-02-29',
    ]);
  });
});

describe('Arrow loan ids of any type', () => {
  async function read(ids: Vector) {
    const n = ids.length;
    return readArrowTape(
      arrowFile({
        loan_id: ids,
        measurement_date: days(n),
        total_receivable_usd: dollars(new Array<number>(n).fill(1)),
        total_eligible_usd: dollars(new Array<number>(n).fill(1)),
        discounted_balance_usd: dollars(new Array<number>(n).fill(1)),
      }),
    );
  }

  it('find duplicates among text, numeric and binary ids alike; empty and null ids are never duplicates', async () => {
    expect((await read(vectorFromArray(['A', 'B', 'A', '', '', null], new Utf8()))).dropped.duplicates).toBe(1);
    expect((await read(vectorFromArray([7n, 8n, 7n, 7n], new Int64()))).dropped.duplicates).toBe(2);
    expect((await read(vectorFromArray([1, 2, 2], new Int32()))).dropped.duplicates).toBe(1);
    const bytes = (...ids: number[][]) => vectorFromArray(ids.map((id) => Uint8Array.from(id)), new Binary());
    expect((await read(bytes([1, 2], [1, 2], [2, 1]))).dropped.duplicates).toBe(1);
  });
});
