/**
 * `stress run`: a sustained soak. The runner drives a workload (workloads.ts) in a closed or an open loop for
 * the planned duration, times every iteration into HdrHistograms, samples the process, writes the run
 * directory as it goes (run-dir.ts), takes the checkpoints of SPEC §4 and judges the run against its
 * criteria. It measures and emits events (autocannon's habit); the judging is done by the pure analysis
 * modules (criteria, drift, checkpoints, summary), and printing by whoever listens.
 *
 * Load shapes:
 * - closed (default): `concurrency` lanes, each starting its next iteration when its last one ends; latency
 *   is measured from each iteration's actual start. A slow system gets fewer requests — that is the nature of
 *   a closed loop, and the summary says so.
 * - open (`--rate R`): iteration k is due at start + k/R. Its latency is measured from that intended start,
 *   so waiting for a free slot counts (coordinated omission corrected). At most `max_in_flight` iterations run
 *   at once; a due iteration that finds every slot busy waits, and is counted as a late start when it starts
 *   more than LATE_START_MS after its intended time. The waiting ones are not queued without bound: when more
 *   than `max_in_flight` are waiting, the oldest of them are skipped — neither run nor timed — and counted.
 *
 * What is counted: an iteration that returns is timed (its latency goes to the histogram) and, for the
 * workloads that check their result, compared with the reference — a mismatch counts as a failed iteration
 * of kind "integrity". An iteration that throws is counted as failed, by its error message, and not timed.
 *
 * Faults: an iteration whose worker died is counted as an error of kind "worker_crash" (the pool replaces
 * the worker); one running longer than the task timeout is abandoned — its slot's AbortSignal is aborted by
 * a watchdog, the pool terminates the worker and starts another — and counted as "timeout". `--inject`
 * causes either on purpose (inject.ts), as well as thrown errors and leaks. The run goes on either way.
 *
 * What is kept per iteration: nothing. Each one adds to counters and to the current interval histogram; at
 * each sample the interval is written to latency.hlog and added to the run's histogram.
 *
 * --abort-on-fail: the criteria are evaluated at every checkpoint, and a failed iteration triggers an
 * immediate check of the data-integrity and error-rate criteria (the latter from 100 iterations on, so that
 * one early failure is not a 100% error rate); the first FAIL stops the run.
 */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AuditTrail, readTrail } from '../audit/trail.js';
import { messageOf } from '../errors.js';
import { PoolFailure, type IterationFault } from '../workers/faults.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { writeSoakReport } from '../report/html/soak.js';
import { renderSummaryMarkdown } from '../report/summary-md.js';
import { checkpointSchedule, decide, type CheckpointPoint, type CheckpointRecord, type DecisionRecord, type PipelineStatus } from './checkpoints.js';
import { evaluateCriteria, overallVerdict, type Criteria, type CriterionResult, type Measured } from './criteria.js';
import { createLatencyHistogram, HIGHEST_TRACKABLE_US, latencyPercentileMs } from './histogram.js';
import { HlogFile } from './hlog.js';
import type { ProgressSnapshot } from './progress.js';
import {
  AppendFile,
  AUDIT_ACTIONS,
  expectedAuditEvents,
  MANIFEST_FORMAT,
  RUN_FILES,
  RunTally,
  summaryInputsFor,
  writeManifest,
  type Counts,
  type LoadPlan,
  type RunManifest,
  type SampleRecord,
} from './run-dir.js';
import { faultDrawer, NO_FAULTS, type InjectSpec } from './inject.js';
import { Sampler } from './sampler.js';
import { buildSummary, type EnvironmentInfo, type RunSummary } from './summary.js';
import { openWorkload, type Workload, type WorkloadSpec } from './workloads.js';

/** An open-loop iteration that starts this much after its intended time is a late start. */
export const LATE_START_MS = 5;
/** The longest wait for iterations in flight to finish once the run stops. */
export const DRAIN_TIMEOUT_MS = 30_000;
/** The progress event's period. */
const PROGRESS_MS = 1000;
/**
 * A closed loop whose iterations can end without leaving the microtask queue (the KPI engine below its
 * crossover computes on this thread) yields to the event loop this often, so that timers, signals and the
 * sampler's I/O run; a sample takes a few I/O round trips, each waiting up to this long. A workload whose
 * every iteration ends through the event loop (Workload.endsThroughEventLoop: a worker's message) needs no
 * such yield, and gets none: each one added a turn of the loop to the main thread every 5 ms, between
 * iterations (bench:soak-overhead).
 */
const YIELD_MS = 5;
/** Distinct error messages counted separately; the rest are counted together. */
export const MAX_ERROR_KINDS = 20;
export const OTHER_ERRORS = 'other errors (more than 20 distinct messages)';
export const INTEGRITY_ERROR = 'integrity: result differs from the reference';
/** The error-rate criterion is checked at once (for --abort-on-fail) only after this many iterations. */
export const MIN_ITERATIONS_FOR_EARLY_ERROR_RATE = 100;
/** Sample interval bounds when it is derived from the duration. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 5000;
export const MIN_SAMPLE_INTERVAL_MS = 250;
/** An error message is cut to this many characters before it is counted. */
const ERROR_KIND_LENGTH = 200;

