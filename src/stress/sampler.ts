/**
 * The soak's periodic measurements of the process: memory, heap after a full GC (main thread and every
 * worker), CPU and event-loop delay. One call of `sample()` per sample interval; nothing per iteration.
 *
 * Retained memory after GC — what drift detection watches — is, on every thread, the JS heap used plus the
 * memory outside it that the thread's objects hold (ArrayBuffers, Buffers: V8's "external memory"), both
 * read right after a full collection. The external part matters because a retained Buffer or typed array is
 * the classic Node.js leak, and a 1 KiB Uint8Array costs about 1 KiB outside the heap and 0.2 KiB in it.
 *
 * Heap after GC, and why it is forced: a JavaScript heap is a saw-tooth (it climbs between collections and
 * drops at each), so heap used at an arbitrary moment tells more about when the last collection ran than
 * about a leak. A full collection right before reading it gives the floor, which a leak raises steadily.
 * The cost is two full GCs on each thread (the second completes the first one's sweep of ArrayBuffer
 * backing stores, without which external memory reads high by whatever was just freed): tens of
 * milliseconds on a busy machine, during which that thread runs nothing else. So the measurement is kept
 * rare and its cost bounded: the workers are asked first and collect on their own threads while this one
 * collects too (the pauses overlap instead of adding up); each measurement reports how long it held the
 * threads (`heap_gc_pause_ms`); and the runner spaces the measurements so that their pauses stay within a
 * fixed share of the run's time (see heapMeasurementDue in run.ts). A sample without them has null heap
 * figures. When a GC cannot be forced (see workers/heap.ts), heap used without one is reported and
 * `gc_forced` says so.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import pidusage from 'pidusage';
import { exposeGc, measureThreadHeap } from '../workers/heap.js';
import type { WorkerHeap } from '../workers/workload-pool.js';

const MB = 1024 * 1024;

/**
 * The event-loop delay monitor's timer period, ms: a 50th of the sample interval, within these bounds. Each
 * period is one wake-up of the main thread, and one from idle is not cheap under a hypervisor (the "timer
 * wake-up" line of `npm run bench:soak-overhead` measures it): at a 20 ms period, 50 of them a second were
 * most of the harness's cost to a 1 ms iteration. 50 timings per interval still give its delays (a stall of
 * more than one period is always seen, as the delay of the timer it held up).
 */
const EVENT_LOOP_RESOLUTION_MS = { min: 10, max: 100 };

export interface EventLoopDelayMs {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** One sample of the process; memory in MB = 2^20 bytes. */
export interface ProcessSample {
  readonly rss_mb: number;
  /**
   * RSS once every thread has collected (null: heaps not measured in this sample). RSS as found swings with
   * the garbage the main thread has not collected yet (tens of MB under a fast closed loop); after the
   * collections it holds what is live, and what the heaps keep committed.
   */
  readonly rss_after_gc_mb: number | null;
  /** main thread's heap used, as found (before the forced GC) */
  readonly heap_used_mb: number;
  /** main thread's heap used right after a full GC (null: heaps not measured in this sample) */
  readonly heap_after_gc_mb: number | null;
  readonly external_mb: number;
  readonly array_buffers_mb: number;
  /** main thread's external memory (ArrayBuffers, Buffers) right after that GC */
  readonly external_after_gc_mb: number | null;
  /** each worker's heap after a full GC, reported by the worker; null when the workload's workers cannot report */
  readonly workers_heap_after_gc_mb: readonly number[] | null;
  /** each worker's external memory after that GC, in the same order */
  readonly workers_external_after_gc_mb: readonly number[] | null;
  /**
   * Heap plus external memory after GC, summed over the main thread and the last report of every worker:
   * the series that drift detection watches as "heap after GC"
   */
  readonly heap_after_gc_total_mb: number | null;
  /** the heap figures above were measured in this sample */
  readonly heap_measured: boolean;
  /**
   * How long the forced collections of this sample held the workload, ms: this thread's pause plus the
   * longest worker's (they overlap, so this is an upper bound); null when the heaps were not measured
   */
  readonly heap_gc_pause_ms: number | null;
  /** a full GC can be forced (when not, heap figures are heap used as found) */
  readonly gc_forced: boolean;
  /** CPU of the whole process (all threads) since the previous sample, percent of one core (pidusage) */
  readonly cpu_percent_one_core: number;
  /** the same as a share of all cores: 100 = every core busy */
  readonly cpu_percent: number;
  /** how late the main thread's event loop ran its timers since the previous sample */
  readonly event_loop_delay_ms: EventLoopDelayMs;
}

export interface SamplerOptions {
  /** force a full GC on the main thread before reading its heap (default true) */
  readonly gc?: boolean;
  /** the workers' heaps, or null when the workload cannot report them */
  readonly workerHeaps?: (() => Promise<readonly WorkerHeap[]>) | null;
  /** cores of the machine, for cpu_percent */
  readonly cores: number;
  /** the sample interval: pidusage must remember the previous reading at least this long */
  readonly intervalMs: number;
}

export class Sampler {
  private readonly gc: (() => void) | null;
  private readonly workerHeaps: (() => Promise<readonly WorkerHeap[]>) | null;
  private readonly cores: number;
  private readonly pidusageOptions: { maxage: number };
  private readonly loopDelay: IntervalHistogram;
  /** the monitor's period, ms */
  private readonly resolutionMs: number;
  /** the last report of each worker thread, so that a worker too busy to answer once keeps its figures */
  private readonly lastWorkerHeap = new Map<number, WorkerHeap>();

