import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import {
  DEFAULT_CRITERIA,
  SustainedLatencyTracker,
  evaluateCriteria,
  overallVerdict,
  parseCriteria,
  parseCriteriaFile,
  sustainedWindowSeconds,
  type CriterionResult,
  type Measured,
} from '../src/stress/criteria.js';
import { detectDrift, type DriftResult } from '../src/stress/drift.js';

const flat = (value: number) => Array.from({ length: 200 }, (_, i) => ({ t_s: i * 5, value }));
const STABLE: DriftResult = detectDrift(flat(80));

function drift(overrides: Partial<DriftResult>): DriftResult {
  return { ...STABLE, ...overrides };
}

function measured(overrides: Partial<Measured> = {}): Measured {
  return {
    iterations: 10_000,
    failed_iterations: 0,
    latency_p99_ms: 20,
    latency_sustained_over_fail_s: 0,
    rss_peak_mb: 150,
    drift: { rss: STABLE, heap_after_gc: STABLE },
    cpu_percent: 30,
    integrity: { checked: 10_000, mismatches: 0 },
    audit: { events_written: 20, failed_writes: 0, missing_events: 0 },
    ...overrides,
  };
}

const HOUR_RUN = { duration_s: 3600 };

function judge(name: CriterionResult['name'], m: Measured, criteria = DEFAULT_CRITERIA, context = HOUR_RUN): CriterionResult {
  const result = evaluateCriteria(m, criteria, context).find((r) => r.name === name);
  if (!result) throw new Error(`no ${name}`);
  return result;
}

