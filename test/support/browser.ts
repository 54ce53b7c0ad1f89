/**
 * Headless Chromium for the report tests: Debian's /usr/bin/chromium driven by playwright-core (whose own
 * browser download cannot reach the network on the build machines). A missing browser is an error that
 * says how to install it, never a skipped test.
 *
 * Also the run directories that the report tests render (writeRunDirFixture), hand-made in the runner's
 * file formats.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AuditTrail } from '../../src/audit/trail.js';
import { checkpointSchedule, type CheckpointRecord } from '../../src/stress/checkpoints.js';
import { DEFAULT_CRITERIA } from '../../src/stress/criteria.js';
import { createLatencyHistogram } from '../../src/stress/histogram.js';
import { HlogFile } from '../../src/stress/hlog.js';
import { AUDIT_ACTIONS, MANIFEST_FORMAT, RUN_FILES, RunTally, summaryInputsFor, writeManifest, type RunManifest, type SampleRecord } from '../../src/stress/run-dir.js';
import { buildSummary, type RunSummary } from '../../src/stress/summary.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

/**
 * As root Chromium needs --no-sandbox; the networking flags stop its background connections (updates,
 * sync, safe browsing), which a closed network refuses many at a time and which a report must not need.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/install-browser.sh (as root) to install Debian's chromium, then rerun the tests`);
  }
  // playwright gives each launch a new, empty profile of its own and deletes it on close
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export interface OpenedReport {
  readonly page: Page;
  /** console messages of type error, and uncaught page errors */
  readonly errors: string[];
  /** every URL the page requested other than its own file */
  readonly requests: string[];
  /** how many charts the page's script drew, from data-charts-ready */
  readonly chartsReady: number;
  /** ms from navigation start until every chart had drawn, from data-draw-ms */
  readonly drawMs: number;
}

/** Open an HTML file from disk (file:// URL) and wait until its script says every chart has drawn. */
export async function openReport(browser: Browser, path: string, viewport = { width: 1360, height: 900 }): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  const errors: string[] = [];
  const requests: string[] = [];
  const url = pathToFileURL(path).href;
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  // page-side code is passed as text: the tests are compiled without the DOM's types
  await page.waitForFunction("document.documentElement.hasAttribute('data-charts-ready')", undefined, { timeout: 30_000 });
  const ready = (await page.evaluate(`({
    charts: Number(document.documentElement.getAttribute('data-charts-ready')),
    drawMs: Number(document.documentElement.getAttribute('data-draw-ms')),
  })`)) as { charts: number; drawMs: number };
  return { page, errors, requests, chartsReady: ready.charts, drawMs: ready.drawMs };
}

export interface CanvasInk {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** pixels that are not fully transparent */
  readonly inked: number;
  /** pixels inside the plotting area in a series colour (not grid grey, not white): the data drew */
  readonly plotted: number;
}

/**
 * Read every chart's canvas back (getImageData) and count its painted pixels: a chart whose canvas is all
 * transparent did not draw, and one with no coloured pixel drew axes but no data.
 */
export async function canvasInk(page: Page): Promise<CanvasInk[]> {
  return (await page.evaluate(CANVAS_INK)) as CanvasInk[];
}

const CANVAS_INK = `Array.from(document.querySelectorAll('.chart')).map((box) => {
  const canvas = box.querySelector('canvas');
  if (!canvas) return { id: box.id, width: 0, height: 0, inked: 0, plotted: 0 };
  const context = canvas.getContext('2d');
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  let plotted = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2], a = pixels[i + 3];
    if (a === 0) continue;
    inked++;
    // saturated: the channels differ, unlike the greys of axes, grid and text
    if (Math.max(r, g, b) - Math.min(r, g, b) > 60) plotted++;
  }
  return { id: box.id, width: canvas.width, height: canvas.height, inked, plotted };
})`;

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

// ---------------------------------------------------------------------------------------------------------
// Run directories for the report tests, written in the formats of src/stress/run-dir.ts and summarised by
// the runner's own RunTally and buildSummary, so that the pages are rendered from files like real ones. (The
// tally is fed as the files are written rather than by `rebuildInputs`, which decodes every line of
// latency.hlog again: about 20 s for a 24-hour log.)

