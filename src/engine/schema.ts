/**
 * The loan-tape columns (SPEC §2): their names, kinds and rules.
 *
 * Money columns are held as whole cents in float64: every cent amount below 2^53 cents is exact, and sums of
 * exact integers do not depend on their order, so results are bit-identical however the rows are partitioned.
 */

export const MONEY_COLUMNS = [
  'total_receivable_usd',
  'total_eligible_usd',
  'discounted_balance_usd',
  'cash_available_usd',
  'dpd_0_7_usd',
  'dpd_7_30_usd',
  'dpd_30_60_usd',
  'dpd_60_90_usd',
  'dpd_90_plus_usd',
] as const;

export type MoneyColumn = (typeof MONEY_COLUMNS)[number];

/** Index of each money column in MONEY_COLUMNS, and in the per-key sums of a kernel. */
export const M = {
  receivable: 0,
  eligible: 1,
  discounted: 2,
  cash: 3,
  dpd0to7: 4,
  dpd7to30: 5,
  dpd30to60: 6,
  dpd60to90: 7,
  dpd90plus: 8,
} as const;

/** Money columns without which a tape is rejected; the others read an empty cell as 0. */
export const REQUIRED_MONEY_COLUMNS: ReadonlySet<MoneyColumn> = new Set([
  'total_receivable_usd',
  'total_eligible_usd',
  'discounted_balance_usd',
]);

export const ID_COLUMN = 'loan_id';
export const DATE_COLUMN = 'measurement_date';

/** Per key, a kernel accumulates the nine money sums and then the row count. */
export const SUMS_PER_KEY = MONEY_COLUMNS.length + 1;
export const ROW_COUNT = MONEY_COLUMNS.length;

/** Sums stay exact while every partial and total is an integer below this many cents. */
export const MAX_EXACT_CENTS = Number.MAX_SAFE_INTEGER;

/** Keys are Uint16: at most this many distinct dates (and groups) in one tape. */
export const MAX_DICTIONARY_SIZE = 65535;

/** Header names match case-insensitively after trimming spaces; a UTF-8 BOM is ignored. */
export function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase();
}

export function isMoneyColumn(name: string): name is MoneyColumn {
  return (MONEY_COLUMNS as readonly string[]).includes(name);
}
