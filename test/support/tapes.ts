/** Tapes built in memory for tests, through the same builder every reader uses. */
import { MONEY_COLUMNS } from '../../src/engine/schema.js';
import { TapeBuilder, type ReadResult } from '../../src/io/tape-builder.js';

export interface TestRow {
  /** cents, in MONEY_COLUMNS order */
  readonly cents: readonly number[];
  readonly date: string;
  readonly group?: string;
  readonly id?: string;
}

export function tapeFromRows(rows: readonly TestRow[], groupBy: string | null = null): ReadResult {
  const builder = new TapeBuilder(rows.length, { groupBy });
  const encoder = new TextEncoder();
  for (const row of rows) {
    builder.rowsRead += 1;
    MONEY_COLUMNS.forEach((_, c) => (builder.cents[c] = row.cents[c] ?? 0));
    const dateKey = builder.dates.keyOf(row.date);
    const groupKey = groupBy ? builder.groups.keyOf(row.group ?? '') : 0;
    const id = row.id === undefined ? null : encoder.encode(row.id);
    builder.commit(id, 0, id?.length ?? 0, dateKey, groupKey);
  }
  return builder.finish('memory');
}

/** A small seeded generator (mulberry32) so failing property cases can be replayed. */
export { seededRandom } from '../../src/stress/stats.js';