export interface RunFixtureOptions {
  readonly durationS: number;
  readonly sampleIntervalS: number;
  /** worker threads that report their heaps */
  readonly workers?: number;
  /** iterations recorded into each interval's histogram (they stand for many more) */
  readonly valuesPerInterval?: number;
  /** MB per hour that the heap grows by (a leak) */
  readonly leakMbPerHour?: number;
  /** text that must reach the page escaped: put into the workload description and an error kind */
  readonly hostileText?: string;
  readonly seed?: number;
}

/** Write a complete, finished run directory into `dir` (which must exist) and return its rebuilt summary. */
export function writeRunDirFixture(dir: string, options: RunFixtureOptions): RunSummary {
  const { durationS, sampleIntervalS } = options;
  const workers = options.workers ?? 2;
  const perInterval = options.valuesPerInterval ?? 40;
  const leak = options.leakMbPerHour ?? 0;
  const hostile = options.hostileText ?? '';
  let state = options.seed ?? 7;
  const random = () => {
    // xorshift32: the same fixture every time
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const startedAtMs = Date.UTC(2026, 0, 5, 8, 0, 0);
  const plan = checkpointSchedule(durationS * 1000);
  const manifest: RunManifest = {
    format: MANIFEST_FORMAT,
    started_at: new Date(startedAtMs).toISOString(),
    started_at_ms: startedAtMs,
    planned_s: durationS,
    sample_interval_s: sampleIntervalS,
    heap_sample_interval_s: sampleIntervalS,
    workload: { kind: 'module', description: `test workload module ${hostile}`.trim() },
    load: { kind: 'open', rate_per_s: 50, max_in_flight: 16 },
    checks_integrity: false,
    worker_heaps: workers > 0,
    criteria: DEFAULT_CRITERIA,
    criteria_file: null,
    abort_on_fail: false,
    checkpoint_plan: plan,
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpu_model: 'fixture CPU',
      cores: 2,
      memory_total_mb: 24_000,
      package_version: '0.0.0-fixture',
    },
    options: { duration_s: durationS, workload: 'fixture.mjs', note: hostile },
    pid: 4242,
  };
  writeManifest(dir, manifest);
  const trail = AuditTrail.open(join(dir, RUN_FILES.audit), 'stress run');
  trail.append(AUDIT_ACTIONS.start, 'info', {});

  const tally = new RunTally(manifest);
  const decisions: NonNullable<CheckpointRecord['decision']>[] = [];
  let last: SampleRecord | null = null;
  const hlog = new HlogFile(join(dir, RUN_FILES.hlog), startedAtMs);
  const histogram = createLatencyHistogram();
  const lines: string[] = [];
  const checkpointLines: string[] = [];
  const intervals = Math.round(durationS / sampleIntervalS);
  let iterations = 0;
  let failed = 0;
  const errors: Record<string, number> = {};
  let nextCheckpoint = 0;
  for (let i = 1; i <= intervals; i++) {
    const t = i * sampleIntervalS;
    const hours = t / 3600;
    // latency: a log-normal body around 2 ms, a slow daily wave, and a rare spike of up to 150 ms
    const wave = 1 + 0.3 * Math.sin((2 * Math.PI * t) / durationS);
    let p99 = 0;
    for (let k = 0; k < perInterval; k++) {
      const body = 2000 * wave * Math.exp(0.35 * gaussian(random));
      const us = random() < 0.002 ? 20_000 + 130_000 * random() : body;
      histogram.recordValue(Math.max(1, Math.round(us)));
    }
    p99 = histogram.getValueAtPercentile(99) / 1000;
    hlog.append(histogram, t - sampleIntervalS, t);
    tally.addInterval(histogram);
    histogram.reset();
    iterations += Math.round(50 * sampleIntervalS);
    if (i === 1 && hostile) {
      failed += 1;
      errors[`Error: ${hostile}`] = 1;
    } else if (random() < 0.01) {
      failed += 1;
      const kind = hostile && random() < 0.5 ? `Error: ${hostile}` : 'Error: upstream timeout';
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
    const heap = 10 + leak * hours + 0.3 * random();
    const workerHeaps = Array.from({ length: workers }, (_, w) => 6 + w + leak * hours * 0.5 + 0.2 * random());
    const sample: SampleRecord = {
      timestamp: new Date(startedAtMs + t * 1000).toISOString(),
      elapsed_s: t,
      rss_mb: 120 + 2 * leak * hours + 4 * random(),
      rss_after_gc_mb: 115 + 2 * leak * hours + random(),
      heap_used_mb: heap + 8 * random(),
      heap_after_gc_mb: heap,
      heap_measured: true,
      heap_gc_pause_ms: 25,
      external_mb: 3,
      array_buffers_mb: 1,
      external_after_gc_mb: 3,
      workers_heap_after_gc_mb: workers > 0 ? workerHeaps : null,
      workers_external_after_gc_mb: workers > 0 ? workerHeaps.map(() => 1) : null,
      heap_after_gc_total_mb: heap + 3 + workerHeaps.reduce((a, b) => a + b + 1, 0),
      gc_forced: true,
      cpu_percent: Math.min(100, 30 + 10 * wave + 8 * random()),
      cpu_percent_one_core: Math.min(200, 60 + 20 * wave + 16 * random()),
      event_loop_delay_ms: { mean: 1, p50: 1, p99: 3, max: 5 },
      iterations,
      failed,
      integrity_checked: 0,
      mismatches: 0,
      errors_by_kind: { ...errors },
      late_starts: 0,
      skipped: 0,
      in_flight: 1,
      interval: { start_s: t - sampleIntervalS, timed: perInterval, p99_ms: p99, oldest_in_flight_ms: null },
    };
    lines.push(JSON.stringify(sample));
    tally.addSample(sample);
    last = sample;
    while (nextCheckpoint < plan.length && plan[nextCheckpoint]!.at_ms <= t * 1000 + 1e-6) {
      const point = plan[nextCheckpoint]!;
      const record: CheckpointRecord = {
        timestamp: sample.timestamp,
        elapsed_s: t,
        checkpoint: point.label,
        kpi_latency_ms: { mean: 2.1, p50: 2, p90: 3.1, p99: 4.4, max: 150 },
        error_rate_percent: (100 * failed) / iterations,
        memory_mb: sample.rss_mb,
        cpu_percent: sample.cpu_percent,
        pipeline_status: 'running',
        audit_trail_events: trail.events + 1,
        validation_status: 'PASS',
        ...(point.decision_point
          ? { decision: { checkpoint: point.label, hour: point.hour, decision: 'continue' as const, reasons: [] as string[] } }
          : {}),
      };
      checkpointLines.push(JSON.stringify(record));
      if (record.decision) decisions.push(record.decision);
      trail.append(AUDIT_ACTIONS.checkpoint, 'ok', { checkpoint: point.label });
      nextCheckpoint += 1;
    }
  }
  hlog.close();
  writeFileSync(join(dir, RUN_FILES.samples), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, RUN_FILES.checkpoints), `${checkpointLines.join('\n')}\n`);
  const endedAt = new Date(startedAtMs + durationS * 1000).toISOString();
  trail.append(AUDIT_ACTIONS.complete, 'ok', { stop: 'completed', ended_at: endedAt, actual_s: durationS });
  trail.close();
  if (last === null) throw new RangeError('a run fixture needs at least one sample interval');
  const audit = { events_written: trail.events, failed_writes: 0, missing_events: 0 };
  const summary = buildSummary(
    summaryInputsFor(manifest, {
      ended_at: endedAt,
      actual_s: durationS,
      interrupted: null,
      aborted: null,
      counts: last,
      measured: tally.measured(last, audit, true),
      latency: tally.latency,
      decisions,
      checkpoints_written: checkpointLines.length,
    }),
  );
  writeFileSync(join(dir, RUN_FILES.summaryJson), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** A standard normal deviate (Box–Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
