/** The human table of `stress compute`: one row per snapshot, ratios rounded to 2 decimals for display. */
import type { KpiResult } from '../compute.js';
import type { Alert, KpiName, Snapshot } from '../engine/kpis.js';

const MARK: Record<Alert['level'], string> = { warn: ' !', critical: ' !!' };

export function renderKpiTable(result: KpiResult): string {
  const grouped = result.group_by !== null;
  const header = ['snapshot', ...(grouped ? [result.group_by ?? ''] : []), 'rows', 'receivable $', 'PAR30 %', 'PAR90 %', 'collection %', 'health', 'alerts'];
  const rows = result.snapshots.map((s) => [
    s.measurement_date,
    ...(grouped ? [s.group ?? ''] : []),
    s.rows.toLocaleString('en-US'),
    s.total_receivable_usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    marked(s, 'par30'),
    marked(s, 'par90'),
    marked(s, 'collection_rate'),
    marked(s, 'portfolio_health'),
    s.alerts.map((a) => `${a.kpi} ${a.level}`).join(', ') || 'ok',
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

function marked(snapshot: Snapshot, kpi: KpiName): string {
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
