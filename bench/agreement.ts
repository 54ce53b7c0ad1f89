/**
 * Whether the engine and DuckDB computed the same thing: a pure comparison, kept apart from the benchmark so
 * that a test can show it does fail on a difference.
 */
import { KPI_NAMES, MONEY_COLUMNS, SUMS_PER_KEY, type Snapshot } from 'loan-kpi-stress';

const ROW_COUNT_SLOT = MONEY_COLUMNS.length;

/** One row of the DuckDB KPI query's result. */
export interface DuckRow {
  readonly date: string;
  readonly rows: bigint;
  /** the nine sums in cents, as DuckDB returned them (HUGEINT → bigint, DOUBLE → number) */
  readonly sums: readonly (bigint | number)[];
  readonly kpis: readonly number[];
}

/**
 * Row counts and cent sums must be identical, per date, in the raw sums and in the timed snapshots; the KPIs
 * of both come from the same integers by the same float operations, so they are compared exactly too.
 * Returns the problems found (empty when both agree).
 */
export function disagreements(dates: readonly string[], sums: Float64Array, snapshots: readonly Snapshot[], duck: readonly DuckRow[]): string[] {
  const problems: string[] = [];
  if (duck.length !== dates.length) problems.push(`DuckDB returned ${duck.length} dates, the tape has ${dates.length}`);
  if (snapshots.length !== duck.length) problems.push(`the engine returned ${snapshots.length} snapshots, DuckDB ${duck.length}`);
  const keyOf = new Map(dates.map((date, key) => [date, key]));
  for (const [i, row] of duck.entries()) {
    const key = keyOf.get(row.date);
    if (key === undefined) {
      problems.push(`DuckDB has a date ${row.date} that the tape does not`);
      continue;
    }
    const at = key * SUMS_PER_KEY;
    if (BigInt(sums[at + ROW_COUNT_SLOT]!) !== row.rows) problems.push(`${row.date} rows: engine ${sums[at + ROW_COUNT_SLOT]}, DuckDB ${row.rows}`);
    MONEY_COLUMNS.forEach((name, c) => {
      const ours = sums[at + c]!;
      const theirs = row.sums[c]!;
      const same = typeof theirs === 'bigint' ? Number.isSafeInteger(ours) && BigInt(ours) === theirs : ours === theirs;
      if (!same) problems.push(`${row.date} ${name}: engine ${ours} cents, DuckDB ${theirs} cents`);
    });
    const snapshot = snapshots[i];
    if (!snapshot || snapshot.measurement_date !== row.date) {
      problems.push(`snapshot ${i}: engine ${snapshot?.measurement_date ?? 'none'}, DuckDB ${row.date}`);
      continue;
    }
    if (BigInt(snapshot.rows) !== row.rows) problems.push(`${row.date} snapshot rows: engine ${snapshot.rows}, DuckDB ${row.rows}`);
    MONEY_COLUMNS.forEach((name, c) => {
      // the snapshot reports dollars: the same division applied to DuckDB's cents must give the same number
      const dollars = Number(row.sums[c]!) / 100;
      if (snapshot[name] !== dollars) problems.push(`${row.date} snapshot ${name}: engine $${snapshot[name]}, DuckDB $${dollars}`);
    });
    KPI_NAMES.forEach((kpi, k) => {
      if (snapshot[kpi] !== row.kpis[k]) problems.push(`${row.date} ${kpi}: engine ${snapshot[kpi]}, DuckDB ${row.kpis[k]}`);
    });
  }
  return problems;
}
