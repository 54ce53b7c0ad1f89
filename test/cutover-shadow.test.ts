import { describe, expect, it } from 'vitest';
import { parseKpiResult } from '../src/cutover/kpi-source.js';
import { compareResults, relativeVariancePercent, withinTolerance, type ComparableSnapshot } from '../src/cutover/shadow.js';
import { UsageError } from '../src/errors.js';

/** A snapshot with every compared metric 1000 except those given. */
function snap(date: string, values: Partial<Record<string, number>> = {}, group?: string): ComparableSnapshot {
  const base = {
    par30: 1000, par90: 1000, collection_rate: 1000, portfolio_health: 1000, rows: 1000,
    total_receivable_usd: 1000, total_eligible_usd: 1000, discounted_balance_usd: 1000, cash_available_usd: 1000,
    dpd_0_7_usd: 1000, dpd_7_30_usd: 1000, dpd_30_60_usd: 1000, dpd_60_90_usd: 1000, dpd_90_plus_usd: 1000,
  };
  return { measurement_date: date, ...(group === undefined ? {} : { group }), ...base, ...values } as ComparableSnapshot;
}

describe('relative variance', () => {
  it('is 100 · |b − a| / |a| with exact figures', () => {
    expect(relativeVariancePercent(1000, 1001)).toBe(0.1);
    expect(relativeVariancePercent(1000, 999)).toBe(0.1);
    expect(relativeVariancePercent(2.2, 2.2)).toBe(0);
    expect(relativeVariancePercent(-50, -49)).toBe(2);
    expect(relativeVariancePercent(8, 10)).toBe(25);
  });

  it('both zero is 0; a zero baseline with a non-zero candidate is infinite (null)', () => {
    expect(relativeVariancePercent(0, 0)).toBe(0);
    expect(relativeVariancePercent(0, 1e-9)).toBeNull();
    expect(withinTolerance(null, 1e9)).toBe(false);
  });

  it('a variance equal to the tolerance passes; one just above fails; one just below passes', () => {
    // 1000 → 1001 is exactly the double 0.1, the same as the tolerance literal
    expect(withinTolerance(relativeVariancePercent(1000, 1001), 0.1)).toBe(true);
    expect(relativeVariancePercent(1000, 1001.01)).toBeCloseTo(0.101, 12);
    expect(withinTolerance(relativeVariancePercent(1000, 1001.01), 0.1)).toBe(false);
    expect(relativeVariancePercent(1000, 1000.99)).toBeCloseTo(0.099, 12);
    expect(withinTolerance(relativeVariancePercent(1000, 1000.99), 0.1)).toBe(true);
    // the smallest step past the tolerance is already out
    expect(withinTolerance(0.1 + Number.EPSILON, 0.1)).toBe(false);
  });
});

describe('compareResults', () => {
  it('passes when every value is within tolerance and lists every metric of every snapshot', () => {
    const result = compareResults([snap('2025-01-31'), snap('2025-02-28')], [snap('2025-02-28', { par30: 1000.99 }), snap('2025-01-31')], 0.1);
    expect(result.status).toBe('PASS');
    expect(result.snapshots_compared).toBe(2);
    expect(result.values_compared).toBe(28);
    expect(result.out_of_tolerance).toBe(0);
    expect(result.max_variance_percent).toBeCloseTo(0.099, 12);
    const par30 = result.comparisons.find((c) => c.measurement_date === '2025-02-28' && c.metric === 'par30');
    expect(par30).toMatchObject({ baseline: 1000, candidate: 1000.99, within_tolerance: true });
  });

  it('fails on one value just above the tolerance, naming it', () => {
    const result = compareResults([snap('2025-01-31')], [snap('2025-01-31', { collection_rate: 1001.01 })], 0.1);
    expect(result.status).toBe('FAIL');
    expect(result.out_of_tolerance).toBe(1);
    expect(result.comparisons.filter((c) => !c.within_tolerance).map((c) => c.metric)).toEqual(['collection_rate']);
  });

  it('judges rows and money sums too', () => {
    const result = compareResults([snap('2025-01-31')], [snap('2025-01-31', { rows: 990 })], 0.1);
    expect(result.status).toBe('FAIL');
    expect(result.comparisons.find((c) => c.metric === 'rows')).toMatchObject({ variance_percent: 1, within_tolerance: false });
  });

  it('a zero baseline against a non-zero candidate fails with a null variance and no max', () => {
    const result = compareResults([snap('2025-01-31', { par90: 0 })], [snap('2025-01-31', { par90: 0.01 })], 50);
    expect(result.status).toBe('FAIL');
    expect(result.comparisons.find((c) => c.metric === 'par90')).toMatchObject({ variance_percent: null, within_tolerance: false });
    expect(result.max_variance_percent).toBeNull();
    expect(JSON.stringify(result)).not.toMatch(/Infinity|NaN/);
  });

  it('snapshots present on one side only are listed and fail the comparison', () => {
    const result = compareResults(
      [snap('2025-01-31', {}, 'auto'), snap('2025-01-31', {}, 'sme')],
      [snap('2025-01-31', {}, 'auto'), snap('2025-02-28', {}, 'auto')],
    );
    expect(result.status).toBe('FAIL');
    expect(result.out_of_tolerance).toBe(0);
    expect(result.only_in_baseline).toEqual([{ measurement_date: '2025-01-31', group: 'sme' }]);
    expect(result.only_in_candidate).toEqual([{ measurement_date: '2025-02-28', group: 'auto' }]);
    expect(result.snapshots_compared).toBe(1);
  });

  it('refuses a negative or non-finite tolerance', () => {
    expect(() => compareResults([], [], -0.1)).toThrow(RangeError);
    expect(() => compareResults([], [], Number.NaN)).toThrow(RangeError);
  });
});

describe('parseKpiResult', () => {
  const good = { snapshots: [snap('2025-01-31')], group_by: null, rollups: { ignored: true } };

  it('reads the snapshots and ignores extra fields', () => {
    const { snapshots, groupBy } = parseKpiResult(good, 'kpis.json');
    expect(groupBy).toBeNull();
    expect(snapshots).toEqual([snap('2025-01-31')]);
  });

  it('names the file and the field of a bad value', () => {
    const bad = { snapshots: [snap('2025-01-31'), { ...snap('2025-02-28'), par30: null }] };
    expect(() => parseKpiResult(bad, 'kpis.json')).toThrow(new UsageError('kpis.json: snapshots[1].par30: expected a finite number, got null'));
    expect(() => parseKpiResult({ snapshot: [] }, 'k.json')).toThrow(/k\.json: snapshots: expected an array, got nothing/);
    expect(() => parseKpiResult({ snapshots: [snap('2025-01-31')], group_by: 'segment' }, 'k.json')).toThrow(/snapshots\[0\]\.group: expected the value of segment/);
  });
});