  constructor(options: SamplerOptions) {
    this.gc = options.gc === false ? null : exposeGc();
    this.workerHeaps = options.workerHeaps ?? null;
    this.cores = Math.max(1, options.cores);
    // pidusage forgets a process's previous reading after `maxage` ms and then reports CPU since the process
    // started; it must outlive the gap between two samples
    this.pidusageOptions = { maxage: Math.max(60_000, 3 * options.intervalMs) };
    this.resolutionMs = Math.min(EVENT_LOOP_RESOLUTION_MS.max, Math.max(EVENT_LOOP_RESOLUTION_MS.min, Math.round(options.intervalMs / 50)));
    this.loopDelay = monitorEventLoopDelay({ resolution: this.resolutionMs });
  }

  /** Start the event-loop monitor and pidusage's CPU baseline. */
  async start(): Promise<void> {
    this.loopDelay.enable();
    await cpuPercent(this.pidusageOptions);
  }

  /** One sample; with `heaps`, also the heap of every thread after a full GC (the costly part). */
  async sample(heaps = true): Promise<ProcessSample> {
    // The workers first: their GCs run on their own threads while this one collects too.
    const asked = this.workerHeaps === null || !heaps ? null : this.workerHeaps();
    const before = process.memoryUsage();
    const main = heaps && this.gc !== null ? measureThreadHeap(this.gc) : null;
    const after = main === null ? before : process.memoryUsage();
    const workers = asked === null ? null : await asked;
    // every thread has collected by now (the workers answer after theirs)
    const rssAfterGc = heaps ? process.memoryUsage.rss() : null;
    if (workers !== null) {
      // a pool's threads are fixed; a full answer replaces the map, so a replaced worker's figure goes away
      if (workers.length > 0 && workers.length >= this.lastWorkerHeap.size) this.lastWorkerHeap.clear();
      for (const worker of workers) this.lastWorkerHeap.set(worker.threadId, worker);
    }
    const pauseMs = heaps ? (main?.gc_pause_ms ?? 0) + Math.max(0, ...(workers ?? []).map((w) => w.gc_pause_ms)) : null;
    const cpu = await cpuPercent(this.pidusageOptions);
    const delay = this.loopDelay;
    const eventLoop: EventLoopDelayMs =
      delay.count === 0
        ? { mean: 0, p50: 0, p99: 0, max: 0 }
        : {
            mean: this.beyondPeriodMs(delay.mean),
            p50: this.beyondPeriodMs(delay.percentile(50)),
            p99: this.beyondPeriodMs(delay.percentile(99)),
            max: this.beyondPeriodMs(delay.max),
          };
    delay.reset();
    const reports = this.workerHeaps === null || !heaps ? null : [...this.lastWorkerHeap.values()];
    const workersHeap = reports === null ? null : reports.map((r) => r.heap_after_gc / MB);
    const workersExternal = reports === null ? null : reports.map((r) => r.external_after_gc / MB);
    const sum = (values: readonly number[] | null) => (values ?? []).reduce((total, value) => total + value, 0);
    return {
      rss_mb: before.rss / MB,
      rss_after_gc_mb: rssAfterGc === null ? null : rssAfterGc / MB,
      heap_used_mb: before.heapUsed / MB,
      heap_after_gc_mb: heaps ? after.heapUsed / MB : null,
      external_mb: before.external / MB,
      array_buffers_mb: before.arrayBuffers / MB,
      external_after_gc_mb: heaps ? after.external / MB : null,
      workers_heap_after_gc_mb: workersHeap,
      workers_external_after_gc_mb: workersExternal,
      heap_after_gc_total_mb: heaps ? (after.heapUsed + after.external) / MB + sum(workersHeap) + sum(workersExternal) : null,
      heap_measured: heaps,
      heap_gc_pause_ms: pauseMs,
      gc_forced: this.gc !== null,
      cpu_percent_one_core: cpu,
      cpu_percent: cpu / this.cores,
      event_loop_delay_ms: eventLoop,
    };
  }

  /** A delay the monitor recorded (ns) as ms beyond its own period, which every value it records includes. */
  private beyondPeriodMs(ns: number): number {
    return Math.max(0, ns / 1e6 - this.resolutionMs);
  }

  stop(): void {
    this.loopDelay.disable();
    pidusage.clear();
  }
}

/** CPU % of this process since pidusage's previous call (100 = one core); 0 if it cannot be read. */
async function cpuPercent(options: { maxage: number }): Promise<number> {
  try {
    const stats = await pidusage(process.pid, options);
    return Number.isFinite(stats.cpu) ? stats.cpu : 0;
  } catch {
    return 0;
  }
}
