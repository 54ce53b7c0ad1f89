/**
 * A KPI pool worker. It receives the tape's shared memory (and the compiled kernels module) once, in
 * workerData, instantiates the wasm kernels over that memory, and then sums row ranges on request. It is the
 * only module that knows it runs in a worker.
 *
 * A 'sums' task names a scratch slot of the tape's memory (see engine/wasm-kernels.ts): the worker leaves its
 * partial sums there and answers with nothing, so no result is cloned across threads. With slot -1 (no slot
 * was free) it answers with a Float64Array of its own instead, computed by the JavaScript kernel.
 */
import { threadId, workerData } from 'node:worker_threads';
import { viewsOf, type TapeLayout } from '../engine/columns.js';
import { sumByDate, sumByDateAndGroup } from '../engine/kernels.js';
import { MONEY_COLUMNS, SUMS_PER_KEY } from '../engine/schema.js';
import { exerciseKernels, ScratchSlots, WasmKernels, type StreamOrder } from '../engine/wasm-kernels.js';
import { leaveSeat, sumChunks, takeSeat, type ShareTask } from '../engine/work-sharing.js';
import { actOutFault, exitOnUncaughtError, type IterationFault } from './faults.js';
import { pollBeforeSleeping } from './poll-wait.js';
import { exposeGc, measureThreadHeap, type ThreadHeap } from './heap.js';

export interface KpiWorkerData {
  readonly memory: WebAssembly.Memory;
  readonly layout: TapeLayout;
  readonly rows: number;
  readonly dateCount: number;
  /** 0 without --group-by */
  readonly groupCount: number;
  /** the compiled kernels module (shared, not recompiled, by every thread it is sent to), or null for the JavaScript kernels */
  readonly module: WebAssembly.Module | null;
  /** the pool's seats and chunk counters for computations shared in chunks (engine/work-sharing.ts) */
  readonly shareWords: Int32Array;
  /** how long this worker polls for its next task before it sleeps (workers/poll-wait.ts) */
  readonly pollMicros: number;
}

export type KpiTask =
  /** per-key sums of rows [rowStart, rowEnd) into scratch slot `slot`, or returned when slot is -1 */
  | { readonly kind: 'sums'; readonly rowStart: number; readonly rowEnd: number; readonly slot: number }
  /** the roofline read of rows [rowStart, rowEnd) (wasm only); answers a meaningless checksum */
  | { readonly kind: 'stream'; readonly rowStart: number; readonly rowEnd: number; readonly order: StreamOrder }
  | { readonly kind: 'noop' }
  /** chunks of a shared computation: sums into scratch slot `slot`, or with `read` the roofline read (a checksum) */
  | (ShareTask & { readonly read: StreamOrder | null })
  /** an injected fault (stress run --inject), acted out on this thread */
  | { readonly kind: 'fault'; readonly fault: IterationFault }
  /**
   * this thread's heap after a full GC. `barrier` (one Int32 over shared memory) counts the heap tasks that
   * have started: each waits, at most `waitMs`, until all `parties` have, so that each lands on a different
   * worker rather than two on one that happened to be free.
   */
  | { readonly kind: 'heap'; readonly barrier: Int32Array; readonly parties: number; readonly waitMs: number };

export type KpiHeapReport = ThreadHeap & { readonly threadId: number };

export type KpiTaskResult = Float64Array | number | KpiHeapReport | null;

const data = workerData as KpiWorkerData;
// The views are made once: the memory never grows, so its buffer never changes.
const views = viewsOf(data.memory.buffer, data.layout, data.rows);
const keyCount = data.dateCount * Math.max(1, data.groupCount);
const slots = new ScratchSlots(data.memory.buffer, data.layout, keyCount);
const wasm = data.module === null ? null : WasmKernels.instantiate(data.module, data.memory, data.layout);
const gc = exposeGc();
exitOnUncaughtError();
pollBeforeSleeping(data.pollMicros);

/** rounds of exerciseKernels at worker start */
const WORKER_WARM_UP_ROUNDS = 3;

warmUp();

