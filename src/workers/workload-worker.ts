/**
 * A soak-workload worker (a piscina worker of WorkloadPool). One task = one iteration of the workload:
 *
 * - `module`: the default export of the user's ES module, called with no argument (sync or async); a throw
 *   or a rejection fails the iteration. The module's optional `setup()` runs once, before the first task.
 * - `pipeline`: read and validate the input file again (readTape) and compute its KPIs on this thread, then
 *   answer with the canonical text of the result for the integrity check; an ingestion leak shows up too.
 *
 * It also answers heap probes (see WorkloadPool.heaps): the soak's drift detection needs the heap of every
 * worker after a full GC, which only the worker's own thread can measure. The probe arrives on a
 * BroadcastChannel rather than through piscina's port, which piscina owns; the pool disables piscina's
 * Atomics-based idle wait so that an idle worker's event loop runs and can answer.
 */
import { BroadcastChannel, threadId, workerData } from 'node:worker_threads';
import { messageOf } from '../errors.js';
import { actOutFault, exitOnUncaughtError, type IterationFault } from './faults.js';
import { exposeGc, measureThreadHeap } from './heap.js';

export type WorkloadWorkerData =
  | { readonly kind: 'module'; readonly moduleUrl: string; readonly probeChannel: string; readonly gc: boolean }
  | { readonly kind: 'pipeline'; readonly input: string; readonly probeChannel: string; readonly gc: boolean };

export interface HeapProbe {
  readonly type: 'heap?';
  readonly id: number;
  /** collect garbage first; off for the readiness probes at start */
  readonly gc: boolean;
}

export interface HeapReport {
  readonly type: 'heap';
  readonly id: number;
  readonly threadId: number;
  /** used heap before the collection, bytes */
  readonly heap_used: number;
  /** used heap right after a full collection (equal to heap_used when gc is off), bytes */
  readonly heap_after_gc: number;
  /** memory outside the heap held by this thread's objects (ArrayBuffers, Buffers) after that collection, bytes */
  readonly external_after_gc: number;
  /** how long the collections stopped this thread, ms */
  readonly gc_pause_ms: number;
  /** why the workload module cannot run (failed import, no default export, setup() threw), or null */
  readonly load_error: string | null;
}

/** One task: the iteration's injected fault (stress run --inject), or null. */
export type WorkloadTask = IterationFault | null;

/** 'pipeline' answers the canonical KPI text; 'module' answers nothing. */
export type WorkloadTaskResult = string | undefined;

const data = workerData as WorkloadWorkerData;

const gc = data.gc ? exposeGc() : null;
exitOnUncaughtError();

type Iteration = () => unknown;

/**
 * The workload's default export, or why there is none. The reason goes with every heap report, so that the
 * pool refuses to open (WorkloadLoadError: bad input, exit 2) rather than run a soak of failures.
 */
async function loadModule(url: string): Promise<{ run: Iteration } | { error: string }> {
  let module: { default?: unknown; setup?: unknown };
  try {
    module = (await import(url)) as typeof module;
  } catch (error) {
    return { error: `workload module failed to load: ${messageOf(error)}` };
  }
  if (typeof module.default !== 'function') return { error: 'workload module has no default export function' };
  if (module.setup !== undefined) {
    if (typeof module.setup !== 'function') return { error: 'workload module exports a setup that is not a function' };
    try {
      await (module.setup as () => unknown)();
    } catch (error) {
      return { error: `workload setup() failed: ${messageOf(error)}` };
    }
  }
  return { run: module.default as Iteration };
}

// Top-level await: piscina imports this file before the worker takes its first task, so setup() runs once
// per worker and its time is not part of any iteration's latency.
const loaded = data.kind === 'module' ? await loadModule(data.moduleUrl) : null;

/**
 * The pipeline's modules, imported only by pipeline workers: a module workload's workers should hold the
 * user's code and little else, so that their heap is the workload's.
 */
const pipeline =
  data.kind === 'pipeline'
    ? {
        ...(await import('../engine/columns.js')),
        ...(await import('../engine/kernels.js')),
        ...(await import('../engine/kpis.js')),
        ...(await import('../engine/schema.js')),
        ...(await import('../io/read-tape.js')),
        ...(await import('../stress/integrity.js')),
      }
    : null;

// Created once the module has loaded: the pool takes a worker's first answer as "ready".
const channel = new BroadcastChannel(data.probeChannel);
// the channel must not keep the worker alive when piscina ends it
channel.unref();
channel.onmessage = (event: unknown) => {
  const message = (event as MessageEvent).data as HeapProbe | HeapReport;
  if (message?.type !== 'heap?') return;
  const report: HeapReport = {
    type: 'heap',
    id: message.id,
    threadId,
    ...measureThreadHeap(message.gc ? gc : null),
    load_error: loaded !== null && 'error' in loaded ? loaded.error : null,
  };
  channel.postMessage(report);
};

async function pipelineIteration(input: string): Promise<string> {
  const { readTape, keyCount, SUMS_PER_KEY, tapeViews, sumByDate, sumByDateAndGroup, encodeKpis, snapshotsFromSums } = pipeline!;
  const { tape } = await readTape(input);
  const sums = new Float64Array(keyCount(tape) * SUMS_PER_KEY);
  const views = tapeViews(tape);
  if (views.groupKeys) sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys, tape.groups.length, 0, tape.rows, sums);
  else sumByDate(views.money, views.dateKeys, 0, tape.rows, sums);
  return encodeKpis(snapshotsFromSums(sums, tape));
}

export default async function iteration(fault: WorkloadTask): Promise<WorkloadTaskResult> {
  actOutFault(fault);
  if (data.kind === 'pipeline') return pipelineIteration(data.input);
  if (loaded === null) throw new Error('no workload');
  if ('error' in loaded) throw new Error(loaded.error);
  await loaded.run();
  return undefined;
}
