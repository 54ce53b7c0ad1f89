/**
 * The HTML report of a soak run directory (`report.html`): verdict and criteria on top, then latency over
 * time, memory with its drift fit and ±10% band, CPU, the latency percentile distribution, the checkpoint
 * table with the decision points, and the environment.
 *
 * Reading the run directory is kept apart from rendering: `readSoakRun` gathers the files (whole lines only,
 * as after a crash), `renderSoakReport` is a pure function of what was read, and `writeSoakReport` writes the
 * page atomically beside the other files. Nothing here measures or judges: verdicts, drift fits and
 * decisions come from summary.json and checkpoints.jsonl as the runner wrote them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { CheckpointPoint, CheckpointRecord } from '../../stress/checkpoints.js';
import type { CriterionResult } from '../../stress/criteria.js';
import type { DriftResult } from '../../stress/drift.js';
import { readJsonLines, readManifest, RUN_FILES, type RunManifest, type SampleRecord } from '../../stress/run-dir.js';
import { median } from '../../stress/stats.js';
import type { RunSummary } from '../../stress/summary.js';
import { describeLoad } from '../summary-text.js';
import { sig, sigAll, type ChartSpec, type HLineSpec, type SeriesSpec, type VLineSpec } from './chart-spec.js';
import { DEFAULT_MAX_POINTS, downsampleMinMax, type MaybeNumber } from './downsample.js';
import { escapeHtml } from './escape.js';
import { duration, group, num, plain, timeUnitFor, type TimeUnit } from './format.js';
import { HistogramSum, intervalPercentiles, readIntervalsSparse } from './hdr-sparse.js';
import { badge, chartBox, PALETTE, renderPage, TONE } from './page.js';

export const SOAK_REPORT_FILE = 'report.html';

/** The files of a run directory, as read (torn or unreadable lines skipped and counted). */
export interface SoakRunFiles {
  readonly dir: string;
  readonly manifest: RunManifest;
  /** summary.json, or null while the run is going on or after a crash before `stress report` */
  readonly summary: RunSummary | null;
  readonly samples: readonly SampleRecord[];
  readonly checkpoints: readonly CheckpointRecord[];
  /** the text of latency.hlog, or null when there is none */
  readonly hlog: string | null;
  readonly skippedLines: { readonly samples: number; readonly checkpoints: number };
  /** the files of the directory and their sizes in bytes, for the environment section */
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
}

export interface SoakReportOptions {
  /** points per time-series chart at most (default 2000); longer series are downsampled, min/max kept */
  readonly maxPoints?: number;
  /** the time printed in the footer (default: now) */
  readonly generatedAt?: Date;
}

/** Read a run directory. Throws RunDirError (from run-dir.ts) when run.json is missing or not a manifest. */
export function readSoakRun(dir: string, summary?: RunSummary): SoakRunFiles {
  const manifest = readManifest(dir);
  const samples = readJsonLines<SampleRecord>(join(dir, RUN_FILES.samples));
  const checkpoints = readJsonLines<CheckpointRecord>(join(dir, RUN_FILES.checkpoints));
  return {
    dir: resolve(dir),
    manifest,
    summary: summary ?? readJson<RunSummary>(join(dir, RUN_FILES.summaryJson)),
    samples: samples.records,
    checkpoints: checkpoints.records,
    hlog: readText(join(dir, RUN_FILES.hlog)),
    skippedLines: { samples: samples.skipped, checkpoints: checkpoints.skipped },
    files: listFiles(dir),
  };
}

