/**
 * The DuckDB side of the benchmarks: the tape copied into a DuckDB table, and SPEC §3 as SQL. Kept apart so
 * that the engine benchmark (engine.ts) and the one-table summary (table.ts) time the very same query.
 */
import {
  DOUBLE,
  DATE,
  DuckDBDataChunk,
  DuckDBDateValue,
  type DuckDBConnection,
  type DuckDBValue,
} from '@duckdb/node-api';
import { KPI_NAMES, MONEY_COLUMNS, tapeViews, type Tape } from 'loan-kpi-stress';
import type { DuckRow } from './agreement.js';

/** How DuckDB's table holds the cents: BIGINT, UINTEGER (as narrowed tapes do) or DOUBLE. */
export type MoneyType = 'bigint' | 'uinteger' | 'double';
export const MONEY_TYPES: readonly MoneyType[] = ['bigint', 'uinteger', 'double'];

const SUM_COLUMNS = MONEY_COLUMNS.map((name) => `sum(${name}) AS ${name}`).join(',\n      ');

/**
 * SPEC §3 in SQL. The ratios reuse the nine sums rather than summing a per-row expression again, as the engine
 * does; `/` is floating-point division in DuckDB, so 100·Σ / Σ is computed as in `percent()`.
 */
export const KPI_SQL = `
  WITH sums AS (
    SELECT measurement_date, count(*) AS row_count,
      ${SUM_COLUMNS}
    FROM tape
    GROUP BY measurement_date
  ), ratios AS (
    SELECT *,
      CASE WHEN total_receivable_usd = 0 THEN 0
           ELSE 100 * (dpd_30_60_usd + dpd_60_90_usd + dpd_90_plus_usd) / total_receivable_usd END AS par30,
      CASE WHEN total_receivable_usd = 0 THEN 0 ELSE 100 * dpd_90_plus_usd / total_receivable_usd END AS par90,
      CASE WHEN total_eligible_usd = 0 THEN 0 ELSE 100 * cash_available_usd / total_eligible_usd END AS collection_rate
    FROM sums
  )
  SELECT *, least(10, greatest(0, greatest(0, 10 - par30 / 10) * (collection_rate / 10))) AS portfolio_health
  FROM ratios
  ORDER BY measurement_date`;

/** DuckDB's vector size: the most rows one data chunk can carry. */
const CHUNK_ROWS = 2048;

/**
 * Copy the tape into table `tape` (measurement_date DATE, money BIGINT, UINTEGER or DOUBLE cents).
 *
 * DuckDB's node API will not read the tape's SharedArrayBuffer, so the values are written one by one into
 * the vectors of a data chunk, which the API then copies natively, a chunk at a time, through the appender.
 * The appender gets DOUBLE cents; for BIGINT or UINTEGER, DuckDB casts the staged table, exactly, since all
 * are integers (and, for UINTEGER, below 2^32: the cast fails otherwise).
 */
export async function loadIntoDuckDB(connection: DuckDBConnection, tape: Tape, money: MoneyType): Promise<void> {
  const views = tapeViews(tape);
  const dateValues = tape.dates.map((iso) => new DuckDBDateValue(Date.parse(`${iso}T00:00:00Z`) / 86_400_000));
  const staging = money === 'double' ? 'tape' : 'tape_staging';
  const columns = MONEY_COLUMNS.map((name) => `${name} DOUBLE NOT NULL`).join(', ');
  await connection.run(`CREATE TABLE ${staging} (measurement_date DATE NOT NULL, ${columns})`);
  const appender = await connection.createAppender(staging);
  const chunk = DuckDBDataChunk.create([DATE, ...MONEY_COLUMNS.map(() => DOUBLE)]);
  for (let start = 0; start < tape.rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, tape.rows - start);
    chunk.reset();
    chunk.rowCount = n;
    const dates = chunk.getColumnVector(0);
    for (let i = 0; i < n; i++) dates.setItem(i, dateValues[views.dateKeys[start + i]!]!);
    dates.flush();
    views.money.forEach((column, c) => {
      const vector = chunk.getColumnVector(c + 1);
      for (let i = 0; i < n; i++) vector.setItem(i, column[start + i]!);
      vector.flush();
    });
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
  if (money !== 'double') {
    const casts = MONEY_COLUMNS.map((name) => `CAST(${name} AS ${money.toUpperCase()}) AS ${name}`).join(', ');
    await connection.run(`CREATE TABLE tape AS SELECT measurement_date, ${casts} FROM tape_staging`);
    await connection.run('DROP TABLE tape_staging');
  }
}

/** How DuckDB chose to store the table (its compression can shrink what a scan reads). */
export async function storageSummary(connection: DuckDBConnection): Promise<string> {
  const reader = await connection.runAndReadAll(
    `SELECT compression, count(*) AS segments FROM pragma_storage_info('tape')
     WHERE segment_type <> 'VALIDITY' GROUP BY compression ORDER BY segments DESC`,
  );
  return reader
    .getRows()
    .map(([compression, segments]) => `${String(compression)} ×${String(segments)}`)
    .join(', ');
}

export function duckRows(columnNames: readonly string[], rows: readonly (readonly DuckDBValue[])[]): DuckRow[] {
  const at = (name: string) => {
    const index = columnNames.indexOf(name);
    if (index < 0) throw new Error(`the DuckDB result has no column ${name}`);
    return index;
  };
  const dateAt = at('measurement_date');
  const rowsAt = at('row_count');
  const sumAt = MONEY_COLUMNS.map(at);
  const kpiAt = KPI_NAMES.map(at);
  return rows.map((row) => ({
    date: String(row[dateAt]),
    rows: row[rowsAt] as bigint,
    sums: sumAt.map((i) => row[i] as bigint | number),
    kpis: kpiAt.map((i) => row[i] as number),
  }));
}

