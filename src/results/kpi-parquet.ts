/** kpis.parquet: the rows of kpis.csv with typed columns (date, int64 rows, float64 sums and KPIs). */
import { DateDay, Float64, Int64, makeData, makeVector, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import type { KpiResult } from '../compute.js';
import { KPI_NAMES } from '../engine/kpis.js';
import { MONEY_COLUMNS } from '../engine/schema.js';
import { parquetBytes } from '../io/parquet.js';
import { alertsText } from '../report/kpi-csv.js';
import { epochDayOfIso } from './rollups.js';

export async function renderKpiParquet(result: KpiResult): Promise<Uint8Array> {
  const snapshots = result.snapshots;
  const n = snapshots.length;
  const days = Int32Array.from(snapshots, (s) => epochDayOfIso(s.measurement_date));
  const columns: Record<string, Vector> = {
    measurement_date: makeVector(makeData({ type: new DateDay(), length: n, nullCount: 0, data: days })),
  };
  if (result.group_by !== null) columns[result.group_by] = vectorFromArray(snapshots.map((s) => s.group ?? ''), new Utf8());
  columns['rows'] = makeVector(makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(snapshots, (s) => BigInt(s.rows)) }));
  for (const name of [...MONEY_COLUMNS, ...KPI_NAMES]) {
    columns[name] = makeVector(makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from(snapshots, (s) => s[name]) }));
  }
  columns['alerts'] = vectorFromArray(snapshots.map((s) => alertsText(s.alerts)), new Utf8());
  return parquetBytes(new Table(columns));
}
