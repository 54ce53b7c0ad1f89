import { describe, expect, it } from 'vitest';
import { renderSummaryMarkdown } from '../src/report/summary-md.js';
import { renderCheckpointRow, renderSummaryText } from '../src/report/summary-text.js';
import type { CheckpointRecord } from '../src/stress/checkpoints.js';
import { DEFAULT_CRITERIA, type Measured } from '../src/stress/criteria.js';
import { detectDrift } from '../src/stress/drift.js';
import { buildSummary, type SummaryInputs } from '../src/stress/summary.js';

const flat = detectDrift(Array.from({ length: 200 }, (_, i) => ({ t_s: i * 18, value: 120 })));

const measured: Measured = {
  iterations: 172_800,
  failed_iterations: 3,
  latency_p99_ms: 42.5,
  latency_sustained_over_fail_s: 0,
  rss_peak_mb: 180.25,
  drift: { rss: flat, heap_after_gc: flat },
  cpu_percent: 35.5,
  integrity: { checked: 172_800, mismatches: 0 },
  audit: { events_written: 21, failed_writes: 0, missing_events: 0 },
};

function inputs(overrides: Partial<SummaryInputs> = {}): SummaryInputs {
  return {
    started_at: '2025-12-26T00:00:00.000Z',
    ended_at: '2025-12-26T01:00:00.000Z',
    planned_s: 3600,
    actual_s: 3600,
    interrupted: null,
    workload: { kind: 'kpi', description: 'KPI snapshots of a 100,000-row synthetic tape' },
    load: { kind: 'closed', concurrency: 2 },
    measured,
    errors_by_kind: { TypeError: 2, timeout: 1 },
    latency_ms: { mean: 12.25, p50: 10.5, p90: 20.125, p99: 42.5, max: 310, min: 4.5, stddev: 6.75 },
    criteria: DEFAULT_CRITERIA,
    decisions: [
      { checkpoint: '1H', hour: 1, decision: 'continue', reasons: [] },
      { checkpoint: '8H', hour: 8, decision: 'continue', reasons: ['error_rate WARN: error rate 0.002 %'] },
    ],
    checkpoints_written: 18,
    environment: { node: 'v20.20.2', platform: 'linux', arch: 'x64', cpu_model: 'Test CPU @ 2.0GHz', cores: 2, memory_total_mb: 7936, package_version: '0.1.0' },
    options: { duration: '1h', concurrency: 2 },
    ...overrides,
  };
}

