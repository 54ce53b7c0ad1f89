import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/cli.js';

const HEADER = 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_90_plus_usd,segment';

/** Two snapshots of two loans each; `dpd90` is the first loan's 90+ amount in the first snapshot. */
function tape(dpd90 = '5.00', cash = '40.00'): string {
  return [
    HEADER,
    `L1,2025-01-31,1000.00,900.00,950.00,${cash},${dpd90},auto`,
    'L2,2025-01-31,3000.00,2700.00,2900.00,80.00,0,sme',
    'L1,2025-02-28,990.00,890.00,940.00,40.00,5.00,auto',
    'L2,2025-02-28,2950.00,2650.00,2850.00,80.00,0,sme',
    '',
  ].join('\n');
}

function files(entries: Record<string, string>): Record<string, string> {
  const dir = tempDir('cli-shadow-');
  return Object.fromEntries(
    Object.entries(entries).map(([name, content]) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return [name, path];
    }),
  );
}

function kpisOf(path: string, extra: string[] = []): { snapshots: Record<string, unknown>[] } {
  const result = runCli(['compute', path, '--json', ...extra]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { snapshots: Record<string, unknown>[] };
}

describe('stress shadow on real files', () => {
  it('two tapes a cent apart: PAR90 5.00 → 5.01 of 4000 is 0.2 %, out of the default 0.1 %, within 0.25 %', () => {
    const f = files({ 'a.csv': tape('5.00'), 'b.csv': tape('5.01') });
    const strict = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', f['b.csv']!, '--json']);
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout);
    expect(report.status).toBe('FAIL');
    const out = report.comparisons.filter((c: { within_tolerance: boolean }) => !c.within_tolerance);
    expect(out.map((c: { metric: string; measurement_date: string }) => `${c.measurement_date} ${c.metric}`)).toEqual([
      '2025-01-31 par30',
      '2025-01-31 par90',
      '2025-01-31 dpd_90_plus_usd',
    ]);
    expect(out[1].baseline).toBe(0.125);
    expect(out[1].candidate).toBe(0.12525);
    expect(out[1].variance_percent).toBeCloseTo(0.2, 10);

    const loose = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', f['b.csv']!, '--tolerance', '0.25']);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toMatch(/^PASS: 0 of 28 values out of tolerance \(0\.25 %/m);
    expect(loose.stdout).toMatch(/2025-01-31\s+par90\s+0\.125\s+0\.12525\s+0\.2\s+ok/);

    const table = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', f['b.csv']!]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/2025-01-31\s+dpd_90_plus_usd\s+5\s+5\.01\s+0\.2\s+OUT/);
    expect(table.stdout).toMatch(/^FAIL: 3 of 28 values out of tolerance/m);
  });

  it('a tape against its own kpis.json, as a file, a run folder and an --out folder with latest/: all variances 0', () => {
    const f = files({ 'a.csv': tape() });
    const kpis = kpisOf(f['a.csv']!);
    const root = tempDir('cli-shadow-dirs-');
    const runFolder = join(root, 'out', 'run_abc');
    mkdirSync(runFolder, { recursive: true });
    writeFileSync(join(runFolder, 'kpis.json'), JSON.stringify({ ...kpis, run_folder: runFolder, rollups: {} }));
    symlinkSync('run_abc', join(root, 'out', 'latest'));
    for (const baseline of [join(runFolder, 'kpis.json'), runFolder, join(root, 'out')]) {
      const result = runCli(['shadow', '--baseline', baseline, '--candidate', f['a.csv']!, '--json']);
      expect(result.code, baseline).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.baseline.kind).toBe('kpis');
      // through latest/, the run folder it points to is named
      expect(report.baseline.path).toBe(join(runFolder, 'kpis.json'));
      expect(report.max_variance_percent).toBe(0);
      expect(report.values_compared).toBe(28);
    }
  });

  it('an edited kpis.json: PAR30 × 1.0005 passes at 0.1 %, × 1.002 fails; a removed snapshot fails', () => {
    const f = files({ 'a.csv': tape() });
    const kpis = kpisOf(f['a.csv']!);
    const edited = (factor: number) => ({ ...kpis, snapshots: kpis.snapshots.map((s, i) => (i === 1 ? { ...s, par30: (s['par30'] as number) * factor } : s)) });
    const g = files({
      'small.json': JSON.stringify(edited(1.0005)),
      'large.json': JSON.stringify(edited(1.002)),
      'short.json': JSON.stringify({ ...kpis, snapshots: kpis.snapshots.slice(0, 1) }),
    });
    expect(runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', g['small.json']!]).code).toBe(0);
    const large = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', g['large.json']!, '--json']);
    expect(large.code).toBe(1);
    expect(JSON.parse(large.stdout).comparisons.filter((c: { within_tolerance: boolean }) => !c.within_tolerance)).toMatchObject([
      { measurement_date: '2025-02-28', metric: 'par30' },
    ]);
    const short = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', g['short.json']!]);
    expect(short.code).toBe(1);
    expect(short.stdout).toMatch(/^only in baseline: 2025-02-28$/m);
  });

  it('a zero baseline against a non-zero candidate shows "inf" in the table and null in strict JSON', () => {
    const f = files({ 'a.csv': tape('0'), 'b.csv': tape('0.01') });
    const json = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', f['b.csv']!, '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).not.toMatch(/Infinity|NaN/);
    const report = JSON.parse(json.stdout);
    expect(report.comparisons.find((c: { metric: string; measurement_date: string }) => c.measurement_date === '2025-01-31' && c.metric === 'par90')).toMatchObject({
      baseline: 0,
      variance_percent: null,
      within_tolerance: false,
    });
    expect(report.max_variance_percent).toBeNull();
    const table = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', f['b.csv']!]);
    expect(table.stdout).toMatch(/2025-01-31\s+par90\s+0\s+0\.00025\s+inf\s+OUT/);
  });

  it('--group-by compares per group; a grouped side against an ungrouped one is a usage error', () => {
    const f = files({ 'a.csv': tape('5.00'), 'b.csv': tape('5.01') });
    const grouped = runCli(['shadow', '--baseline', f['a.csv']!, '--candidate', f['b.csv']!, '--group-by', 'segment', '--json']);
    expect(grouped.code).toBe(1);
    const report = JSON.parse(grouped.stdout);
    expect(report.snapshots_compared).toBe(4);
    expect(new Set(report.comparisons.filter((c: { within_tolerance: boolean }) => !c.within_tolerance).map((c: { group: string }) => c.group))).toEqual(new Set(['auto']));
    const k = files({ 'kpis.json': JSON.stringify(kpisOf(f['a.csv']!)) });
    const mixed = runCli(['shadow', '--baseline', k['kpis.json']!, '--candidate', f['a.csv']!, '--group-by', 'segment']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trimEnd()).toBe('stress: the baseline is not grouped and the candidate grouped by segment: compare results of the same grouping (--group-by for tapes)');
  });

  it('bad usage and bad input exit 2 with one line', () => {
    const f = files({ 'a.csv': tape(), 'bad.json': '{"snapshots": [{"measurement_date": "2025-01-31"}]}', 'broken.json': '{', 'neg.csv': tape('-1') });
    const cases: [string[], RegExp][] = [
      [['--tolerance', 'abc'], /^stress: --tolerance takes a number ≥ 0 and ≤ 100, got "abc"$/],
      [['--tolerance', '-0.1'], /^stress: --tolerance takes a number ≥ 0 and ≤ 100, got "-0.1"$/],
      [['--candidate', f['bad.json']!], /^stress: .*bad\.json: snapshots\[0\]\.par30: expected a finite number, got nothing$/],
      [['--candidate', f['broken.json']!], /^stress: .*broken\.json: not valid JSON/],
      [['--candidate', f['neg.csv']!], /^stress: .*neg\.csv: line 2, column dpd_90_plus_usd, value "-1": negative amount$/],
      [['--candidate', join(tempDir(), 'missing.csv')], /^stress: --candidate .*missing\.csv: file not found or not readable$/],
      [['--candidate', tempDir()], /^stress: --candidate .*: a folder without kpis\.json or latest\/kpis\.json$/],
    ];
    for (const [args, expected] of cases) {
      const withDefaults = args.includes('--candidate') ? args : [...args, '--candidate', f['a.csv']!];
      const result = runCli(['shadow', '--baseline', f['a.csv']!, ...withDefaults]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr.trimEnd(), args.join(' ')).toMatch(expected);
      expect(result.stdout).toBe('');
    }
    expect(runCli(['shadow', '--baseline', f['a.csv']!]).code).toBe(2);
    expect(readFileSync(f['a.csv']!, 'utf8')).toBe(tape());
  });
});
