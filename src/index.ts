/** The public API of loan-kpi-stress. */
export { computeFile, computeSnapshots, kpiResult, type ComputeOptions, type KpiResult } from './compute.js';
export { allocateColumns, copyRows, narrowMoney, tapeViews, viewsOf, type ColumnViews, type MoneyView, type Tape, type TapeLayout } from './engine/columns.js';
export { toArrowTable } from './engine/arrow-views.js';
export { sumByDate, sumByDateAndGroup } from './engine/kernels.js';
export {
  DEFAULT_ALERT_THRESHOLDS,
  KPI_NAMES,
  alertsFor,
  kpiValues,
  mergeSums,
  portfolioHealth,
  snapshotsFromSums,
  type Alert,
  type AlertThresholds,
  type KpiValues,
  type Snapshot,
} from './engine/kpis.js';
export { referenceSnapshots } from './engine/reference.js';
export { MONEY_COLUMNS, SUMS_PER_KEY } from './engine/schema.js';
export { readTape } from './io/read-tape.js';
export { TapeInputError, type Problem } from './io/problems.js';
export type { ReadOptions, ReadResult } from './io/tape-builder.js';
export { KpiPool, DEFAULT_CROSSOVER_ROWS, DEFAULT_POLL_MICROS, type KpiPoolOptions } from './workers/kpi-pool.js';
export { syntheticTape, writeSyntheticFile, type SyntheticSpec } from './io/synthetic.js';
export { computeResultSet, RESULT_FILES, type Manifest, type ResultSet, type ResultSetOptions } from './results/result-set.js';
export { kpiReport, type KpiReport } from './results/kpi-report.js';
export { allRollups, periodOf, rollUp, type Rollup, type RollupPeriod } from './results/rollups.js';
export { findAnomalies, ANOMALY_THRESHOLD_PERCENT, type Anomaly } from './results/anomalies.js';
export { verifyAuditFile } from './audit/verify.js';
