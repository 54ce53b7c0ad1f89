import { describe, expect, it } from 'vitest';
import { alertsFor, kpiValues, type Snapshot } from '../src/engine/kpis.js';
import { MONEY_COLUMNS, SUMS_PER_KEY, type MoneyColumn } from '../src/engine/schema.js';
import { allRollups, periodOf, rollUp, type RollupPeriod } from '../src/results/rollups.js';

/** A snapshot as compute makes it, from dollar amounts (the rest 0). */
function snap(date: string, rows: number, dollars: Partial<Record<MoneyColumn, number>>, group?: string): Snapshot {
  const cents = new Float64Array(SUMS_PER_KEY);
  const money = {} as Record<MoneyColumn, number>;
  MONEY_COLUMNS.forEach((column, c) => {
    money[column] = dollars[column] ?? 0;
    cents[c] = Math.round(money[column] * 100);
  });
  const values = kpiValues(cents);
  return { measurement_date: date, ...(group === undefined ? {} : { group }), rows, ...money, ...values, alerts: alertsFor(values) };
}

describe('calendar periods', () => {
  /** date, kind of period → label, first day, last day */
  const cases: [string, RollupPeriod, string, string, string][] = [
    // ISO weeks run Monday to Sunday, numbered by the year of their Thursday
    ['2025-10-27', 'week', '2025-W44', '2025-10-27', '2025-11-02'],
    ['2025-11-02', 'week', '2025-W44', '2025-10-27', '2025-11-02'],
    // across a year boundary: the week of 2025-12-31 is the first week of 2026
    ['2025-12-31', 'week', '2026-W01', '2025-12-29', '2026-01-04'],
    ['2026-01-04', 'week', '2026-W01', '2025-12-29', '2026-01-04'],
    ['2025-01-01', 'week', '2025-W01', '2024-12-30', '2025-01-05'],
    // and the other way: early January in the last week of the year before
    ['2021-01-03', 'week', '2020-W53', '2020-12-28', '2021-01-03'],
    ['2027-01-01', 'week', '2026-W53', '2026-12-28', '2027-01-03'],
    // months end on their real last day, leap years included
    ['2025-10-27', 'month', '2025-10', '2025-10-01', '2025-10-31'],
    ['2024-02-10', 'month', '2024-02', '2024-02-01', '2024-02-29'],
    ['2100-02-28', 'month', '2100-02', '2100-02-01', '2100-02-28'],
    ['2025-12-31', 'month', '2025-12', '2025-12-01', '2025-12-31'],
    ['2025-12-31', 'day', '2025-12-31', '2025-12-31', '2025-12-31'],
  ];
  for (const [date, period, label, start, end] of cases) {
    it(`${date} is in ${period} ${label}, ${start}..${end}`, () => {
      expect(periodOf(date, period)).toEqual({ label, start, end });
    });
  }
});

describe('rollups', () => {
  // Monday and Sunday of 2025-W44: PAR30 10% and 20% on their own, 17.5% together (not the 15% average)
  const monday = snap('2025-10-27', 2, { total_receivable_usd: 1000, total_eligible_usd: 800, cash_available_usd: 10, dpd_30_60_usd: 100 });
  const sunday = snap('2025-11-02', 3, { total_receivable_usd: 3000, total_eligible_usd: 1200, cash_available_usd: 90, dpd_90_plus_usd: 600 });

  it('add the sums of a week and compute the KPIs again from them', () => {
    expect(monday.par30).toBe(10);
    expect(sunday.par30).toBe(20);
    const [week, ...rest] = rollUp([monday, sunday], 'week');
    expect(rest).toEqual([]);
    expect(week).toMatchObject({
      period: '2025-W44',
      start: '2025-10-27',
      end: '2025-11-02',
      measurement_dates: ['2025-10-27', '2025-11-02'],
      rows: 5,
      total_receivable_usd: 4000,
      total_eligible_usd: 2000,
      cash_available_usd: 100,
      dpd_30_60_usd: 100,
      dpd_90_plus_usd: 600,
      par30: 17.5,
      par90: 15,
      collection_rate: 5,
      portfolio_health: 4.125,
    });
    expect(week!.alerts.map((a) => `${a.kpi}:${a.level}`)).toEqual(['par30:critical', 'par90:critical', 'portfolio_health:warn']);
  });

  it('split the same snapshots by month, and keep days as they are', () => {
    const months = rollUp([sunday, monday], 'month');
    expect(months.map((m) => [m.period, m.start, m.end, m.rows, m.par30])).toEqual([
      ['2025-10', '2025-10-01', '2025-10-31', 2, 10],
      ['2025-11', '2025-11-01', '2025-11-30', 3, 20],
    ]);
    const days = rollUp([monday, sunday], 'day');
    expect(days.map((d) => [d.period, d.start, d.end, d.par30, d.collection_rate])).toEqual([
      ['2025-10-27', '2025-10-27', '2025-10-27', 10, 1.25],
      ['2025-11-02', '2025-11-02', '2025-11-02', 20, 7.5],
    ]);
  });

  it('roll a week across the new year into one period, and its months into two', () => {
    const dec = snap('2025-12-31', 1, { total_receivable_usd: 100.1, total_eligible_usd: 100, cash_available_usd: 0.03, dpd_60_90_usd: 0.1 });
    const jan = snap('2026-01-02', 1, { total_receivable_usd: 0.2, total_eligible_usd: 100, cash_available_usd: 0.07, dpd_60_90_usd: 0.2 });
    const { week, month } = allRollups([jan, dec]);
    expect(week).toHaveLength(1);
    // cents added exactly: 100.10 + 0.20 = 100.30, not the float 100.30000000000001
    expect(week![0]).toMatchObject({ period: '2026-W01', start: '2025-12-29', end: '2026-01-04', total_receivable_usd: 100.3, cash_available_usd: 0.1, dpd_60_90_usd: 0.3 });
    expect(week![0]!.par30).toBe((100 * 30) / 10030);
    expect(week![0]!.collection_rate).toBe((100 * 10) / 20000);
    expect(month.map((m) => m.period)).toEqual(['2025-12', '2026-01']);
  });

  it('keep group values apart', () => {
    const a = snap('2025-10-27', 1, { total_receivable_usd: 100, dpd_30_60_usd: 10 }, 'sme');
    const b = snap('2025-10-28', 1, { total_receivable_usd: 100, dpd_30_60_usd: 30 }, 'sme');
    const c = snap('2025-10-27', 1, { total_receivable_usd: 100 }, 'auto');
    const weeks = rollUp([a, b, c], 'week');
    expect(weeks.map((w) => [w.period, w.group, w.rows, w.par30])).toEqual([
      ['2025-W44', 'auto', 1, 0],
      ['2025-W44', 'sme', 2, 20],
    ]);
  });
});
