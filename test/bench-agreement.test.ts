import { describe, expect, it } from 'vitest';
import { disagreements, type DuckRow } from '../bench/agreement.js';
import { kpiValues, snapshotsFromSums } from '../src/engine/kpis.js';
import { SUMS_PER_KEY } from '../src/engine/schema.js';

const dates = ['2025-11-30', '2025-12-31'];
// per date: nine money sums in cents (receivable, eligible, discounted, cash, five buckets), then the row count
const sums = Float64Array.from([
  [200_000, 180_000, 190_000, 5_000, 170_000, 10_000, 10_000, 5_000, 5_000, 3],
  [300_000, 250_000, 280_000, 9_000, 270_000, 0, 20_000, 0, 10_000, 4],
].flat());

function duckAgreeing(): DuckRow[] {
  return dates.map((date, key) => {
    const at = key * SUMS_PER_KEY;
    const values = kpiValues(sums, at);
    return {
      date,
      rows: BigInt(sums[at + 9]!),
      sums: Array.from(sums.subarray(at, at + 9), (cents) => BigInt(cents)),
      kpis: [values.par30, values.par90, values.collection_rate, values.portfolio_health],
    };
  });
}

describe('bench agreement check', () => {
  const snapshots = snapshotsFromSums(sums, { dates, groups: [] });

  it('finds nothing when DuckDB has the same counts, cents and KPIs', () => {
    expect(disagreements(dates, sums, snapshots, duckAgreeing())).toEqual([]);
  });

  it('reports a sum one cent off, a row count and a KPI that differ, and a missing date', () => {
    const duck = duckAgreeing();
    const [first, second] = duck as [DuckRow, DuckRow];
    const oneCentOff: DuckRow = { ...first, sums: first.sums.map((s, c) => (c === 3 ? (s as bigint) + 1n : s)) };
    expect(disagreements(dates, sums, snapshots, [oneCentOff, second]).join('\n')).toMatch(/2025-11-30 cash_available_usd: engine 5000 cents, DuckDB 5001 cents/);
    expect(disagreements(dates, sums, snapshots, [{ ...first, rows: 2n }, second]).join('\n')).toMatch(/2025-11-30 rows/);
    const kpiOff: DuckRow = { ...second, kpis: second.kpis.map((v, k) => (k === 0 ? v + 1e-12 : v)) };
    expect(disagreements(dates, sums, snapshots, [first, kpiOff]).join('\n')).toMatch(/2025-12-31 par30/);
    expect(disagreements(dates, sums, snapshots, [first])).toContain('DuckDB returned 1 dates, the tape has 2');
  });

  it('compares DOUBLE sums as numbers', () => {
    const duck = duckAgreeing().map((row) => ({ ...row, sums: row.sums.map(Number) }));
    expect(disagreements(dates, sums, snapshots, duck)).toEqual([]);
  });
});
