import { describe, expect, it } from 'vitest';
import { alertsFor, kpiValues, portfolioHealth, snapshotsFromSums } from '../src/engine/kpis.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { M, SUMS_PER_KEY } from '../src/engine/schema.js';
import { tapeFromRows } from './support/tapes.js';

/** cents for one row: receivable, eligible, discounted, cash, dpd 0-7, 7-30, 30-60, 60-90, 90+ */
function row(date: string, receivable: number, buckets: { d30?: number; d60?: number; d90?: number; cash?: number; eligible?: number }) {
  const cents = [receivable, buckets.eligible ?? receivable, receivable, buckets.cash ?? 0, 0, 0, buckets.d30 ?? 0, buckets.d60 ?? 0, buckets.d90 ?? 0];
  return { cents: cents.map((dollars) => dollars * 100), date };
}

describe('the known values of SPEC §3', () => {
  it('par30 = 17.5 for buckets 30_60 [100, 200], 60_90 [50, 100], 90_plus [25, 50] over receivable [1000, 2000]', () => {
    const { tape } = tapeFromRows([row('2025-01-31', 1000, { d30: 100, d60: 50, d90: 25 }), row('2025-01-31', 2000, { d30: 200, d60: 100, d90: 50 })]);
    const [snapshot] = referenceSnapshots(tape);
    expect(snapshot!.par30).toBe(17.5);
  });

  it('par90 = 10.0 for 90_plus [100, 200] over receivable [1000, 2000]', () => {
    const { tape } = tapeFromRows([row('2025-01-31', 1000, { d90: 100 }), row('2025-01-31', 2000, { d90: 200 })]);
    expect(referenceSnapshots(tape)[0]!.par90).toBe(10);
  });

  it('PAR30 2.4 and collection rate 6.25 give health 6.10', () => {
    expect(portfolioHealth(2.4, 6.25)).toBeCloseTo(6.1, 12);
    expect(portfolioHealth(2.4, 6.25).toFixed(2)).toBe('6.10');
  });

  it('health is clamped to [0, 10]', () => {
    expect(portfolioHealth(0, 250)).toBe(10);
    expect(portfolioHealth(150, 50)).toBe(0);
  });

  it('a zero denominator gives 0, not NaN', () => {
    const sums = new Float64Array(SUMS_PER_KEY);
    sums[M.dpd90plus] = 500;
    sums[M.cash] = 7;
    expect(kpiValues(sums)).toEqual({ par30: 0, par90: 0, collection_rate: 0, portfolio_health: 0 });
  });

  it('alerts follow the default levels', () => {
    const levels = (values: Parameters<typeof alertsFor>[0]) => alertsFor(values).map((a) => `${a.kpi}:${a.level}`);
    expect(levels({ par30: 4.99, par90: 2.99, collection_rate: 1.5, portfolio_health: 5 })).toEqual([]);
    expect(levels({ par30: 5, par90: 3, collection_rate: 1.49, portfolio_health: 4.99 })).toEqual([
      'par30:warn', 'par90:warn', 'collection_rate:warn', 'portfolio_health:warn',
    ]);
    expect(levels({ par30: 8, par90: 5, collection_rate: 0.99, portfolio_health: 2.99 })).toEqual([
      'par30:critical', 'par90:critical', 'collection_rate:critical', 'portfolio_health:critical',
    ]);
  });

  it('snapshots are per date, never blended, and sorted by date', () => {
    const { tape } = tapeFromRows([
      row('2025-02-28', 1000, { d90: 100 }),
      row('2025-01-31', 1000, { d90: 0 }),
      row('2025-02-28', 1000, { d90: 300 }),
    ]);
    const snapshots = referenceSnapshots(tape);
    expect(snapshots.map((s) => [s.measurement_date, s.rows, s.par90])).toEqual([
      ['2025-01-31', 1, 0],
      ['2025-02-28', 2, 20],
    ]);
  });

  it('the sums path and the reference agree on the known tape', () => {
    const { tape } = tapeFromRows([row('2025-01-31', 1000, { d30: 100, d60: 50, d90: 25, cash: 30, eligible: 900 })]);
    const sums = new Float64Array(SUMS_PER_KEY);
    sums.set([100000, 90000, 100000, 3000, 0, 0, 10000, 5000, 2500, 1]);
    expect(snapshotsFromSums(sums, tape)).toEqual(referenceSnapshots(tape));
  });
});