/** The report page of a run directory (a path, or its files already read). */
export function renderSoakReport(input: string | SoakRunFiles, options: SoakReportOptions = {}): string {
  const run = typeof input === 'string' ? readSoakRun(input) : input;
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const generatedAt = options.generatedAt ?? new Date();
  const manifest = run.manifest;
  const summary = run.summary;
  const lastSampleS = run.samples.at(-1)?.elapsed_s ?? 0;
  const spanS = Math.max(manifest.planned_s, summary?.duration.actual_s ?? 0, lastSampleS);
  const unit = timeUnitFor(spanS);
  const time: TimeContext = { unit, spanS, vlines: checkpointMarkers(run.checkpoints, unit), maxPoints };
  const criteria = summary?.thresholds ?? manifest.criteria;

  const latency = latencyCharts(run, time, criteria.latency_ms);
  const rss = rssChart(run, time);
  const heaps = heapChart(run, time);
  const cpu = cpuChart(run, time);
  const charts: ChartSpec[] = [latency.overTime, rss, heaps, cpu, latency.distribution];

  const version = summary?.environment.package_version ?? manifest.environment.package_version;
  const status = summary?.status ?? 'NO SUMMARY';
  const body = [
    heroSection(run, status),
    criteriaSection(summary),
    errorsSection(summary),
    `<section class="charts">
${chartBox(latency.overTime, true)}
${chartBox(rss)}
${chartBox(heaps)}
${chartBox(cpu)}
${chartBox(latency.distribution)}
</section>`,
    checkpointSection(manifest.checkpoint_plan, run.checkpoints),
    environmentSection(run, latency.skippedIntervals),
    `<footer>Generated by loan-kpi-stress ${escapeHtml(version)} on ${escapeHtml(generatedAt.toISOString())} from
<code>${escapeHtml(run.dir)}</code>. Self-contained: the chart library (uPlot, MIT licence) and the data are inside this
file, and the page makes no network requests.</footer>`,
  ].join('\n');

  return renderPage({
    title: `Soak run ${status} — ${manifest.started_at}`,
    body,
    charts,
    generator: `loan-kpi-stress ${version}`,
  });
}

/** Render the report of a run directory and write it there as report.html (atomically); returns its path. */
export function writeSoakReport(runDir: string, summary?: RunSummary, options: SoakReportOptions = {}): string {
  const path = join(runDir, SOAK_REPORT_FILE);
  writeFileAtomic(path, renderSoakReport(readSoakRun(runDir, summary), options));
  return path;
}

// ---------------------------------------------------------------------------------------------------------
// charts

/** What every chart over elapsed time shares: its unit, its span, the checkpoint markers, the point budget. */
interface TimeContext {
  readonly unit: TimeUnit;
  readonly spanS: number;
  readonly vlines: readonly VLineSpec[];
  readonly maxPoints: number;
}

interface TimeSeriesInput {
  readonly id: string;
  readonly title: string;
  readonly notes: readonly string[];
  readonly yLabel: string;
  readonly yLog?: boolean;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly include?: readonly number[];
  /** seconds since the start */
  readonly t: readonly number[];
  readonly series: readonly { readonly spec: SeriesSpec; readonly values: readonly MaybeNumber[] }[];
  /** series computed at the plotted times (after downsampling): fits and bands */
  readonly derived?: readonly { readonly spec: SeriesSpec; readonly at: (t_s: number) => number | null }[];
  /** bands between derived series, by their position in `derived` */
  readonly bands?: readonly { readonly upper: number; readonly lower: number; readonly fill: string }[];
  readonly hlines?: readonly HLineSpec[];
  readonly what: string;
}

/**
 * A chart over elapsed time: downsample the measured series (min/max kept, and said so in the notes), then
 * evaluate the derived series at the plotted times, and convert the times to the chart's unit.
 */
function timeChart(input: TimeSeriesInput, time: TimeContext): ChartSpec {
  const { unit, vlines, maxPoints } = time;
  const reduced = downsampleMinMax(
    input.t,
    input.series.map((s) => s.values),
    maxPoints,
  );
  const derived = input.derived ?? [];
  const measuredCount = input.series.length;
  const data: (number | null)[][] = [
    reduced.x.map((t) => sig(t / unit.seconds, 7)),
    ...reduced.ys.map((ys) => sigAll(input.yLog ? ys.map((v) => (v !== null && v > 0 ? v : null)) : ys)),
    ...derived.map((d) => sigAll(reduced.x.map((t) => d.at(t)))),
  ];
  const notes = [...input.notes];
  if (reduced.downsampled) {
    notes.push(
      `Downsampled for drawing: ${group(reduced.inputPoints)} ${input.what} → ${group(reduced.x.length)} points; ` +
        `each bucket of ${group(reduced.bucketSize)} keeps its minimum and maximum, so peaks and dips stay visible.`,
    );
  }
  return {
    id: input.id,
    title: input.title,
    notes,
    x: { label: `elapsed (${unit.name})`, kind: 'linear', min: 0, max: sig(time.spanS / unit.seconds, 7) ?? 1 },
    y: {
      label: input.yLabel,
      kind: input.yLog ? 'log' : 'linear',
      ...(input.yMin === undefined ? {} : { min: input.yMin }),
      ...(input.yMax === undefined ? {} : { max: input.yMax }),
      ...(input.include === undefined ? {} : { include: input.include }),
    },
    series: [...input.series.map((s) => s.spec), ...derived.map((d) => d.spec)],
    data,
    bands: (input.bands ?? []).map((b) => ({ upper: measuredCount + b.upper + 1, lower: measuredCount + b.lower + 1, fill: b.fill })),
    hlines: input.hlines ?? [],
    vlines,
  };
}

