import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALIBRATION_LOOP, QUICK_PLAN } from '../src/gate/suite.js';
import { runCli, tempDir } from './support/cli.js';

/** A usage error: exit 2, one line on stderr, nothing on stdout, no stack trace. */
function expectUsageError(args: readonly string[], message: RegExp): void {
  const result = runCli(args);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('stress gate: usage', () => {
  it('--help names the modes, the thresholds and the exit codes', () => {
    const result = runCli(['gate', '--help']);
    expect(result.code).toBe(0);
    for (const text of ['--base <ref>', '--baseline <file>', '--update-baseline', '--threshold <spec>', '--quick', 'GITHUB_STEP_SUMMARY', '1 confirmed regression']) {
      expect(result.stdout).toContain(text);
    }
  });

  it('needs exactly one of --base, --baseline, --update-baseline', () => {
    expectUsageError(['gate'], /choose exactly one of --base REF, --baseline FILE or --update-baseline/);
    expectUsageError(['gate', '--base', 'HEAD', '--baseline', 'x.json'], /choose exactly one/);
  });

  it('a ref that names no commit is a usage error, before anything is built', () => {
    expectUsageError(['gate', '--base', 'no-such-ref-anywhere'], /--base no-such-ref-anywhere: not a commit in /);
  });

  it('bad thresholds, benchmark names and seeds are usage errors', () => {
    expectUsageError(['gate', '--base', 'HEAD', '--threshold', '150%'], /--threshold 150%: the limit must be above 0 and below 1/);
    expectUsageError(['gate', '--base', 'HEAD', '--threshold', 'kpi-9m=0.1'], /no benchmark "kpi-9m"/);
    expectUsageError(['gate', '--base', 'HEAD', '--only', 'kpi-1m,fast'], /--only kpi-1m,fast: no benchmark "fast"/);
    expectUsageError(['gate', '--base', 'HEAD', '--seed', '-3'], /--seed takes a whole number/);
  });

  it('a missing or malformed baseline file is a usage error naming the file and the field', () => {
    const dir = tempDir();
    expectUsageError(['gate', '--baseline', join(dir, 'none.json')], /none.json: file not found or not readable/);
    const bad = join(dir, 'bad.json');
    const stored = { format: 'stress-gate-baseline/1', calibration_loop: CALIBRATION_LOOP, calibration_ms: [5], benchmarks: { 'kpi-1m': { blocks: [] } } };
    writeFileSync(bad, JSON.stringify(stored));
    expectUsageError(['gate', '--baseline', bad], /bad.json: field benchmarks.kpi-1m.blocks must be a non-empty list of positive numbers/);
    writeFileSync(bad, JSON.stringify({ ...stored, calibration_loop: 'older-loop/0' }));
    expectUsageError(['gate', '--baseline', bad], /bad.json: field calibration_loop is "older-loop\/0", not this version's/);
  });
});

describe('stress gate: stored baseline', () => {
  it('--update-baseline stores block values and calibration times; --baseline judges against them', () => {
    const dir = tempDir();
    const file = join(dir, 'baseline.json');
    const stored = runCli(['gate', '--update-baseline', file, '--quick', '--only', 'kpi-100k', '--json'], { timeoutMs: 170_000 });
    expect(stored.stderr).not.toMatch(/internal error/);
    expect(stored.code, stored.stderr).toBe(0);
    const baseline = JSON.parse(readFileSync(file, 'utf8'));
    expect(JSON.parse(stored.stdout)).toEqual(baseline);
    expect(baseline.format).toBe('stress-gate-baseline/1');
    // the commit measured: this tree is a git checkout
    expect(baseline.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(baseline.benchmarks['kpi-100k'].blocks).toHaveLength(QUICK_PLAN.pairs);
    expect(baseline.calibration_ms).toHaveLength(QUICK_PLAN.pairs);
    expect(Object.keys(baseline.benchmarks)).toEqual(['kpi-100k']);

    const out = join(dir, 'out');
    const judged = runCli(['gate', '--baseline', file, '--quick', '--only', 'kpi-100k,pool-round-trip', '--json', '--out', out], {
      timeoutMs: 170_000,
    });
    expect(judged.stderr).not.toMatch(/internal error/);
    expect(judged.code, judged.stderr).not.toBe(2);
    const report = JSON.parse(judged.stdout);
    expect(judged.code, judged.stderr).toBe(report.failed ? 1 : 0);
    expect(report.mode).toBe('baseline');
    expect(report.machine_slowdown).toBeGreaterThan(0);
    const [kpi, roundTrip] = report.benchmarks;
    expect(kpi.name).toBe('kpi-100k');
    expect(kpi.rounds[0].ratio.low).toBeLessThanOrEqual(kpi.rounds[0].ratio.estimate);
    expect(kpi.rounds[0].ratio.high).toBeGreaterThanOrEqual(kpi.rounds[0].ratio.estimate);
    // measured now, but absent from the stored results
    expect(roundTrip).toMatchObject({ name: 'pool-round-trip', verdict: 'not comparable', reason: 'not in the baseline', rounds: [] });
    expect(JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/^## Performance gate: .*\n[\s\S]*\| kpi-100k \|/);
  });
});
