/**
 * The serial reference: row by row, one plain object per snapshot, no typed-array tricks. It exists to be
 * obviously right, so that the pool and any faster kernel can be checked against it exactly.
 */
import { tapeViews, type Tape } from './columns.js';
import { alertsFor, compareSnapshots, kpiValues, DEFAULT_ALERT_THRESHOLDS, type AlertThresholds, type Snapshot } from './kpis.js';
import { MONEY_COLUMNS, type MoneyColumn } from './schema.js';

interface Bucket {
  date: string;
  group: string | undefined;
  rows: number;
  cents: number[];
}

export function referenceSnapshots(tape: Tape, thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS): Snapshot[] {
  const views = tapeViews(tape);
  const buckets = new Map<string, Bucket>();
  for (let row = 0; row < tape.rows; row++) {
    const date = tape.dates[views.dateKeys[row]!]!;
    const group = views.groupKeys ? tape.groups[views.groupKeys[row]!]! : undefined;
    const id = group === undefined ? date : `${date}\u0000${group}`;
    let bucket = buckets.get(id);
    if (!bucket) {
      bucket = { date, group, rows: 0, cents: MONEY_COLUMNS.map(() => 0) };
      buckets.set(id, bucket);
    }
    bucket.rows += 1;
    for (let c = 0; c < MONEY_COLUMNS.length; c++) bucket.cents[c]! += views.money[c]![row]!;
  }
  const snapshots: Snapshot[] = [];
  for (const bucket of buckets.values()) {
    const sums = [...bucket.cents, bucket.rows];
    const money = {} as Record<MoneyColumn, number>;
    MONEY_COLUMNS.forEach((name, c) => (money[name] = bucket.cents[c]! / 100));
    const values = kpiValues(sums);
    snapshots.push({
      measurement_date: bucket.date,
      ...(bucket.group === undefined ? {} : { group: bucket.group }),
      rows: bucket.rows,
      ...money,
      ...values,
      alerts: alertsFor(values, thresholds),
    });
  }
  return snapshots.sort(compareSnapshots);
}
