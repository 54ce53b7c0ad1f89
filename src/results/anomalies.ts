/**
 * Anomalies against a previous run (SPEC §3): a KPI whose value for the same snapshot (date, and group value
 * with --group-by) moved by more than 20% of the previous value. Pure; the comparison is the shadow
 * comparison's own (cutover/shadow.ts), over the four KPIs, with the threshold as its tolerance.
 *
 * A previous value of 0: no relative change exists. A KPI that stays at 0 is no anomaly; one that leaves 0 is
 * always one, reported with `change_percent: null` (JSON has no Infinity). Snapshots present in one run only
 * are listed, not flagged: a new month-end is not an anomaly.
 */
import { compareResults, type ComparableSnapshot, type SnapshotKey } from '../cutover/shadow.js';
import { KPI_NAMES, type KpiName } from '../engine/kpis.js';

/** SPEC §3: a relative change above 20% is an anomaly. */
export const ANOMALY_THRESHOLD_PERCENT = 20;

export interface Anomaly extends SnapshotKey {
  readonly kpi: KpiName;
  readonly previous: number;
  readonly current: number;
  /** 100 · (current − previous) / |previous|, signed; null when the previous value was 0 */
  readonly change_percent: number | null;
}

export interface AnomalyCheck {
  /** the kpis.json compared against */
  readonly source: string;
  readonly threshold_percent: number;
  readonly snapshots_compared: number;
  readonly only_current: readonly SnapshotKey[];
  readonly only_previous: readonly SnapshotKey[];
  readonly anomalies: readonly Anomaly[];
}

const isKpi = (metric: string): metric is KpiName => (KPI_NAMES as readonly string[]).includes(metric);

export function findAnomalies(
  previous: readonly ComparableSnapshot[],
  current: readonly ComparableSnapshot[],
  source: string,
  thresholdPercent: number = ANOMALY_THRESHOLD_PERCENT,
): AnomalyCheck {
  const comparison = compareResults(previous, current, thresholdPercent);
  const anomalies: Anomaly[] = [];
  for (const c of comparison.comparisons) {
    if (c.within_tolerance || !isKpi(c.metric)) continue;
    const change = c.variance_percent === null ? null : Math.sign(c.candidate - c.baseline) * c.variance_percent;
    anomalies.push({
      measurement_date: c.measurement_date,
      ...(c.group === undefined ? {} : { group: c.group }),
      kpi: c.metric,
      previous: c.baseline,
      current: c.candidate,
      change_percent: change,
    });
  }
  return {
    source,
    threshold_percent: thresholdPercent,
    snapshots_compared: comparison.snapshots_compared,
    only_current: comparison.only_in_candidate,
    only_previous: comparison.only_in_baseline,
    anomalies,
  };
}
