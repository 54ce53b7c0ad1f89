/**
 * The KPI pool: piscina workers over one tape's shared columns.
 *
 * Workers get the memory and the compiled wasm kernels once, at start (workerData), and afterwards only a row
 * range and a scratch slot per task. Each worker leaves its partial sums in its slot of the tape's memory and
 * answers with nothing; the partials are merged here in range order. Since they are exact integers (whole
 * cents) the merged sums, and so the KPIs, are bit-identical whatever the number of threads or the kernel.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { tapeViews, type Tape } from '../engine/columns.js';
import { sumByDate, sumByDateAndGroup } from '../engine/kernels.js';
import { keyCount, mergeSums, snapshotsFromSums, DEFAULT_ALERT_THRESHOLDS, type AlertThresholds, type Snapshot } from '../engine/kpis.js';
import { partitionRows } from '../engine/partition.js';
import { SUMS_PER_KEY } from '../engine/schema.js';
import { moneyStride, ScratchSlots, WasmKernels, type StreamOrder } from '../engine/wasm-kernels.js';
import { awaitSeat, chunkRowsFor, closeSeat, nextGeneration, openShare, shareWords, sumChunks } from '../engine/work-sharing.js';
import { kernelModule } from './kernel-module.js';
import type { IterationFault } from './faults.js';
import type { KpiHeapReport, KpiTask, KpiWorkerData } from './kpi-worker.js';
import { WORKER_RESOURCE_LIMITS, workerFile } from './worker-file.js';

/**
 * Below this many rows the calling thread alone is faster than sharing the work with the pool. Measured with
 * `npm run bench -- crossover` (bench/engine.ts) on the 2-core machine, a synthetic tape of each size (grouped
 * by date, as read), wasm kernels, medians: in quiet runs the calling thread plus one worker overtook the
 * calling thread alone at 87k and 114k rows in one session (100k rows: 0.31-0.35 ms either way) and at 186k
 * in another, on a faster machine (100k rows: 138 µs alone, 164 µs shared; README, Performance); on
 * loan-major tapes, before rows were grouped, at 50k, 74k and 167k; while other processes kept a core busy,
 * not below 400k. One thread is held to its core's share of cache bandwidth long before that, and the round
 * trip of one task costs 30-90 µs, depending on how long the machine takes to wake a sleeping thread.
 */
export const DEFAULT_CROSSOVER_ROWS = 100_000;

/**
 * See KpiPoolOptions.helpRows. Measured as above, from 200k to 10M rows the calling thread plus one worker was
 * faster than two workers with the calling thread waiting (1M rows: 2.6 against 3.4 ms; 10M: 27 against
 * 29 ms), so by default the calling thread always takes its share.
 */
export const DEFAULT_HELP_ROWS = Number.POSITIVE_INFINITY;

/**
 * See KpiPoolOptions.pollMicros. Measured with `node dist-bench/roofline.js --only dispatch --crossover 10k
 * --poll N` on the 2-core machine: an empty task's round trip took 83-87 µs at p50 with workers that sleep as
 * soon as they answer, and 27.5-28.9 µs with N = 35, 50, 100 or 200 µs of polling; 20 µs was too short
 * (71.8 µs), since the calling thread itself has to wake and send the next task within the window. 100 µs
 * leaves room for slower machines.
 */
export const DEFAULT_POLL_MICROS = 100;

/** A worker polling longer than this would hold its core through gaps that are not a round trip. */
export const MAX_POLL_MICROS = 10_000;

/**
 * How long the calling thread blocks, at most, for a worker that took part in a shared computation to leave
 * its seat, before it waits for the worker's answer on the event loop instead (engine/work-sharing.ts).
 */
const SEAT_WAIT_MS = 2;

/**
 * How long a worker's heap task waits for the others to start: they start together unless one is busy, and
 * then the waiting ones are not held longer than this.
 */
const HEAP_BARRIER_WAIT_MS = 100;

/** Keys (dates × groups) beyond this would make every partial result larger than the data it sums. */
export const MAX_KEYS = 1 << 20;

/** Which kernels compute: the wasm SIMD ones, the JavaScript ones, or wasm where it can be loaded. */
export type KernelChoice = 'auto' | 'wasm' | 'js';

