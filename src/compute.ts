/** The engine end to end for one file: read the tape, compute its snapshots on the pool, close the pool. */
import type { AlertThresholds, Snapshot } from './engine/kpis.js';
import { readTape } from './io/read-tape.js';
import type { MemoryLimit } from './engine/columns.js';
import type { ReadOptions, ReadResult } from './io/tape-builder.js';
import { KpiPool } from './workers/kpi-pool.js';

export interface ComputeOptions {
  readonly lenient?: boolean;
  readonly groupBy?: string | null;
  readonly threads?: number;
  readonly thresholds?: AlertThresholds;
  /** refuse a tape whose columns would take more (--max-memory) */
  readonly memoryLimit?: MemoryLimit | null;
}

/** What reading the tape takes of the options. */
export function readOptionsOf(options: ComputeOptions): ReadOptions {
  return { lenient: options.lenient ?? false, groupBy: options.groupBy ?? null, memoryLimit: options.memoryLimit ?? null };
}

/** The result of `stress compute --json` (and kpis.json). */
export interface KpiResult {
  readonly snapshots: readonly Snapshot[];
  readonly group_by: string | null;
  readonly rows_read: number;
  readonly rows_dropped: { readonly duplicates: number; readonly invalid: number };
  /** lenient mode: dropped invalid rows counted by reason */
  readonly invalid_by_reason: Readonly<Record<string, number>>;
}

export interface ComputeTimings {
  readonly read_ms: number;
  readonly compute_ms: number;
}

export async function computeFile(path: string, options: ComputeOptions = {}): Promise<{ result: KpiResult; timings: ComputeTimings }> {
  const started = performance.now();
  const read = await readTape(path, readOptionsOf(options));
  const readDone = performance.now();
  const snapshots = await computeSnapshots(read, options);
  return {
    result: kpiResult(read, snapshots),
    timings: { read_ms: readDone - started, compute_ms: performance.now() - readDone },
  };
}

export async function computeSnapshots(read: ReadResult, options: ComputeOptions = {}): Promise<Snapshot[]> {
  const pool = await KpiPool.open(read.tape, {
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.thresholds === undefined ? {} : { thresholds: options.thresholds }),
  });
  try {
    return await pool.snapshots();
  } finally {
    await pool.close();
  }
}

export function kpiResult(read: ReadResult, snapshots: readonly Snapshot[]): KpiResult {
  return {
    snapshots,
    group_by: read.tape.groupColumn,
    rows_read: read.rowsRead,
    rows_dropped: read.dropped,
    invalid_by_reason: read.invalidByReason,
  };
}