function checkpointMarkers(records: readonly CheckpointRecord[], unit: TimeUnit): VLineSpec[] {
  return records.map((r) => ({
    x: sig(r.elapsed_s / unit.seconds, 7) ?? 0,
    label: r.decision ? `${r.checkpoint} · ${r.decision.decision}` : r.checkpoint,
    strong: r.decision !== undefined,
  }));
}

const MARKERS_NOTE = 'Vertical lines: checkpoints; solid and labelled: decision points.';

function thresholdLines(band: { readonly pass: number; readonly fail: number }, unitLabel: string, failOp = '>'): HLineSpec[] {
  return [
    { y: band.pass, color: TONE.warn, label: `warn ≥ ${plain(band.pass)} ${unitLabel}` },
    { y: band.fail, color: TONE.fail, label: `fail ${failOp} ${plain(band.fail)} ${unitLabel}` },
  ];
}

interface LatencyCharts {
  readonly overTime: ChartSpec;
  readonly distribution: ChartSpec;
  readonly skippedIntervals: number;
}

function latencyCharts(
  run: SoakRunFiles,
  time: TimeContext,
  band: { readonly pass: number; readonly fail: number; readonly sustained_minutes: number },
): LatencyCharts {
  const { intervals, skipped } = run.hlog === null ? { intervals: [], skipped: 0 } : readIntervalsSparse(run.hlog);
  const sum = new HistogramSum();
  const t: number[] = [];
  const p50: MaybeNumber[] = [];
  const p90: MaybeNumber[] = [];
  const p99: MaybeNumber[] = [];
  const max: MaybeNumber[] = [];
  for (const interval of intervals) {
    sum.add(interval.histogram, interval.max);
    const p = intervalPercentiles(interval.histogram, interval.max);
    t.push(interval.start_s + interval.length_s);
    p50.push(p ? p.p50 / 1000 : null);
    p90.push(p ? p.p90 / 1000 : null);
    p99.push(p ? p.p99 / 1000 : null);
    max.push(p ? p.max / 1000 : null);
  }
  const hlines = thresholdLines(band, 'ms');
  const sampleSeconds = run.manifest.sample_interval_s;
  let overTime: ChartSpec;
  if (intervals.length > 0) {
    overTime = timeChart(
      {
        id: 'latency-time',
        title: 'Latency over time',
        notes: [
          `p50, p90, p99 and max of the iterations in each ${plain(sampleSeconds)} s interval, from latency.hlog (HdrHistogram, 3 significant digits). Log scale.`,
          `Dashed: the latency criterion, warn at p99 ≥ ${plain(band.pass)} ms, fail above ${plain(band.fail)} ms sustained for ${plain(band.sustained_minutes)} scaled minutes. ${MARKERS_NOTE}`,
        ],
        yLabel: 'latency (ms)',
        yLog: true,
        include: [band.pass, band.fail],
        t,
        series: [
          { spec: { label: 'p50', color: PALETTE[0], unit: 'ms', width: 1.75 }, values: p50 },
          { spec: { label: 'p90', color: PALETTE[2], unit: 'ms', width: 1.5 }, values: p90 },
          { spec: { label: 'p99', color: PALETTE[1], unit: 'ms', width: 1.75 }, values: p99 },
          { spec: { label: 'max', color: '#9ca3af', unit: 'ms', width: 1, dash: [4, 3] }, values: max },
        ],
        hlines,
        what: 'intervals',
      },
      time,
    );
  } else {
    // no interval log (deleted, or a run killed before its first interval): the samples carry each interval's p99
    overTime = timeChart(
      {
        id: 'latency-time',
        title: 'Latency over time',
        notes: ['latency.hlog has no readable interval: the p99 of each interval as recorded in samples.jsonl. Log scale.', MARKERS_NOTE],
        yLabel: 'latency (ms)',
        yLog: true,
        include: [band.pass, band.fail],
        t: run.samples.map((s) => s.elapsed_s),
        series: [{ spec: { label: 'p99', color: PALETTE[1], unit: 'ms', width: 1.75 }, values: run.samples.map((s) => s.interval?.p99_ms ?? null) }],
        hlines,
        what: 'samples',
      },
      time,
    );
  }
  return { overTime, distribution: distributionChart(sum, hlines), skippedIntervals: skipped };
}