export interface KpiPoolOptions {
  /** worker threads (default: the machine's available parallelism) */
  readonly threads?: number;
  /** compute on the calling thread below this many rows (0: always use the pool) */
  readonly crossoverRows?: number;
  /**
   * From crossoverRows up to this many rows, the calling thread sums the first of the `threads` ranges itself
   * while the workers sum the others, instead of waiting idle: one worker fewer to wake, and its core is not
   * left to a thread that only waits. Above it the workers sum every range and the calling thread stays free
   * during the computation (0: never help). Default: always help, so `threads` − 1 workers are started.
   */
  readonly helpRows?: number;
  /**
   * After answering, a worker polls for its next task this long before it sleeps (workers/poll-wait.ts), so
   * that a task sent within the window does not pay for waking a sleeping thread (0: sleep at once). Default
   * DEFAULT_POLL_MICROS.
   */
  readonly pollMicros?: number;
  readonly thresholds?: AlertThresholds;
  /** default 'auto': wasm when the compiled module loads and the layout suits it, else JavaScript */
  readonly kernel?: KernelChoice;
}

export class KpiPool {
  /** threads that compute: the workers, plus the calling thread when it helps */
  readonly threads: number;
  readonly workers: number;
  readonly crossoverRows: number;
  readonly helpRows: number;
  readonly pollMicros: number;
  /** the kernels this pool computes with */
  readonly kernel: 'wasm' | 'js';
  private readonly thresholds: AlertThresholds;
  private readonly keys: number;
  private readonly module: WebAssembly.Module | null;
  private readonly piscina: Piscina;
  private readonly slots: ScratchSlots;
  /** slots this pool has claimed from the tape, and those of them not in use right now */
  private readonly claimed: number[] = [];
  private readonly spare: number[] = [];
  /** the seats and chunk counters of computations shared in chunks (engine/work-sharing.ts) */
  private readonly shareWords = shareWords();
  /**
   * Tasks of shared computations that the calling thread did not wait for, until they answer, each with whether
   * its worker had taken part and left its seat (its answer is then already on its way).
   */
  private readonly stragglers = new Map<Promise<void>, boolean>();
  private seatsOffered = 0;
  private seatsTaken = 0;
  /** the calling thread's instance of the wasm kernels, made on first use */
  private local: WasmKernels | null = null;
  private closed = false;

  private constructor(
    readonly tape: Tape,
    options: KpiPoolOptions,
  ) {
    this.threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError(`threads must be a whole number ≥ 1, got ${this.threads}`);
    this.crossoverRows = options.crossoverRows ?? DEFAULT_CROSSOVER_ROWS;
    this.helpRows = options.helpRows ?? DEFAULT_HELP_ROWS;
    if (!(this.crossoverRows >= 0)) throw new RangeError(`crossoverRows must be ≥ 0, got ${this.crossoverRows}`);
    if (!(this.helpRows >= 0)) throw new RangeError(`helpRows must be ≥ 0, got ${this.helpRows}`);
    this.pollMicros = options.pollMicros ?? DEFAULT_POLL_MICROS;
    if (!(this.pollMicros >= 0 && this.pollMicros <= MAX_POLL_MICROS)) {
      throw new RangeError(`pollMicros must be from 0 to ${MAX_POLL_MICROS}, got ${this.pollMicros}`);
    }
    // A calling thread that always helps takes the place of one worker; with finite helpRows every worker is
    // needed for the tapes above it.
    this.workers = this.threads > 1 && this.helpRows === Number.POSITIVE_INFINITY ? this.threads - 1 : this.threads;
    this.thresholds = options.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
    this.keys = keyCount(tape);
    if (this.keys > MAX_KEYS) {
      throw new RangeError(`${tape.dates.length} dates × ${tape.groups.length} groups is more than ${MAX_KEYS} snapshots`);
    }
    this.module = chooseModule(options.kernel ?? 'auto', tape);
    this.kernel = this.module === null ? 'js' : 'wasm';
    this.slots = new ScratchSlots(tape.memory.buffer, tape.layout, this.keys);
    const workerData: KpiWorkerData = {
      memory: tape.memory,
      layout: tape.layout,
      rows: tape.rows,
      dateCount: tape.dates.length,
      groupCount: tape.groups.length,
      module: this.module,
      shareWords: this.shareWords,
      pollMicros: this.pollMicros,
    };
    this.piscina = new Piscina({
      filename: workerFile('kpi-worker'),
      minThreads: this.workers,
      maxThreads: this.workers,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      // piscina's own run/wait histograms cost two clock reads and a record per task; we measure outside
      recordTiming: false,
      workerData,
      resourceLimits: WORKER_RESOURCE_LIMITS,
    });
  }

