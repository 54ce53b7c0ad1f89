/** The human table of `stress compute`: one row per snapshot, ratios rounded to 2 decimals for display. */
import type { KpiResult } from '../compute.js';
import type { Alert, KpiName, KpiValues } from '../engine/kpis.js';
import type { Anomaly } from '../results/anomalies.js';
import type { Rollup, RollupPeriod } from '../results/rollups.js';

const MARK: Record<Alert['level'], string> = { warn: ' !', critical: ' !!' };

/**
 * With `anomalies` (a --previous run was given), a last column lists each snapshot's KPIs that moved by more
 * than the anomaly threshold, with their signed change.
 */
export function renderKpiTable(result: KpiResult, anomalies: readonly Anomaly[] | null = null): string {
  const grouped = result.group_by !== null;
  const header = [
    'snapshot',
    ...(grouped ? [result.group_by ?? ''] : []),
    ...MEASURE_HEADER,
    ...(anomalies === null ? [] : ['vs previous']),
  ];
  const rows = result.snapshots.map((s) => [
    s.measurement_date,
    ...(grouped ? [s.group ?? ''] : []),
    ...measureCells(s),
    ...(anomalies === null ? [] : [anomalyCell(anomalies.filter((a) => a.measurement_date === s.measurement_date && a.group === s.group))]),
  ]);
  const dropped = result.rows_dropped;
  const footer = [
    `${result.snapshots.length} snapshot(s) from ${result.rows_read.toLocaleString('en-US')} rows read; dropped: ${dropped.duplicates} duplicate(s), ${dropped.invalid} invalid`,
    'alert marks: ! warn, !! critical (default levels, see README); ratios in percent, rounded for display only',
  ];
  const reasons = Object.entries(result.invalid_by_reason);
  if (dropped.invalid > 0 && reasons.length > 0) footer.push(`invalid rows by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  return `${table(header, rows)}\n${footer.join('\n')}\n`;
}

function anomalyCell(anomalies: readonly Anomaly[]): string {
  if (anomalies.length === 0) return 'ok';
  return anomalies
    .map((a) => `${a.kpi} ${a.change_percent === null ? 'from 0' : `${a.change_percent > 0 ? '+' : ''}${a.change_percent.toFixed(1)}%`}`)
    .join(', ');
}

/** The rollups of one kind of period: one row per period (and group value), KPIs recomputed from the sums. */
export function renderRollupTable(rollups: readonly Rollup[], period: RollupPeriod, groupBy: string | null): string {
  const header = [period, 'from', 'to', ...(groupBy === null ? [] : [groupBy]), 'snapshots', ...MEASURE_HEADER];
  const rows = rollups.map((r) => [r.period, r.start, r.end, ...(groupBy === null ? [] : [r.group ?? '']), String(r.measurement_dates.length), ...measureCells(r)]);
  return `${table(header, rows)}\nrolled up by ${period}: sums added over the period's snapshots, KPIs computed again from the sums\n`;
}

const MEASURE_HEADER = ['rows', 'receivable $', 'PAR30 %', 'PAR90 %', 'collection %', 'health', 'alerts'];

type Measured = KpiValues & { readonly rows: number; readonly total_receivable_usd: number; readonly alerts: readonly Alert[] };

/** The cells under MEASURE_HEADER, for a snapshot or a rollup. */
function measureCells(m: Measured): string[] {
  return [
    m.rows.toLocaleString('en-US'),
    m.total_receivable_usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    marked(m, 'par30'),
    marked(m, 'par90'),
    marked(m, 'collection_rate'),
    marked(m, 'portfolio_health'),
    m.alerts.map((a) => `${a.kpi} ${a.level}`).join(', ') || 'ok',
  ];
}

function marked(snapshot: KpiValues & { readonly alerts: readonly Alert[] }, kpi: KpiName): string {
  const alert = snapshot.alerts.find((a) => a.kpi === kpi);
  return `${snapshot[kpi].toFixed(2)}${alert ? MARK[alert.level] : ''}`;
}

/** Left-aligned first columns of text, right-aligned numbers. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^[\d.,\s!%-]+$/.test(r[c] ?? '')));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
