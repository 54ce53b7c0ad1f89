import { describe, expect, it } from 'vitest';
import { FULL_HEADER, REQUIRED_HEADER, fullLine, readCsv, rowsOf } from './support/csv-files.js';

describe('duplicate (loan_id, measurement_date) rows', () => {
  it('keeps the first, drops and counts the rest, in strict mode too', async () => {
    const lines = [
      FULL_HEADER,
      fullLine('L1', '2025-01-31', ['1', '1', '1']),
      fullLine('L2', '2025-01-31', ['2', '1', '1']),
      fullLine('L1', '2025-01-31', ['3', '1', '1']),
      fullLine('"L1"', '2025-01-31T08:00:00Z', ['4', '1', '1']),
      fullLine('L1', '2025-02-28', ['5', '1', '1']),
      fullLine('L1', '2025-02-28', ['6', '1', '1']),
    ];
    const result = await readCsv(`${lines.join('\n')}\n`);
    expect(rowsOf(result).map((r) => [r.date, r.cents[0]])).toEqual([
      ['2025-01-31', 100],
      ['2025-01-31', 200],
      ['2025-02-28', 500],
    ]);
    expect(result.rowsRead).toBe(6);
    expect(result.dropped).toEqual({ duplicates: 3, invalid: 0 });
  });

  it('compares ids as text: "007" and "7" differ, "a""b" equals its unescaped twin', async () => {
    const lines = [FULL_HEADER, fullLine('007', '2025-01-31', ['1', '1', '1']), fullLine('7', '2025-01-31', ['2', '1', '1']), fullLine('"a""b"', '2025-01-31', ['3', '1', '1']), fullLine('"a""b"', '2025-01-31', ['4', '1', '1'])];
    const result = await readCsv(`${lines.join('\n')}\n`);
    expect(rowsOf(result).map((r) => r.cents[0])).toEqual([100, 200, 300]);
    expect(result.dropped.duplicates).toBe(1);
  });

  it('does not dedupe without a loan_id column, nor rows whose loan_id is empty', async () => {
    const noId = await readCsv(`${REQUIRED_HEADER}\n2025-01-31,1,1,1\n2025-01-31,1,1,1\n`);
    expect(noId.tape.rows).toBe(2);
    expect(noId.dropped.duplicates).toBe(0);
    const emptyId = await readCsv(`${FULL_HEADER}\n${fullLine('', '2025-01-31', ['1', '1', '1'])}\n${fullLine('', '2025-01-31', ['1', '1', '1'])}\n`);
    expect(emptyId.tape.rows).toBe(2);
  });

  it('does not count a dropped bad row as seen', async () => {
    const lines = [FULL_HEADER, fullLine('L1', '2025-01-31', ['x', '1', '1']), fullLine('L1', '2025-01-31', ['2', '1', '1'])];
    const result = await readCsv(`${lines.join('\n')}\n`, { lenient: true });
    expect(rowsOf(result).map((r) => r.cents[0])).toEqual([200]);
    expect(result.dropped).toEqual({ duplicates: 0, invalid: 1 });
  });
});
