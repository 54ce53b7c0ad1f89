import { describe, expect, it } from 'vitest';
import { renderLoadTable } from '../src/report/load-text.js';
import { CPU_PERCENT_BASIS, LOAD_MEASURED, MEMORY_BASIS, type LoadReport, type LoadSizeResult } from '../src/stress/load.js';

function sizeResult(rows: number, p50: number, below: boolean): LoadSizeResult {
  return {
    rows,
    below_crossover: below,
    computed_on: below ? 'calling thread' : 'pool',
    threads_used: below ? 1 : 2,
    snapshots: 12,
    pool_open_ms: 30,
    warmup_iterations: 20,
    iterations: 1234,
    stopped_by: 'seconds',
    wall_s: 3,
    latency_ms: { p50, p90: p50 * 1.5, p99: p50 * 2, max: p50 * 4, mean: p50 * 1.1, min: p50 / 2, stddev: 0.1 },
    rows_per_sec: 1234567.8,
    rss_mb: 123.45,
    rss_before_mb: 120,
    rss_after_mb: 121,
    heap_used_before_mb: 10,
    heap_used_after_mb: 11,
    cpu_percent: 150.26,
  };
}

const report: LoadReport = {
  kind: 'load',
  measured: LOAD_MEASURED,
  loop: 'closed',
  in_flight: 1,
  started_at: '2025-01-01T00:00:00.000Z',
  finished_at: '2025-01-01T00:00:10.000Z',
  input: { kind: 'synthetic', rows: 1_000_000, dates: 12, seed: 1 },
  ingest_ms: 812.34,
  threads: 2,
  crossover_rows: 50_000,
  poll_us: 100,
  stop: { kind: 'seconds', seconds: 3 },
  warmup: { seconds: 0.3, iterations: 5 },
  cpu_percent_basis: CPU_PERCENT_BASIS,
  memory_basis: MEMORY_BASIS,
  results: [sizeResult(10_000, 0.0125, true), sizeResult(1_000_000, 1.5, false)],
  growth_exponent: 0.9876,
  growth_r2: 0.999,
  growth_steps: [{ from_rows: 10_000, to_rows: 1_000_000, exponent: 0.9876 }],
  growth_note: null,
  interrupted: false,
  environment: { node: 'v20.0.0', platform: 'linux', arch: 'x64', cpus: 2, cpu_model: 'test', load_average_1m: { start: 0.5, end: 1.25 } },
};

describe('renderLoadTable', () => {
  const text = renderLoadTable(report);
  const lines = text.split('\n');

  it('has the columns asked for and one aligned row per size', () => {
    const header = lines.find((l) => l.includes('rows/s'))!;
    for (const column of ['rows', 'iterations', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms', 'rows/s', 'RSS MB', 'CPU %']) {
      expect(header).toContain(column);
    }
    const rows = lines.filter((l) => /^\s*[\d,]+\*?\s+1,234\s/.test(l));
    expect(rows).toHaveLength(2);
    expect(new Set([header, ...rows].map((l) => l.length)).size).toBe(1);
    expect(rows[0]).toMatch(/10,000\*\s+1,234\s+0\.013\s+0\.019\s+0\.025\s+0\.050\s+0\.014\s+1,234,568\s+123\.5\s+150\.3$/);
    expect(rows[1]).toMatch(/^1,000,000 /);
  });

  it('says what was measured, on which thread, and the growth exponent', () => {
    const prose = text.replace(/\n +/g, ' ');
    expect(prose).toContain('Input: synthetic tape of 1,000,000 rows × 12 dates (seed 1), generated in 812.3 ms');
    expect(prose).toContain('KPI engine load: 2 worker threads, crossover 50,000 rows, workers poll 100 µs before they sleep');
    expect(prose).toContain('Per size: warm-up of at least 0.3 s and 5 iterations, then 3 s measured');
    expect(prose).toContain('* below the crossover (50,000 rows): computed on the calling thread');
    expect(prose).toMatch(/Growth exponent \(log-log slope of p50 latency vs rows; 1 = linear\): 0\.99, r² 0\.999; steps: 10k→1m 0\.99/);
    expect(prose).toContain(`Measured: ${LOAD_MEASURED}`);
    expect(prose).toContain('Closed loop, one iteration in flight');
    expect(prose).toContain('Machine: 2 cores (test), Node v20.0.0; system load average (1 min) 0.50 at start, 1.25 at end.');
    expect(text).not.toContain('Interrupted');
  });

  it('keeps prose lines short', () => {
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(110);
  });

  it('is a pure function of the report', () => {
    expect(renderLoadTable(report)).toBe(text);
  });
});
