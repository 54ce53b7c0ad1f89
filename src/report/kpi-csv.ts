/** kpis.csv: one row per snapshot, numbers at full precision. */
import type { KpiResult } from '../compute.js';
import { KPI_NAMES } from '../engine/kpis.js';
import { MONEY_COLUMNS } from '../engine/schema.js';

export function renderKpiCsv(result: KpiResult): string {
  const groupColumn = result.group_by;
  const header = ['measurement_date', ...(groupColumn ? [groupColumn] : []), 'rows', ...MONEY_COLUMNS, ...KPI_NAMES, 'alerts'];
  const lines = [header.map(csvField).join(',')];
  for (const s of result.snapshots) {
    const alerts = s.alerts.map((a) => `${a.kpi}:${a.level}`).join(';');
    const cells = [s.measurement_date, ...(groupColumn ? [s.group ?? ''] : []), s.rows, ...MONEY_COLUMNS.map((c) => s[c]), ...KPI_NAMES.map((k) => s[k]), alerts];
    lines.push(cells.map((cell) => csvField(String(cell))).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
