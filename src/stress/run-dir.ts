/**
 * The run directory of a soak, and its file formats:
 *
 * | file | written | content |
 * |---|---|---|
 * | run.json | once, at the start | RunManifest: options, workload, load shape, criteria, environment, start time |
 * | samples.jsonl | one line per sample interval | SampleRecord: memory, heaps after GC, CPU, event-loop delay, cumulative counters |
 * | latency.hlog | one line per sample interval | HdrHistogram interval log of iteration latency, µs (see hlog.ts) |
 * | checkpoints.jsonl | one line per checkpoint | CheckpointRecord (SPEC §4) |
 * | audit.jsonl | start, each checkpoint, end | hash-chained audit trail (src/audit/trail.ts) |
 * | summary.json, summary.md | at the end, or by `stress report` | RunSummary and its markdown |
 *
 * Durability: samples.jsonl and latency.hlog are appended at every sample and fsynced then (on libuv's thread
 * pool, off the event loop); checkpoints.jsonl and audit.jsonl are fsynced as each line is written; run.json
 * and the summaries are written atomically (temporary file, fsync, rename). After a crash (`kill -9`, power
 * loss) every file holds whole lines up to the last sample at least, and `stress report DIR` rebuilds the
 * summary from them (rebuildInputs), losing at most the sample interval in progress.
 *
 * Every line is appended whole or not at all (appendWhole: a disk that fills up mid-line has the part cut off
 * again), so only a crash in the middle of a write can tear the last line of a file; readers here skip it.
 */
import { closeSync, fsync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Histogram } from 'hdr-histogram-js';
import { fsyncDirectory, readTrail, type AuditEvent } from '../audit/trail.js';
import { appendWhole, writeFileAtomic } from '../io/atomic-write.js';
import type { CheckpointPoint, CheckpointRecord, DecisionRecord, KpiLatencyMs } from './checkpoints.js';
import { SustainedLatencyTracker, type Criteria, type Measured } from './criteria.js';
import { detectDrift, type DriftOptions } from './drift.js';
import { addLatencyHistogram, createLatencyHistogram, latencyPercentileMs, latencySummaryMs } from './histogram.js';
import { readHlog } from './hlog.js';
import type { ProcessSample } from './sampler.js';
import { BoundedSeries } from './series.js';
import type { EnvironmentInfo, LoadShape, SummaryInputs, WorkloadInfo } from './summary.js';

export const RUN_FILES = {
  manifest: 'run.json',
  samples: 'samples.jsonl',
  hlog: 'latency.hlog',
  checkpoints: 'checkpoints.jsonl',
  audit: 'audit.jsonl',
  summaryJson: 'summary.json',
  summaryMd: 'summary.md',
} as const;

export const MANIFEST_FORMAT = 'loan-kpi-stress/run@1';

/** The load shape as configured (the summary's LoadShape adds what was counted during the run). */
export type LoadPlan =
  | { readonly kind: 'closed'; readonly concurrency: number }
  | { readonly kind: 'open'; readonly rate_per_s: number; readonly max_in_flight: number };

/** run.json: everything a rebuild needs that the other files do not say. */
export interface RunManifest {
  readonly format: typeof MANIFEST_FORMAT;
  /** ISO 8601 UTC, and epoch ms, of the start of measurement */
  readonly started_at: string;
  readonly started_at_ms: number;
  readonly planned_s: number;
  readonly sample_interval_s: number;
  /** how often a sample also measures the heaps after a forced GC (see run.ts, heapIntervalMs) */
  readonly heap_sample_interval_s: number;
  readonly workload: WorkloadInfo;
  readonly load: LoadPlan;
  /** iterations compare their result with a reference (data-integrity criterion) */
  readonly checks_integrity: boolean;
  /** workers report their heaps (heap after GC covers them) */
  readonly worker_heaps: boolean;
  readonly criteria: Criteria;
  /** the criteria file, or null for the defaults */
  readonly criteria_file: string | null;
  readonly abort_on_fail: boolean;
  readonly checkpoint_plan: readonly CheckpointPoint[];
  readonly environment: EnvironmentInfo;
  /** the options as given on the command line (JSON-safe) */
  readonly options: Readonly<Record<string, unknown>>;
  readonly pid: number;
}

