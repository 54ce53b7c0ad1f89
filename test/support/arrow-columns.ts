/** Arrow columns for test tapes: one snapshot date on every row, and Float64 dollars. */
import { DateDay, Float64, makeData, makeVector, vectorFromArray, type Vector } from 'apache-arrow';

/** 2025-01-31 in days since 1970-01-01, as an Arrow Date32 column counts them. */
export const DAY_2025_01_31 = 20_119;

/** A Date32 column of `n` rows, every one 2025-01-31. */
export function days(n: number): Vector {
  return makeVector(makeData({ type: new DateDay(), length: n, nullCount: 0, data: new Int32Array(n).fill(DAY_2025_01_31) }));
}

/** A Float64 column of dollars; null cells are nulls. */
export function dollars(values: readonly (number | null)[]): Vector {
  return vectorFromArray(values as (number | null)[], new Float64());
}