/** decades of 1/(1−p) from 1 (p = 0) to 10^5 (p = 99.999%), this many points per decade */
const DISTRIBUTION_POINTS_PER_DECADE = 40;
const DISTRIBUTION_DECADES = 5;

function distributionChart(sum: HistogramSum, hlines: readonly HLineSpec[]): ChartSpec {
  const xs: number[] = [];
  const percentiles: number[] = [];
  const steps = DISTRIBUTION_POINTS_PER_DECADE * DISTRIBUTION_DECADES;
  for (let k = 0; k <= steps; k++) {
    const x = 10 ** (k / DISTRIBUTION_POINTS_PER_DECADE);
    xs.push(x);
    percentiles.push(100 * (1 - 1 / x));
  }
  const values = sum.valuesAtPercentiles(percentiles).map((us) => us / 1000);
  const max = sum.max === null ? null : sum.max / 1000;
  const min = values[0] ?? null;
  const logY = max !== null && min !== null && min > 0 && max / min >= 10;
  const count = sum.totalCount;
  const notes = [
    count > 0
      ? `All ${group(count)} iterations of the run, from the interval histograms added up. x: percentile on a log scale of 1/(1−p); the last point is the 99.999th percentile, the maximum is ${num(max)} ms.`
      : 'No iteration latency was recorded.',
  ];
  if (count > 0 && count < 1e5) {
    notes.push(`With ${group(count)} iterations, percentiles above ${percentileLabel(1 - 1 / count)} are the slowest iteration itself.`);
  }
  return {
    id: 'latency-distribution',
    title: 'Latency percentile distribution',
    notes,
    x: { label: 'percentile', kind: 'percentile' },
    y: { label: 'latency (ms)', kind: logY ? 'log' : 'linear', ...(logY ? {} : { min: 0 }) },
    series: [{ label: 'latency', color: PALETTE[0], unit: 'ms', width: 2, fill: 'rgba(29, 78, 216, 0.08)' }],
    data: [xs.map((x) => sig(x, 6)), sigAll(values.length > 0 ? values : xs.map(() => null))],
    hlines: [...hlines],
  };
}

function percentileLabel(fraction: number): string {
  const p = fraction * 100;
  const digits = Math.max(0, Math.min(5, Math.ceil(-Math.log10(Math.max(1e-9, 1 - fraction))) - 2));
  return `${p.toFixed(digits)}%`;
}

/** The Theil–Sen line of a drift result over its window, and the ±band around the first scaled hour's median. */
interface DriftOverlay {
  readonly derived: NonNullable<TimeSeriesInput['derived']>;
  readonly bands: NonNullable<TimeSeriesInput['bands']>;
  readonly notes: string[];
}

