/**
 * The pool that runs soak workloads other than the in-memory KPI engine: a user's workload module
 * (`--workload`), or the ingest-and-compute pipeline (`--mode pipeline`), in piscina workers
 * (workload-worker.ts). One `run()` is one iteration.
 *
 * `heaps()` asks every worker for its heap after a full GC, over a BroadcastChannel: see workload-worker.ts.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { classifyTaskError, type IterationFault } from './faults.js';
import type { ThreadHeap } from './heap.js';
import { WORKER_RESOURCE_LIMITS, workerFile } from './worker-file.js';
import type { HeapProbe, HeapReport, WorkloadTask, WorkloadTaskResult, WorkloadWorkerData } from './workload-worker.js';

/** How long the workers may take to load the module and run its setup() */
const OPEN_TIMEOUT_MS = 120_000;

export type WorkloadSource = { readonly kind: 'module'; readonly path: string } | { readonly kind: 'pipeline'; readonly input: string };

export interface WorkloadPoolOptions {
  readonly threads: number;
  /** let workers force a full GC before reporting their heap (default true) */
  readonly gc?: boolean;
}

/** A worker's heap, measured on its own thread (see heap.ts). */
export interface WorkerHeap extends ThreadHeap {
  readonly threadId: number;
}

/** The workload module could not be loaded or its setup() failed, in a worker: nothing can run. */
export class WorkloadLoadError extends Error {
  override name = 'WorkloadLoadError';
}

/**
 * An AbortSignal in the EventEmitter form that piscina also accepts, reduced to what piscina calls: `once` and
 * `removeListener` (`off` in its types) of its one 'abort' listener per task, `aborted` and `reason`. Piscina adds that listener to
 * a task's signal and removes it when the task ends, on the main thread, on every iteration: on an AbortSignal
 * (an EventTarget) the pair costs about 0.75 µs, on an EventEmitter about 0.26 µs (its once() wraps the
 * listener), here a push and a splice of an array that holds one listener (the "abort listener" line of
 * `npm run bench:soak-overhead`). The bridge listens to its signal once and calls the listeners,
 * synchronously, as the signal itself would.
 */
export class AbortBridge {
  private listeners: (() => void)[] = [];

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener(
      'abort',
      () => {
        const listeners = this.listeners;
        this.listeners = [];
        for (const listener of listeners) listener();
      },
      { once: true },
    );
  }

  once(_event: 'abort', listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const listeners = this.listeners;
    // the one listener of a task, most often: pop() allocates nothing, where splice() returns a new array
    if (listeners.at(-1) === listener) listeners.pop();
    else {
      const at = listeners.lastIndexOf(listener);
      if (at >= 0) listeners.splice(at, 1);
    }
    return this;
  }

  /** the name piscina's types give removeListener */
  off(event: 'abort', listener: () => void): this {
    return this.removeListener(event, listener);
  }

  /** read by piscina before it queues a task */
  get aborted(): boolean {
    return this.signal.aborted;
  }

  /** piscina's AbortError carries it */
  get reason(): unknown {
    return this.signal.reason;
  }
}

export class WorkloadPool {
  readonly threads: number;
  private readonly piscina: Piscina;
  private readonly channel: BroadcastChannel;
  private probeId = 0;
  /** answers of the probe in progress, by thread: at most one entry per worker */
  private readonly answers = new Map<number, WorkerHeap>();
  private loadError: string | null = null;
  private onAnswer: (() => void) | null = null;
  private closed = false;
  private readonly bridges = new WeakMap<AbortSignal, AbortBridge>();

