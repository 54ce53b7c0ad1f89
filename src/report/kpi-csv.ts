/** kpis.csv: one row per snapshot, numbers at full precision. */
import type { KpiResult } from '../compute.js';
import { KPI_NAMES, type Alert } from '../engine/kpis.js';
import { MONEY_COLUMNS } from '../engine/schema.js';

export function renderKpiCsv(result: KpiResult): string {
  const groupColumn = result.group_by;
  const header = ['measurement_date', ...(groupColumn ? [groupColumn] : []), 'rows', ...MONEY_COLUMNS, ...KPI_NAMES, 'alerts'];
  const lines = [header.map(csvField).join(',')];
  for (const s of result.snapshots) {
    const cells = [s.measurement_date, ...(groupColumn ? [s.group ?? ''] : []), s.rows, ...MONEY_COLUMNS.map((c) => s[c]), ...KPI_NAMES.map((k) => s[k]), alertsText(s.alerts)];
    lines.push(cells.map((cell) => csvField(String(cell))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** A snapshot's alerts as one text cell, `kpi:level;…` (kpis.csv and kpis.parquet). */
export function alertsText(alerts: readonly Alert[]): string {
  return alerts.map((a) => `${a.kpi}:${a.level}`).join(';');
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
