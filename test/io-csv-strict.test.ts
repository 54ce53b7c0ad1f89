import { describe, expect, it } from 'vitest';
import { MAX_LISTED_PROBLEMS } from '../src/io/problems.js';
import { FULL_HEADER, fullLine, readCsvError } from './support/csv-files.js';

describe('strict mode (the default)', () => {
  it('rejects the whole tape, listing the first 20 problems of every row and counting them all', async () => {
    const lines = [FULL_HEADER];
    for (let i = 0; i < 30; i++) {
      // rows 0, 3, 6, ... are good; the others have two bad cells each
      lines.push(i % 3 === 0 ? fullLine(`L${i}`, '2025-01-31', ['1', '1', '1']) : fullLine(`L${i}`, '2025-02-30', [`-${i}`, '1', '1']));
    }
    const error = await readCsvError(`${lines.join('\n')}\n`);
    expect(MAX_LISTED_PROBLEMS).toBe(20);
    expect(error.total).toBe(40);
    expect(error.problems).toHaveLength(20);
    // the first bad row is data row 1, on line 3: its amount, then its date
    expect(error.problems[0]).toEqual({ file: error.path, line: 3, lineKind: 'line', column: 'total_receivable_usd', value: '-1', reason: 'negative amount' });
    expect(error.problems[1]).toEqual({ file: error.path, line: 3, lineKind: 'line', column: 'measurement_date', value: '2025-02-30', reason: 'bad date' });
    expect(error.problems.map((p) => p.line)).toEqual([3, 3, 4, 4, 6, 6, 7, 7, 9, 9, 10, 10, 12, 12, 13, 13, 15, 15, 16, 16]);
  });

  it('says the file, line, column and value in its message, and the count of problems', async () => {
    const error = await readCsvError(`${FULL_HEADER}\n${fullLine('L1', '2025-01-31', ['1', 'abc', '1'])}\n${fullLine('L2', '2025-01-31', ['1', '1', '-2'])}\n`);
    expect(error.message).toBe(`${error.path}: line 2, column total_eligible_usd, value "abc": not a number (2 problems in all)`);
    expect(error.details().split('\n')[1]).toBe(`  ${error.path}: line 3, column discounted_balance_usd, value "-2": negative amount`);
  });

  it('uses the column name as written in the header', async () => {
    const error = await readCsvError('Measurement_Date, TOTAL_Receivable_USD ,total_eligible_usd,discounted_balance_usd\n2025-01-31,x,1,1\n');
    expect(error.problems[0]).toMatchObject({ column: 'TOTAL_Receivable_USD', value: 'x' });
  });

  it('cuts a long bad value instead of copying all of it', async () => {
    const long = '9'.repeat(5000) + 'x';
    const error = await readCsvError(`${FULL_HEADER}\n${fullLine('L1', '2025-01-31', [long, '1', '1'])}\n`);
    expect(error.problems[0]!.reason).toBe('not a number');
    expect(error.problems[0]!.value!.length).toBeLessThan(1000);
    expect(error.problems[0]!.value!.startsWith('9999')).toBe(true);
  });
});