/**
 * The default sample interval: 5 s, or duration/60 for short runs (so even a 15 s run has a few dozen
 * samples for the drift detector), never below 250 ms (a forced GC per sample on every thread would start to
 * weigh on the run).
 */
export function defaultSampleIntervalMs(durationMs: number): number {
  return Math.max(MIN_SAMPLE_INTERVAL_MS, Math.min(DEFAULT_SAMPLE_INTERVAL_MS, Math.floor(durationMs / 60)));
}

/**
 * How often a sample also measures every thread's heap after forced GCs, the costly part of a sample (two
 * full collections on each thread, tens of milliseconds on a busy machine): about 120 times a run, but not
 * more often than the samples (nor than once a second) and not less often than once a minute. A 3-minute
 * run would measure them at every sample (every 3 s; the drift detector needs the points), a 1-hour run every
 * 30 s, a 24-hour run every minute — 1,440 points, for well under 0.1% of the run's time. HEAP_PAUSE_BUDGET
 * may space them further; the end's sample always measures them.
 */
export function heapIntervalMs(durationMs: number, sampleIntervalMs: number): number {
  return Math.max(sampleIntervalMs, MIN_HEAP_INTERVAL_MS, Math.min(60_000, Math.floor(durationMs / 120)));
}

/** Runs of seconds (tests, trials) gain nothing from more heap measurements than one a second. */
const MIN_HEAP_INTERVAL_MS = 1000;

/**
 * The share of the run's time that the forced collections of the heap measurements may hold the workload.
 * Each measurement reports its pause (sampler.ts); the next one is taken only when the pauses so far plus
 * the last one's again fit within this share of the time elapsed — unless the run would then get fewer than
 * HEAP_POINTS_FLOOR of them, too few for the drift detector. A 24-hour run (one a minute, tens of
 * milliseconds each) stays far below the budget; a 3-minute run, which would like one every 3 s, is held
 * to it, down to one every 9 s.
 */
export const HEAP_PAUSE_BUDGET = 0.005;
export const HEAP_POINTS_FLOOR = 20;

/** Whether a sample at `nowMs` (since the start) also measures the heaps; see HEAP_PAUSE_BUDGET. */
export function heapMeasurementDue(state: {
  readonly nowMs: number;
  readonly lastMs: number;
  readonly durationMs: number;
  readonly intervalMs: number;
  readonly sampleIntervalMs: number;
  readonly pausedMs: number;
  readonly lastPauseMs: number;
}): boolean {
  // a little slack, so that timer jitter does not push a due measurement to the sample after
  const slack = state.sampleIntervalMs / 2;
  const since = state.nowMs - state.lastMs;
  if (since < state.intervalMs - slack) return false;
  const affordable = state.pausedMs + state.lastPauseMs <= HEAP_PAUSE_BUDGET * state.nowMs;
  return affordable || since >= state.durationMs / HEAP_POINTS_FLOOR - slack;
}

/**
 * The default --task-timeout: 30 s, but a tenth of a short run, and never below 10 s (an iteration that slow
 * in a run of seconds is stuck; one of 2 s may only be a loaded machine's).
 */
export const DEFAULT_TASK_TIMEOUT_MS = 30_000;
export const MIN_DEFAULT_TASK_TIMEOUT_MS = 10_000;
export function defaultTaskTimeoutMs(durationMs: number): number {
  return Math.min(DEFAULT_TASK_TIMEOUT_MS, Math.max(MIN_DEFAULT_TASK_TIMEOUT_MS, Math.floor(durationMs / 10)));
}

export interface SoakOptions extends RunOptions {
  readonly workload: WorkloadSpec;
}

/** Everything of a soak but its workload. */
export interface RunOptions {
  readonly durationMs: number;
  readonly load: LoadPlan;
  readonly sampleIntervalMs: number;
  readonly criteria: Criteria;
  /** the criteria file, or null for the defaults */
  readonly criteriaFile: string | null;
  /** the run directory, created and writable */
  readonly outDir: string;
  readonly abortOnFail: boolean;
  /** the options as given, recorded in run.json and the summary */
  readonly recordedOptions: Readonly<Record<string, unknown>>;
  /** aborting it stops the run as interrupted; its reason (e.g. "SIGTERM") is recorded */
  readonly signal?: AbortSignal;
  /** faults injected on purpose (--inject); none when absent */
  readonly inject?: InjectSpec | null;
  /** an iteration running longer is abandoned and its worker replaced (default: defaultTaskTimeoutMs) */
  readonly taskTimeoutMs?: number;
}

export type StopReason =
  | { readonly kind: 'completed' }
  /** `why`: e.g. "interrupted by SIGTERM" */
  | { readonly kind: 'interrupted'; readonly why: string }
  | { readonly kind: 'aborted'; readonly criterion: string; readonly detail: string };