  /** Start the workers over the tape and wait until each has answered once. */
  static async open(tape: Tape, options: KpiPoolOptions = {}): Promise<KpiPool> {
    const pool = new KpiPool(tape, options);
    await Promise.all(Array.from({ length: pool.workers }, () => pool.noop()));
    return pool;
  }

  /** An empty task through the pool and back: the dispatch cost alone. */
  async noop(): Promise<void> {
    const task: KpiTask = { kind: 'noop' };
    await this.piscina.run(task);
  }

  /** Act out an injected fault (stress run --inject) on one of the workers; aborting `signal` abandons it. */
  async fault(fault: IterationFault, signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new Error('the KPI pool is closed');
    const task: KpiTask = { kind: 'fault', fault };
    await this.piscina.run(task, signal === undefined ? {} : { signal });
  }

  /**
   * Every worker's heap after a full GC, measured on its own thread: one heap task per worker, held at a
   * barrier until each has started (so that no worker takes two). A worker busy with a long task answers when
   * it is free; within `timeoutMs` at most, and the result can hold fewer entries than workers.
   */
  async heaps(timeoutMs = 2000): Promise<KpiHeapReport[]> {
    if (this.closed) return [];
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const task: KpiTask = { kind: 'heap', barrier, parties: this.workers, waitMs: HEAP_BARRIER_WAIT_MS };
    const answers = new Map<number, KpiHeapReport>();
    let timer: NodeJS.Timeout | null = null;
    const tasks = Array.from({ length: this.workers }, () =>
      (this.piscina.run(task) as Promise<KpiHeapReport>).then(
        (report) => void answers.set(report.threadId, report),
        () => undefined,
      ),
    );
    await Promise.race([Promise.all(tasks), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    if (timer !== null) clearTimeout(timer);
    return [...answers.values()].sort((a, b) => a.threadId - b.threadId);
  }

  /** Per-key sums of the whole tape (SUMS_PER_KEY slots per key), owned by the caller. */
  async sums(): Promise<Float64Array> {
    if (this.closed) throw new Error('the KPI pool is closed');
    const rows = this.tape.rows;
    if (rows < this.crossoverRows) {
      const slot = this.takeSlot();
      try {
        // a copy: the slot is reused by the next computation
        return this.sumHere(0, rows, slot).slice();
      } finally {
        this.giveSlot(slot);
      }
    }
    const ranges = partitionRows(rows, this.threads);
    const helps = rows < this.helpRows && ranges.length > 1;
    if (helps) {
      const shared = await this.share(rows, null);
      if (shared !== null) return mergeSums(shared.partials, this.keys * SUMS_PER_KEY);
    }
    const slots = ranges.map(() => this.takeSlot());
    try {
      const running = ranges.map((range, i) =>
        helps && i === 0 ? null : this.piscina.run({ kind: 'sums', ...range, slot: slots[i]! } satisfies KpiTask),
      );
      // The workers have their tasks (piscina posts to an idle worker at once): sum the first range meanwhile.
      const own = helps ? attempt(() => this.sumHere(ranges[0]!.rowStart, ranges[0]!.rowEnd, slots[0]!)) : null;
      // allSettled, not all: no slot may be reused while a worker could still be writing into it
      const answers = await Promise.allSettled(running.map((task) => task ?? Promise.resolve(null)));
      const partials = answers.map((answer, i) => {
        if (helps && i === 0) return own!.value();
        if (answer.status === 'rejected') throw answer.reason;
        const slot = slots[i]!;
        return slot < 0 ? (answer.value as Float64Array) : this.slots.collect(slot);
      });
      return mergeSums(partials, this.keys * SUMS_PER_KEY);
    } finally {
      for (const slot of slots) this.giveSlot(slot);
    }
  }

  /**
   * Tasks of shared computations that the calling thread did not wait for and that have not answered yet, plus
   * tasks waiting in the pool's queue for a worker. share() keeps the first at one per worker at most, however
   * many calls run without a turn of the event loop (which is what takes the answers in).
   */
  get unansweredTasks(): number {
    return this.stragglers.size + this.piscina.queueSize;
  }

  /** Seats offered to workers in computations shared in chunks: one per worker given a task. */
  get workerSeatsOffered(): number {
    return this.seatsOffered;
  }

  /** Of those, the seats workers took in time (they took part in the computation). */
  get workerSeatsTaken(): number {
    return this.seatsTaken;
  }

  /** The KPI snapshots of the tape, sorted by date (and group). */
  async snapshots(): Promise<Snapshot[]> {
    return snapshotsFromSums(await this.sums(), this.tape, this.thresholds);
  }

  /**
   * The roofline probe (wasm only): read every byte that the per-date sums touch — nine money columns and the
   * date keys — through the same partition and the same dispatch as sums(), and compute nothing. The result
   * is a meaningless checksum.
   */
  async stream(order: StreamOrder = 'blocks'): Promise<number> {
    if (this.closed) throw new Error('the KPI pool is closed');
    if (this.module === null) throw new Error('the roofline read needs the wasm kernels');
    const rows = this.tape.rows;
    if (rows < this.crossoverRows) return this.localKernels().stream(0, rows, order);
    const ranges = partitionRows(rows, this.threads);
    const helps = rows < this.helpRows && ranges.length > 1;
    if (helps) {
      const shared = await this.share(rows, order);
      if (shared !== null) return shared.checksum;
    }
    const running = ranges.map((range, i) =>
      helps && i === 0 ? null : (this.piscina.run({ kind: 'stream', ...range, order } satisfies KpiTask) as Promise<number>),
    );
    const own = helps ? attempt(() => this.localKernels().stream(ranges[0]!.rowStart, ranges[0]!.rowEnd, order)) : null;
    const answers = await Promise.all(running.map((task) => task ?? Promise.resolve(own!.value())));
    return answers.reduce((checksum, value) => checksum ^ value, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // a worker must not answer a pool that is gone
    await Promise.all(this.stragglers.keys());
    await this.piscina.destroy();
    // the workers are gone, so nothing can write into this pool's slots any more: hand them back to the tape
    for (const slot of this.claimed) this.slots.release(slot);
    this.claimed.length = 0;
    this.spare.length = 0;
  }

  /**
   * The rows in chunks that the calling thread and the workers take from one counter (engine/work-sharing.ts):
   * per-key sums (`read` null: one partial a thread that took part, the calling thread's first, each a view
   * of its scratch slot until the slots are given back) or the roofline read in `read` order (a checksum).
   * The calling thread waits only for workers that took their seats before the chunks ran out. Null when the
   * tape has too few scratch slots free for every thread.
   */
  private async share(rows: number, read: StreamOrder | null): Promise<{ partials: Float64Array[]; checksum: number } | null> {
    // A worker whose share task has not answered yet is busy in piscina's eyes: a task posted for it now would
    // wait in piscina's queue, which is served only when this thread is back on the event loop, after it has
    // summed every chunk alone, and would then queue one more no-op per call. So only the other workers get a
    // task (none, when every worker has one outstanding: the calling thread then sums all the chunks), which
    // also keeps the tasks not waited for at one per worker at most.
    // A worker whose last share task has not answered is busy in piscina's eyes until its answer is read, on
    // the event loop, which calls made back to back (each awaiting the last) never reach: without this, once a
    // worker's answer was left behind, every later call would find it busy and sum alone. A worker that took
    // part and left its seat has its answer on the way: it is awaited (one turn of the event loop). One that
    // had not started in time is not waited for, nor given a turn of the loop (a turn on every such call cost
    // more CPU at 100k rows than the worker's help saved): its answer is taken in at the next turn the caller
    // makes, and until then this thread sums without it.
    if (this.stragglers.size > 0) {
      // each answer removes its task from the map as it comes in, which iteration allows
      for (const [settled, tookPart] of this.stragglers) if (tookPart) await settled;
    }
    const own = this.takeSlot();
    const seats = Array.from({ length: this.workers - this.stragglers.size }, () => this.takeSlot());
    try {
      if (own < 0 || seats.includes(-1)) return null;
      const words = this.shareWords;
      const generation = nextGeneration();
      const chunkRows = chunkRowsFor(rows, this.threads);
      const chunks = Math.ceil(rows / chunkRows);
      openShare(words, own, seats, generation);
      this.seatsOffered += seats.length;
      const tasks = seats.map((slot) =>
        this.piscina.run({ kind: 'share', slot, generation, counter: own, chunks, chunkRows, rows, read } satisfies KpiTask) as Promise<number | null>,
      );
      let checksum = 0;
      const mine = attempt(() => {
        if (read !== null) {
          const kernels = this.localKernels();
          sumChunks(words, own, chunks, chunkRows, rows, (rowStart, rowEnd) => (checksum ^= kernels.stream(rowStart, rowEnd, read)));
          return null;
        }
        const out = this.slots.begin(own);
        sumChunks(words, own, chunks, chunkRows, rows, (rowStart, rowEnd) => this.addHere(rowStart, rowEnd, own, out));
        return out;
      });
      const joined = seats.map((slot) => closeSeat(words, slot, generation));
      this.seatsTaken += joined.filter(Boolean).length;
      // A worker that took no seat answers whenever it runs, having done nothing: not waited for. The others
      // are, by their seat (see awaitSeat) or else by their answer: no slot may be reused while a worker could
      // still be writing into it.
      const left = seats.map((slot, i) => (joined[i] ? awaitSeat(words, slot, SEAT_WAIT_MS) : null));
      const answers = await Promise.allSettled(
        tasks.map((task, i) => {
          if (joined[i] && left[i] === null) return task;
          this.letRun(task, joined[i]!);
          return Promise.resolve(left[i] ?? null);
        }),
      );
      const partials: Float64Array[] = [];
      const ownSums = mine.value();
      if (ownSums !== null) partials.push(ownSums);
      answers.forEach((answer, i) => {
        if (!joined[i]) return;
        if (answer.status === 'rejected') throw answer.reason;
        if (read !== null) checksum ^= answer.value ?? 0;
        else partials.push(this.slots.collect(seats[i]!));
      });
      return { partials, checksum };
    } finally {
      this.giveSlot(own);
      for (const slot of seats) this.giveSlot(slot);
    }
  }

  /** A task not waited for: kept until it has answered, so that close() waits for it before ending the workers. */
  private letRun(task: Promise<unknown>, tookPart: boolean): void {
    const settled: Promise<void> = task.then(
      () => void this.stragglers.delete(settled),
      () => void this.stragglers.delete(settled),
    );
    this.stragglers.set(settled, tookPart);
  }

  /** Per-key sums of rows [rowStart, rowEnd) added into scratch slot `slot`, whose view is `out`. */
  private addHere(rowStart: number, rowEnd: number, slot: number, out: Float64Array): void {
    if (this.module === null) {
      const views = tapeViews(this.tape);
      if (views.groupKeys) sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys, this.tape.groups.length, rowStart, rowEnd, out);
      else sumByDate(views.money, views.dateKeys, rowStart, rowEnd, out);
    } else if (this.tape.layout.groupKeyOffset >= 0) {
      this.localKernels().sumByDateAndGroup(this.tape.groups.length, rowStart, rowEnd, this.slots.offset(slot));
    } else {
      this.localKernels().sumByDate(rowStart, rowEnd, this.slots.offset(slot));
    }
  }

  /**
   * Sums of rows [rowStart, rowEnd) on the calling thread: into scratch slot `slot` (a view of it is returned),
   * or, with slot -1, into an array of their own by the JavaScript kernel.
   */
  private sumHere(rowStart: number, rowEnd: number, slot: number): Float64Array {
    if (slot < 0) {
      const out = new Float64Array(this.keys * SUMS_PER_KEY);
      const views = tapeViews(this.tape);
      if (views.groupKeys) sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys, this.tape.groups.length, rowStart, rowEnd, out);
      else sumByDate(views.money, views.dateKeys, rowStart, rowEnd, out);
      return out;
    }
    const out = this.slots.begin(slot);
    this.addHere(rowStart, rowEnd, slot, out);
    return out;
  }

  private localKernels(): WasmKernels {
    if (this.module === null) throw new Error('no wasm kernels in this pool');
    this.local ??= WasmKernels.instantiate(this.module, this.tape.memory, this.tape.layout);
    return this.local;
  }

  /** A scratch slot for one partial result, or -1 (the worker then returns its sums instead). */
  private takeSlot(): number {
    const spare = this.spare.pop();
    if (spare !== undefined) return spare;
    const slot = this.slots.claim();
    if (slot >= 0) this.claimed.push(slot);
    return slot;
  }

  private giveSlot(slot: number): void {
    if (slot < 0) return;
    // back to "claimed", whatever a failed task left it in, so the next worker may publish into it
    this.slots.reclaim(slot);
    this.spare.push(slot);
  }
}

/** A result or the error that stopped it, to be taken once everything else it raced with has settled. */
function attempt<T>(work: () => T): { value(): T } {
  try {
    const result = work();
    return { value: () => result };
  } catch (error) {
    return {
      value: () => {
        throw error;
      },
    };
  }
}

function chooseModule(choice: KernelChoice, tape: Tape): WebAssembly.Module | null {
  if (choice === 'js') return null;
  const { module, reason } = kernelModule();
  const suits = moneyStride(tape.layout) !== null;
  if (choice === 'wasm') {
    if (module === null) throw new Error(`the wasm kernels are not available: ${reason}`);
    if (!suits) throw new Error('the wasm kernels do not suit this tape layout');
  }
  return module !== null && suits ? module : null;
}