function driftOverlay(drift: DriftResult | null | undefined, t: readonly number[], v: readonly (number | null)[], what: string): DriftOverlay {
  if (!drift) return { derived: [], bands: [], notes: [`No drift result for ${what} (no summary.json yet).`] };
  const notes: string[] = [];
  const derived: DriftOverlay['derived'][number][] = [];
  const bands: DriftOverlay['bands'][number][] = [];
  const inWindow = (x: number) => x >= drift.from_s - 1e-9 && x <= drift.to_s + 1e-9;
  const slope = drift.slope_per_hour;
  if (slope !== null) {
    const perSecond = slope / 3600;
    // the line's intercept is not in the summary; the median of v − slope·t over the window is the usual
    // Theil–Sen intercept (Conover), the same choice the drift detector makes
    const residuals: number[] = [];
    for (let i = 0; i < t.length; i++) {
      const value = v[i];
      // samples without a reading (null) have no residual
      if (inWindow(t[i]!) && value !== null && value !== undefined) residuals.push(value - perSecond * t[i]!);
    }
    if (residuals.length > 0) {
      const intercept = median(residuals);
      derived.push({
        spec: { label: `drift fit (${signed(slope)} MB/h)`, color: '#111827', unit: 'MB', width: 2, dash: [7, 4] },
        at: (x) => (inWindow(x) ? intercept + perSecond * x : null),
      });
    }
  }
  notes.push(
    `Drift of ${what}: ${drift.verdict} — ${drift.reason}. ` +
      `Fitted after ${num(drift.warmup_s)} s of warm-up (Theil–Sen, ${drift.n} samples).`,
  );
  const level = drift.level;
  if (level) {
    const hi = level.first_median * (1 + level.band_percent / 100);
    const lo = level.first_median * (1 - level.band_percent / 100);
    const bandSpec = (label: string): SeriesSpec => ({ label, color: 'rgba(21, 128, 61, 0.55)', unit: 'MB', width: 1, legend: false });
    derived.push({ spec: bandSpec(`+${level.band_percent}%`), at: (x) => (inWindow(x) ? hi : null) });
    derived.push({ spec: bandSpec(`−${level.band_percent}%`), at: (x) => (inWindow(x) ? lo : null) });
    bands.push({ upper: derived.length - 2, lower: derived.length - 1, fill: 'rgba(21, 128, 61, 0.10)' });
    notes.push(
      `Green band: ±${level.band_percent}% of the median of the first scaled hour (${num(level.first_median)} MB); ` +
        `the last scaled hour's median is ${num(level.last_median)} MB (${level.change_percent === null ? 'n/a' : `${signed(level.change_percent)}%`}, ` +
        `${level.within_band ? 'within' : 'outside'} the band).`,
    );
  }
  return { derived, bands, notes };
}

function rssChart(run: SoakRunFiles, time: TimeContext): ChartSpec {
  const t = run.samples.map((s) => s.elapsed_s);
  const rss = run.samples.map((s) => s.rss_mb);
  const overlay = driftOverlay(run.summary?.drift.rss, t, rss, 'RSS');
  const band = run.summary?.thresholds.rss_mb ?? run.manifest.criteria.rss_mb;
  return timeChart(
    {
      id: 'memory-rss',
      title: 'Memory: resident set size',
      notes: [
        `RSS of the whole process (all threads), sampled every ${plain(run.manifest.sample_interval_s)} s; MB = 2^20 bytes. Criterion: warn ≥ ${plain(band.pass)} MB, fail > ${plain(band.fail)} MB (dashed lines, when in range).`,
        ...overlay.notes,
      ],
      yLabel: 'RSS (MB)',
      yMin: 0,
      t,
      series: [{ spec: { label: 'RSS', color: PALETTE[0], unit: 'MB', width: 1.75 }, values: rss }],
      derived: overlay.derived,
      bands: overlay.bands,
      hlines: thresholdLines(band, 'MB'),
      what: 'samples',
    },
    time,
  );
}

function heapChart(run: SoakRunFiles, time: TimeContext): ChartSpec {
  const samples = run.samples;
  const t = samples.map((s) => s.elapsed_s);
  const total = samples.map((s) => s.heap_after_gc_total_mb);
  const workers = samples.reduce((n, s) => Math.max(n, s.workers_heap_after_gc_mb?.length ?? 0), 0);
  const overlay = driftOverlay(run.summary?.drift.heap_after_gc, t, total, 'heap + external after GC');
  const series: TimeSeriesInput['series'][number][] = [
    { spec: { label: 'heap + external after GC, all threads', color: PALETTE[0], unit: 'MB', width: 2 }, values: total },
    { spec: { label: 'main heap after GC', color: PALETTE[2], unit: 'MB', width: 1.25 }, values: samples.map((s) => s.heap_after_gc_mb) },
    { spec: { label: 'main heap used (as found)', color: '#9ca3af', unit: 'MB', width: 1 }, values: samples.map((s) => s.heap_used_mb) },
  ];
  for (let w = 0; w < workers; w++) {
    series.push({
      spec: { label: `worker ${w + 1} heap after GC`, color: PALETTE[(3 + w) % PALETTE.length]!, unit: 'MB', width: 1.25 },
      values: samples.map((s) => s.workers_heap_after_gc_mb?.[w] ?? null),
    });
  }
  const forced = samples.every((s) => s.gc_forced);
  const workerNote =
    workers > 0
      ? `Each worker's heap is reported by the worker itself after its own full GC.`
      : run.manifest.worker_heaps
        ? 'No worker reported its heap.'
        : "This workload's workers do not report their heaps; the total is the main thread's.";
  return timeChart(
    {
      id: 'memory-heap',
      title: 'Memory: JavaScript heaps',
      notes: [
        `Heap used right after a ${forced ? 'forced ' : ''}full GC (the floor that a leak raises), per thread; the thick line adds external memory (buffers) of all threads, the series the drift detector watches. The grey line is the main heap as found, a saw-tooth between collections. ${workerNote}`,
        ...overlay.notes,
      ],
      yLabel: 'heap (MB)',
      yMin: 0,
      t,
      series,
      derived: overlay.derived,
      bands: overlay.bands,
      what: 'samples',
    },
    time,
  );
}

