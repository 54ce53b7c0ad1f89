/**
 * SPEC §3's known values as tiny tapes, for the kpi_calculations check of `stress validate`. Each case is one
 * snapshot whose KPIs are known in advance; a value the SPEC states rounded (health 6.10) is compared at its
 * decimals, every other one exactly.
 */
import type { KpiName } from '../engine/kpis.js';
import { MONEY_COLUMNS } from '../engine/schema.js';
import { TapeBuilder, type ReadResult } from '../io/tape-builder.js';

export interface KnownRow {
  readonly date: string;
  /** whole cents, in MONEY_COLUMNS order; missing entries are 0 */
  readonly cents: readonly number[];
}

export interface KnownValueCase {
  readonly name: string;
  readonly rows: readonly KnownRow[];
  readonly expected: Partial<Record<KpiName, number>>;
  /** compare these KPIs rounded to this many decimals instead of exactly */
  readonly decimals?: Partial<Record<KpiName, number>>;
}

/** A tape of the given rows, through the same builder every reader uses. */
export function tapeOfRows(rows: readonly KnownRow[]): ReadResult {
  const builder = new TapeBuilder(rows.length);
  for (const row of rows) {
    builder.rowsRead += 1;
    MONEY_COLUMNS.forEach((_, c) => (builder.cents[c] = row.cents[c] ?? 0));
    builder.commit(null, 0, 0, builder.dates.keyOf(row.date), 0);
  }
  return builder.finish('known values');
}

/** One row in dollars: receivable, and the named buckets and amounts (eligible defaults to the receivable). */
function row(receivable: number, amounts: { eligible?: number; cash?: number; d30?: number; d60?: number; d90?: number } = {}): KnownRow {
  const dollars = [receivable, amounts.eligible ?? receivable, receivable, amounts.cash ?? 0, 0, 0, amounts.d30 ?? 0, amounts.d60 ?? 0, amounts.d90 ?? 0];
  return { date: '2025-01-31', cents: dollars.map((d) => Math.round(d * 100)) };
}

export function knownValueCases(): KnownValueCase[] {
  return [
    {
      name: 'par30 = 17.5 (buckets 30_60 [100, 200], 60_90 [50, 100], 90_plus [25, 50] over [1000, 2000])',
      rows: [row(1000, { d30: 100, d60: 50, d90: 25 }), row(2000, { d30: 200, d60: 100, d90: 50 })],
      expected: { par30: 17.5 },
    },
    {
      name: 'par90 = 10.0 (90_plus [100, 200] over [1000, 2000])',
      rows: [row(1000, { d90: 100 }), row(2000, { d90: 200 })],
      expected: { par90: 10 },
    },
    {
      name: 'health 6.10 from PAR30 2.4 and collection rate 6.25',
      rows: [row(1000, { d30: 24, eligible: 1000, cash: 62.5 })],
      expected: { par30: 2.4, collection_rate: 6.25, portfolio_health: 6.1 },
      decimals: { portfolio_health: 2 },
    },
    {
      name: 'zero denominators give 0',
      rows: [row(0, { eligible: 0, cash: 7, d90: 5 })],
      expected: { par30: 0, par90: 0, collection_rate: 0, portfolio_health: 0 },
    },
  ];
}