export type SoakEvent =
  | { readonly type: 'start'; readonly dir: string; readonly manifest: RunManifest }
  | { readonly type: 'progress'; readonly progress: ProgressSnapshot }
  | { readonly type: 'sample'; readonly sample: SampleRecord }
  | { readonly type: 'checkpoint'; readonly record: CheckpointRecord; readonly criteria: readonly CriterionResult[] }
  | { readonly type: 'stopping'; readonly reason: StopReason }
  | { readonly type: 'end'; readonly dir: string; readonly summary: RunSummary };

export type SoakListener = (event: SoakEvent) => void;

export interface SoakResult {
  readonly dir: string;
  readonly summary: RunSummary;
  readonly stop: StopReason;
}

/**
 * The start times of the iterations in flight, in a fixed array of slots (as many as may be in flight), so
 * that the age of the oldest is known without keeping anything per iteration beyond its slot.
 */
class InFlight {
  private readonly starts: Float64Array;
  /** when each slot's iteration actually began (the open loop's start is its intended time), NaN when free */
  private readonly began: Float64Array;
  /** one per slot, reused by its iterations until the task-timeout watchdog aborts it */
  private readonly controllers: AbortController[];
  private readonly free: Int32Array;
  private freeCount: number;
  /** the most iterations in flight at once so far */
  peak = 0;

  constructor(readonly capacity: number) {
    this.starts = new Float64Array(capacity).fill(Number.NaN);
    this.began = new Float64Array(capacity).fill(Number.NaN);
    this.controllers = Array.from({ length: capacity }, () => new AbortController());
    this.free = Int32Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
    this.freeCount = capacity;
  }

  /** The signal that abandons the slot's iteration. */
  signal(slot: number): AbortSignal {
    return this.controllers[slot]!.signal;
  }

  /** Abort the iterations that began before `beforeMs`; how many. Each slot's next iteration gets a fresh signal. */
  abandonBefore(beforeMs: number): number {
    let abandoned = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      if (!(this.began[slot]! < beforeMs)) continue;
      this.began[slot] = Number.NaN;
      const controller = this.controllers[slot]!;
      this.controllers[slot] = new AbortController();
      controller.abort('task timeout');
      abandoned += 1;
    }
    return abandoned;
  }

  get count(): number {
    return this.capacity - this.freeCount;
  }

  enter(startMs: number): number {
    if (this.freeCount === 0) throw new Error('more iterations in flight than slots');
    const slot = this.free[--this.freeCount]!;
    this.starts[slot] = startMs;
    this.began[slot] = performance.now();
    if (this.count > this.peak) this.peak = this.count;
    return slot;
  }

  leave(slot: number): void {
    this.starts[slot] = Number.NaN;
    this.began[slot] = Number.NaN;
    this.free[this.freeCount++] = slot;
  }

  /** the earliest start among those in flight, or null */
  oldest(): number | null {
    let oldest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.capacity; i++) {
      const start = this.starts[i]!;
      if (start < oldest) oldest = start;
    }
    return oldest === Number.POSITIVE_INFINITY ? null : oldest;
  }
}

/** Counters of the live run; numbers only. */
class LiveCounts implements Counts {
  iterations = 0;
  failed = 0;
  integrity_checked = 0;
  mismatches = 0;
  late_starts = 0;
  skipped = 0;
  private readonly errors = new Map<string, number>();

  constructor(private readonly inFlight: InFlight) {}

  get peak_in_flight(): number {
    return this.inFlight.peak;
  }