function cpuChart(run: SoakRunFiles, time: TimeContext): ChartSpec {
  const cpu = run.samples.map((s) => s.cpu_percent);
  const band = run.summary?.thresholds.cpu_percent ?? run.manifest.criteria.cpu_percent;
  const peak = cpu.reduce((m, v) => Math.max(m, v), 0);
  const cores = run.summary?.environment.cores ?? run.manifest.environment.cores;
  return timeChart(
    {
      id: 'cpu',
      title: 'CPU over time',
      notes: [
        `CPU time of the whole process (all threads) per sample interval, as a share of all ${cores} cores: 100% = every core busy. ` +
          `Criterion on the mean: warn ≥ ${plain(band.pass)}%, fail > ${plain(band.fail)}%.`,
      ],
      yLabel: 'CPU (% of all cores)',
      yMin: 0,
      ...(peak <= 100 ? { yMax: 100 } : {}),
      t: run.samples.map((s) => s.elapsed_s),
      series: [{ spec: { label: 'CPU', color: PALETTE[1], unit: '%', width: 1.5, fill: 'rgba(124, 58, 237, 0.08)' }, values: cpu }],
      hlines: thresholdLines(band, '%'),
      what: 'samples',
    },
    time,
  );
}

// ---------------------------------------------------------------------------------------------------------
// sections

function heroSection(run: SoakRunFiles, status: string): string {
  const summary = run.summary;
  const manifest = run.manifest;
  const tone = ({ PASS: 'pass', WARN: 'warn', FAIL: 'fail' } as Record<string, string>)[status] ?? 'neutral';
  const reason = summary ? summary.status_reason : 'not summarised yet';
  const missing = summary
    ? ''
    : '<p><b>summary.json is missing</b>: the run is still going, or it stopped before writing it. <code>stress report DIR</code> rebuilds it from the files, with this page.</p>';
  const decisions = summary?.decisions ?? run.checkpoints.flatMap((c) => (c.decision ? [c.decision] : []));
  const decisionHtml =
    decisions.length === 0
      ? ''
      : `<p>Decision points: ${decisions.map((d) => `<span title="${escapeHtml(d.reasons.join('; '))}">${escapeHtml(d.checkpoint)} ${badge(d.decision)}</span>`).join(' &nbsp; ')}</p>`;
  const started = summary?.started_at ?? manifest.started_at;
  const ended = summary?.ended_at ?? run.samples.at(-1)?.timestamp ?? '—';
  return `<section class="card hero ${tone}">
<div>${badge(status, 'large')}</div>
<div class="what">
<h1>Soak run: ${escapeHtml(reason)}</h1>
<p class="muted">${escapeHtml(manifest.workload.description)}</p>
<p class="muted small">${escapeHtml(started)} → ${escapeHtml(ended)} · ${escapeHtml(loadShape(run))}</p>
${missing}${decisionHtml}
</div>
${factsGrid(run)}
</section>`;
}

function loadShape(run: SoakRunFiles): string {
  const load = run.summary?.load;
  if (load !== undefined) return describeLoad(load);
  const plan = run.manifest.load;
  return plan.kind === 'open' ? `open loop at ${num(plan.rate_per_s)}/s` : `closed loop, ${plan.concurrency} in flight`;
}

