import { describe, expect, it } from 'vitest';
import { REQUIRED_HEADER, readCsv, readCsvError, rowsOf } from './support/csv-files.js';

describe('the group-by column', () => {
  const csv = `Segment,${REQUIRED_HEADER}\nretail,2025-01-31,1,1,1\n"SME, small",2025-01-31,2,2,2\n,2025-01-31,3,3,3\nretail,2025-02-28,4,4,4\nRetail,2025-02-28,5,5,5\nnaïve,2025-02-28,6,6,6\n`;

  it('keys each row by the cell text (empty cell = ""), matching the column name case-insensitively', async () => {
    const result = await readCsv(csv, { groupBy: 'segment' });
    expect(result.tape.groupColumn).toBe('segment');
    expect(result.tape.groups).toEqual(['retail', 'SME, small', '', 'Retail', 'naïve']);
    expect(rowsOf(result).map((r) => [r.group, r.cents[0]])).toEqual([
      ['retail', 100],
      ['SME, small', 200],
      ['', 300],
      ['retail', 400],
      ['Retail', 500],
      ['naïve', 600],
    ]);
  });

  it('has no group keys without the option', async () => {
    const result = await readCsv(csv);
    expect(result.tape.groups).toEqual([]);
    expect(rowsOf(result)[0]!.group).toBeUndefined();
  });

  it('rejects an unknown group-by column as a whole-file problem', async () => {
    const error = await readCsvError(csv, { groupBy: 'region', lenient: true });
    expect(error.problems[0]).toMatchObject({ line: 1, column: 'region', reason: 'unknown group-by column' });
  });

  it('rejects a group cell that is not valid UTF-8 as a row problem', async () => {
    const head = new TextEncoder().encode(`segment,${REQUIRED_HEADER}\nok,2025-01-31,1,1,1\n`);
    const bad = new Uint8Array([0x62, 0xff, ...new TextEncoder().encode(',2025-01-31,1,1,1\n')]);
    const bytes = new Uint8Array([...head, ...bad]);
    const error = await readCsvError(bytes, { groupBy: 'segment' });
    expect(error.problems[0]).toMatchObject({ line: 3, column: 'segment', reason: 'invalid UTF-8' });
    const result = await readCsv(bytes, { groupBy: 'segment', lenient: true });
    expect(result.tape.groups).toEqual(['ok']);
    expect(result.invalidByReason).toEqual({ 'invalid UTF-8': 1 });
  });
});
