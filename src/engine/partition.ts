/** Row ranges for N workers. */

export interface RowRange {
  readonly rowStart: number;
  readonly rowEnd: number;
}

/**
 * Split [0, rows) into at most `parts` contiguous ranges of nearly equal size. Boundaries fall on multiples of
 * `align` rows (so that each range starts on a cache line of every column); empty ranges are left out.
 */
export function partitionRows(rows: number, parts: number, align = 8): RowRange[] {
  if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a whole number ≥ 0, got ${rows}`);
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be a whole number ≥ 1, got ${parts}`);
  const ranges: RowRange[] = [];
  let rowStart = 0;
  for (let p = 1; p <= parts && rowStart < rows; p++) {
    const ideal = Math.round((rows * p) / parts);
    const rowEnd = p === parts ? rows : Math.min(rows, Math.ceil(ideal / align) * align);
    if (rowEnd > rowStart) ranges.push({ rowStart, rowEnd });
    rowStart = Math.max(rowStart, rowEnd);
  }
  return ranges;
}
