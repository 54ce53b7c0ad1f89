/**
 * The summary of a soak run (summary.json): plain data, assembled by a pure function from what the runner
 * measured; rendering lives in src/report.
 */
import type { LatencySummaryMs } from './histogram.js';
import { evaluateCriteria, overallVerdict, type Criteria, type CriterionResult, type Measured } from './criteria.js';
import { checkpointSchedule, type DecisionRecord } from './checkpoints.js';
import type { DriftResult } from './drift.js';

export type RunStatus = 'PASS' | 'WARN' | 'FAIL' | 'INTERRUPTED';

export type LoadShape =
  /** `--concurrency N` iterations in flight; latency from each iteration's actual start */
  | { readonly kind: 'closed'; readonly concurrency: number }
  /**
   * `--rate R`: arrivals on a fixed schedule; latency from each iteration's intended start (coordinated
   * omission corrected). max_in_flight: the cap on iterations running at once; peak_in_flight: the most
   * that did (null in runs recorded before it was counted); late_starts: iterations that started more than
   * LATE_START_MS after their intended time (every slot was busy); skipped: due iterations never started,
   * because more than max_in_flight were already waiting (neither run nor timed nor counted as iterations)
   */
  | {
      readonly kind: 'open';
      readonly rate_per_s: number;
      readonly max_in_flight: number;
      readonly peak_in_flight: number | null;
      readonly late_starts: number;
      readonly skipped: number;
    };

export interface WorkloadInfo {
  /** kpi: the engine over a tape in memory; pipeline: read + validate + compute each iteration; module: --workload */
  readonly kind: 'kpi' | 'pipeline' | 'module';
  /** one line: what one iteration does */
  readonly description: string;
}

export interface EnvironmentInfo {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpu_model: string;
  readonly cores: number;
  /** total physical memory, MB */
  readonly memory_total_mb: number;
  readonly package_version: string;
}

/** How the run ended. */
export type RunStop =
  | { readonly kind: 'completed' }
  /** SIGINT/SIGTERM, or a run directory rebuilt after a crash */
  | { readonly kind: 'interrupted'; readonly reason: string }
  /** --abort-on-fail stopped it at a failed criterion */
  | { readonly kind: 'aborted'; readonly reason: string };

export interface RunSummary {
  readonly status: RunStatus;
  /** one line: why this status */
  readonly status_reason: string;
  /** the verdict of the criteria, also when the status is INTERRUPTED */
  readonly verdict: 'PASS' | 'WARN' | 'FAIL';
  readonly stop: RunStop;
  /** ISO 8601, UTC */
  readonly started_at: string;
  readonly ended_at: string;
  readonly duration: { readonly planned_s: number; readonly actual_s: number };
  readonly workload: WorkloadInfo;
  readonly load: LoadShape;
  readonly iterations: {
    /** completed, failed included */
    readonly total: number;
    readonly failed: number;
    readonly error_rate_percent: number;
    /** completed iterations per second of actual duration */
    readonly achieved_rate_per_s: number;
    readonly errors_by_kind: Readonly<Record<string, number>>;
  };
  /** every iteration's latency, ms; null when none completed */
  readonly latency_ms: LatencySummaryMs | null;
  readonly criteria: readonly CriterionResult[];
  readonly drift: { readonly rss: DriftResult | null; readonly heap_after_gc: DriftResult | null };
  readonly memory: { readonly rss_peak_mb: number | null };
  readonly cpu_percent: number | null;
  readonly decisions: readonly DecisionRecord[];
  readonly checkpoints: { readonly written: number; readonly planned: number };
  readonly environment: EnvironmentInfo;
  /** the options of the run as given (JSON-safe values) */
  readonly options: Readonly<Record<string, unknown>>;
  /** the criteria in force */
  readonly thresholds: Criteria;
}

