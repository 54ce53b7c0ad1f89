/**
 * What one soak iteration does. Three workloads behind one small interface:
 *
 * - `kpi` (default): `KpiPool.snapshots()` over a tape already in shared memory (synthetic, or read once
 *   from --input). The reference result is computed once at the start by the serial reference engine, and
 *   every iteration's result must equal it bit for bit (see integrity.ts).
 * - `pipeline`: every iteration reads and validates the input file again and computes its KPIs, on a worker
 *   thread of a WorkloadPool, and its result is compared with the reference too: leaks in ingestion show.
 * - `module`: the default export of a user's ES module, in the workers of a WorkloadPool (SPEC §5).
 *
 * `iterate()` resolves true when the iteration's result is right (or is not checked), false on an integrity
 * mismatch, and rejects when the iteration failed. Nothing is kept per iteration.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { MemoryLimit, Tape } from '../engine/columns.js';
import { referenceSnapshots } from '../engine/reference.js';
import { readTape } from '../io/read-tape.js';
import { DEFAULT_SYNTHETIC_SEED, syntheticTape } from '../io/synthetic.js';
import { classifyTaskError, type IterationFault } from '../workers/faults.js';
import { KpiPool } from '../workers/kpi-pool.js';
import { WorkloadPool, type WorkerHeap } from '../workers/workload-pool.js';
import { encodeKpis } from './integrity.js';
import type { WorkloadInfo } from './summary.js';

export const DEFAULT_ROWS = 100_000;

export type WorkloadSpec =
  | {
      readonly kind: 'kpi';
      /** a synthetic tape of `rows` rows, or a file read once at the start */
      readonly input: { readonly kind: 'synthetic'; readonly rows: number; readonly seed?: number } | { readonly kind: 'file'; readonly path: string };
      readonly threads: number;
      /** how long the pool's workers poll for their next task before they sleep (KpiPoolOptions.pollMicros) */
      readonly pollMicros?: number;
      /** refuse a tape whose columns would take more (--max-memory) */
      readonly memoryLimit?: MemoryLimit | null;
    }
  | { readonly kind: 'pipeline'; readonly input: string; readonly threads: number; readonly memoryLimit?: MemoryLimit | null }
  | { readonly kind: 'module'; readonly path: string; readonly threads: number };

export interface Workload {
  readonly info: WorkloadInfo;
  /** worker threads of the workload's pool */
  readonly threads: number;
  /** iterations whose result is compared with a reference */
  readonly checksIntegrity: boolean;
  /**
   * Every iteration ends through the event loop (a worker's message), so timers and I/O run between the
   * iterations of a closed loop. False when an iteration can resolve in microtasks alone (the KPI engine
   * computes small tapes on the calling thread): the closed loop then yields to the event loop itself.
   */
  readonly endsThroughEventLoop: boolean;
  /**
   * One iteration, suffering `fault` when one is injected (stress run --inject). Resolves true: right (or
   * unchecked); false: integrity mismatch; rejects: the iteration failed — with a PoolFailure when its worker
   * died or when `signal` was aborted (the task timeout) and the iteration abandoned.
   */
  iterate(fault?: IterationFault | null, signal?: AbortSignal): Promise<boolean>;
  /** the workers' heaps after GC, or null when this workload's workers cannot report them */
  readonly workerHeaps: (() => Promise<readonly WorkerHeap[]>) | null;
  close(): Promise<void>;
}

export function defaultWorkloadThreads(): number {
  return availableParallelism();
}

export async function openWorkload(spec: WorkloadSpec): Promise<Workload> {
  switch (spec.kind) {
    case 'kpi':
      return openKpiWorkload(spec);
    case 'pipeline':
      return openPipelineWorkload(spec);
    case 'module':
      return openModuleWorkload(spec);
  }
}

async function openKpiWorkload(spec: Extract<WorkloadSpec, { kind: 'kpi' }>): Promise<Workload> {
  let tape: Tape;
  let source: string;
  if (spec.input.kind === 'synthetic') {
    const seed = spec.input.seed ?? DEFAULT_SYNTHETIC_SEED;
    tape = syntheticTape({ rows: spec.input.rows, seed }, { memoryLimit: spec.memoryLimit ?? null }).tape;
    source = `a synthetic tape of ${spec.input.rows.toLocaleString('en-US')} rows (seed ${seed})`;
  } else {
    tape = (await readTape(spec.input.path, { memoryLimit: spec.memoryLimit ?? null })).tape;
    source = `${spec.input.path} (${tape.rows.toLocaleString('en-US')} rows)`;
  }
  const reference = encodeKpis(referenceSnapshots(tape));
  const pool = await KpiPool.open(tape, { threads: spec.threads, ...(spec.pollMicros === undefined ? {} : { pollMicros: spec.pollMicros }) });
  return {
    info: {
      kind: 'kpi',
      description:
        `KpiPool.snapshots() over ${source}, ${tape.dates.length} snapshot dates, in shared memory, ` +
        `${pool.threads} threads (workers poll ${pool.pollMicros} µs for their next task before they sleep); each result compared bit for bit with the serial reference computed at the start`,
    },
    threads: pool.threads,
    checksIntegrity: true,
    endsThroughEventLoop: false,
    iterate: async (fault, signal) => {
      try {
        // the fault is acted out in a worker, before the computation, which it may stop
        if (fault) await pool.fault(fault, signal);
        return encodeKpis(await pool.snapshots()) === reference;
      } catch (error) {
        throw classifyTaskError(error, signal);
      }
    },
    workerHeaps: () => pool.heaps(),
    close: () => pool.close(),
  };
}

async function openPipelineWorkload(spec: Extract<WorkloadSpec, { kind: 'pipeline' }>): Promise<Workload> {
  const path = resolve(spec.input);
  // read once here: a bad file is bad input (exit 2) before the run starts, and this gives the reference
  const { tape } = await readTape(path, { memoryLimit: spec.memoryLimit ?? null });
  const reference = encodeKpis(referenceSnapshots(tape));
  const pool = await WorkloadPool.open({ kind: 'pipeline', input: path }, { threads: spec.threads });
  return {
    info: {
      kind: 'pipeline',
      description:
        `read and validate ${spec.input} (${tape.rows.toLocaleString('en-US')} rows) with readTape, then compute its KPIs, ` +
        `on one of ${spec.threads} worker threads; each result compared bit for bit with the reference computed at the start`,
    },
    threads: pool.threads,
    checksIntegrity: true,
    endsThroughEventLoop: true,
    iterate: async (fault, signal) => (await pool.run(fault, signal)) === reference,
    workerHeaps: () => pool.heaps(),
    close: () => pool.close(),
  };
}

async function openModuleWorkload(spec: Extract<WorkloadSpec, { kind: 'module' }>): Promise<Workload> {
  const pool = await WorkloadPool.open({ kind: 'module', path: resolve(spec.path) }, { threads: spec.threads });
  return {
    info: {
      kind: 'module',
      description: `the default export of ${spec.path}, called once per iteration in ${spec.threads} worker threads (setup() once per worker first, if exported)`,
    },
    threads: pool.threads,
    checksIntegrity: false,
    endsThroughEventLoop: true,
    iterate: async (fault, signal) => {
      await pool.run(fault, signal);
      return true;
    },
    workerHeaps: () => pool.heaps(),
    close: () => pool.close(),
  };
}
