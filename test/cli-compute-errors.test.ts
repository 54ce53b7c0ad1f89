import { describe, expect, it } from 'vitest';
import { runCli, tempDir, tempFile } from './support/cli.js';
import { join } from 'node:path';

const HEADER = 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_90_plus_usd';
const GOOD = 'L1,2025-01-31,1000.00,900.00,950.00,10.00,0';

/** Each bad input: file name, content, and what the one line on stderr must say. */
const cases: { name: string; file: string; content: string; expected: RegExp }[] = [
  {
    name: 'missing column',
    file: 'tape.csv',
    content: 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd\nL1,2025-01-31,1,1\n',
    expected: /tape\.csv: .*missing required column\(s\): discounted_balance_usd/,
  },
  {
    name: 'negative amount',
    file: 'tape.csv',
    content: `${HEADER}\n${GOOD}\nL2,2025-01-31,-5.00,1,1,0,0\n`,
    expected: /tape\.csv: line 3, column total_receivable_usd, value "-5\.00": negative amount/,
  },
  {
    name: 'non-numeric value',
    file: 'tape.csv',
    content: `${HEADER}\nL1,2025-01-31,1000,"1,000",1,0,0\n`,
    expected: /tape\.csv: line 2, column total_eligible_usd, value "1,000": not a number/,
  },
  {
    name: 'bad date',
    file: 'tape.csv',
    content: `${HEADER}\nL1,2025-02-30,1,1,1,0,0\n`,
    expected: /tape\.csv: line 2, column measurement_date, value "2025-02-30": bad date/,
  },
  { name: 'empty file', file: 'tape.csv', content: '', expected: /tape\.csv: empty file/ },
  {
    name: 'unterminated quote',
    file: 'tape.csv',
    content: `${HEADER}\n${GOOD}\nL2,2025-01-31,"12,1,1,0,0\n`,
    expected: /tape\.csv: line 3.*unterminated quoted field/,
  },
  {
    name: 'short row',
    file: 'tape.csv',
    content: `${HEADER}\n${GOOD}\nL2,2025-01-31,1,1\n`,
    expected: /tape\.csv: line 3: expected 7 fields, found 4/,
  },
  {
    name: 'NaN',
    file: 'tape.csv',
    content: `${HEADER}\nL1,2025-01-31,NaN,1,1,0,0\n`,
    expected: /tape\.csv: line 2, column total_receivable_usd, value "NaN": not a number/,
  },
  {
    name: 'Infinity',
    file: 'tape.csv',
    content: `${HEADER}\nL1,2025-01-31,1,1,1,Infinity,0\n`,
    expected: /tape\.csv: line 2, column cash_available_usd, value "Infinity": not a number/,
  },
  { name: 'unknown file type', file: 'tape.xlsx', content: 'whatever', expected: /tape\.xlsx: unknown file type "\.xlsx"/ },
];

describe('stress compute rejects bad input with one clear line and exit code 2', () => {
  for (const c of cases) {
    it(c.name, () => {
      const path = tempFile(c.file, c.content);
      const out = tempDir();
      const result = runCli(['compute', path, '--out', out]);
      expect(result.code).toBe(2);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^stress: /);
      expect(lines[0]).toMatch(c.expected);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    });
  }

  it('missing file', () => {
    const path = join(tempDir(), 'nowhere.csv');
    const result = runCli(['compute', path]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toMatch(/^stress: .*nowhere\.csv: file not found or not readable$/);
  });

  it('lists up to 20 problems after the first line, with the total count', () => {
    const bad = Array.from({ length: 25 }, (_, i) => `L${i},2025-01-31,x${i},1,1,0,0`).join('\n');
    const result = runCli(['compute', tempFile('tape.csv', `${HEADER}\n${bad}\n`)]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/line 2, column total_receivable_usd, value "x0": not a number \(25 problems in all\)$/);
    expect(lines).toHaveLength(20);
    expect(lines[19]).toMatch(/line 21, .*value "x19"/);
  });

  it('leaves no KPI file in --out when the input is rejected: the run folder keeps only its audit trail, and latest does not move', async () => {
    const out = tempDir();
    const result = runCli(['compute', tempFile('tape.csv', `${HEADER}\nL1,2025-01-31,-1,1,1,0,0\n`), '--out', out]);
    expect(result.code, result.stderr).toBe(2);
    const { readdirSync } = await import('node:fs');
    const folders = readdirSync(out);
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^run_[0-9a-f]{12}_/);
    expect(readdirSync(join(out, folders[0]!))).toEqual(['audit.jsonl']);
  });

  it('writes nothing at all to --out when the file as a whole is bad (missing, empty, unknown type)', async () => {
    const out = tempDir();
    for (const path of [join(tempDir(), 'nowhere.csv'), tempFile('tape.csv', ''), tempFile('tape.xlsx', 'x')]) {
      expect(runCli(['compute', path, '--out', out]).code).toBe(2);
    }
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(out)).toEqual([]);
  });

  it('bad --threads is a usage error', () => {
    const result = runCli(['compute', tempFile('tape.csv', `${HEADER}\n${GOOD}\n`), '--threads', 'zero']);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toBe('stress: --threads takes a whole number, got "zero"');
  });
});