  countError(kind: string): void {
    const key = this.errors.has(kind) || this.errors.size < MAX_ERROR_KINDS ? kind : OTHER_ERRORS;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  get errors_by_kind(): Record<string, number> {
    return Object.fromEntries(this.errors);
  }
}

export function environmentInfo(): EnvironmentInfo {
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memory_total_mb: Math.round(totalmem() / 2 ** 20),
    package_version: packageVersion(),
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function errorKind(error: unknown): string {
  if (error instanceof PoolFailure) return error.kind;
  const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  const line = message.split('\n', 1)[0] ?? '';
  return line.length > ERROR_KIND_LENGTH ? `${line.slice(0, ERROR_KIND_LENGTH - 1)}…` : line || 'error without a message';
}

/** Run a soak to its end (or until interrupted or aborted), write its directory, and return its summary. */
export async function runSoak(options: SoakOptions, onEvent: SoakListener = () => {}): Promise<SoakResult> {
  const workload = await openWorkload(options.workload);
  try {
    return await runSoakOn(workload, options, onEvent);
  } finally {
    await workload.close();
  }
}

/** Run a soak on a workload already open (which the caller closes): runSoak's engine, and a seam for tests. */
export function runSoakOn(workload: Workload, options: RunOptions, onEvent: SoakListener = () => {}): Promise<SoakResult> {
  return new Soak(options, workload, onEvent).run();
}

class Soak {
  private readonly counts: LiveCounts;
  private readonly inFlight: InFlight;
  private readonly interval = createLatencyHistogram();
  private readonly tally: RunTally;
  private readonly manifest: RunManifest;
  private readonly plan: readonly CheckpointPoint[];
  private readonly sampler: Sampler;
  private readonly samples: AppendFile;
  private readonly checkpoints: AppendFile;
  private readonly hlog: HlogFile;
  private readonly trail: AuditTrail;
  private auditFailures = 0;
  /** the first write to the run directory that failed, which stops the run */
  private writeFailure: RunWriteError | null = null;
  private readonly decisions: DecisionRecord[] = [];
  private checkpointsWritten = 0;
  /** performance.now() at the start of measurement */
  private t0 = 0;
  private intervalStartS = 0;
  private stopReason: StopReason | null = null;
  private stopped!: Promise<void>;
  private resolveStopped!: () => void;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sampling: Promise<SampleRecord> | null = null;
  private checkpointChain: Promise<void> = Promise.resolve();
  private readonly heapIntervalMs: number;
  /** performance.now() of the last sample that measured the heaps (the start: the first is one interval in) */
  private lastHeapSampleMs = 0;
  /** the heap measurements' pauses so far, and the last one's (see HEAP_PAUSE_BUDGET) */
  private heapPausedMs = 0;
  private lastHeapPauseMs = 0;
  private readonly drawFault: () => IterationFault | null;
  private readonly taskTimeoutMs: number;
  private watchdog: NodeJS.Timeout | null = null;
  private lastYield = 0;
  private earlyCheckQueued = false;
  private progressIterations = 0;
  private progressAt = 0;
  private ratePerS = 0;

  constructor(
    private readonly options: RunOptions,
    private readonly workload: Workload,
    private readonly emit: SoakListener,
  ) {
    const dir = options.outDir;
    const startedAt = Date.now();
    this.plan = checkpointSchedule(options.durationMs);
    this.heapIntervalMs = heapIntervalMs(options.durationMs, options.sampleIntervalMs);
    this.drawFault = faultDrawer(options.inject ?? NO_FAULTS);
    this.taskTimeoutMs = options.taskTimeoutMs ?? defaultTaskTimeoutMs(options.durationMs);
    this.manifest = {
      format: MANIFEST_FORMAT,
      started_at: new Date(startedAt).toISOString(),
      started_at_ms: startedAt,
      planned_s: options.durationMs / 1000,
      sample_interval_s: options.sampleIntervalMs / 1000,
      heap_sample_interval_s: this.heapIntervalMs / 1000,
      workload: workload.info,
      load: options.load,
      checks_integrity: workload.checksIntegrity,
      worker_heaps: workload.workerHeaps !== null,
      criteria: options.criteria,
      criteria_file: options.criteriaFile,
      abort_on_fail: options.abortOnFail,
      checkpoint_plan: this.plan,
      environment: environmentInfo(),
      options: options.recordedOptions,
      pid: process.pid,
    };
    this.tally = new RunTally(this.manifest);
    this.inFlight = new InFlight(options.load.kind === 'closed' ? options.load.concurrency : options.load.max_in_flight);
    this.counts = new LiveCounts(this.inFlight);
    this.sampler = new Sampler({ cores: this.manifest.environment.cores, workerHeaps: workload.workerHeaps, intervalMs: options.sampleIntervalMs });
    writeManifest(dir, this.manifest);
    this.samples = new AppendFile(join(dir, RUN_FILES.samples));
    this.checkpoints = new AppendFile(join(dir, RUN_FILES.checkpoints));
    this.hlog = new HlogFile(join(dir, RUN_FILES.hlog), startedAt);
    this.trail = AuditTrail.open(join(dir, RUN_FILES.audit), 'stress run');
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
  }

  async run(): Promise<SoakResult> {
    const options = this.options;
    this.audit(AUDIT_ACTIONS.start, 'info', {
      planned_s: this.manifest.planned_s,
      workload: this.manifest.workload.kind,
      load: this.manifest.load,
      criteria_file: this.manifest.criteria_file,
      checkpoints_planned: this.plan.length,
    });
    await this.sampler.start();
    this.emit({ type: 'start', dir: options.outDir, manifest: this.manifest });

    this.t0 = performance.now();
    this.lastHeapSampleMs = this.t0;
    this.lastYield = this.t0;
    this.progressAt = this.t0;
    const signal = options.signal;
    // the CLI aborts with the signal's name as the reason
    const onAbort = () => this.stop({ kind: 'interrupted', why: typeof signal?.reason === 'string' ? `interrupted by ${signal.reason}` : 'interrupted' });
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.schedule();
      const load = options.load.kind === 'closed' ? this.closedLoop(options.load.concurrency) : this.openLoop(options.load.rate_per_s, options.load.max_in_flight);
      await this.stopped;
      this.clearTimers();
      // the progress tick that carried the watchdog is gone; a timer of its own keeps it up while the run drains
      if (this.watchdog === null) this.startWatchdog();
      await this.drain(load);
      if (this.writeFailure !== null) throw this.writeFailure;
      try {
        return await this.finish();
      } catch (error) {
        throw isWriteError(error) ? (this.writeFailure = new RunWriteError(options.outDir, error, this.elapsedS())) : error;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.clearTimers();
      if (this.watchdog !== null) clearInterval(this.watchdog);
      this.sampler.stop();
      this.closeFiles();
    }
  }

  /** Close every file; a failure to close is thrown unless a failed write already stopped the run. */
  private closeFiles(): void {
    let failure: unknown = null;
    for (const file of [this.samples, this.checkpoints, this.hlog, this.trail]) {
      try {
        file.close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== null && this.writeFailure === null) throw failure;
  }

  // ── timers ────────────────────────────────────────────────────────────────

  private every(ms: number, action: () => void): void {
    // A chain of timeouts aimed at start + k·ms, so the schedule does not slip with the time each tick takes.
    let k = 1;
    const arm = () => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        k += 1;
        action();
        if (this.stopReason === null) arm();
      }, Math.max(0, this.t0 + k * ms - performance.now()));
      this.timers.add(timer);
    };
    arm();
  }

