import { describe, expect, it } from 'vitest';
import { DATE_BAD, DATE_MISSING, parseDate } from '../src/io/csv.js';
import { REQUIRED_HEADER, readCsv, readCsvError, rowsOf } from './support/csv-files.js';

function date(text: string): number {
  const bytes = new TextEncoder().encode(`,${text},`);
  return parseDate(bytes, 1, bytes.length - 1);
}

describe('measurement dates', () => {
  it('reads YYYY-MM-DD as a packed yyyymmdd', () => {
    expect(date('2025-01-31')).toBe(20250131);
    expect(date('1999-12-01')).toBe(19991201);
    expect(date(' 2025-06-30 ')).toBe(20250630);
  });

  it('accepts real calendar dates only, leap years included', () => {
    expect(date('2024-02-29')).toBe(20240229);
    expect(date('2000-02-29')).toBe(20000229);
    for (const bad of ['2023-02-29', '1900-02-29', '2025-04-31', '2025-06-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-01-32']) {
      expect(date(bad), bad).toBe(DATE_BAD);
    }
  });

  it('accepts a time part of the right shape, with fraction and offset, and ignores it', () => {
    for (const text of ['2025-01-31T00:00:00', '2025-01-31T23:59:59', '2025-01-31T12:30:00Z', '2025-01-31T12:30:00.5', '2025-01-31T12:30:00.123456Z', '2025-01-31T12:30:00+05:30', '2025-01-31T12:30:00-08:00', '2025-01-31T12:30:00.000+00:00']) {
      expect(date(text), text).toBe(20250131);
    }
  });

  it('rejects other shapes', () => {
    const bad = [
      '2025-1-31',
      '25-01-31',
      '2025/01/31',
      '20250131',
      '31-01-2025',
      '2025-01-31T',
      '2025-01-31 12:00:00',
      '2025-01-31T24:00:00',
      '2025-01-31T12:60:00',
      '2025-01-31T12:00',
      '2025-01-31T12:00:00.',
      '2025-01-31T12:00:00+0530',
      '2025-01-31T12:00:00+05:30Z',
      '2025-01-31Z',
      '2025-01-31x',
      'yesterday',
      'NaN',
    ];
    for (const text of bad) expect(date(text), text).toBe(DATE_BAD);
    expect(date('')).toBe(DATE_MISSING);
    expect(date('   ')).toBe(DATE_MISSING);
  });
});

describe('measurement dates of a CSV file', () => {
  it('keys rows by the YYYY-MM-DD part, in first-seen order', async () => {
    const csv = `${REQUIRED_HEADER}\n2025-02-28T10:00:00Z,1,1,1\n2025-01-31,2,2,2\n2025-02-28,3,3,3\n2025-01-31T00:00:00.5+01:00,4,4,4\n`;
    const result = await readCsv(csv);
    expect(result.tape.dates).toEqual(['2025-02-28', '2025-01-31']);
    // grouped by key: the rows of 2025-02-28 (key 0), then those of 2025-01-31, each in input order
    expect(rowsOf(result).map((r) => [r.date, r.cents[0]])).toEqual([
      ['2025-02-28', 100],
      ['2025-02-28', 300],
      ['2025-01-31', 200],
      ['2025-01-31', 400],
    ]);
  });

  it('rejects bad and missing dates with their cells', async () => {
    const csv = `${REQUIRED_HEADER}\n2023-02-29,1,1,1\n,1,1,1\n01/31/2025,1,1,1\n2025-01-31,1,1,1\n`;
    const error = await readCsvError(csv);
    expect(error.problems.map((p) => [p.line, p.column, p.value, p.reason])).toEqual([
      [2, 'measurement_date', '2023-02-29', 'bad date'],
      [3, 'measurement_date', '', 'missing value'],
      [4, 'measurement_date', '01/31/2025', 'bad date'],
    ]);
  });
});
