/**
 * The human table of `stress shadow`: per snapshot, the KPIs and the row count, and any money sum that is out
 * of tolerance (every compared value is in --json).
 */
import type { KpiSource } from '../cutover/kpi-source.js';
import { KPI_NAMES } from '../engine/kpis.js';
import type { ComparedMetric, MetricComparison, ShadowComparison, SnapshotKey } from '../cutover/shadow.js';
import { table } from './kpi-text.js';

const ALWAYS_SHOWN: ReadonlySet<ComparedMetric> = new Set<ComparedMetric>([...KPI_NAMES, 'rows']);

/** Enough digits to tell two values a cent apart, without the noise of the 17th digit. */
function formatValue(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** 'inf' for an infinite variance (baseline 0, candidate not), else four significant digits. */
function formatVariance(variancePercent: number | null): string {
  if (variancePercent === null) return 'inf';
  return variancePercent === 0 ? '0' : String(Number(variancePercent.toPrecision(4)));
}

function keyText(key: SnapshotKey): string {
  return key.group === undefined ? key.measurement_date : `${key.measurement_date} ${key.group}`;
}

export function renderShadowTable(comparison: ShadowComparison, baseline: KpiSource, candidate: KpiSource): string {
  const grouped = baseline.group_by !== null;
  const shown = comparison.comparisons.filter((c) => ALWAYS_SHOWN.has(c.metric) || !c.within_tolerance);
  const header = ['snapshot', ...(grouped ? [baseline.group_by ?? ''] : []), 'metric', 'baseline', 'candidate', 'variance %', 'result'];
  const rows = shown.map((c: MetricComparison) => [
    c.measurement_date,
    ...(grouped ? [c.group ?? ''] : []),
    c.metric,
    formatValue(c.baseline),
    formatValue(c.candidate),
    formatVariance(c.variance_percent),
    c.within_tolerance ? 'ok' : 'OUT',
  ]);
  const lines = [
    `baseline:  ${baseline.path} (${baseline.kind === 'tape' ? 'tape, computed now' : 'KPI result'})`,
    `candidate: ${candidate.path} (${candidate.kind === 'tape' ? 'tape, computed now' : 'KPI result'})`,
    '',
    table(header, rows),
  ];
  if (comparison.only_in_baseline.length > 0) lines.push(`only in baseline: ${comparison.only_in_baseline.map(keyText).join(', ')}`);
  if (comparison.only_in_candidate.length > 0) lines.push(`only in candidate: ${comparison.only_in_candidate.map(keyText).join(', ')}`);
  const max = comparison.max_variance_percent;
  lines.push(
    `${comparison.status}: ${comparison.out_of_tolerance} of ${comparison.values_compared} values out of tolerance ` +
      `(${comparison.tolerance_percent} %, a variance equal to it passes) in ${comparison.snapshots_compared} snapshot(s) compared; ` +
      `largest variance ${max === null ? (comparison.values_compared === 0 ? 'none' : 'inf') : `${formatVariance(max)} %`}; ` +
      `${comparison.only_in_baseline.length + comparison.only_in_candidate.length} snapshot(s) on one side only`,
    'variance = 100 · |candidate − baseline| / |baseline|; rows and money sums are listed only when out of tolerance (all in --json)',
  );
  return `${lines.join('\n')}\n`;
}