  private at(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, Math.max(0, this.t0 + ms - performance.now()));
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(): void {
    const durationMs = this.options.durationMs;
    this.every(this.options.sampleIntervalMs, () => this.sampleTick().catch((error: unknown) => this.fatal(error)));
    // One timer for the progress and the watchdog when the watchdog's period is the progress's (any task timeout
    // of 4 s or more): each timer that fires while the main thread is idle wakes it, and a wake-up is the
    // dearest part of the harness's steady state (see sampler.ts, EVENT_LOOP_RESOLUTION_MS).
    const watchdogWithProgress = this.watchdogPeriodMs() === PROGRESS_MS;
    if (!watchdogWithProgress) this.startWatchdog();
    this.every(PROGRESS_MS, () => {
      if (watchdogWithProgress) this.watchdogTick();
      this.progress();
    });
    // the last checkpoint coincides with the end: it is taken after the iterations in flight have finished
    for (const point of this.plan) {
      if (point.at_ms < durationMs) this.at(point.at_ms, () => this.checkpointTick(point).catch((error: unknown) => this.fatal(error)));
    }
    this.at(durationMs, () => this.stop({ kind: 'completed' }));
  }

  /**
   * The task timeout: an iteration running longer is abandoned (its signal aborted: the pool terminates the
   * worker running it and starts another) and counted as an error of kind "timeout". Kept up while the run
   * drains, so that a hung iteration cannot hold the end.
   */
  private startWatchdog(): void {
    this.watchdog = setInterval(() => this.watchdogTick(), this.watchdogPeriodMs());
  }

  /** A quarter of the task timeout, within 10 ms and PROGRESS_MS: an iteration is abandoned at most that late. */
  private watchdogPeriodMs(): number {
    return Math.max(10, Math.min(PROGRESS_MS, this.taskTimeoutMs / 4));
  }

  private watchdogTick(): void {
    this.inFlight.abandonBefore(performance.now() - this.taskTimeoutMs);
  }

  // ── load ──────────────────────────────────────────────────────────────────