function factsGrid(run: SoakRunFiles): string {
  const s = run.summary;
  const last = run.samples.at(-1);
  const facts: [string, string, string][] = [];
  const planned = run.manifest.planned_s;
  const actual = s?.duration.actual_s ?? last?.elapsed_s ?? 0;
  facts.push(['duration', duration(actual), `of ${duration(planned)} planned`]);
  const total = s?.iterations.total ?? last?.iterations ?? 0;
  const rate = s?.iterations.achieved_rate_per_s ?? (actual > 0 ? total / actual : 0);
  facts.push(['iterations', group(total), `${num(rate)} per second`]);
  const failed = s?.iterations.failed ?? last?.failed ?? 0;
  facts.push(['errors', group(failed), `${num(s?.iterations.error_rate_percent ?? (total > 0 ? (100 * failed) / total : 0))}% of iterations`]);
  if (s?.latency_ms) facts.push(['latency p50 / p99', `${num(s.latency_ms.p50)} / ${num(s.latency_ms.p99)} ms`, `max ${num(s.latency_ms.max)} ms`]);
  const peak = s?.memory.rss_peak_mb ?? run.samples.reduce((m, x) => Math.max(m, x.rss_mb), 0);
  facts.push(['peak RSS', `${num(peak)} MB`, s?.drift.rss ? `drift ${s.drift.rss.verdict}` : '']);
  if (s?.drift.heap_after_gc) facts.push(['heap after GC', `${num(s.drift.heap_after_gc.median)} MB`, `drift ${s.drift.heap_after_gc.verdict}`]);
  if (s?.cpu_percent !== undefined && s.cpu_percent !== null) facts.push(['CPU, mean', `${num(s.cpu_percent)}%`, 'of all cores']);
  return `<div class="facts" style="flex-basis: 100%">${facts
    .map(([k, v, sub]) => `<div class="fact"><div class="k">${escapeHtml(k)}</div><div class="v">${escapeHtml(v)}</div><div class="s">${escapeHtml(sub)}</div></div>`)
    .join('')}</div>`;
}

const CRITERION_NAMES: Readonly<Record<string, string>> = {
  error_rate: 'Error rate',
  latency: 'Latency',
  memory: 'Memory (RSS)',
  memory_drift: 'Memory drift',
  cpu: 'CPU',
  data_integrity: 'Data integrity',
  audit_trail: 'Audit trail',
};