describe('evaluateCriteria', () => {
  it('gives one result per SPEC §4 row, in order, all PASS for a healthy run', () => {
    const results = evaluateCriteria(measured(), DEFAULT_CRITERIA, HOUR_RUN);
    expect(results.map((r) => r.name)).toEqual(['error_rate', 'latency', 'memory', 'memory_drift', 'cpu', 'data_integrity', 'audit_trail']);
    expect(results.map((r) => r.verdict)).toEqual(Array(7).fill('PASS'));
    expect(overallVerdict(results)).toBe('PASS');
    for (const r of results) expect(r.detail).not.toContain('\n');
  });

  it('error rate: < 0.1% PASS, 0.1–5% WARN (both ends), > 5% FAIL, no iterations WARN', () => {
    const at = (failed: number) => judge('error_rate', measured({ iterations: 1000, failed_iterations: failed }));
    expect(at(0)).toMatchObject({ verdict: 'PASS', measured: 0, unit: '%', pass_threshold: 0.1, fail_threshold: 5 });
    expect(at(1)).toMatchObject({ verdict: 'WARN', measured: 0.1 });
    expect(at(50)).toMatchObject({ verdict: 'WARN', measured: 5 });
    expect(at(51)).toMatchObject({ verdict: 'FAIL', measured: 5.1 });
    expect(at(51).detail).toBe('error rate 5.1 %, above 5 (51 of 1,000 iterations failed)');
    expect(judge('error_rate', measured({ iterations: 0, failed_iterations: 0 }))).toMatchObject({ verdict: 'WARN', measured: null });
  });

  it('latency: p99 < 100 ms PASS; > 500 ms sustained for the scaled 15 minutes FAIL; else WARN', () => {
    // a 1-hour run: 15 minutes × 1/24 = 37.5 s
    expect(judge('latency', measured({ latency_p99_ms: 99.9 }))).toMatchObject({ verdict: 'PASS', measured: 99.9 });
    expect(judge('latency', measured({ latency_p99_ms: 100 })).verdict).toBe('WARN');
    expect(judge('latency', measured({ latency_p99_ms: 900, latency_sustained_over_fail_s: 37 })).verdict).toBe('WARN');
    const fail = judge('latency', measured({ latency_p99_ms: 900, latency_sustained_over_fail_s: 37.5 }));
    expect(fail.verdict).toBe('FAIL');
    expect(fail.fail_rule).toBe('interval p99 > 500 ms for 37.5 s');
    expect(fail.detail).toContain('37.5 s');
    // a stall with nothing completed is still judged on the sustained stretch
    expect(judge('latency', measured({ latency_p99_ms: null, latency_sustained_over_fail_s: 40 })).verdict).toBe('FAIL');
    expect(judge('latency', measured({ latency_p99_ms: null })).verdict).toBe('WARN');
    // the window scales: 15 minutes for 24 hours
    expect(judge('latency', measured({ latency_p99_ms: 900, latency_sustained_over_fail_s: 899 }), DEFAULT_CRITERIA, { duration_s: 86_400 }).verdict).toBe('WARN');
    expect(judge('latency', measured({ latency_p99_ms: 900, latency_sustained_over_fail_s: 900 }), DEFAULT_CRITERIA, { duration_s: 86_400 }).verdict).toBe('FAIL');
  });

  it('memory (peak RSS): < 200 MB PASS, 200–500 WARN, > 500 FAIL, unsampled WARN', () => {
    expect(judge('memory', measured({ rss_peak_mb: 199.9 })).verdict).toBe('PASS');
    expect(judge('memory', measured({ rss_peak_mb: 200 })).verdict).toBe('WARN');
    expect(judge('memory', measured({ rss_peak_mb: 500 })).verdict).toBe('WARN');
    expect(judge('memory', measured({ rss_peak_mb: 500.5 }))).toMatchObject({ verdict: 'FAIL', unit: 'MB', pass_rule: '< 200 MB', fail_rule: '> 500 MB' });
    expect(judge('memory', measured({ rss_peak_mb: null }))).toMatchObject({ verdict: 'WARN', measured: null });
  });

  describe('memory drift', () => {
    const withDrift = (rss: DriftResult | null, heap: DriftResult | null) => judge('memory_drift', measured({ drift: { rss, heap_after_gc: heap } }));

    it('PASS when stable within ±10%', () => {
      expect(withDrift(STABLE, STABLE)).toMatchObject({ verdict: 'PASS', measured: 0, unit: '%/hour', pass_threshold: 10, fail_threshold: 20 });
    });

    it('PASS when the trend test found no growth (inconclusive) and the level is within ±10%', () => {
      const r = withDrift(drift({ verdict: 'inconclusive', percent_per_hour: 3, reason: 'too wide' }), STABLE);
      expect(r.verdict).toBe('PASS');
      expect(r.detail).toContain('no growth found (trend inconclusive)');
    });

    it('WARN when there were too few samples for a trend', () => {
      const few = detectDrift(flat(80).slice(0, 5));
      expect(few.slope_per_hour).toBeNull();
      const r = withDrift(few, few);
      expect(r).toMatchObject({ verdict: 'WARN', measured: null });
      expect(r.detail).toMatch(/no trend/);
    });

    it('WARN when the level moved more than ±10% though not growing', () => {
      const moved = drift({ level: { ...STABLE.level!, last_median: 90, change_percent: 12.5, within_10_percent: false, within_band: false } });
      const r = withDrift(moved, STABLE);
      expect(r.verdict).toBe('WARN');
      expect(r.detail).toContain('+12.5%');
    });

    it('WARN when growing at or below 20%/hour, FAIL above it; the worse series counts', () => {
      expect(withDrift(drift({ verdict: 'growing', percent_per_hour: 20 }), STABLE).verdict).toBe('WARN');
      const fail = withDrift(STABLE, drift({ verdict: 'growing', percent_per_hour: 25, slope_per_hour: 20 }));
      expect(fail).toMatchObject({ verdict: 'FAIL', measured: 25 });
      expect(fail.detail).toMatch(/^RSS: stable.*; heap after GC: growing 25%\/h \(20 MB\/h\), above 20%\/h$/);
    });

    it('judges a real leak series as FAIL and a real flat one as PASS', () => {
      const leak = detectDrift(Array.from({ length: 120 }, (_, i) => ({ t_s: i * 1.5, value: 8 + (50 / 1024) * i * 1.5 })));
      expect(leak.verdict).toBe('growing');
      expect(withDrift(STABLE, leak).verdict).toBe('FAIL');
    });

    it('WARN when no drift was computed', () => {
      expect(withDrift(null, null)).toMatchObject({ verdict: 'WARN', measured: null, detail: 'memory drift was not computed' });
    });

    it('uses the criteria file band', () => {
      const moved = drift({ level: { ...STABLE.level!, change_percent: 6, within_10_percent: true, within_band: true } });
      const strict = parseCriteria({ memory_drift: { stable_percent: 5 } });
      expect(judge('memory_drift', measured({ drift: { rss: moved, heap_after_gc: null } }), strict).verdict).toBe('WARN');
    });
  });

  it('CPU: < 50% PASS, 50–80% WARN, > 80% FAIL, unsampled WARN', () => {
    expect(judge('cpu', measured({ cpu_percent: 49.99 })).verdict).toBe('PASS');
    expect(judge('cpu', measured({ cpu_percent: 50 })).verdict).toBe('WARN');
    expect(judge('cpu', measured({ cpu_percent: 80 })).verdict).toBe('WARN');
    expect(judge('cpu', measured({ cpu_percent: 80.1 })).verdict).toBe('FAIL');
    expect(judge('cpu', measured({ cpu_percent: null })).verdict).toBe('WARN');
  });

  it('data integrity: no mismatch PASS, any FAIL, nothing compared WARN, no reference N/A', () => {
    expect(judge('data_integrity', measured()).verdict).toBe('PASS');
    const fail = judge('data_integrity', measured({ integrity: { checked: 100, mismatches: 1 } }));
    expect(fail).toMatchObject({ verdict: 'FAIL', measured: 1 });
    expect(fail.detail).toContain('data loss');
    expect(judge('data_integrity', measured({ integrity: { checked: 0, mismatches: 0 } })).verdict).toBe('WARN');
    expect(judge('data_integrity', measured({ integrity: null })).verdict).toBe('N/A');
    const lenient = parseCriteria({ data_integrity: { max_mismatches: 2 } });
    expect(judge('data_integrity', measured({ integrity: { checked: 100, mismatches: 2 } }), lenient).verdict).toBe('PASS');
  });

  it('audit trail: every event written PASS, a failed or missing one FAIL, nothing written or no trail WARN', () => {
    expect(judge('audit_trail', measured()).verdict).toBe('PASS');
    expect(judge('audit_trail', measured({ audit: { events_written: 20, failed_writes: 1, missing_events: 0 } })).verdict).toBe('FAIL');
    expect(judge('audit_trail', measured({ audit: { events_written: 20, failed_writes: 0, missing_events: 1 } }))).toMatchObject({ verdict: 'FAIL', measured: 1 });
    expect(judge('audit_trail', measured({ audit: { events_written: 0, failed_writes: 0, missing_events: 0 } })).verdict).toBe('WARN');
    expect(judge('audit_trail', measured({ audit: null })).verdict).toBe('WARN');
  });

  it('overall: FAIL if any FAIL, else WARN if any WARN, else PASS', () => {
    expect(overallVerdict(evaluateCriteria(measured({ cpu_percent: 60 }), DEFAULT_CRITERIA, HOUR_RUN))).toBe('WARN');
    expect(overallVerdict(evaluateCriteria(measured({ cpu_percent: 60, rss_peak_mb: 600 }), DEFAULT_CRITERIA, HOUR_RUN))).toBe('FAIL');
    expect(overallVerdict([])).toBe('PASS');
  });
});

