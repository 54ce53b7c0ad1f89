/** CSV tapes written to real files in a temporary directory, read back through readCsvTape. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tapeViews } from '../../src/engine/columns.js';
import { MONEY_COLUMNS } from '../../src/engine/schema.js';
import { readCsvTape } from '../../src/io/csv.js';
import { TapeInputError } from '../../src/io/problems.js';
import type { ReadOptions, ReadResult } from '../../src/io/tape-builder.js';

/** Every column of SPEC §2, in the order of the schema. */
export const FULL_HEADER = ['loan_id', 'measurement_date', ...MONEY_COLUMNS].join(',');
/** Only the required columns. */
export const REQUIRED_HEADER = 'measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd';

/** A data line for FULL_HEADER: id, date and nine amounts as written. */
export function fullLine(id: string, date: string, amounts: readonly (string | number)[]): string {
  return [id, date, ...MONEY_COLUMNS.map((_, c) => String(amounts[c] ?? '0'))].join(',');
}

/** Write `content` to `name` in a fresh temporary directory; returns the path and a clean-up. */
export function writeTape(content: string | Uint8Array, name = 'tape.csv'): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'io-csv-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function readCsv(content: string | Uint8Array, options: ReadOptions = {}): Promise<ReadResult & { path: string }> {
  const { path, remove } = writeTape(content);
  try {
    return { ...(await readCsvTape(path, options)), path };
  } finally {
    remove();
  }
}

/** The TapeInputError that reading `content` throws (fails the test when it does not throw one). */
export async function readCsvError(content: string | Uint8Array, options: ReadOptions = {}): Promise<TapeInputError & { path: string }> {
  const { path, remove } = writeTape(content);
  try {
    await readCsvTape(path, options);
  } catch (error) {
    if (error instanceof TapeInputError) return Object.assign(error, { path });
    throw error;
  } finally {
    remove();
  }
  throw new Error('expected a TapeInputError, but the tape was read');
}

export interface ReadRow {
  readonly date: string;
  /** cents in MONEY_COLUMNS order */
  readonly cents: number[];
  readonly group?: string;
}

/** The kept rows, in order, as plain values. */
export function rowsOf(result: ReadResult): ReadRow[] {
  const { tape } = result;
  const views = tapeViews(tape);
  const rows: ReadRow[] = [];
  for (let r = 0; r < tape.rows; r++) {
    const cents = MONEY_COLUMNS.map((_, c) => views.money[c]![r]!);
    const date = tape.dates[views.dateKeys[r]!]!;
    rows.push(views.groupKeys ? { date, cents, group: tape.groups[views.groupKeys[r]!]! } : { date, cents });
  }
  return rows;
}

/**
 * Rows in the order a tape holds them: grouped by date, the dates in the order they first appear (their keys'
 * order), and within a date in input order (columns.ts, groupRowsByDate).
 */
export function inTapeOrder<T extends { readonly date: string }>(rows: readonly T[]): T[] {
  const firstSeen = new Map<string, number>();
  for (const row of rows) if (!firstSeen.has(row.date)) firstSeen.set(row.date, firstSeen.size);
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => firstSeen.get(a.row.date)! - firstSeen.get(b.row.date)! || a.i - b.i)
    .map(({ row }) => row);
}
