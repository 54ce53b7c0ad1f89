import { describe, expect, it } from 'vitest';
import { mapHeader } from '../src/io/csv.js';
import { FULL_HEADER, REQUIRED_HEADER, readCsv, readCsvError, rowsOf } from './support/csv-files.js';

describe('CSV header matching', () => {
  it('matches names case-insensitively after trimming spaces, in any order', async () => {
    const csv = ' Total_Eligible_USD ,MEASUREMENT_DATE,discounted_balance_usd,  total_receivable_usd\n200,2025-01-31,300,100.5\n';
    const result = await readCsv(csv);
    expect(rowsOf(result)).toEqual([{ date: '2025-01-31', cents: [10050, 20000, 30000, 0, 0, 0, 0, 0, 0] }]);
  });

  it('ignores a UTF-8 byte-order mark', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const body = new TextEncoder().encode(`${REQUIRED_HEADER}\n2025-01-31,1,2,3\n`);
    const result = await readCsv(new Uint8Array([...bom, ...body]));
    expect(rowsOf(result)).toEqual([{ date: '2025-01-31', cents: [100, 200, 300, 0, 0, 0, 0, 0, 0] }]);
    // before a quoted first name, too: the mark is not part of the field
    const quoted = new TextEncoder().encode(`"measurement_date",total_receivable_usd,total_eligible_usd,discounted_balance_usd\n2025-01-31,1,2,3\n`);
    expect((await readCsv(new Uint8Array([...bom, ...quoted]))).tape.rows).toBe(1);
  });

  it('keeps extra columns and ignores them, whatever they hold', async () => {
    const csv = `segment,${REQUIRED_HEADER},notes\nretail,2025-01-31,1,2,3,"free text, with a comma"\n`;
    const result = await readCsv(csv);
    expect(result.tape.rows).toBe(1);
    expect(rowsOf(result)[0]!.cents.slice(0, 3)).toEqual([100, 200, 300]);
  });

  it('reads absent optional columns (cash, dpd buckets) as 0 and reads them when present', async () => {
    const csv = `${FULL_HEADER}\nL1,2025-01-31,1,2,3,4,5,6,7,8,9\n`;
    expect(rowsOf(await readCsv(csv))[0]!.cents).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('accepts quoted header names', async () => {
    const csv = `"measurement_date","total_receivable_usd","total_eligible_usd","discounted_balance_usd"\n2025-01-31,1,2,3\n`;
    expect((await readCsv(csv)).tape.rows).toBe(1);
  });

  it('rejects a missing required column, naming every missing one, in lenient mode too', async () => {
    for (const lenient of [false, true]) {
      const error = await readCsvError('loan_id,measurement_date,total_receivable_usd\nL1,2025-01-31,1\n', { lenient });
      expect(error.total).toBe(1);
      expect(error.problems[0]).toMatchObject({
        file: error.path,
        line: 1,
        reason: 'missing required column(s): total_eligible_usd, discounted_balance_usd',
      });
      expect(error.message).toContain(error.path);
    }
  });

  it('rejects a name that appears twice after normalising', async () => {
    const error = await readCsvError(`${REQUIRED_HEADER}, Total_Receivable_USD\n2025-01-31,1,2,3,4\n`);
    expect(error.problems[0]).toMatchObject({ line: 1, column: 'Total_Receivable_USD', reason: 'duplicate column' });
  });

  it('does not count unnamed columns (such as a trailing comma) as duplicates', async () => {
    const result = await readCsv(`${REQUIRED_HEADER},,\n2025-01-31,1,2,3,,\n`);
    expect(result.tape.rows).toBe(1);
  });

  it('rejects a file without a header or with a header and no data rows', async () => {
    expect((await readCsvError('\n\r\n\n')).problems[0]).toMatchObject({ line: 0, reason: 'no header' });
    expect((await readCsvError(new Uint8Array([0xef, 0xbb, 0xbf]))).problems[0]!.reason).toBe('no header');
    for (const lenient of [false, true]) {
      expect((await readCsvError(`${REQUIRED_HEADER}\n\n`, { lenient })).problems[0]).toMatchObject({ line: 0, reason: 'no data rows' });
    }
  });

  it('rejects a header that is not valid UTF-8', async () => {
    const header = new TextEncoder().encode(`${REQUIRED_HEADER},`);
    const rest = new TextEncoder().encode('\n2025-01-31,1,2,3,x\n');
    const error = await readCsvError(new Uint8Array([...header, 0xff, 0xfe, ...rest]));
    expect(error.problems[0]).toMatchObject({ line: 1, reason: 'invalid UTF-8' });
  });

  it('rejects malformed quotes in the header as a whole-file problem', async () => {
    const error = await readCsvError(`measurement_date,total_"receivable"_usd,total_eligible_usd,discounted_balance_usd\n2025-01-31,1,2,3\n`, { lenient: true });
    expect(error.problems[0]).toMatchObject({ line: 1, reason: 'malformed quotes' });
  });

  it('counts the header line after leading blank lines', async () => {
    const error = await readCsvError(`\n\n${REQUIRED_HEADER},${REQUIRED_HEADER.split(',')[0]}\n2025-01-31,1,2,3,x\n`);
    expect(error.problems[0]).toMatchObject({ line: 3, reason: 'duplicate column' });
  });

  it('maps fields to columns, including loan_id and the group-by column', () => {
    const map = mapHeader(['Segment', 'LOAN_ID', 'measurement_date', 'total_receivable_usd', 'total_eligible_usd', 'discounted_balance_usd', 'dpd_90_plus_usd'], ' segment ', 'f.csv', 1);
    expect(map.id).toBe(1);
    expect(map.date).toBe(2);
    expect(map.group).toBe(0);
    expect([...map.money]).toEqual([3, 4, 5, -1, -1, -1, -1, -1, 6]);
  });
});
