/**
 * The shadow comparison of two KPI results (SPEC §5 `stress shadow`): for every snapshot present in both, each
 * compared metric's relative variance in percent, judged against a tolerance. Pure functions; reading the
 * results from files or tapes is in kpi-source.ts.
 *
 * What is compared: the four KPIs, the row count and the nine money sums of every snapshot, all against the
 * same tolerance. The KPIs are what the cutover is judged on; rows and sums are compared too because two
 * results can agree on every ratio while one of them lost rows (the same share of numerator and denominator).
 */
import { compareSnapshots, KPI_NAMES } from '../engine/kpis.js';
import { MONEY_COLUMNS } from '../engine/schema.js';

export const COMPARED_METRICS = [...KPI_NAMES, 'rows', ...MONEY_COLUMNS] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** The seeds' acceptance level for V1 against V2: 0.1 %. */
export const DEFAULT_TOLERANCE_PERCENT = 0.1;

/** The part of a snapshot the comparison reads. */
export type ComparableSnapshot = { readonly measurement_date: string; readonly group?: string } & Readonly<Record<ComparedMetric, number>>;

export interface SnapshotKey {
  readonly measurement_date: string;
  readonly group?: string;
}

export interface MetricComparison extends SnapshotKey {
  readonly metric: ComparedMetric;
  readonly baseline: number;
  readonly candidate: number;
  /** null when the baseline is 0 and the candidate is not: an infinite variance (JSON has no Infinity) */
  readonly variance_percent: number | null;
  readonly within_tolerance: boolean;
}

export interface ShadowComparison {
  readonly tolerance_percent: number;
  readonly status: 'PASS' | 'FAIL';
  readonly metrics: readonly ComparedMetric[];
  readonly snapshots_compared: number;
  readonly values_compared: number;
  readonly out_of_tolerance: number;
  /** the largest finite variance, or null when one is infinite (or nothing was compared) */
  readonly max_variance_percent: number | null;
  readonly comparisons: readonly MetricComparison[];
  readonly only_in_baseline: readonly SnapshotKey[];
  readonly only_in_candidate: readonly SnapshotKey[];
}

/**
 * Relative variance of `candidate` against `baseline` in percent: 100 · |b − a| / |a|; 0 when both are 0; null
 * (infinite) when only the baseline is 0. Written as (100 · |b − a|) / |a| rather than |b − a| / |a| · 100 so
 * that a difference exact in floating point is rounded once: 1000 against 1001 gives exactly 0.1.
 */
export function relativeVariancePercent(baseline: number, candidate: number): number | null {
  if (baseline === candidate) return 0;
  if (baseline === 0) return null;
  return (100 * Math.abs(candidate - baseline)) / Math.abs(baseline);
}

/** A variance equal to the tolerance passes; an infinite one never does. */
export function withinTolerance(variancePercent: number | null, tolerancePercent: number): boolean {
  return variancePercent !== null && variancePercent <= tolerancePercent;
}

function keyOf(snapshot: SnapshotKey): string {
  return snapshot.group === undefined ? snapshot.measurement_date : `${snapshot.measurement_date}\u0000${snapshot.group}`;
}

function keyFields(snapshot: SnapshotKey): SnapshotKey {
  return snapshot.group === undefined ? { measurement_date: snapshot.measurement_date } : { measurement_date: snapshot.measurement_date, group: snapshot.group };
}

/**
 * Compare two results snapshot by snapshot (matched on date and group). The comparison fails when any value is
 * out of tolerance or any snapshot is present on one side only.
 */
export function compareResults(
  baseline: readonly ComparableSnapshot[],
  candidate: readonly ComparableSnapshot[],
  tolerancePercent: number = DEFAULT_TOLERANCE_PERCENT,
): ShadowComparison {
  if (!(tolerancePercent >= 0 && Number.isFinite(tolerancePercent))) throw new RangeError(`tolerance must be a finite number ≥ 0, got ${tolerancePercent}`);
  const candidates = new Map(candidate.map((s) => [keyOf(s), s]));
  const baselineKeys = new Set(baseline.map(keyOf));
  const comparisons: MetricComparison[] = [];
  const onlyInBaseline: SnapshotKey[] = [];
  let snapshotsCompared = 0;
  for (const a of [...baseline].sort(compareSnapshots)) {
    const b = candidates.get(keyOf(a));
    if (b === undefined) {
      onlyInBaseline.push(keyFields(a));
      continue;
    }
    snapshotsCompared += 1;
    for (const metric of COMPARED_METRICS) {
      const variance = relativeVariancePercent(a[metric], b[metric]);
      comparisons.push({
        ...keyFields(a),
        metric,
        baseline: a[metric],
        candidate: b[metric],
        variance_percent: variance,
        within_tolerance: withinTolerance(variance, tolerancePercent),
      });
    }
  }
  const onlyInCandidate = [...candidate].sort(compareSnapshots).filter((s) => !baselineKeys.has(keyOf(s))).map(keyFields);
  const outOfTolerance = comparisons.filter((c) => !c.within_tolerance).length;
  let maxVariance: number | null = comparisons.length === 0 ? null : 0;
  for (const c of comparisons) {
    if (c.variance_percent === null || maxVariance === null) {
      maxVariance = null;
      break;
    }
    maxVariance = Math.max(maxVariance, c.variance_percent);
  }
  const failed = outOfTolerance > 0 || onlyInBaseline.length > 0 || onlyInCandidate.length > 0;
  return {
    tolerance_percent: tolerancePercent,
    status: failed ? 'FAIL' : 'PASS',
    metrics: COMPARED_METRICS,
    snapshots_compared: snapshotsCompared,
    values_compared: comparisons.length,
    out_of_tolerance: outOfTolerance,
    max_variance_percent: maxVariance,
    comparisons,
    only_in_baseline: onlyInBaseline,
    only_in_candidate: onlyInCandidate,
  };
}