/**
 * One line of samples.jsonl: the process sample (sampler.ts) stamped with its time, then the run's counters.
 * Counters are cumulative since the start, so the last line alone has them all.
 */
export interface SampleRecord extends ProcessSample {
  readonly timestamp: string;
  readonly elapsed_s: number;
  /** completed iterations (failed included) */
  readonly iterations: number;
  readonly failed: number;
  /** iterations compared with the reference, and those that differed */
  readonly integrity_checked: number;
  readonly mismatches: number;
  readonly errors_by_kind: Readonly<Record<string, number>>;
  readonly late_starts: number;
  readonly skipped: number;
  readonly in_flight: number;
  /** the most iterations in flight at once since the start (absent in runs recorded before it was counted) */
  readonly peak_in_flight?: number;
  /**
   * The latency interval that ended with this sample: its start, the iterations timed in it and their p99
   * (ms, null for none), and the age of the oldest iteration still in flight at its end (ms, null for none).
   */
  readonly interval: {
    readonly start_s: number;
    readonly timed: number;
    readonly p99_ms: number | null;
    readonly oldest_in_flight_ms: number | null;
  };
}

export function writeManifest(dir: string, manifest: RunManifest): void {
  writeFileAtomic(join(dir, RUN_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  fsyncDirectory(dir);
}

export function readManifest(dir: string): RunManifest {
  const path = join(dir, RUN_FILES.manifest);
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as RunManifest;
  } catch {
    throw new RunDirError(`${path} is missing or not valid JSON: not a run directory of "stress run"`);
  }
  if (manifest?.format !== MANIFEST_FORMAT) throw new RunDirError(`${path} is not a ${MANIFEST_FORMAT} manifest`);
  return manifest;
}

/** A run directory that cannot be read: bad input, exit 2. */
export class RunDirError extends Error {
  override name = 'RunDirError';
}

/**
 * The whole lines of a JSON Lines file, parsed; a torn last line (a crash during its write) is skipped and
 * counted, and so is any other line that does not parse. A missing file gives no lines.
 */
export function readJsonLines<T>(path: string): { readonly records: T[]; readonly skipped: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { records: [], skipped: 0 };
  }
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped += 1;
    }
  }
  return { records, skipped };
}

/**
 * A file appended one whole line per write. `append` writes at once (to the page cache: microseconds);
 * `sync` makes it durable on libuv's thread pool, so the event loop never waits for the disk, and
 * `appendSynced` waits for both (checkpoints, which must be on disk before the run goes on).
 */
export class AppendFile {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(line: string): void {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    appendWhole(this.fd, line.endsWith('\n') ? line : `${line}\n`, this.path);
  }

