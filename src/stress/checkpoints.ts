/**
 * The checkpoint schedule of SPEC §4 (the seeds' 24-hour monitoring plan, scaled to the run), the decision
 * points at 1H, 8H and 24H, and the seeds' rollback decision matrix. Pure.
 */
import type { CriterionResult, Verdict } from './criteria.js';

export interface CheckpointPoint {
  /** 0-based position in the schedule */
  readonly index: number;
  /** the scaled hour: 1, 1.5, … 24 */
  readonly hour: number;
  /** "1H", "1.5H", … "24H" */
  readonly label: string;
  /** milliseconds since the start of the run */
  readonly at_ms: number;
  /** 1H, 8H and 24H */
  readonly decision_point: boolean;
}

export type Decision = 'continue' | 'investigate' | 'roll back';

export interface DecisionRecord {
  readonly checkpoint: string;
  readonly hour: number;
  readonly decision: Decision;
  /** why; empty when continuing with nothing to note */
  readonly reasons: readonly string[];
}

export type PipelineStatus = 'running' | 'degraded' | 'stopped';

export interface KpiLatencyMs {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** One line of checkpoints.jsonl: SPEC §4's record, plus where in the schedule it was taken. */
export interface CheckpointRecord {
  /** ISO 8601, UTC */
  readonly timestamp: string;
  readonly elapsed_s: number;
  /** "1H" … "24H"; "end" for a record written at an early stop */
  readonly checkpoint: string;
  readonly kpi_latency_ms: KpiLatencyMs;
  readonly error_rate_percent: number;
  /** RSS now, MB */
  readonly memory_mb: number;
  readonly cpu_percent: number;
  /** running: iterations completing; degraded: some failed since the last checkpoint; stopped: none completed */
  readonly pipeline_status: PipelineStatus;
  readonly audit_trail_events: number;
  /** overall verdict of the criteria at this checkpoint */
  readonly validation_status: Verdict;
  /** present at decision points */
  readonly decision?: DecisionRecord;
}

/** the seeds' schedule in hours of a 24-hour run */
const SCHEDULE_HOURS: readonly number[] = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24];
const DECISION_HOURS: ReadonlySet<number> = new Set([1, 8, 24]);

/**
 * SPEC §4's checkpoints for a run of `durationMs`: with H = duration/24, at 1H, every 0.5H to 5H, every H to
 * 8H, every 2H to 16H, then 20H and 24H — 18 points, the last at the end of the run. Times are whole
 * milliseconds (hour × duration / 24, rounded), so the last is exactly `durationMs`.
 */
export function checkpointSchedule(durationMs: number): CheckpointPoint[] {
  if (!(durationMs > 0) || !Number.isFinite(durationMs)) throw new RangeError(`checkpointSchedule needs a duration > 0 ms, got ${durationMs}`);
  return SCHEDULE_HOURS.map((hour, index) => ({
    index,
    hour,
    label: `${hour}H`,
    at_ms: Math.round((hour * durationMs) / 24),
    decision_point: DECISION_HOURS.has(hour),
  }));
}

/**
 * The seeds' rollback decision matrix over the criteria at a checkpoint, in its order:
 * - error rate > 5% (error_rate FAIL) → roll back
 * - data loss (data_integrity FAIL) → roll back
 * - latency > 500 ms sustained (latency FAIL) → investigate (the seeds: alert, 15 minutes to fix, else roll back)
 * - memory growing > 20%/hour (memory_drift FAIL) → investigate (the seeds: 10 minutes; leak found → consider rollback)
 * - audit trail failed (audit_trail FAIL) → roll back
 * - otherwise continue.
 * The matrix names no action for the other criteria (peak RSS, CPU); a FAIL of theirs is an anomaly, and
 * the seeds' hour-8 rule for anomalies is "decide: fix vs rollback" — investigate. WARNs do not change the
 * decision but are listed, so that "continue" says what to keep an eye on.
 */
export function decide(point: CheckpointPoint, results: readonly CriterionResult[]): DecisionRecord {
  const failed = (name: CriterionResult['name']) => results.find((r) => r.name === name && r.verdict === 'FAIL');
  const rollBack: string[] = [];
  const investigate: string[] = [];
  const because = (r: CriterionResult, what: string) => `${what}: ${r.detail}`;
  const errorRate = failed('error_rate');
  if (errorRate) rollBack.push(because(errorRate, 'error rate above the fail line'));
  const integrity = failed('data_integrity');
  if (integrity) rollBack.push(because(integrity, 'data loss'));
  const latency = failed('latency');
  if (latency) investigate.push(because(latency, 'latency above the fail line, sustained'));
  const drift = failed('memory_drift');
  if (drift) investigate.push(because(drift, 'memory growing'));
  const audit = failed('audit_trail');
  if (audit) rollBack.push(because(audit, 'audit trail failed'));
  for (const r of results) {
    if (r.verdict === 'FAIL' && (r.name === 'memory' || r.name === 'cpu')) investigate.push(because(r, `${r.name} above the fail line`));
  }
  const warnings = results.filter((r) => r.verdict === 'WARN').map((r) => `${r.name} WARN: ${r.detail}`);
  const decision: Decision = rollBack.length > 0 ? 'roll back' : investigate.length > 0 ? 'investigate' : 'continue';
  return { checkpoint: point.label, hour: point.hour, decision, reasons: [...rollBack, ...investigate, ...warnings] };
}
