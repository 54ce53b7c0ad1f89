/**
 * Per-key sums → KPI values and snapshots (SPEC §3). Pure functions; the formulas live here and only here.
 */
import { M, MONEY_COLUMNS, ROW_COUNT, SUMS_PER_KEY, type MoneyColumn } from './schema.js';

export type KpiName = 'par30' | 'par90' | 'collection_rate' | 'portfolio_health';
export const KPI_NAMES: readonly KpiName[] = ['par30', 'par90', 'collection_rate', 'portfolio_health'];

export interface KpiValues {
  readonly par30: number;
  readonly par90: number;
  readonly collection_rate: number;
  readonly portfolio_health: number;
}

/** `above`: a value at or over the level alerts; `below`: a value under the level alerts. */
export interface AlertRule {
  readonly direction: 'above' | 'below';
  readonly warn: number;
  readonly critical: number;
}
export type AlertThresholds = Readonly<Record<KpiName, AlertRule>>;

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  par30: { direction: 'above', warn: 5, critical: 8 },
  par90: { direction: 'above', warn: 3, critical: 5 },
  collection_rate: { direction: 'below', warn: 1.5, critical: 1.0 },
  portfolio_health: { direction: 'below', warn: 5, critical: 3 },
};

export type AlertLevel = 'warn' | 'critical';
export interface Alert {
  readonly kpi: KpiName;
  readonly level: AlertLevel;
  readonly value: number;
  readonly threshold: number;
}

/** 100 · numerator / denominator, with 0 for a zero denominator. */
export function percent(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : (100 * numerator) / denominator;
}

export function portfolioHealth(par30: number, collectionRate: number): number {
  const health = Math.max(0, 10 - par30 / 10) * (collectionRate / 10);
  return Math.min(10, Math.max(0, health));
}

/** The KPIs of one key's sums (cents; ratios do not depend on the unit). */
export function kpiValues(sums: ArrayLike<number>, at = 0): KpiValues {
  const receivable = sums[at + M.receivable]!;
  const par30 = percent(sums[at + M.dpd30to60]! + sums[at + M.dpd60to90]! + sums[at + M.dpd90plus]!, receivable);
  const par90 = percent(sums[at + M.dpd90plus]!, receivable);
  const collection_rate = percent(sums[at + M.cash]!, sums[at + M.eligible]!);
  return { par30, par90, collection_rate, portfolio_health: portfolioHealth(par30, collection_rate) };
}

export function alertsFor(values: KpiValues, thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): Alert[] {
  const alerts: Alert[] = [];
  for (const kpi of KPI_NAMES) {
    const rule = thresholds[kpi];
    const value = values[kpi];
    const past = (level: number) => (rule.direction === 'above' ? value >= level : value < level);
    if (past(rule.critical)) alerts.push({ kpi, level: 'critical', value, threshold: rule.critical });
    else if (past(rule.warn)) alerts.push({ kpi, level: 'warn', value, threshold: rule.warn });
  }
  return alerts;
}

export type MoneySums = Readonly<Record<MoneyColumn, number>>;

/** One snapshot's result: sums in dollars, KPIs in percent at full precision. */
export interface Snapshot extends MoneySums, KpiValues {
  readonly measurement_date: string;
  /** the --group-by column's value; absent without grouping */
  readonly group?: string;
  readonly rows: number;
  readonly alerts: readonly Alert[];
}

/** Add per-key sums element by element, in the order given (exact for whole cents). */
export function mergeSums(partials: readonly Float64Array[], length: number): Float64Array {
  const total = new Float64Array(length);
  for (const partial of partials) {
    for (let i = 0; i < length; i++) total[i]! += partial[i]!;
  }
  return total;
}

export interface KeySpace {
  readonly dates: readonly string[];
  /** group values, or [] without grouping */
  readonly groups: readonly string[];
}

export function keyCount(space: KeySpace): number {
  return space.dates.length * Math.max(1, space.groups.length);
}

/**
 * Snapshots from per-key sums, sorted by date (then group value); keys with no rows are left out.
 * Key k is date k without grouping, else date ⌊k / groups⌋ and group k mod groups.
 */
export function snapshotsFromSums(
  sums: Float64Array,
  space: KeySpace,
  thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
): Snapshot[] {
  const groupCount = space.groups.length;
  const snapshots: Snapshot[] = [];
  for (let key = 0; key < keyCount(space); key++) {
    const at = key * SUMS_PER_KEY;
    const rows = sums[at + ROW_COUNT]!;
    if (rows === 0) continue;
    const money = {} as Record<MoneyColumn, number>;
    MONEY_COLUMNS.forEach((name, c) => (money[name] = sums[at + c]! / 100));
    const values = kpiValues(sums, at);
    const dateKey = groupCount > 0 ? Math.floor(key / groupCount) : key;
    snapshots.push({
      measurement_date: space.dates[dateKey]!,
      ...(groupCount > 0 ? { group: space.groups[key % groupCount]! } : {}),
      rows,
      ...money,
      ...values,
      alerts: alertsFor(values, thresholds),
    });
  }
  return snapshots.sort(compareSnapshots);
}

/** Snapshots (or anything keyed as one) in date order, then group order. */
export function compareSnapshots(a: Pick<Snapshot, 'measurement_date' | 'group'>, b: Pick<Snapshot, 'measurement_date' | 'group'>): number {
  if (a.measurement_date !== b.measurement_date) return a.measurement_date < b.measurement_date ? -1 : 1;
  const ga = a.group ?? '';
  const gb = b.group ?? '';
  return ga === gb ? 0 : ga < gb ? -1 : 1;
}