  appendJson(value: unknown): void {
    this.append(`${JSON.stringify(value)}\n`);
  }

  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.resolve();
    return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

export function checkpointsPath(dir: string): string {
  return join(dir, RUN_FILES.checkpoints);
}

export function readCheckpoints(dir: string): CheckpointRecord[] {
  return readJsonLines<CheckpointRecord>(checkpointsPath(dir)).records;
}

/**
 * The warm-up left out of the RSS trend (at most half of a short run, as detectDrift caps it): RSS holds the
 * heaps' capacity, which V8 sizes to the allocation rate — a workload that allocates fast but retains
 * nothing steps RSS up by tens of MB in its first minute or two, and again whenever its rate rises (after a
 * stall, or when the machine gets quieter), and then holds it; such a step is not drift (detectDrift also asks
 * that growth go on in the second half of the window). Heap after GC has no such step, and keeps the detector's default warm-up.
 */
export const RSS_WARMUP_S = 120;

/**
 * Everything the summary is computed from, accumulated interval by interval and sample by sample in bounded
 * memory. The live run and `stress report` (rebuildSummary) feed the same tally — the one from the events as
 * they happen, the other from latency.hlog and samples.jsonl — so a rebuilt summary is the live one minus
 * what the crash lost.
 */
export class RunTally {
  /** every timed iteration */
  readonly latency = createLatencyHistogram();
  /** timed iterations since the last checkpoint */
  readonly window = createLatencyHistogram();
  private readonly sustained: SustainedLatencyTracker;
  private readonly rssSeries = new BoundedSeries({ reduce: 'min' });
  private readonly heapSeries = new BoundedSeries({ reduce: 'min' });
  private rssPeak: number | null = null;
  /** CPU % × seconds, and seconds, over the run and over the checkpoint window */
  private cpuSum = 0;
  private cpuSeconds = 0;
  private windowCpuSum = 0;
  private windowCpuSeconds = 0;
  private lastSampleRecord: SampleRecord | null = null;
  private windowStartFailed = 0;
  private windowStartIterations = 0;

  constructor(
    private readonly manifest: Pick<RunManifest, 'criteria' | 'planned_s' | 'checks_integrity'>,
  ) {
    this.sustained = new SustainedLatencyTracker(manifest.criteria.latency_ms.fail);
  }

  /** One latency interval, as written to latency.hlog. */
  addInterval(histogram: Histogram): void {
    addLatencyHistogram(this.latency, histogram);
    addLatencyHistogram(this.window, histogram);
  }

  /** One sample, as written to samples.jsonl. */
  addSample(record: SampleRecord): void {
    this.lastSampleRecord = record;
    this.rssPeak = Math.max(this.rssPeak ?? 0, record.rss_mb);
    // CPU is a rate over the sample's interval; intervals differ (a checkpoint cuts one short), so the mean
    // weighs each by its length
    const seconds = Math.max(0, record.elapsed_s - record.interval.start_s);
    this.cpuSum += record.cpu_percent * seconds;
    this.cpuSeconds += seconds;
    this.windowCpuSum += record.cpu_percent * seconds;
    this.windowCpuSeconds += seconds;
    this.rssSeries.append(record.elapsed_s, record.rss_mb);
    if (record.heap_after_gc_total_mb !== null) this.heapSeries.append(record.elapsed_s, record.heap_after_gc_total_mb);
    // An interval in which nothing completed while iterations were running counts with the age of the oldest
    // of them, a lower bound of its latency: a hung workload is a sustained latency failure, not a pause.
    const interval = record.interval;
    const p99 = interval.p99_ms ?? (record.in_flight > 0 ? interval.oldest_in_flight_ms : null);
    this.sustained.observe(record.elapsed_s - interval.start_s, p99);
  }

  get lastSample(): SampleRecord | null {
    return this.lastSampleRecord;
  }

  /** The checkpoint window's figures, then a new window. */
  takeWindow(): { latency: KpiLatencyMs; cpu_percent: number; iterations: number; failed: number } {
    const summary = latencySummaryMs(this.window);
    const last = this.lastSampleRecord;
    const iterations = (last?.iterations ?? 0) - this.windowStartIterations;
    const failed = (last?.failed ?? 0) - this.windowStartFailed;
    const cpu = this.windowCpuSeconds === 0 ? (last?.cpu_percent ?? 0) : this.windowCpuSum / this.windowCpuSeconds;
    this.window.reset();
    this.windowCpuSum = 0;
    this.windowCpuSeconds = 0;
    this.windowStartIterations = last?.iterations ?? 0;
    this.windowStartFailed = last?.failed ?? 0;
    return {
      latency: { mean: summary.mean, p50: summary.p50, p90: summary.p90, p99: summary.p99, max: summary.max },
      cpu_percent: cpu,
      iterations,
      failed,
    };
  }

