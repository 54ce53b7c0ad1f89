import { describe, expect, it } from 'vitest';
import { FULL_HEADER, fullLine, readCsv, rowsOf } from './support/csv-files.js';

describe('lenient mode', () => {
  it('drops bad rows, keeps the good ones, and counts the problems by reason', async () => {
    const lines = [
      FULL_HEADER,
      fullLine('L1', '2025-01-31', ['10', '1', '1']),
      fullLine('L2', '2025-01-31', ['-1', '1', '1']),
      fullLine('L3', '2025-01-31', ['abc', 'def', '1']),
      fullLine('L4', 'soon', ['1', '1', '1.001']),
      fullLine('L5', '2025-01-31', ['20', '1', '1']),
      'L6,2025-01-31,1,1',
      fullLine('L7', '', ['', '1', '1']),
      fullLine('L8', '2025-01-31', ['30', '1', '1', '', '', '', '', '', '']),
    ];
    const result = await readCsv(`${lines.join('\n')}\n`, { lenient: true });
    expect(rowsOf(result).map((r) => r.cents[0])).toEqual([1000, 2000, 3000]);
    expect(result.rowsRead).toBe(8);
    expect(result.dropped).toEqual({ duplicates: 0, invalid: 5 });
    expect(result.invalidByReason).toEqual({
      'negative amount': 1,
      'not a number': 2,
      'bad date': 1,
      'more than 2 decimal places': 1,
      'expected 11 fields, found 4': 1,
      'missing value': 2,
    });
    expect(result.problems[0]).toMatchObject({ line: 3, column: 'total_receivable_usd', value: '-1', reason: 'negative amount' });
  });

  it('gives an empty tape when every row is bad, instead of rejecting it', async () => {
    const result = await readCsv(`${FULL_HEADER}\n${fullLine('L1', '2025-01-31', ['x', '1', '1'])}\n`, { lenient: true });
    expect(result.tape.rows).toBe(0);
    expect(result.rowsRead).toBe(1);
    expect(result.dropped.invalid).toBe(1);
  });
});