export interface SummaryInputs {
  readonly started_at: string;
  readonly ended_at: string;
  readonly planned_s: number;
  readonly actual_s: number;
  /** set when the run was stopped by a signal (SIGINT/SIGTERM) or rebuilt from an unfinished run directory */
  readonly interrupted: { readonly reason: string } | null;
  /** set when --abort-on-fail stopped the run (the status is then the criteria's, FAIL) */
  readonly aborted?: { readonly reason: string } | null;
  readonly workload: WorkloadInfo;
  readonly load: LoadShape;
  readonly measured: Measured;
  readonly errors_by_kind: Readonly<Record<string, number>>;
  readonly latency_ms: LatencySummaryMs | null;
  readonly criteria: Criteria;
  readonly decisions: readonly DecisionRecord[];
  readonly checkpoints_written: number;
  readonly environment: EnvironmentInfo;
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * The summary of a run from what was measured: the criteria are judged here (so a summary rebuilt from a
 * run directory is judged exactly as the live one), the status is the criteria's verdict unless the run
 * was interrupted, and everything else is carried over or derived (error rate, achieved rate).
 */
export function buildSummary(inputs: SummaryInputs): RunSummary {
  const criteria = evaluateCriteria(inputs.measured, inputs.criteria, { duration_s: inputs.planned_s });
  const verdict = overallVerdict(criteria);
  const stop: RunStop =
    inputs.interrupted !== null
      ? { kind: 'interrupted', reason: inputs.interrupted.reason }
      : inputs.aborted !== undefined && inputs.aborted !== null
        ? { kind: 'aborted', reason: inputs.aborted.reason }
        : { kind: 'completed' };
  const { iterations, failed_iterations: failed } = inputs.measured;
  return {
    status: stop.kind === 'interrupted' ? 'INTERRUPTED' : verdict,
    status_reason: statusReason(stop, verdict, criteria),
    verdict,
    stop,
    started_at: inputs.started_at,
    ended_at: inputs.ended_at,
    duration: { planned_s: inputs.planned_s, actual_s: inputs.actual_s },
    workload: inputs.workload,
    load: inputs.load,
    iterations: {
      total: iterations,
      failed,
      error_rate_percent: iterations === 0 ? 0 : (failed / iterations) * 100,
      achieved_rate_per_s: inputs.actual_s > 0 ? iterations / inputs.actual_s : 0,
      errors_by_kind: inputs.errors_by_kind,
    },
    latency_ms: inputs.latency_ms,
    criteria,
    drift: inputs.measured.drift,
    memory: { rss_peak_mb: inputs.measured.rss_peak_mb },
    cpu_percent: inputs.measured.cpu_percent,
    decisions: inputs.decisions,
    checkpoints: { written: inputs.checkpoints_written, planned: checkpointSchedule(Math.max(1, inputs.planned_s * 1000)).length },
    environment: inputs.environment,
    options: inputs.options,
    thresholds: inputs.criteria,
  };
}

function statusReason(stop: RunStop, verdict: RunSummary['verdict'], criteria: readonly CriterionResult[]): string {
  const named = (v: 'FAIL' | 'WARN') => criteria.filter((c) => c.verdict === v).map((c) => c.name);
  const fails = named('FAIL');
  const warns = named('WARN');
  const notApplicable = criteria.filter((c) => c.verdict === 'N/A').map((c) => c.name);
  const judged =
    verdict === 'FAIL'
      ? `failed: ${fails.join(', ')}${warns.length > 0 ? `; warned: ${warns.join(', ')}` : ''}`
      : verdict === 'WARN'
        ? `warned: ${warns.join(', ')}`
        : `every criterion passed${notApplicable.length > 0 ? ` (not applicable: ${notApplicable.join(', ')})` : ''}`;
  switch (stop.kind) {
    case 'interrupted':
      return `${stop.reason}; criteria up to then: ${verdict} (${judged})`;
    case 'aborted':
      return `${stop.reason}; ${judged}`;
    case 'completed':
      return judged;
  }
}