export default function run(task: KpiTask): KpiTaskResult {
  switch (task.kind) {
    case 'noop':
      return null;
    case 'fault':
      actOutFault(task.fault);
      return null;
    case 'heap':
      return { threadId, ...heapAfterBarrier(task.barrier, task.parties, task.waitMs) };
    case 'share':
      return shareChunks(task);
    case 'stream':
      if (wasm === null) throw new Error('the roofline read needs the wasm kernels');
      return wasm.stream(task.rowStart, task.rowEnd, task.order);
    case 'sums': {
      if (task.slot < 0) {
        const out = new Float64Array(keyCount * SUMS_PER_KEY);
        sumsJs(task.rowStart, task.rowEnd, out);
        return out;
      }
      const out = slots.begin(task.slot);
      if (wasm === null) sumsJs(task.rowStart, task.rowEnd, out);
      else if (views.groupKeys) wasm.sumByDateAndGroup(data.groupCount, task.rowStart, task.rowEnd, slots.offset(task.slot));
      else wasm.sumByDate(task.rowStart, task.rowEnd, slots.offset(task.slot));
      slots.publish(task.slot);
      return null;
    }
  }
}

function heapAfterBarrier(barrier: Int32Array, parties: number, waitMs: number): ThreadHeap {
  Atomics.add(barrier, 0, 1);
  Atomics.notify(barrier, 0);
  const deadline = performance.now() + waitMs;
  for (let arrived = Atomics.load(barrier, 0); arrived < parties; arrived = Atomics.load(barrier, 0)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    Atomics.wait(barrier, 0, arrived, left);
  }
  return measureThreadHeap(gc);
}

/** Chunks of a shared computation until none is left, unless the calling thread has closed this seat. */
function shareChunks(task: ShareTask & { readonly read: StreamOrder | null }): number | null {
  if (!takeSeat(data.shareWords, task)) return null;
  const { read } = task;
  if (read !== null) {
    if (wasm === null) throw new Error('the roofline read needs the wasm kernels');
    let checksum = 0;
    sumChunks(data.shareWords, task.counter, task.chunks, task.chunkRows, task.rows, (rowStart, rowEnd) => (checksum ^= wasm.stream(rowStart, rowEnd, read)));
    leaveSeat(data.shareWords, task.slot, checksum);
    return checksum;
  }
  const out = slots.begin(task.slot);
  sumChunks(data.shareWords, task.counter, task.chunks, task.chunkRows, task.rows, (rowStart, rowEnd) => {
    if (wasm === null) sumsJs(rowStart, rowEnd, out);
    else if (views.groupKeys) wasm.sumByDateAndGroup(data.groupCount, rowStart, rowEnd, slots.offset(task.slot));
    else wasm.sumByDate(rowStart, rowEnd, slots.offset(task.slot));
  });
  slots.publish(task.slot);
  leaveSeat(data.shareWords, task.slot, 0);
  return null;
}

function sumsJs(rowStart: number, rowEnd: number, out: Float64Array): void {
  if (views.groupKeys) sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys, data.groupCount, rowStart, rowEnd, out);
  else sumByDate(views.money, views.dateKeys, rowStart, rowEnd, out);
}

/**
 * Run every kernel on a short odd-length input of our own before the first task arrives, so that V8 has seen
 * every path of the loops (odd heads, pairs, uniform blocks, tails) and compiled them. The wasm kernels are
 * checked against the JavaScript ones on the way (exerciseKernels): a module that disagrees stops the worker
 * at once rather than return wrong sums. A few rounds suffice: the pool has already tiered the shared module
 * up on its own thread (kernelModule).
 */
function warmUp(): void {
  const rows = 37;
  const money = MONEY_COLUMNS.map((_, c) => Float64Array.from({ length: rows }, (_, i) => (i * (c + 3)) % 1001));
  const dates = Uint16Array.from({ length: rows }, (_, i) => i % 3);
  const groups = Uint16Array.from({ length: rows }, (_, i) => i % 2);
  for (let round = 0; round < 3; round++) {
    sumByDate(money, dates, 0, rows, new Float64Array(3 * SUMS_PER_KEY));
    sumByDateAndGroup(money, dates, groups, 2, 1, rows, new Float64Array(6 * SUMS_PER_KEY));
  }
  if (data.module !== null) exerciseKernels(data.module, WORKER_WARM_UP_ROUNDS);
}