  drift(): Measured['drift'] {
    const options: DriftOptions = {
      durationS: this.manifest.planned_s,
      thresholdPercentPerHour: this.manifest.criteria.memory_drift.min_growth_percent_per_hour,
      stableBandPercent: this.manifest.criteria.memory_drift.stable_percent,
    };
    return {
      rss: detectDrift(this.rssSeries.toArray(), { ...options, warmupSeconds: RSS_WARMUP_S }),
      heap_after_gc: detectDrift(this.heapSeries.toArray(), options),
    };
  }

  /**
   * The measured figures so far. `counts` overrides the last sample's counters (the live run knows them up to
   * the iteration; a rebuild has the last sample's). Drift is computed only when asked: it is the one costly
   * figure (a Theil–Sen fit over up to 2048 points).
   */
  measured(counts: Counts, audit: Measured['audit'], withDrift: boolean): Measured {
    return {
      iterations: counts.iterations,
      failed_iterations: counts.failed,
      // the p99 alone (see latencyPercentileMs): this runs at every checkpoint and every early --abort-on-fail check
      latency_p99_ms: this.latency.totalCount === 0 ? null : latencyPercentileMs(this.latency, 99),
      latency_sustained_over_fail_s: this.sustained.longest_s,
      rss_peak_mb: this.rssPeak,
      drift: withDrift ? this.drift() : { rss: null, heap_after_gc: null },
      cpu_percent: this.cpuSeconds === 0 ? (this.lastSampleRecord?.cpu_percent ?? null) : this.cpuSum / this.cpuSeconds,
      integrity: this.manifest.checks_integrity ? { checked: counts.integrity_checked, mismatches: counts.mismatches } : null,
      audit,
    };
  }
}

/** The cumulative counters of a run (the live ones, or those of the last sample). */
export interface Counts {
  readonly iterations: number;
  readonly failed: number;
  readonly integrity_checked: number;
  readonly mismatches: number;
  readonly late_starts: number;
  readonly skipped: number;
  readonly peak_in_flight?: number;
  readonly errors_by_kind: Readonly<Record<string, number>>;
}

/** The audit events of a run: one start, one per checkpoint, and one of the three closing events. */
export const AUDIT_ACTIONS = {
  start: 'run.start',
  checkpoint: 'run.checkpoint',
  complete: 'run.complete',
  interrupted: 'run.interrupted',
  fail: 'run.fail',
} as const;

const CLOSING_ACTIONS: readonly string[] = [AUDIT_ACTIONS.complete, AUDIT_ACTIONS.interrupted, AUDIT_ACTIONS.fail];

/** The events a trail must hold: the start, `checkpoints` checkpoint events, and `closing` if given. */
export function expectedAuditEvents(checkpoints: number, closing: string | null): { missing(events: readonly AuditEvent[]): number } {
  return {
    missing(events) {
      let starts = 0;
      let checkpointEvents = 0;
      let closings = 0;
      for (const event of events) {
        if (event.action === AUDIT_ACTIONS.start) starts += 1;
        else if (event.action === AUDIT_ACTIONS.checkpoint) checkpointEvents += 1;
        else if (event.action === closing) closings += 1;
      }
      return (starts === 0 ? 1 : 0) + Math.max(0, checkpoints - checkpointEvents) + (closing !== null && closings === 0 ? 1 : 0);
    },
  };
}

export interface RunEnd {
  readonly ended_at: string;
  readonly actual_s: number;
  /** why the run was cut short by a signal or a crash; null otherwise */
  readonly interrupted: string | null;
  /** why --abort-on-fail stopped it; null otherwise */
  readonly aborted: string | null;
  readonly counts: Counts;
  readonly measured: Measured;
  readonly latency: Histogram;
  readonly decisions: readonly DecisionRecord[];
  readonly checkpoints_written: number;
}

/** The summary's inputs from the manifest and how the run ended: one function for the live run and the rebuild. */
export function summaryInputsFor(manifest: RunManifest, end: RunEnd): SummaryInputs {
  const load: LoadShape =
    manifest.load.kind === 'closed'
      ? { kind: 'closed', concurrency: manifest.load.concurrency }
      : {
          kind: 'open',
          rate_per_s: manifest.load.rate_per_s,
          max_in_flight: manifest.load.max_in_flight,
          peak_in_flight: end.counts.peak_in_flight ?? null,
          late_starts: end.counts.late_starts,
          skipped: end.counts.skipped,
        };
  return {
    started_at: manifest.started_at,
    ended_at: end.ended_at,
    planned_s: manifest.planned_s,
    actual_s: end.actual_s,
    interrupted: end.interrupted === null ? null : { reason: end.interrupted },
    aborted: end.aborted === null ? null : { reason: end.aborted },
    workload: manifest.workload,
    load,
    measured: end.measured,
    errors_by_kind: end.counts.errors_by_kind,
    latency_ms: end.latency.totalCount === 0 ? null : latencySummaryMs(end.latency),
    criteria: manifest.criteria,
    decisions: end.decisions,
    checkpoints_written: end.checkpoints_written,
    environment: manifest.environment,
    options: manifest.options,
  };
}

const NO_COUNTS: Counts = { iterations: 0, failed: 0, integrity_checked: 0, mismatches: 0, late_starts: 0, skipped: 0, errors_by_kind: {} };

/**
 * The summary inputs of a run directory, from its files alone: after a crash (no closing audit event) the run
 * is reported as interrupted, with what its files hold — everything up to the last sample.
 */
export function rebuildInputs(dir: string): { readonly manifest: RunManifest; readonly inputs: SummaryInputs; readonly finished: boolean } {
  const manifest = readManifest(dir);
  const tally = new RunTally(manifest);
  let hlogText = '';
  try {
    hlogText = readFileSync(join(dir, RUN_FILES.hlog), 'utf8');
  } catch {
    // no latency log: no latency figures
  }
  readHlog(hlogText, (_interval, histogram) => tally.addInterval(histogram));
  const samples = readJsonLines<SampleRecord>(join(dir, RUN_FILES.samples)).records;
  for (const sample of samples) tally.addSample(sample);
  const last = samples[samples.length - 1];
  const counts: Counts = last ?? NO_COUNTS;
  const checkpoints = readCheckpoints(dir);
  const decisions = checkpoints.flatMap((record) => (record.decision ? [record.decision] : []));

  const { events, verdict } = readTrail(join(dir, RUN_FILES.audit));
  const closing = [...events].reverse().find((event) => CLOSING_ACTIONS.includes(event.action)) ?? null;
  const audit: Measured['audit'] = {
    events_written: events.length,
    failed_writes: verdict.ok ? 0 : 1,
    missing_events: expectedAuditEvents(checkpoints.length, closing?.action ?? null).missing(events),
  };
  const details = (closing?.details ?? {}) as { reason?: unknown; stop?: unknown; ended_at?: unknown; actual_s?: unknown };
  const interrupted =
    closing === null
      ? 'the run did not finish (no closing event in audit.jsonl); rebuilt from its files up to the last sample'
      : closing.action === AUDIT_ACTIONS.interrupted
        ? String(details.reason ?? 'interrupted')
        : null;
  const aborted = closing !== null && details.stop === 'aborted' ? String(details.reason ?? 'stopped by --abort-on-fail') : null;
  const endedAt =
    typeof details.ended_at === 'string' ? details.ended_at : (last?.timestamp ?? manifest.started_at);
  const actualS = typeof details.actual_s === 'number' ? details.actual_s : (last?.elapsed_s ?? 0);
  const inputs = summaryInputsFor(manifest, {
    ended_at: endedAt,
    actual_s: actualS,
    interrupted,
    aborted,
    counts,
    measured: tally.measured(counts, audit, true),
    latency: tally.latency,
    decisions,
    checkpoints_written: checkpoints.length,
  });
  return { manifest, inputs, finished: closing !== null };
}