function criteriaSection(summary: RunSummary | null): string {
  if (!summary) return '<section class="card"><h2>Criteria</h2><p class="muted">Not judged yet: there is no summary.json.</p></section>';
  const rows = summary.criteria.map((c: CriterionResult) => {
    const measured = c.measured === null ? 'not measured' : `${num(c.measured)} ${c.unit}`;
    return `<tr class="row-${c.verdict === 'N/A' ? 'na' : c.verdict.toLowerCase()}"><td><b>${escapeHtml(CRITERION_NAMES[c.name] ?? c.name)}</b></td>
<td class="num">${escapeHtml(measured)}</td><td>${escapeHtml(c.pass_rule)}</td><td>${escapeHtml(c.fail_rule)}</td>
<td>${badge(c.verdict)}</td><td class="detail">${escapeHtml(c.detail)}</td></tr>`;
  });
  return `<section class="card"><h2>Criteria</h2><div class="table-wrap"><table>
<thead><tr><th>criterion</th><th class="num">measured</th><th>pass</th><th>fail</th><th>verdict</th><th>detail</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

function errorsSection(summary: RunSummary | null): string {
  const kinds = Object.entries(summary?.iterations.errors_by_kind ?? {});
  if (kinds.length === 0) return '';
  kinds.sort((a, b) => b[1] - a[1]);
  return `<section class="card"><h2>Errors by kind</h2><div class="table-wrap"><table>
<thead><tr><th class="num">count</th><th>error</th></tr></thead>
<tbody>${kinds.map(([kind, count]) => `<tr><td class="num">${group(count)}</td><td><code>${escapeHtml(kind)}</code></td></tr>`).join('\n')}</tbody></table></div></section>`;
}

function checkpointSection(plan: readonly CheckpointPoint[], records: readonly CheckpointRecord[]): string {
  const byLabel = new Map(records.map((r) => [r.checkpoint, r] as const));
  const rows: string[] = [];
  const row = (label: string, plannedS: number | null, decisionPoint: boolean, r: CheckpointRecord | undefined): string => {
    const cls = [decisionPoint ? 'decision' : '', r ? `row-${r.validation_status.toLowerCase()}` : 'not-reached'].filter(Boolean).join(' ');
    const mark = decisionPoint ? ' ◆' : '';
    const planned = plannedS === null ? '—' : duration(plannedS);
    if (!r) return `<tr class="${cls}"><td class="cp">${escapeHtml(label)}${mark}</td><td class="num">${planned}</td><td colspan="12">not reached</td></tr>`;
    const l = r.kpi_latency_ms;
    const decision = r.decision ? badge(r.decision.decision) : '';
    // the reasons of a decision are sentences: a row of their own keeps the figures above them in columns
    const reasons =
      r.decision && r.decision.reasons.length > 0
        ? `\n<tr class="${cls} reasons"><td></td><td colspan="13">${r.decision.reasons.map((x) => escapeHtml(x)).join('<br>')}</td></tr>`
        : '';
    return `<tr class="${cls}"><td class="cp">${escapeHtml(label)}${mark}</td><td class="num">${planned}</td><td class="num">${duration(r.elapsed_s)}</td>
<td class="num">${num(l.p50)}</td><td class="num">${num(l.p90)}</td><td class="num">${num(l.p99)}</td><td class="num">${num(l.max)}</td>
<td class="num">${num(r.error_rate_percent)}</td><td class="num">${num(r.memory_mb)}</td><td class="num">${num(r.cpu_percent)}</td>
<td>${badge(r.pipeline_status)}</td><td class="num">${group(r.audit_trail_events)}</td><td>${badge(r.validation_status)}</td><td>${decision}</td></tr>${reasons}`;
  };
  for (const point of plan) {
    rows.push(row(point.label, point.at_ms / 1000, point.decision_point, byLabel.get(point.label)));
    byLabel.delete(point.label);
  }
  // records outside the plan, such as the "end" record of a run stopped early
  for (const r of byLabel.values()) rows.push(row(r.checkpoint, null, r.decision !== undefined, r));
  return `<section class="card"><h2>Checkpoints</h2>
<p class="muted small">The seeds' schedule scaled to the run (H = duration / 24). ◆ decision points (1H, 8H, 24H): continue, investigate or roll back. Latency of the iterations so far; status: the criteria judged at that moment.</p>
<div class="table-wrap"><table>
<thead><tr><th>checkpoint</th><th class="num">planned</th><th class="num">taken</th><th class="num">p50 ms</th><th class="num">p90 ms</th><th class="num">p99 ms</th><th class="num">max ms</th>
<th class="num">errors %</th><th class="num">RSS MB</th><th class="num">CPU %</th><th>pipeline</th><th class="num">audit events</th><th>status</th><th>decision</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div></section>`;
}

function environmentSection(run: SoakRunFiles, skippedIntervals: number): string {
  const env = run.summary?.environment ?? run.manifest.environment;
  const options = run.summary?.options ?? run.manifest.options;
  const items: [string, string][] = [
    ['Node.js', env.node],
    ['platform', `${env.platform} ${env.arch}`],
    ['CPU', `${env.cpu_model}, ${env.cores} cores`],
    ['memory', `${group(env.memory_total_mb)} MB`],
    ['loan-kpi-stress', env.package_version],
    ['workload', `${run.manifest.workload.kind}: ${run.manifest.workload.description}`],
    ['load', loadShape(run)],
    ['sample interval', `${num(run.manifest.sample_interval_s)} s`],
    ['criteria', run.manifest.criteria_file ?? 'defaults (SPEC §4)'],
    ['options', Object.entries(options).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('  ')],
    ['run directory', run.dir],
    ['files', run.files.map((f) => `${f.name} (${group(f.bytes)} B)`).join(', ')],
  ];
  const skipped: string[] = [];
  if (run.skippedLines.samples > 0) skipped.push(`${run.skippedLines.samples} unreadable line(s) of samples.jsonl`);
  if (run.skippedLines.checkpoints > 0) skipped.push(`${run.skippedLines.checkpoints} of checkpoints.jsonl`);
  if (skippedIntervals > 0) skipped.push(`${skippedIntervals} of latency.hlog`);
  if (skipped.length > 0) items.push(['skipped', `${skipped.join(', ')} (a torn last line after a crash)`]);
  return `<section class="card"><h2>Environment</h2><dl class="env">${items
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl></section>`;
}

// ---------------------------------------------------------------------------------------------------------
// small helpers

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function listFiles(dir: string): { name: string; bytes: number }[] {
  try {
    return readdirSync(dir)
      .filter((name) => !name.startsWith('.') && name !== SOAK_REPORT_FILE)
      .sort()
      .flatMap((name) => {
        try {
          const stat = statSync(join(dir, name));
          return stat.isFile() ? [{ name, bytes: stat.size }] : [];
        } catch {
          return [];
        }
      });
  } catch {
    return [];
  }
}

function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${num(value)}`;
}
