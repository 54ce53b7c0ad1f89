import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartSpec } from '../src/report/html/chart-spec.js';
import { readSoakRun, renderSoakReport, SOAK_REPORT_FILE, writeSoakReport } from '../src/report/html/soak.js';
import type { RunSummary } from '../src/stress/summary.js';
import { writeRunDirFixture } from './support/browser.js';

const root = mkdtempSync(join(tmpdir(), 'report-html-soak-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The charts of a page, read back from its data island as the page's script reads them. */
function chartsOf(html: string): ChartSpec[] {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return (JSON.parse(match![1]!) as { charts: ChartSpec[] }).charts;
}

describe('soak report of a short run directory', () => {
  const dir = join(root, 'short');
  let summary: RunSummary;
  let html: string;
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    summary = writeRunDirFixture(dir, { durationS: 120, sampleIntervalS: 2, workers: 2, leakMbPerHour: 30 });
    html = renderSoakReport(dir, { generatedAt: new Date(Date.UTC(2026, 0, 6)) });
  });

  it('puts the verdict and every criterion, with its verdict, on top', () => {
    expect(html).toContain(`<span class="badge ${summary.status === 'PASS' ? 'pass' : summary.status === 'FAIL' ? 'fail' : summary.status === 'WARN' ? 'warn' : 'neutral'} large">${summary.status}</span>`);
    for (const name of ['Error rate', 'Latency', 'Memory (RSS)', 'Memory drift', 'CPU', 'Data integrity', 'Audit trail']) {
      expect(html).toContain(`<b>${name}</b>`);
    }
    expect(html.indexOf('Criteria')).toBeLessThan(html.indexOf('id="chart-latency-time"'));
  });

  it('draws latency over time, memory with the drift fit and band, CPU and the percentile distribution', () => {
    const charts = chartsOf(html);
    expect(charts.map((c) => c.id)).toEqual(['latency-time', 'memory-rss', 'memory-heap', 'cpu', 'latency-distribution']);
    const latency = charts[0]!;
    expect(latency.series.map((s) => s.label)).toEqual(['p50', 'p90', 'p99', 'max']);
    expect(latency.data).toHaveLength(5);
    expect(latency.data[0]).toHaveLength(60); // 120 s / 2 s intervals, not downsampled
    expect(latency.y.kind).toBe('log');

    const heap = charts[2]!;
    const labels = heap.series.map((s) => s.label);
    expect(labels).toContain('worker 1 heap after GC');
    expect(labels).toContain('worker 2 heap after GC');
    expect(labels.some((l) => l.startsWith('drift fit'))).toBe(true);
    expect(heap.bands).toHaveLength(1);
    // the band is ±10% of the first scaled hour's median, over the analysed window only
    const band = heap.bands![0]!;
    const upper = heap.data[band.upper]!;
    const lower = heap.data[band.lower]!;
    const level = summary.drift.heap_after_gc!.level!;
    const inside = upper.findIndex((v) => v !== null);
    expect(inside).toBeGreaterThan(0);
    expect(upper[inside]).toBeCloseTo(level.first_median * 1.1, 2);
    expect(lower[inside]).toBeCloseTo(level.first_median * 0.9, 2);

    const distribution = charts[4]!;
    expect(distribution.x.kind).toBe('percentile');
    const xs = distribution.data[0]!;
    expect(xs[0]).toBe(1);
    expect(xs.at(-1)).toBe(100_000); // 1 / (1 − 0.99999)
    const ys = distribution.data[1]!.filter((v): v is number => v !== null);
    expect(ys).toHaveLength(xs.length);
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThanOrEqual(ys[i - 1]!);
  });

  it('marks every checkpoint on the time charts and the decision points in the table', () => {
    const charts = chartsOf(html);
    const vlines = charts[0]!.vlines!;
    expect(vlines).toHaveLength(18);
    expect(vlines.filter((v) => v.strong).map((v) => v.label)).toEqual(['1H · continue', '8H · continue', '24H · continue']);
    expect(html.match(/<tr class="decision[^"]*"><td class="cp">/g)).toHaveLength(3);
    expect(html).toContain('<td class="cp">8H ◆</td>');
  });

  it('ends with the environment', () => {
    expect(html).toContain('<h2>Environment</h2>');
    expect(html).toContain('fixture CPU, 2 cores');
    expect(html.indexOf('<h2>Checkpoints</h2>')).toBeLessThan(html.indexOf('<h2>Environment</h2>'));
  });

  it('is self-contained: no external resource, the chart library inline, a policy that forbids the network', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<(script|img|iframe)\b[^>]*\bsrc=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).toContain('uPlot');
    expect(html.match(/<script\b/g)).toHaveLength(3); // data island, uPlot, the drawing script
  });

  it('writes report.html into the run directory, and leaves it out of its own file list', () => {
    const path = writeSoakReport(dir);
    expect(path).toBe(join(dir, SOAK_REPORT_FILE));
    expect(statSync(path).size).toBeGreaterThan(50_000);
    const again = renderSoakReport(readSoakRun(dir));
    expect(again).not.toContain('report.html (');
  });

  it('renders a run directory without a summary (a crashed run) and says how to rebuild it', () => {
    const crashed = join(root, 'crashed');
    mkdirSync(crashed);
    writeRunDirFixture(crashed, { durationS: 60, sampleIntervalS: 1, workers: 0 });
    rmSync(join(crashed, 'summary.json'));
    const page = renderSoakReport(crashed);
    expect(page).toContain('NO SUMMARY');
    expect(page).toContain('<code>stress report DIR</code> rebuilds it');
    expect(chartsOf(page)).toHaveLength(5);
  });
});

describe('soak report of a 24-hour run directory (17,280 samples at 5 s)', () => {
  const dir = join(root, 'day');
  let html: string;
  let renderMs = 0;
  beforeAll(() => {
    mkdirSync(dir);
    writeRunDirFixture(dir, { durationS: 24 * 3600, sampleIntervalS: 5, workers: 2, valuesPerInterval: 20 });
    const started = performance.now();
    html = readFileSync(writeSoakReport(dir), 'utf8');
    renderMs = performance.now() - started;
    // writing 17,280 intervals and samples takes tens of seconds on a busy 2-core machine
  }, 300_000);

  it('stays under 5 MB', () => {
    const bytes = Buffer.byteLength(html);
    console.log(`24-hour soak report: ${(bytes / 1e6).toFixed(2)} MB, rendered in ${renderMs.toFixed(0)} ms`);
    expect(bytes).toBeLessThan(5 * 1024 * 1024);
  });

  it('downsamples every time series to at most 2000 points and says so on the chart', () => {
    const charts = chartsOf(html).filter((c) => c.id !== 'latency-distribution');
    expect(charts).toHaveLength(4);
    for (const chart of charts) {
      expect(chart.data[0]!.length).toBeLessThanOrEqual(2000);
      expect(chart.data[0]!.length).toBeGreaterThan(1000);
      expect(chart.notes.some((n) => n.startsWith('Downsampled for drawing: 17,280 '))).toBe(true);
      expect(chart.x.label).toBe('elapsed (h)');
    }
  });

  it('keeps the latency spikes that downsampling would average away', () => {
    const latency = chartsOf(html)[0]!;
    const max = latency.data[4]!.filter((v): v is number => v !== null);
    // the fixture puts a 20–150 ms spike into about 1 interval in 25; the plotted max must still reach them
    expect(Math.max(...max)).toBeGreaterThan(100);
  });
});
