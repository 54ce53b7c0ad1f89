import { describe, expect, it } from 'vitest';
import type { ComparableSnapshot } from '../src/cutover/shadow.js';
import { KPI_NAMES, type KpiName } from '../src/engine/kpis.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { findAnomalies } from '../src/results/anomalies.js';

function snap(date: string, kpis: Partial<Record<KpiName, number>>, group?: string): ComparableSnapshot {
  const values = Object.fromEntries([...KPI_NAMES, 'rows', ...MONEY_COLUMNS].map((m) => [m, 1])) as Record<string, number>;
  return { measurement_date: date, ...(group === undefined ? {} : { group }), ...values, ...kpis } as ComparableSnapshot;
}

describe('anomalies against a previous run', () => {
  it('flag a KPI change above 20% of the previous value, not one of exactly 20%', () => {
    const previous = [snap('2025-01-31', { par30: 10, par90: 5, collection_rate: 4, portfolio_health: 8 })];
    const current = [snap('2025-01-31', { par30: 12, par90: 6.01, collection_rate: 3, portfolio_health: 8 })];
    const check = findAnomalies(previous, current, 'old/kpis.json');
    expect(check.snapshots_compared).toBe(1);
    expect(check.anomalies.map((a) => [a.kpi, a.previous, a.current])).toEqual([
      ['par90', 5, 6.01],
      ['collection_rate', 4, 3],
    ]);
    expect(check.anomalies[0]!.change_percent).toBeCloseTo(20.2, 10);
    // signed: a fall is negative
    expect(check.anomalies[1]!.change_percent).toBe(-25);
  });

  it('a previous value of 0: staying at 0 is no anomaly, leaving it always is, with a null change', () => {
    const previous = [snap('2025-01-31', { par30: 0, par90: 0 })];
    const current = [snap('2025-01-31', { par30: 0, par90: 0.01 })];
    const check = findAnomalies(previous, current, 'x');
    expect(check.anomalies).toEqual([{ measurement_date: '2025-01-31', kpi: 'par90', previous: 0, current: 0.01, change_percent: null }]);
    expect(JSON.stringify(check)).not.toMatch(/Infinity|NaN/);
  });

  it('match snapshots on date and group; list those in one run only without flagging them', () => {
    const previous = [snap('2025-01-31', { par30: 10 }, 'sme'), snap('2025-01-31', { par30: 10 }, 'auto'), snap('2024-12-31', {}, 'sme')];
    const current = [snap('2025-01-31', { par30: 10 }, 'sme'), snap('2025-01-31', { par30: 13 }, 'auto'), snap('2025-02-28', {}, 'sme')];
    const check = findAnomalies(previous, current, 'x');
    expect(check.snapshots_compared).toBe(2);
    expect(check.anomalies.map((a) => `${a.measurement_date}/${a.group}/${a.kpi}/${a.change_percent}`)).toEqual(['2025-01-31/auto/par30/30']);
    expect(check.only_current).toEqual([{ measurement_date: '2025-02-28', group: 'sme' }]);
    expect(check.only_previous).toEqual([{ measurement_date: '2024-12-31', group: 'sme' }]);
  });

  it('judge only the four KPIs, not rows or sums', () => {
    const previous = [{ ...snap('2025-01-31', {}), rows: 100, total_receivable_usd: 1000 }];
    const current = [{ ...snap('2025-01-31', {}), rows: 500, total_receivable_usd: 9000 }];
    expect(findAnomalies(previous, current, 'x').anomalies).toEqual([]);
  });
});
