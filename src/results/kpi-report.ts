/**
 * What `stress compute` reports (kpis.json, and its --json output): the per-snapshot result of compute.ts,
 * its rollups by day, ISO week and month, and, given a previous run, the anomalies against it.
 */
import type { KpiResult } from '../compute.js';
import type { ComparableSnapshot } from '../cutover/shadow.js';
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../engine/kpis.js';
import { findAnomalies, type Anomaly, type AnomalyCheck } from './anomalies.js';
import { allRollups, type Rollups } from './rollups.js';

export interface KpiReport extends KpiResult {
  /** `run_` + the first 12 hex digits of the input's SHA-256, when the result was written to a run folder */
  readonly run_id: string | null;
  readonly rollups: Rollups;
  /** the comparison with --previous, without its anomalies (listed next); null without --previous */
  readonly previous: Omit<AnomalyCheck, 'anomalies'> | null;
  readonly anomalies: readonly Anomaly[];
}

export interface PreviousResult {
  /** the kpis.json read */
  readonly source: string;
  readonly snapshots: readonly ComparableSnapshot[];
}

export function kpiReport(
  result: KpiResult,
  runId: string | null,
  previous: PreviousResult | null,
  thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS,
): KpiReport {
  const report = { run_id: runId, ...result, rollups: allRollups(result.snapshots, thresholds) };
  if (previous === null) return { ...report, previous: null, anomalies: [] };
  const { anomalies, ...comparison } = findAnomalies(previous.snapshots, result.snapshots, previous.source);
  return { ...report, previous: comparison, anomalies };
}
