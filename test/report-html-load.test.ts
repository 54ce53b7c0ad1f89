import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../src/report/html/chart-spec.js';
import { loadReportPathFor, renderLoadReport } from '../src/report/html/load.js';
import type { LoadReport, LoadSizeResult } from '../src/stress/load.js';

function size(rows: number, p50: number, belowCrossover: boolean): LoadSizeResult {
  return {
    rows,
    below_crossover: belowCrossover,
    computed_on: belowCrossover ? 'calling thread' : 'pool',
    threads_used: belowCrossover ? 1 : 2,
    snapshots: 12,
    pool_open_ms: 3,
    warmup_iterations: 5,
    iterations: 100,
    stopped_by: 'iterations',
    wall_s: (100 * p50) / 1000,
    latency_ms: { p50, p90: p50 * 1.2, p99: p50 * 2, max: p50 * 5, mean: p50 * 1.1, min: p50 * 0.9, stddev: p50 * 0.1 },
    rows_per_sec: (rows * 1000) / p50,
    rss_mb: 150 + rows / 1e5,
    rss_before_mb: 148,
    rss_after_mb: 150,
    heap_used_before_mb: 10,
    heap_used_after_mb: 11,
    cpu_percent: 90,
  };
}

/** latency exactly ∝ rows^0.9 from 1,000 to 1,000,000 rows */
const REPORT: LoadReport = {
  kind: 'load',
  measured: 'one iteration = a test <b>measure</b>',
  loop: 'closed',
  in_flight: 1,
  started_at: '2026-01-05T08:00:00.000Z',
  finished_at: '2026-01-05T08:00:10.000Z',
  input: { kind: 'synthetic', rows: 1_000_000, dates: 12, seed: 1 },
  ingest_ms: 400,
  threads: 2,
  crossover_rows: 100_000,
  poll_us: 0,
  stop: { kind: 'iterations', iterations: 100 },
  warmup: { seconds: 0.3, iterations: 5 },
  cpu_percent_basis: 'process CPU time',
  memory_basis: 'whole process',
  results: [1e3, 1e4, 1e5, 1e6].map((rows) => size(rows, 0.01 * (rows / 1e3) ** 0.9, rows < 100_000)),
  growth_exponent: 0.9,
  growth_r2: 1,
  growth_steps: [
    { from_rows: 1e3, to_rows: 1e4, exponent: 0.9 },
    { from_rows: 1e4, to_rows: 1e5, exponent: 0.9 },
    { from_rows: 1e5, to_rows: 1e6, exponent: 0.9 },
  ],
  growth_note: null,
  interrupted: false,
  environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpu_model: 'test CPU', load_average_1m: { start: 0.5, end: 0.7 } },
};

function chartsOf(html: string): ChartSpec[] {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  return (JSON.parse(match![1]!) as { charts: ChartSpec[] }).charts;
}

describe('load report page', () => {
  const html = renderLoadReport(REPORT, { generatedAt: new Date(0), version: '9.9.9' });
  const charts = chartsOf(html);

  it('plots latency against rows on log–log axes with the fitted growth exponent', () => {
    const latency = charts[0]!;
    expect(latency.x.kind).toBe('log');
    expect(latency.y.kind).toBe('log');
    expect(latency.data[0]).toEqual([1e3, 1e4, 1e5, 1e6]);
    const fitIndex = latency.series.findIndex((s) => s.label === 'fit: p50 ∝ rows^0.90');
    expect(fitIndex).toBeGreaterThanOrEqual(0);
    // the data lie exactly on a power law, so the fit goes through every p50
    const fit = latency.data[fitIndex + 1]!;
    const p50 = latency.data[1]!;
    fit.forEach((v, i) => expect(v!).toBeCloseTo(p50[i]!, 3));
    expect(latency.notes[0]).toContain('Growth exponent 0.90, r² 1.000');
  });

  it('shows rows/s and memory per size, marking sizes below the crossover', () => {
    expect(charts.map((c) => c.id)).toEqual(['load-latency', 'load-throughput', 'load-memory']);
    expect(charts[1]!.x.categories).toEqual(['1k*', '10k*', '100k', '1M']);
    expect(charts[1]!.series[0]!.bars).toBe(true);
    expect(charts[2]!.series.map((s) => s.label)).toEqual(['peak RSS', 'RSS before', 'heap used after']);
  });

  it('has the per-size table and escapes the report’s text', () => {
    expect(html).toContain('<td class="num"><b>1,000,000</b></td>');
    expect(html).toContain('a test &lt;b&gt;measure&lt;/b&gt;');
    expect(html).toContain('loan-kpi-stress 9.9.9');
    expect(html).toContain('crossover 100,000 rows; workers poll 0 µs before they sleep');
  });

  it('draws one point and no fit for a single size', () => {
    const one = chartsOf(renderLoadReport({ ...REPORT, results: REPORT.results.slice(0, 1), growth_exponent: null, growth_r2: null, growth_steps: [], growth_note: 'needs at least two sizes' }));
    expect(one[0]!.series.map((s) => s.label)).toEqual(['p50', 'p90', 'p99']);
    expect(one[0]!.notes[0]).toBe('No growth exponent: needs at least two sizes.');
  });

  it('goes beside its JSON: report.html beside load.json, else the JSON’s name with .html', () => {
    expect(loadReportPathFor('/r/out/load.json')).toBe('/r/out/report.html');
    expect(loadReportPathFor('reports/load/2026-01-05T08-00-00.000Z.json')).toBe('reports/load/2026-01-05T08-00-00.000Z.html');
  });
});
