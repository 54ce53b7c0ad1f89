/**
 * Snapshots rolled up by calendar period: day, ISO week (Monday to Sunday, numbered by the year of its
 * Thursday, so 2026-W01 starts on 2025-12-29) and month. Pure functions.
 *
 * A rollup adds the raw sums of its snapshots (rows and the nine money columns, in whole cents, so the sums
 * are exact) and computes the KPIs again from those sums, by the formulas of engine/kpis.ts: a period's PAR30
 * is the period's delinquent balance over its receivable, not an average of the snapshots' ratios. Grouped
 * results (--group-by) roll up per period and group value.
 */
import { alertsFor, DEFAULT_ALERT_THRESHOLDS, kpiValues, type Alert, type AlertThresholds, type KpiValues, type MoneySums, type Snapshot } from '../engine/kpis.js';
import { MONEY_COLUMNS, ROW_COUNT, SUMS_PER_KEY, type MoneyColumn } from '../engine/schema.js';
import { epochDayOf, isoDateOfPacked, packedDateOfEpochDay } from '../io/arrow.js';

export const ROLLUP_PERIODS = ['day', 'week', 'month'] as const;
export type RollupPeriod = (typeof ROLLUP_PERIODS)[number];

/** A calendar period: its label and its first and last day (inclusive), as YYYY-MM-DD. */
export interface Period {
  readonly label: string;
  readonly start: string;
  readonly end: string;
}

export interface Rollup extends MoneySums, KpiValues {
  /** e.g. "2025-10-27", "2025-W44", "2025-10" */
  readonly period: string;
  readonly start: string;
  readonly end: string;
  readonly group?: string;
  /** the snapshot dates rolled into this period, in order */
  readonly measurement_dates: readonly string[];
  readonly rows: number;
  readonly alerts: readonly Alert[];
}

export type Rollups = Readonly<Record<RollupPeriod, readonly Rollup[]>>;

export function epochDayOfIso(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) throw new RangeError(`not a YYYY-MM-DD date: "${date}"`);
  return epochDayOf(Number(match[1]), Number(match[2]), Number(match[3]));
}

function isoOfEpochDay(day: number): string {
  return isoDateOfPacked(packedDateOfEpochDay(day));
}

/** The period of `period` kind that holds `date` (YYYY-MM-DD). */
export function periodOf(date: string, period: RollupPeriod): Period {
  const day = epochDayOfIso(date);
  switch (period) {
    case 'day':
      return { label: date, start: date, end: date };
    case 'week': {
      // 1970-01-01 was a Thursday: weekday 0 = Monday … 6 = Sunday
      const weekday = (((day + 3) % 7) + 7) % 7;
      const monday = day - weekday;
      const thursday = monday + 3;
      const isoYear = Number(isoOfEpochDay(thursday).slice(0, 4));
      const week = Math.floor((thursday - epochDayOf(isoYear, 1, 1)) / 7) + 1;
      return { label: `${String(isoYear).padStart(4, '0')}-W${String(week).padStart(2, '0')}`, start: isoOfEpochDay(monday), end: isoOfEpochDay(monday + 6) };
    }
    case 'month': {
      const year = Number(date.slice(0, 4));
      const month = Number(date.slice(5, 7));
      const first = epochDayOf(year, month, 1);
      const next = month === 12 ? epochDayOf(year + 1, 1, 1) : epochDayOf(year, month + 1, 1);
      return { label: date.slice(0, 7), start: isoOfEpochDay(first), end: isoOfEpochDay(next - 1) };
    }
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Dollars of a snapshot back to the whole cents they were computed from (exact below 2^53 cents). */
function centsOf(dollars: number): number {
  return Math.round(dollars * 100);
}

/** Snapshots rolled up by one kind of period, sorted by period start, then group value. */
export function rollUp(snapshots: readonly Snapshot[], period: RollupPeriod, thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): Rollup[] {
  const buckets = new Map<string, { period: Period; group: string | undefined; dates: string[]; sums: Float64Array }>();
  for (const snapshot of snapshots) {
    const of = periodOf(snapshot.measurement_date, period);
    const key = snapshot.group === undefined ? of.label : `${of.label}\u0000${snapshot.group}`;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { period: of, group: snapshot.group, dates: [], sums: new Float64Array(SUMS_PER_KEY) };
      buckets.set(key, bucket);
    }
    if (!bucket.dates.includes(snapshot.measurement_date)) bucket.dates.push(snapshot.measurement_date);
    MONEY_COLUMNS.forEach((column, c) => (bucket.sums[c]! += centsOf(snapshot[column])));
    bucket.sums[ROW_COUNT]! += snapshot.rows;
  }
  const rollups = [...buckets.values()].map(({ period: of, group, dates, sums }): Rollup => {
    const money = {} as Record<MoneyColumn, number>;
    MONEY_COLUMNS.forEach((column, c) => (money[column] = sums[c]! / 100));
    const values = kpiValues(sums);
    return {
      period: of.label,
      start: of.start,
      end: of.end,
      ...(group === undefined ? {} : { group }),
      measurement_dates: dates.sort(),
      rows: sums[ROW_COUNT]!,
      ...money,
      ...values,
      alerts: alertsFor(values, thresholds),
    };
  });
  return rollups.sort((a, b) => compareText(a.start, b.start) || compareText(a.group ?? '', b.group ?? ''));
}

export function allRollups(snapshots: readonly Snapshot[], thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): Rollups {
  return { day: rollUp(snapshots, 'day', thresholds), week: rollUp(snapshots, 'week', thresholds), month: rollUp(snapshots, 'month', thresholds) };
}