describe('sustained latency', () => {
  it('scales 15 minutes with the run', () => {
    expect(sustainedWindowSeconds(DEFAULT_CRITERIA, 86_400)).toBe(900);
    expect(sustainedWindowSeconds(DEFAULT_CRITERIA, 180)).toBe(1.875);
    expect(sustainedWindowSeconds(DEFAULT_CRITERIA, 3600)).toBe(37.5);
  });

  it('keeps the longest stretch of consecutive intervals above the threshold', () => {
    const tracker = new SustainedLatencyTracker(500);
    const p99s = [100, 600, 700, 400, 600, 600, 600, null, 900, 501];
    for (const p99 of p99s) tracker.observe(5, p99);
    expect(tracker.longest_s).toBe(15);
    expect(tracker.current_s).toBe(10);
    tracker.observe(5, 500); // not above
    expect(tracker.current_s).toBe(0);
    expect(tracker.longest_s).toBe(15);
  });
});

describe('parseCriteria', () => {
  const message = (json: unknown): string => {
    try {
      parseCriteria(json, '--criteria c.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).not.toContain('\n');
      return (error as Error).message;
    }
    throw new Error('expected a UsageError');
  };

  it('fills every default from an empty object, and keeps a description', () => {
    expect(parseCriteria({})).toEqual(DEFAULT_CRITERIA);
    expect(parseCriteria({ description: 'nightly' })).toEqual(DEFAULT_CRITERIA);
  });

  it('merges overrides onto the defaults, key by key', () => {
    const c = parseCriteria({ latency_ms: { pass: 50 }, cpu_percent: { pass: 70, fail: 95 } });
    expect(c.latency_ms).toEqual({ pass: 50, fail: 500, sustained_minutes: 15 });
    expect(c.cpu_percent).toEqual({ pass: 70, fail: 95 });
    expect(c.rss_mb).toEqual(DEFAULT_CRITERIA.rss_mb);
  });

  it.each([
    [[], /expected a JSON object, got an array/],
    [null, /expected a JSON object, got null/],
    [5, /expected a JSON object, got 5/],
    [{ latency: {} }, /unknown key "latency"/],
    [{ latency_ms: { p99: 3 } }, /unknown key "latency_ms.p99"/],
    [{ latency_ms: 100 }, /"latency_ms" must be an object, got 100/],
    [{ latency_ms: { pass: '100' } }, /"latency_ms.pass" must be a finite number, got "100"/],
    [{ latency_ms: { pass: Number.POSITIVE_INFINITY } }, /"latency_ms.pass" must be a finite number/],
    [{ rss_mb: { fail: -1 } }, /"rss_mb.fail" must be ≥ 0, got -1/],
    [{ cpu_percent: { fail: 120 } }, /"cpu_percent.fail" is a percentage and must be ≤ 100/],
    [{ data_integrity: { max_mismatches: 0.5 } }, /"data_integrity.max_mismatches" must be a whole number/],
    [{ latency_ms: { pass: 600 } }, /"latency_ms.pass" \(600\) must be below "latency_ms.fail" \(500\)/],
    [{ error_rate_percent: { pass: 5, fail: 5 } }, /"error_rate_percent.pass" \(5\) must be below/],
    [{ memory_drift: { min_growth_percent_per_hour: 30 } }, /"memory_drift.min_growth_percent_per_hour" \(30\) must be below "memory_drift.fail_percent_per_hour" \(20\)/],
    [{ description: 3 }, /"description" must be a string/],
  ])('rejects %j', (json, why) => {
    const text = message(json);
    expect(text).toMatch(/^--criteria c\.json: /);
    expect(text).toMatch(why);
  });
});

describe('parseCriteriaFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'criteria-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads a file, with or without a byte-order mark', () => {
    expect(parseCriteriaFile(file('ok.json', '{"rss_mb": {"pass": 300, "fail": 900}}')).rss_mb).toEqual({ pass: 300, fail: 900 });
    expect(parseCriteriaFile(file('bom.json', '\uFEFF{}'))).toEqual(DEFAULT_CRITERIA);
  });

  it('names the file in every error', () => {
    const bad = file('bad.json', '{"rss_mb": ');
    expect(() => parseCriteriaFile(bad)).toThrow(new RegExp(`^--criteria ${bad}: not valid JSON`));
    const missing = join(dir, 'missing.json');
    expect(() => parseCriteriaFile(missing)).toThrow(new RegExp(`^--criteria ${missing}: cannot read the file \\(ENOENT\\)`));
    const unknown = file('unknown.json', '{"cpu": {}}');
    expect(() => parseCriteriaFile(unknown)).toThrow(UsageError);
    expect(() => parseCriteriaFile(unknown)).toThrow(`--criteria ${unknown}: unknown key "cpu"`);
  });

  it('accepts the documented example', () => {
    const example = {
      description: 'SPEC §4 defaults',
      error_rate_percent: { pass: 0.1, fail: 5 },
      latency_ms: { pass: 100, fail: 500, sustained_minutes: 15 },
      rss_mb: { pass: 200, fail: 500 },
      memory_drift: { stable_percent: 10, fail_percent_per_hour: 20, min_growth_percent_per_hour: 1 },
      cpu_percent: { pass: 50, fail: 80 },
      data_integrity: { max_mismatches: 0 },
      audit_trail: { max_failures: 0 },
    };
    expect(parseCriteriaFile(file('example.json', JSON.stringify(example)))).toEqual(DEFAULT_CRITERIA);
  });
});
