import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/audit/trail.js';
import { runCli, tempDir } from './support/cli.js';

const HEADER = 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_30_60_usd,dpd_90_plus_usd';
const QUICK = ['--perf-seconds', '0.2'];

function tapeIn(dir: string, lines: string[], name = 'tape.csv'): string {
  const path = join(dir, name);
  writeFileSync(path, `${[HEADER, ...lines].join('\n')}\n`);
  return path;
}

interface Report {
  timestamp: string;
  status: string;
  checks: Record<string, { status: string; details: string; metrics: Record<string, unknown> }>;
  issues: string[];
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;

describe('stress validate through the real CLI', () => {
  it('without --input: a synthetic tape, five checks, production_validation_report.json and its trail in the cwd, exit 0', () => {
    const cwd = tempDir('cli-validate-');
    const result = runCli(['validate', ...QUICK], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = readReport(join(cwd, 'production_validation_report.json'));
    expect(Object.keys(report)).toEqual(['timestamp', 'status', 'input', 'audit_trail_file', 'checks', 'issues']);
    expect(Object.keys(report.checks)).toEqual(['kpi_calculations', 'data_integrity', 'performance', 'error_handling', 'audit_trail']);
    for (const name of ['kpi_calculations', 'data_integrity', 'error_handling', 'audit_trail']) expect(report.checks[name]!.status, name).toBe('PASS');
    // latency depends on the machine's load; the verdict's rules are tested exactly in cutover-validate.test.ts
    expect(['PASS', 'WARN']).toContain(report.checks['performance']!.status);
    expect(report.checks['audit_trail']!.metrics['event_count']).toBe(4);
    expect(verifyTrail(join(cwd, 'production_validation_report.audit.jsonl'))).toMatchObject({ ok: true, events: 4 });
    expect(result.stdout).toMatch(/^kpi_calculations\s+PASS\s+known values of SPEC §3 18\/18 right/m);
    expect(result.stdout).toMatch(/^status: (PASS|WARN)$/m);
  });

  it('an input whose 90+ bucket exceeds its receivable: kpi_calculations FAIL, exit 1, --json equal to the report', () => {
    const dir = tempDir('cli-validate-');
    const input = tapeIn(dir, ['L1,2025-01-31,1000.00,900.00,950.00,40.00,0,20.00', 'L1,2025-02-28,1000.00,900.00,950.00,40.00,0,2000.00']);
    const out = join(dir, 'reports', 'check.json');
    const result = runCli(['validate', '--input', input, '--out', out, '--json', ...QUICK]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = readReport(out);
    expect(JSON.parse(result.stdout)).toEqual(report);
    expect(report.status).toBe('FAIL');
    expect(report.checks['kpi_calculations']!.status).toBe('FAIL');
    expect(report.checks['data_integrity']!.status).toBe('PASS');
    expect(report.issues).toContain('kpi_calculations: 2025-02-28: par90 200 breaks 0 ≤ par90 ≤ 100');
    expect(existsSync(join(dir, 'reports', 'check.audit.jsonl'))).toBe(true);
  });

  it('a malformed input is a FAIL of the report naming the line, not a crash', () => {
    const dir = tempDir('cli-validate-');
    const input = tapeIn(dir, ['L1,2025-01-31,1000.00,900.00,950.00,40.00,0,20.00', 'L2,2025-01-31,1000.00,abc,950.00,40.00,0,20.00']);
    const result = runCli(['validate', '--input', input, ...QUICK], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = readReport(join(dir, 'production_validation_report.json'));
    expect(report.checks['data_integrity']!.status).toBe('FAIL');
    expect(report.checks['kpi_calculations']!.status).toBe('FAIL');
    expect(report.issues).toContain(`data_integrity: the input was rejected: ${input}: line 3, column total_eligible_usd, value "abc": not a number`);
    expect(report.checks['audit_trail']!.metrics['actions']).toEqual(['validate.start', 'validate.fail']);
    expect(result.stdout).toMatch(/^status: FAIL$/m);
  });

  it('a trail edited between two runs fails audit_trail on the second', () => {
    const dir = tempDir('cli-validate-');
    const input = tapeIn(dir, ['L1,2025-01-31,1000.00,900.00,950.00,40.00,30.00,20.00']);
    const first = runCli(['validate', '--input', input, ...QUICK], { cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const trail = join(dir, 'production_validation_report.audit.jsonl');
    writeFileSync(trail, readFileSync(trail, 'utf8').replace('"rows":1', '"rows":100'));
    const second = runCli(['validate', '--input', input, ...QUICK], { cwd: dir });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(1);
    const report = readReport(join(dir, 'production_validation_report.json'));
    expect(report.checks['audit_trail']!.status).toBe('FAIL');
    expect(report.checks['audit_trail']!.metrics['chain']).toBe('broken at line 2');
    expect(second.stdout).toMatch(/audit_trail: the trail could not be written: .* is broken at line 2/);
  });

  it('bad usage exits 2 with one line and writes no report', () => {
    const dir = tempDir('cli-validate-');
    writeFileSync(join(dir, 'empty.csv'), '');
    const cases: [string[], RegExp][] = [
      [['--input', join(dir, 'missing.csv')], /^stress: .*missing\.csv: file not found or not readable$/],
      [['--input', dir], /^stress: .*: not a regular file$/],
      [['--input', join(dir, 'empty.csv')], /^stress: .*empty\.csv: empty file$/],
      [['--input', tapeIn(dir, [], 'tape.xlsx')], /^stress: .*tape\.xlsx: unknown file type "\.xlsx"/],
      [['--perf-seconds', '0'], /^stress: --perf-seconds takes a number > 0 and ≤ 600, got "0"$/],
      [['--out', join(tapeIn(dir, []), 'report.json')], /^stress: --out .*tape\.csv: folder cannot be created or written$/],
    ];
    for (const [args, expected] of cases) {
      const result = runCli(['validate', ...args], { cwd: dir });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trimEnd(), args.join(' ')).toMatch(expected);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'production_validation_report.json'))).toBe(false);
  });
});
