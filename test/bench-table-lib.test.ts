import { describe, expect, it } from 'vitest';
import { TABLE_HEADER, tableCells, tableLine } from '../bench/table-lib.js';

describe('the one-table summary’s cells', () => {
  it('gives rows/s and GB/s from the median, time over the roofline, and DuckDB’s time over ours', () => {
    // medians: 2 ms; roofline 1.6 ms; DuckDB 13 ms; 1M rows of 74 bytes
    const line = tableLine('ours', 1_000_000, 74_000_000, [3, 1, 2, 2, 9], 1.6, 13);
    const cells = tableCells(line);
    expect(cells).toHaveLength(TABLE_HEADER.length);
    expect(cells).toEqual(['ours', '1M', '2.00', '1.40–6.60', '500M', '37.0', '1.25×', '6.50×']);
  });

  it('leaves the ratios empty where nothing is compared', () => {
    const cells = tableCells(tableLine('roofline', 1000, 8000, [1], null, null));
    expect(cells.slice(-2)).toEqual(['', '']);
  });
});