  private stop(reason: StopReason): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    this.emit({ type: 'stopping', reason });
    this.resolveStopped();
  }

  /**
   * A sample, a checkpoint or an audit event could not be written (a full disk, most often): the run directory
   * can no longer hold what happens, so the run stops rather than go on unrecorded, and ends with a
   * RunWriteError instead of a summary, which could not be written either. Every line written so far is
   * whole (appendWhole), so `stress report` can rebuild the summary from the files once there is room.
   */
  private fatal(error: unknown): void {
    this.writeFailure ??= new RunWriteError(this.options.outDir, error, this.elapsedS());
    this.stop({ kind: 'interrupted', why: 'a write to the run directory failed' });
  }

  private get stopping(): boolean {
    return this.stopReason !== null;
  }

  /** One iteration; `startMs` is when it was meant to start (open loop) or started (closed loop). */
  private async iterate(startMs: number): Promise<void> {
    const slot = this.inFlight.enter(startMs);
    let ok: boolean;
    try {
      ok = await this.workload.iterate(this.drawFault(), this.inFlight.signal(slot));
    } catch (error) {
      this.inFlight.leave(slot);
      this.counts.iterations += 1;
      this.counts.failed += 1;
      this.counts.countError(errorKind(error));
      this.failedIteration();
      return;
    }
    const end = performance.now();
    this.inFlight.leave(slot);
    this.counts.iterations += 1;
    // µs, clamped into the histogram's range (see histogram.ts)
    this.interval.recordValue(Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round((end - startMs) * 1000))));
    if (this.workload.checksIntegrity) this.counts.integrity_checked += 1;
    if (!ok) {
      this.counts.mismatches += 1;
      this.counts.failed += 1;
      this.counts.countError(INTEGRITY_ERROR);
      this.failedIteration();
    }
  }

  private async closedLoop(concurrency: number): Promise<void> {
    const yields = !this.workload.endsThroughEventLoop;
    const lane = async () => {
      while (!this.stopping) {
        await this.iterate(performance.now());
        if (yields && performance.now() - this.lastYield >= YIELD_MS) {
          this.lastYield = performance.now();
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  }

  private openLoop(ratePerS: number, maxInFlight: number): Promise<void> {
    const periodMs = 1000 / ratePerS;
    /** index of the next iteration to start; iteration k is due at t0 + k·period */
    let next = 0;
    let timer: NodeJS.Timeout | null = null;
    let drained: (() => void) | null = null;
    const pump = () => {
      if (timer !== null) {
        clearTimeout(timer);
        this.timers.delete(timer);
        timer = null;
      }
      if (this.stopping) {
        if (this.inFlight.count === 0) drained?.();
        return;
      }
      const now = performance.now();
      const due = Math.floor((now - this.t0) / periodMs) + 1;
      if (due - next > maxInFlight) {
        // more are waiting than may run at once: skip the oldest rather than queue without bound
        this.counts.skipped += due - next - maxInFlight;
        next = due - maxInFlight;
      }
      while (next < due && this.inFlight.count < maxInFlight) {
        const intended = this.t0 + next * periodMs;
        if (now - intended > LATE_START_MS) this.counts.late_starts += 1;
        next += 1;
        void this.iterate(intended).then(pump);
      }
      // Waiting ones start when an iteration ends (pump runs then); otherwise wake at the next due time.
      if (next >= due) {
        timer = setTimeout(pump, Math.max(0, this.t0 + next * periodMs - performance.now()));
        this.timers.add(timer);
      }
    };
    return new Promise<void>((resolve) => {
      drained = resolve;
      pump();
      // pump() sees the stop through the iteration that ends last, or here when none is in flight
      void this.stopped.then(() => {
        if (this.inFlight.count === 0) resolve();
      });
    });
  }

  /** Wait for the iterations in flight, at most DRAIN_TIMEOUT_MS. */
  private async drain(load: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | null = null;
    await Promise.race([load, new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
    if (timer !== null) clearTimeout(timer);
  }

  // ── abort on fail ─────────────────────────────────────────────────────────

  /** With --abort-on-fail, a failed iteration checks the integrity and error-rate criteria at once. */
  private failedIteration(): void {
    if (!this.options.abortOnFail || this.earlyCheckQueued || this.stopping) return;
    this.earlyCheckQueued = true;
    setImmediate(() => {
      this.earlyCheckQueued = false;
      if (this.stopping) return;
      const results = evaluateCriteria(this.tally.measured(this.counts, null, false), this.options.criteria, { duration_s: this.manifest.planned_s });
      for (const result of results) {
        if (result.verdict !== 'FAIL') continue;
        if (result.name === 'data_integrity' || (result.name === 'error_rate' && this.counts.iterations >= MIN_ITERATIONS_FOR_EARLY_ERROR_RATE)) {
          this.stop({ kind: 'aborted', criterion: result.name, detail: result.detail });
          return;
        }
      }
    });
  }

  // ── sampling ──────────────────────────────────────────────────────────────

  private elapsedS(now = performance.now()): number {
    return (now - this.t0) / 1000;
  }

  /** Close the latency interval (to latency.hlog) and take a sample (to samples.jsonl). */
  private sampleTick(forceHeaps = false): Promise<SampleRecord> {
    // one at a time: a sample waiting on busy workers must not overlap the next
    if (this.sampling !== null) return this.sampling;
    this.sampling = this.takeSample(forceHeaps).finally(() => {
      this.sampling = null;
    });
    return this.sampling;
  }

  private async takeSample(forceHeaps: boolean): Promise<SampleRecord> {
    // the interval ends now, before the asynchronous part, so that its bounds are exact
    const endMs = performance.now();
    const timestamp = new Date().toISOString();
    const endS = this.elapsedS(endMs);
    const startS = this.intervalStartS;
    const oldest = this.inFlight.oldest();
    const inFlightNow = this.inFlight.count;
    const timed = this.interval.totalCount;
    // the p99 alone: the full summary's mean and standard deviation would cost milliseconds every sample
    const p99 = timed === 0 ? null : latencyPercentileMs(this.interval, 99);
    this.hlog.append(this.interval, startS, endS);
    this.tally.addInterval(this.interval);
    this.interval.reset();
    this.intervalStartS = endS;
    const counts = this.counts;
    const heaps =
      forceHeaps ||
      heapMeasurementDue({
        nowMs: endMs - this.t0,
        lastMs: this.lastHeapSampleMs - this.t0,
        durationMs: this.options.durationMs,
        intervalMs: this.heapIntervalMs,
        sampleIntervalMs: this.options.sampleIntervalMs,
        pausedMs: this.heapPausedMs,
        lastPauseMs: this.lastHeapPauseMs,
      });
    if (heaps) this.lastHeapSampleMs = endMs;
    const process = await this.sampler.sample(heaps);
    if (process.heap_gc_pause_ms !== null) {
      this.heapPausedMs += process.heap_gc_pause_ms;
      this.lastHeapPauseMs = process.heap_gc_pause_ms;
    }
    const record: SampleRecord = {
      timestamp,
      elapsed_s: endS,
      ...process,
      iterations: counts.iterations,
      failed: counts.failed,
      integrity_checked: counts.integrity_checked,
      mismatches: counts.mismatches,
      errors_by_kind: counts.errors_by_kind,
      late_starts: counts.late_starts,
      skipped: counts.skipped,
      in_flight: inFlightNow,
      peak_in_flight: counts.peak_in_flight,
      interval: { start_s: startS, timed, p99_ms: p99, oldest_in_flight_ms: oldest === null ? null : round3(endMs - oldest) },
    };
    this.samples.appendJson(record);
    this.tally.addSample(record);
    // durable off the event loop; a failure here shows at the checkpoint's synchronous close
    await Promise.all([this.samples.sync(), this.hlog.sync()]).catch(() => undefined);
    this.emit({ type: 'sample', sample: record });
    return record;
  }

  private progress(): void {
    const now = performance.now();
    const elapsed = this.elapsedS(now);
    const seconds = (now - this.progressAt) / 1000;
    if (seconds > 0) this.ratePerS = (this.counts.iterations - this.progressIterations) / seconds;
    this.progressIterations = this.counts.iterations;
    this.progressAt = now;
    this.emit({
      type: 'progress',
      progress: {
        elapsed_s: elapsed,
        remaining_s: this.manifest.planned_s - elapsed,
        iterations: this.counts.iterations,
        failed: this.counts.failed,
        rate_per_s: this.ratePerS,
        // the last sample interval's p99, already computed: a percentile of the live histogram every second
        // would cost the harness a millisecond or so each time
        p99_ms: this.tally.lastSample?.interval.p99_ms ?? null,
        rss_mb: this.tally.lastSample?.rss_mb ?? null,
        status: this.stopping ? 'stopping' : 'running',
      },
    });
  }

  // ── checkpoints ───────────────────────────────────────────────────────────

  /**
   * A checkpoint whose time has come is written even if the run stops meanwhile: on a loaded machine a short
   * run's checkpoints can queue up behind each other, and each one that was due belongs in the record.
   */
  private checkpointTick(point: CheckpointPoint): Promise<void> {
    return this.enqueueCheckpoint(() => this.writeCheckpoint(point.label, point).then(() => undefined));
  }

  /** Checkpoints one at a time, in order, the end's last: each one's sample and records must not interleave. */
  private enqueueCheckpoint(work: () => Promise<void>): Promise<void> {
    const next = this.checkpointChain.then(work);
    this.checkpointChain = next.catch(() => undefined);
    return next;
  }

  /** Close an interval and take a sample, then judge, record and print the checkpoint. */
  private async writeCheckpoint(label: string, point: CheckpointPoint | null, final = false): Promise<CriterionResult[]> {
    // a sample in progress closed its interval a moment ago; the checkpoint needs one that ends now
    if (this.sampling !== null) await this.sampling;
    // the end's sample always measures the heaps: nothing runs any more, so their pause costs nothing
    const sample = await this.sampleTick(final);
    const window = this.tally.takeWindow();
    const measured = this.tally.measured(this.counts, this.auditState(), true);
    const results = evaluateCriteria(measured, this.options.criteria, { duration_s: this.manifest.planned_s });
    const status = overallVerdict(results);
    const decision = point?.decision_point ? decide(point, results) : undefined;
    if (decision) this.decisions.push(decision);
    // the checkpoint's time is its sample's: the moment its figures were taken
    const elapsed = sample.elapsed_s;
    this.audit(AUDIT_ACTIONS.checkpoint, status === 'FAIL' ? 'fail' : status === 'WARN' ? 'warn' : 'ok', {
      checkpoint: label,
      elapsed_s: round3(elapsed),
      iterations: this.counts.iterations,
      failed: this.counts.failed,
      validation_status: status,
      ...(decision ? { decision: decision.decision } : {}),
    });
    const pipeline: PipelineStatus = window.iterations === 0 ? 'stopped' : window.failed > 0 ? 'degraded' : 'running';
    const record: CheckpointRecord = {
      timestamp: sample.timestamp,
      elapsed_s: round3(elapsed),
      checkpoint: label,
      kpi_latency_ms: window.latency,
      error_rate_percent: this.counts.iterations === 0 ? 0 : (100 * this.counts.failed) / this.counts.iterations,
      memory_mb: sample.rss_mb,
      cpu_percent: window.cpu_percent,
      pipeline_status: pipeline,
      audit_trail_events: this.trail.events,
      validation_status: status,
      ...(decision ? { decision } : {}),
    };
    this.checkpoints.appendJson(record);
    await this.checkpoints.sync();
    this.checkpointsWritten += 1;
    this.emit({ type: 'checkpoint', record, criteria: results });
    if (this.options.abortOnFail && !this.stopping) {
      const failed = results.find((result) => result.verdict === 'FAIL');
      if (failed) this.stop({ kind: 'aborted', criterion: failed.name, detail: failed.detail });
    }
    return results;
  }

  // ── audit ─────────────────────────────────────────────────────────────────

  private audit(action: string, status: 'ok' | 'warn' | 'fail' | 'info', details: Record<string, unknown>): void {
    try {
      this.trail.append(action, status, details);
    } catch (error) {
      // counted, and judged by the audit-trail criterion; the run goes on, unless the disk is full
      this.auditFailures += 1;
      if (isWriteError(error)) this.fatal(error);
    }
  }

  /** The audit trail read back from disk: verified, and every event expected so far present. */
  private auditState(final: string | null = null): Measured['audit'] {
    const { events, verdict } = readTrail(this.trail.path);
    const expected = expectedAuditEvents(this.checkpointsWritten, final);
    const missing = expected.missing(events);
    return {
      events_written: events.length,
      failed_writes: this.auditFailures + (verdict.ok ? 0 : 1),
      missing_events: missing,
    };
  }

  // ── the end ───────────────────────────────────────────────────────────────

  private async finish(): Promise<SoakResult> {
    const reason = this.stopReason ?? { kind: 'completed' as const };
    // The end's checkpoint: the last planned one for a run that completed, an "end" record otherwise.
    const last = this.plan[this.plan.length - 1];
    await this.enqueueCheckpoint(async () => {
      if (reason.kind === 'completed' && last !== undefined && this.checkpointsWritten < this.plan.length) await this.writeCheckpoint(last.label, last, true);
      else await this.writeCheckpoint('end', null, true);
    });
    // rounded as recorded in the closing audit event, so that a rebuilt summary says the same
    const actualS = round3(this.elapsedS());
    const endedAt = new Date().toISOString();
    // The closing audit event says how the run ended and its verdict; the verdict counts the trail as it
    // stands before that event, and the summary is then judged with the event read back too.
    const provisional = evaluateCriteria(this.tally.measured(this.counts, this.auditState(), true), this.options.criteria, {
      duration_s: this.manifest.planned_s,
    });
    const provisionalStatus = overallVerdict(provisional);
    const action = reason.kind === 'interrupted' ? AUDIT_ACTIONS.interrupted : reason.kind === 'aborted' || provisionalStatus === 'FAIL' ? AUDIT_ACTIONS.fail : AUDIT_ACTIONS.complete;
    this.audit(action, reason.kind === 'interrupted' ? 'info' : provisionalStatus === 'FAIL' ? 'fail' : provisionalStatus === 'WARN' ? 'warn' : 'ok', {
      stop: reason.kind,
      reason: describeStop(reason),
      status: reason.kind === 'interrupted' ? 'INTERRUPTED' : provisionalStatus,
      iterations: this.counts.iterations,
      failed: this.counts.failed,
      actual_s: actualS,
      ended_at: endedAt,
      checkpoints_written: this.checkpointsWritten,
    });
    const measured = this.tally.measured(this.counts, this.auditState(action), true);
    const summary = buildSummary(
      summaryInputsFor(this.manifest, {
        ended_at: endedAt,
        actual_s: actualS,
        interrupted: reason.kind === 'interrupted' ? describeStop(reason) : null,
        aborted: reason.kind === 'aborted' ? describeStop(reason) : null,
        counts: this.counts,
        measured,
        latency: this.tally.latency,
        decisions: this.decisions,
        checkpoints_written: this.checkpointsWritten,
      }),
    );
    writeSummaryFiles(this.options.outDir, summary);
    this.emit({ type: 'end', dir: this.options.outDir, summary });
    return { dir: this.options.outDir, summary, stop: reason };
  }
}

/** Errors of the operating system when writing (no space, file too large, I/O error…), as opposed to bugs. */
export function isWriteError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** The run stopped because its directory could not be written; the CLI prints the message and exits 1. */
export class RunWriteError extends Error {
  override name = 'RunWriteError';

  constructor(
    readonly dir: string,
    cause: unknown,
    elapsedS: number,
  ) {
    const error = cause as NodeJS.ErrnoException;
    const file = typeof error.path === 'string' ? basename(error.path) : 'a file';
    super(
      `run stopped after ${elapsedS.toFixed(1)} s: cannot write ${file} in ${dir} (${error.message}); ` +
        `the files written so far are whole: once there is room, \`stress report ${dir}\` rebuilds the summary from them`,
      { cause },
    );
  }
}

export function describeStop(reason: StopReason): string {
  switch (reason.kind) {
    case 'completed':
      return 'completed the planned duration';
    case 'interrupted':
      return reason.why;
    case 'aborted':
      return `stopped early by --abort-on-fail: ${reason.criterion} failed (${reason.detail})`;
  }
}

export function writeSummaryFiles(dir: string, summary: RunSummary): void {
  writeFileAtomic(join(dir, RUN_FILES.summaryJson), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(join(dir, RUN_FILES.summaryMd), renderSummaryMarkdown(summary));
  try {
    writeSoakReport(dir, summary);
  } catch (error) {
    // the verdict and its files are written; a page that cannot be drawn must not change the run's outcome
    process.stderr.write(`stress: report.html not written: ${messageOf(error)}\n`);
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