  private constructor(source: WorkloadSource, options: WorkloadPoolOptions) {
    this.threads = options.threads;
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError(`threads must be a whole number ≥ 1, got ${this.threads}`);
    // one channel name per pool, so that two pools in one process never answer each other's probes
    const probeChannel = `loan-kpi-stress:heap:${randomUUID()}`;
    const gc = options.gc ?? true;
    const workerData: WorkloadWorkerData =
      source.kind === 'module'
        ? { kind: 'module', moduleUrl: pathToFileURL(source.path).href, probeChannel, gc }
        : { kind: 'pipeline', input: source.input, probeChannel, gc };
    this.channel = new BroadcastChannel(probeChannel);
    this.channel.unref();
    this.channel.onmessage = (event: unknown) => {
      const message = (event as MessageEvent).data as HeapProbe | HeapReport;
      if (message?.type !== 'heap' || message.id !== this.probeId) return;
      this.answers.set(message.threadId, {
        threadId: message.threadId,
        heap_used: message.heap_used,
        heap_after_gc: message.heap_after_gc,
        external_after_gc: message.external_after_gc,
        gc_pause_ms: message.gc_pause_ms,
      });
      if (message.load_error !== null) this.loadError ??= message.load_error;
      this.onAnswer?.();
    };
    this.piscina = new Piscina({
      filename: workerFile('workload-worker'),
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      // Idle workers must keep their event loop turning to answer heap probes (and to let an async workload's
      // own timers and I/O run between iterations); piscina's Atomics.wait idle loop would block it.
      atomics: 'disabled',
      // no per-task timing in piscina: the soak measures each iteration itself
      recordTiming: false,
      // in-flight iterations are capped by the runner; the queue only ever holds those waiting for a thread
      maxQueue: Number.POSITIVE_INFINITY,
      workerData,
      resourceLimits: WORKER_RESOURCE_LIMITS,
    });
  }

  /** Start the workers; resolves once every one has loaded the workload (and run its setup). */
  static async open(source: WorkloadSource, options: WorkloadPoolOptions): Promise<WorkloadPool> {
    const pool = new WorkloadPool(source, options);
    // piscina starts minThreads workers at once; wait until each answers a probe, i.e. has loaded the module
    const ready = await pool.probe(OPEN_TIMEOUT_MS, false, false);
    if (pool.loadError !== null) {
      await pool.close();
      throw new WorkloadLoadError(pool.loadError);
    }
    if (ready.length < pool.threads) {
      await pool.close();
      throw new Error(`${pool.threads - ready.length} of ${pool.threads} workload workers did not start within ${OPEN_TIMEOUT_MS / 1000} s`);
    }
    return pool;
  }

  /**
   * One iteration on a free worker, acting out `fault` there (stress run --inject). Aborting `signal` abandons
   * the iteration and replaces its worker (piscina terminates a worker whose running task is aborted); the
   * rejection is then a PoolFailure of kind "timeout", and one of kind "worker_crash" when the worker died.
   */
  async run(fault: IterationFault | null = null, signal?: AbortSignal): Promise<WorkloadTaskResult> {
    if (this.closed) throw new Error('the workload pool is closed');
    const task: WorkloadTask = fault;
    try {
      return (await this.piscina.run(task, signal === undefined ? {} : { signal: this.abortBridge(signal) })) as WorkloadTaskResult;
    } catch (error) {
      throw classifyTaskError(error, signal);
    }
  }

  /** The signal's bridge, made on its first task (the runner reuses each slot's signal until it is aborted). */
  private abortBridge(signal: AbortSignal): AbortBridge {
    let bridge = this.bridges.get(signal);
    if (bridge === undefined) this.bridges.set(signal, (bridge = new AbortBridge(signal)));
    return bridge;
  }

  /**
   * Every worker's heap, measured on its own thread (after a full GC unless the pool was opened without).
   * A worker busy with a long synchronous iteration answers when it finishes; those that have not answered
   * within `timeoutMs` are left out, so the result can hold fewer than `threads` entries.
   */
  heaps(timeoutMs = 2000): Promise<WorkerHeap[]> {
    return this.probe(timeoutMs, true, true);
  }

  private async probe(timeoutMs: number, gc: boolean, once: boolean): Promise<WorkerHeap[]> {
    if (this.closed) return [];
    this.probeId += 1;
    this.answers.clear();
    const probe: HeapProbe = { type: 'heap?', id: this.probeId, gc };
    let timer: NodeJS.Timeout | null = null;
    const complete = new Promise<void>((resolve) => {
      this.onAnswer = () => {
        if (this.answers.size >= this.threads) resolve();
      };
      timer = setTimeout(resolve, timeoutMs);
    });
    // A worker still importing its module misses a message posted before its channel exists, so until all
    // have answered, the probe is repeated; an answer already counted is only overwritten.
    const repeat = once ? null : setInterval(() => this.channel.postMessage(probe), 50);
    this.channel.postMessage(probe);
    try {
      await complete;
    } finally {
      if (timer !== null) clearTimeout(timer);
      if (repeat !== null) clearInterval(repeat);
      this.onAnswer = null;
    }
    return [...this.answers.values()].sort((a, b) => a.threadId - b.threadId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
    await this.piscina.destroy();
  }
}