describe('buildSummary', () => {
  it('judges the criteria and derives the figures', () => {
    const s = buildSummary(inputs());
    expect(s.status).toBe('PASS');
    expect(s.verdict).toBe('PASS');
    expect(s.status_reason).toBe('every criterion passed');
    expect(s.stop).toEqual({ kind: 'completed' });
    expect(s.iterations).toEqual({ total: 172_800, failed: 3, error_rate_percent: (3 / 172_800) * 100, achieved_rate_per_s: 48, errors_by_kind: { TypeError: 2, timeout: 1 } });
    expect(s.criteria).toHaveLength(7);
    expect(s.checkpoints).toEqual({ written: 18, planned: 18 });
    expect(s.memory).toEqual({ rss_peak_mb: 180.25 });
    expect(s.cpu_percent).toBe(35.5);
    expect(s.thresholds).toBe(DEFAULT_CRITERIA);
    // plain data: survives JSON unchanged
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('is WARN or FAIL by the criteria, naming them', () => {
    expect(buildSummary(inputs({ measured: { ...measured, cpu_percent: 65 } }))).toMatchObject({ status: 'WARN', status_reason: 'warned: cpu' });
    const failed = buildSummary(inputs({ measured: { ...measured, cpu_percent: 65, integrity: { checked: 10, mismatches: 1 } } }));
    expect(failed).toMatchObject({ status: 'FAIL', status_reason: 'failed: data_integrity; warned: cpu' });
  });

  it('is INTERRUPTED when interrupted, still saying what the criteria found', () => {
    const s = buildSummary(inputs({ interrupted: { reason: 'interrupted by SIGINT' }, actual_s: 600 }));
    expect(s.status).toBe('INTERRUPTED');
    expect(s.verdict).toBe('PASS');
    expect(s.stop).toEqual({ kind: 'interrupted', reason: 'interrupted by SIGINT' });
    expect(s.status_reason).toBe('interrupted by SIGINT; criteria up to then: PASS (every criterion passed)');
    expect(s.iterations.achieved_rate_per_s).toBe(288);
  });

  it('carries an --abort-on-fail stop with the FAIL status', () => {
    const s = buildSummary(inputs({ aborted: { reason: 'stopped early by --abort-on-fail' }, measured: { ...measured, failed_iterations: 20_000 } }));
    expect(s.status).toBe('FAIL');
    expect(s.stop.kind).toBe('aborted');
    expect(s.status_reason).toBe('stopped early by --abort-on-fail; failed: error_rate');
  });

  it('copes with a run where nothing completed', () => {
    const s = buildSummary(
      inputs({ actual_s: 0, latency_ms: null, measured: { ...measured, iterations: 0, failed_iterations: 0, latency_p99_ms: null }, errors_by_kind: {} }),
    );
    expect(s.iterations.error_rate_percent).toBe(0);
    expect(s.iterations.achieved_rate_per_s).toBe(0);
    expect(s.status).toBe('WARN');
    expect(renderSummaryText(s)).toContain('latency: no iteration completed');
    expect(renderSummaryMarkdown(s)).toContain('No iteration completed.');
  });
});

describe('renderSummaryMarkdown', () => {
  const md = renderSummaryMarkdown(buildSummary(inputs()));
  const lines = md.split('\n');

  it('starts with the status as a plain marker, then the reason', () => {
    expect(lines[0]).toBe('## Soak run: **PASS**');
    expect(lines[2]).toBe('every criterion passed');
    expect(md).toContain('- load: closed loop, 2 in flight');
    expect(md).toContain('- iterations: 172,800 (48.00/s), failed 3 (0.002%)');
    expect(md).toContain('- errors by kind: TypeError 2, timeout 1');
    expect(md).toContain('- checkpoints: 18 of 18 written');
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
  });

  it('has the criteria table, one row per criterion', () => {
    const header = lines.indexOf('| criterion | measured | pass | fail | verdict | detail |');
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toBe('|---|---:|---|---|---|---|');
    expect(lines.slice(header + 2, header + 9).map((l) => l.split(' | ')[0])).toEqual([
      '| error rate',
      '| latency',
      '| memory (RSS)',
      '| memory drift',
      '| CPU',
      '| data integrity',
      '| audit trail',
    ]);
    expect(lines[header + 6]).toBe('| CPU | 35.5 % | < 50 % | > 80 % | **PASS** | mean CPU (share of all cores) 35.5 %, below 50 |');
    expect(lines[header + 3]).toBe('| latency | 42.50 ms | p99 < 100 ms | interval p99 > 500 ms for 37.5 s | **PASS** | p99 42.5 ms over all iterations, below 100 |');
  });

  it('has the latency table, the drift, the decisions and the environment', () => {
    expect(md).toContain('| mean | p50 | p90 | p99 | max | min | stddev |\n|---:|---:|---:|---:|---:|---:|---:|\n| 12.25 | 10.50 | 20.13 | 42.50 | 310.0 | 4.50 | 6.75 |');
    expect(md).toContain('- RSS: stable: 0.00 MB/h, 0.00%/h (95% CI 0.00 to 0.00), threshold 10.05%/h, level 0.0% first to last scaled hour, n=180');
    expect(md).toContain('| 1H | **continue** | - |\n| 8H | **continue** | error_rate WARN: error rate 0.002 % |');
    expect(md).toContain('- CPU: Test CPU @ 2.0GHz x 2 cores; memory 7,936 MB');
    expect(md).toContain('"sustained_minutes": 15');
  });

  it('keeps tables intact whatever the text holds', () => {
    const s = buildSummary(inputs({ workload: { kind: 'module', description: 'a | b\nc <script>' }, interrupted: { reason: 'interrupted by SIGTERM' } }));
    const text = renderSummaryMarkdown(s);
    expect(text.split('\n')[0]).toBe('## Soak run: **INTERRUPTED**');
    expect(text).toContain('- workload: module - a \\| b c &lt;script>');
  });

  it('marks FAIL and lists the failed criteria', () => {
    const s = buildSummary(inputs({ measured: { ...measured, rss_peak_mb: 812 } }));
    const text = renderSummaryMarkdown(s);
    expect(text.split('\n')[0]).toBe('## Soak run: **FAIL**');
    expect(text).toContain('failed: memory');
    expect(text).toContain('| memory (RSS) | 812.0 MB | < 200 MB | > 500 MB | **FAIL** | peak RSS 812 MB, above 500 |');
  });
});

describe('renderSummaryText', () => {
  it('gives the status, the load shape, a criteria table and the details', () => {
    const text = renderSummaryText(buildSummary(inputs({ load: { kind: 'open', rate_per_s: 50, max_in_flight: 16, peak_in_flight: 3, late_starts: 1, skipped: 0 } })));
    const lines = text.split('\n');
    expect(lines[0]).toBe('stress run: PASS - every criterion passed');
    expect(lines[1]).toBe(
      'duration 1h of 1h planned; open loop at 50.00/s (latency from intended start), 1 late start, 0 skipped starts ' +
        '(never run: more than 16 were already due); up to 16 in flight allowed, at most 3 were; workload kpi: KPI snapshots of a 100,000-row synthetic tape',
    );
    expect(lines[2]).toBe('iterations 172,800 (48.00/s), failed 3 (0.002%); errors by kind: TypeError 2, timeout 1');
    expect(lines[4]).toMatch(/^criterion\s+measured\s+verdict\s+pass\s+fail$/);
    expect(lines[10]).toMatch(/^CPU\s+35\.5 %\s+PASS\s+< 50 %\s+> 80 %$/);
    expect(text).toContain('  data integrity: 172,800 results compared, 0 differed\n');
    expect(text).toContain('latency ms (every iteration): mean 12.25, p50 10.50, p90 20.13, p99 42.50, max 310.0, min 4.50\n');
    expect(text).toContain('decision at 8H: continue - error_rate WARN: error rate 0.002 %\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('renderCheckpointRow', () => {
  const record: CheckpointRecord = {
    timestamp: '2025-12-26T01:00:00.000Z',
    elapsed_s: 3600,
    checkpoint: '1H',
    kpi_latency_ms: { mean: 12.25, p50: 10.5, p90: 20.125, p99: 42.5, max: 310 },
    error_rate_percent: 0.0017,
    memory_mb: 180.25,
    cpu_percent: 35.5,
    pipeline_status: 'running',
    audit_trail_events: 1234,
    validation_status: 'PASS',
    decision: { checkpoint: '1H', hour: 1, decision: 'continue', reasons: [] },
  };

  it('prints the header and a rule before the first row only', () => {
    const first = renderCheckpointRow(record, true);
    expect(first.split('\n')).toEqual([
      'checkpoint    elapsed     p50 ms     p99 ms     max ms  errors %    RSS MB   CPU %  pipeline    audit  status  decision',
      '----------  ---------  ---------  ---------  ---------  --------  --------  ------  --------  -------  ------  --------',
      '1H                 1h      10.50      42.50      310.0     0.002     180.3    35.5  running     1,234  PASS    continue',
      '',
    ]);
    const next = renderCheckpointRow({ ...record, checkpoint: '1.5H', elapsed_s: 5400, validation_status: 'WARN', decision: { checkpoint: '8H', hour: 8, decision: 'roll back', reasons: ['a', 'b'] } }, false);
    expect(next).toBe('1.5H            1h30m      10.50      42.50      310.0     0.002     180.3    35.5  running     1,234  WARN    ROLL BACK (2 reasons)\n');
  });

  it('keeps the columns aligned under the header', () => {
    const { decision: _decision, ...withoutDecision } = record;
    const [header, , row] = renderCheckpointRow(withoutDecision, true).split('\n');
    for (const column of ['elapsed', 'p50 ms', 'RSS MB', 'audit']) {
      const end = header!.indexOf(column) + column.length;
      expect(row![end - 1]).not.toBe(' ');
      expect(row![end] ?? ' ').toBe(' ');
    }
  });
});
