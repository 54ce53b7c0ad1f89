/**
 * Load / scalability measurement of the KPI engine: for each size, a closed loop of `KpiPool.snapshots()`
 * over `rows` evenly spaced rows of one tape already in memory, timed into an HdrHistogram, with memory and CPU
 * around the measured window; then the growth exponent of the median latency against the rows.
 *
 * This module measures and returns plain data; rendering is in src/report, the command line in src/cli.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { evenlySpacedRows, type MemoryLimit, type Tape } from '../engine/columns.js';
import { readTape } from '../io/read-tape.js';
import { DEFAULT_SYNTHETIC_SEED, syntheticTape } from '../io/synthetic.js';
import type { ReadResult } from '../io/tape-builder.js';
import { DEFAULT_CROSSOVER_ROWS, DEFAULT_POLL_MICROS, KpiPool, MAX_POLL_MICROS } from '../workers/kpi-pool.js';
import { createLatencyHistogram, latencySummaryMs, recordLatencyNs, type LatencySummaryMs } from './histogram.js';
import { logLogFit } from './stats.js';

export const DEFAULT_LOAD_SIZES: readonly number[] = [10_000, 100_000, 1_000_000];
/** per size; three default sizes then take about 10 s of measuring, well under the one-minute budget */
export const DEFAULT_LOAD_SECONDS = 3;
export const DEFAULT_WARMUP: LoadWarmup = { seconds: 0.3, iterations: 5 };
const RSS_SAMPLE_NS = 50_000_000n;
/**
 * Below the crossover an iteration never leaves the microtask queue, so without an occasional turn of the
 * event loop a SIGINT (and any timer) would wait for the whole size to finish.
 */
const YIELD_NS = 100_000_000n;
const MB = 1024 * 1024;

export const LOAD_MEASURED =
  'one iteration = KpiPool.snapshots() on `rows` evenly spaced rows of a tape already in shared memory: ' +
  'dispatch of row ranges to the worker threads, the sum kernels, the merge of partial sums and the per-snapshot ' +
  'KPI finalisation (below the crossover the kernels run on the calling thread instead of the pool); ' +
  'ingest or generation of the tape is excluded and reported once as ingest_ms. ' +
  'Closed loop, one iteration in flight: latency is the time from the call to its resolved result.';
export const CPU_PERCENT_BASIS =
  'process CPU time (user + system, all threads of this process, workers included) over the wall time of the ' +
  'measured window; 100 = one core fully busy';
export const MEMORY_BASIS =
  'whole process, MB = 2^20 bytes; the tape of the largest size is resident throughout; ' +
  'rss_mb is the peak of RSS sampled every 50 ms during the measured window';

export type LoadInput =
  | { readonly kind: 'synthetic'; readonly seed?: number; readonly dates?: number }
  | { readonly kind: 'file'; readonly path: string };

export type LoadStop = { readonly kind: 'seconds'; readonly seconds: number } | { readonly kind: 'iterations'; readonly iterations: number };

/**
 * Warm-up of each size lasts at least `seconds` and at least `iterations`. Time matters for small sizes,
 * where a few iterations take microseconds and V8 has not yet optimised the calling-thread kernel; the
 * count matters for large ones, where 0.3 s may hold only a couple of iterations.
 */
export interface LoadWarmup {
  readonly seconds: number;
  readonly iterations: number;
}

export interface LoadOptions {
  /**
   * Row counts to measure. Absent: DEFAULT_LOAD_SIZES; with a file input, those of them below the file's row
   * count followed by the file's row count.
   */
  readonly sizes?: readonly number[] | null;
  readonly input?: LoadInput;
  /** worker threads (default: the machine's available parallelism) */
  readonly threads?: number;
  readonly crossoverRows?: number;
  /** how long the pool's workers poll for their next task before they sleep (KpiPoolOptions.pollMicros) */
  readonly pollMicros?: number;
  readonly stop?: LoadStop;
  readonly warmup?: LoadWarmup;
  /** stops the run after the current iteration; the report then holds what was measured */
  readonly signal?: AbortSignal;
  /** refuse a tape whose columns would take more (--max-memory) */
  readonly memoryLimit?: MemoryLimit | null;
}

interface FilledLoadOptions {
  readonly sizes: readonly number[] | null;
  readonly input: LoadInput;
  readonly threads: number;
  readonly crossoverRows: number;
  readonly pollMicros: number;
  readonly stop: LoadStop;
  readonly warmup: LoadWarmup;
  readonly signal: AbortSignal | null;
  readonly memoryLimit: MemoryLimit | null;
}

export type LoadInputReport =
  | { readonly kind: 'synthetic'; readonly rows: number; readonly dates: number; readonly seed: number }
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly rows: number;
      readonly dates: number;
      readonly rows_read: number;
      readonly dropped_duplicates: number;
    };

export interface LoadSizeResult {
  readonly rows: number;
  readonly below_crossover: boolean;
  readonly computed_on: 'calling thread' | 'pool';
  /** threads that ran the kernels: 1 below the crossover, else the pool's threads */
  readonly threads_used: number;
  /** snapshots (dates) each iteration returned */
  readonly snapshots: number;
  readonly pool_open_ms: number;
  readonly warmup_iterations: number;
  readonly iterations: number;
  readonly stopped_by: 'seconds' | 'iterations' | 'interrupt';
  /** wall time of the measured window */
  readonly wall_s: number;
  readonly latency_ms: LatencySummaryMs;
  /** rows × iterations / wall_s */
  readonly rows_per_sec: number;
  /** peak sampled RSS during the measured window */
  readonly rss_mb: number;
  readonly rss_before_mb: number;
  readonly rss_after_mb: number;
  readonly heap_used_before_mb: number;
  readonly heap_used_after_mb: number;
  readonly cpu_percent: number;
}

export interface GrowthStep {
  readonly from_rows: number;
  readonly to_rows: number;
  readonly exponent: number;
}

export interface LoadReport {
  readonly kind: 'load';
  readonly measured: string;
  readonly loop: 'closed';
  readonly in_flight: 1;
  readonly started_at: string;
  readonly finished_at: string;
  readonly input: LoadInputReport;
  readonly ingest_ms: number;
  readonly threads: number;
  readonly crossover_rows: number;
  /** how long the pool's workers polled for their next task before they slept; the CPU figures include it */
  readonly poll_us: number;
  readonly stop: LoadStop;
  readonly warmup: LoadWarmup;
  readonly cpu_percent_basis: string;
  readonly memory_basis: string;
  readonly results: readonly LoadSizeResult[];
  /** slope of the least-squares line of ln(p50 latency) on ln(rows); null with fewer than 2 sizes */
  readonly growth_exponent: number | null;
  readonly growth_r2: number | null;
  /** the exponent between consecutive sizes, to show where the growth changes */
  readonly growth_steps: readonly GrowthStep[];
  readonly growth_note: string | null;
  readonly interrupted: boolean;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpus: number;
    readonly cpu_model: string;
    /**
     * 1-minute system load average at the start and at the end of the run (0 where the platform has none):
     * well above this process's own busy threads, other processes competed for the cores and the figures
     * are noisier than the machine allows.
     */
    readonly load_average_1m: { readonly start: number; readonly end: number };
  };
}

export type LoadProgress =
  | { readonly type: 'input'; readonly input: LoadInputReport; readonly ingest_ms: number; readonly sizes: readonly number[] }
  | { readonly type: 'size-start'; readonly rows: number; readonly index: number; readonly of: number }
  | { readonly type: 'size-done'; readonly result: LoadSizeResult };

/** A requested size that the input cannot provide. */
export class LoadSizeError extends RangeError {
  override name = 'LoadSizeError';
  constructor(
    readonly requested: number,
    readonly available: number,
    readonly path: string,
  ) {
    super(
      available === 0
        ? `${path} has no data rows to measure`
        : `${requested} rows is more than the ${available} rows of ${path}; ask for at most ${available}`,
    );
  }
}

function fill(options: LoadOptions): FilledLoadOptions {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a whole number ≥ 1, got ${threads}`);
  const crossoverRows = options.crossoverRows ?? DEFAULT_CROSSOVER_ROWS;
  if (!Number.isInteger(crossoverRows) || crossoverRows < 0) throw new RangeError(`crossoverRows must be a whole number ≥ 0, got ${crossoverRows}`);
  const pollMicros = options.pollMicros ?? DEFAULT_POLL_MICROS;
  if (!Number.isInteger(pollMicros) || pollMicros < 0 || pollMicros > MAX_POLL_MICROS) {
    throw new RangeError(`pollMicros must be a whole number from 0 to ${MAX_POLL_MICROS}, got ${pollMicros}`);
  }
  const stop = options.stop ?? { kind: 'seconds', seconds: DEFAULT_LOAD_SECONDS };
  if (stop.kind === 'seconds' && !(stop.seconds > 0 && Number.isFinite(stop.seconds))) throw new RangeError(`seconds must be > 0, got ${stop.seconds}`);
  if (stop.kind === 'iterations' && !(Number.isInteger(stop.iterations) && stop.iterations >= 1)) {
    throw new RangeError(`iterations must be a whole number ≥ 1, got ${stop.iterations}`);
  }
  const warmup = options.warmup ?? DEFAULT_WARMUP;
  if (!(warmup.seconds >= 0 && Number.isFinite(warmup.seconds)) || !(Number.isInteger(warmup.iterations) && warmup.iterations >= 0)) {
    throw new RangeError('warm-up needs seconds ≥ 0 and a whole number of iterations ≥ 0');
  }
  let sizes: number[] | null = null;
  if (options.sizes != null) {
    if (options.sizes.length === 0) throw new RangeError('no sizes to measure');
    for (const size of options.sizes) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError(`a size must be a whole number of rows ≥ 1, got ${size}`);
    }
    sizes = [...new Set(options.sizes)].sort((a, b) => a - b);
  }
  return {
    sizes,
    input: options.input ?? { kind: 'synthetic' },
    threads,
    crossoverRows,
    pollMicros,
    stop,
    warmup,
    signal: options.signal ?? null,
    memoryLimit: options.memoryLimit ?? null,
  };
}

interface LoadedInput {
  readonly tape: Tape;
  readonly report: LoadInputReport;
  readonly ingestMs: number;
  readonly sizes: readonly number[];
}

async function loadInput(options: FilledLoadOptions): Promise<LoadedInput> {
  const input = options.input;
  const started = process.hrtime.bigint();
  if (input.kind === 'synthetic') {
    const sizes = options.sizes ?? DEFAULT_LOAD_SIZES;
    const rows = sizes[sizes.length - 1]!;
    const seed = input.seed ?? DEFAULT_SYNTHETIC_SEED;
    // One tape of the largest size; smaller sizes are evenly spaced samples of it (measureSize).
    const result: ReadResult = syntheticTape({ rows, seed, ...(input.dates !== undefined ? { dates: input.dates } : {}) }, { memoryLimit: options.memoryLimit });
    const ingestMs = msSince(started);
    return {
      tape: result.tape,
      ingestMs,
      sizes,
      report: { kind: 'synthetic', rows: result.tape.rows, dates: result.tape.dates.length, seed },
    };
  }
  const result = await readTape(input.path, { memoryLimit: options.memoryLimit });
  const ingestMs = msSince(started);
  const available = result.tape.rows;
  if (available === 0) throw new LoadSizeError(1, 0, input.path);
  let sizes: readonly number[];
  if (options.sizes) {
    const largest = options.sizes[options.sizes.length - 1]!;
    if (largest > available) throw new LoadSizeError(largest, available, input.path);
    sizes = options.sizes;
  } else {
    sizes = [...DEFAULT_LOAD_SIZES.filter((size) => size < available), available];
  }
  return {
    tape: result.tape,
    ingestMs,
    sizes,
    report: {
      kind: 'file',
      path: input.path,
      rows: available,
      dates: result.tape.dates.length,
      rows_read: result.rowsRead,
      dropped_duplicates: result.dropped.duplicates,
    },
  };
}

/** Measure every size in turn; resolves to the whole report, also when interrupted through `signal`. */
export async function runLoad(options: LoadOptions, onProgress?: (event: LoadProgress) => void): Promise<LoadReport> {
  const filled = fill(options);
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const loaded = await loadInput(filled);
  onProgress?.({ type: 'input', input: loaded.report, ingest_ms: loaded.ingestMs, sizes: loaded.sizes });
  const results: LoadSizeResult[] = [];
  for (let index = 0; index < loaded.sizes.length; index++) {
    if (filled.signal?.aborted) break;
    const rows = loaded.sizes[index]!;
    onProgress?.({ type: 'size-start', rows, index, of: loaded.sizes.length });
    // a sample, not a prefix: the tape is grouped by date, so its first rows hold only its first dates
    const result = await measureSize(evenlySpacedRows(loaded.tape, rows), filled);
    if (result === null) break;
    results.push(result);
    onProgress?.({ type: 'size-done', result });
  }
  const growth = growthOf(results, filled.crossoverRows);
  return {
    kind: 'load',
    measured: LOAD_MEASURED,
    loop: 'closed',
    in_flight: 1,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    input: loaded.report,
    ingest_ms: loaded.ingestMs,
    threads: filled.threads,
    crossover_rows: filled.crossoverRows,
    poll_us: filled.pollMicros,
    stop: filled.stop,
    warmup: filled.warmup,
    cpu_percent_basis: CPU_PERCENT_BASIS,
    memory_basis: MEMORY_BASIS,
    results,
    ...growth,
    interrupted: filled.signal?.aborted === true,
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: availableParallelism(),
      cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
      load_average_1m: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    },
  };
}

/** One size: open a pool over its tape, warm up, measure, close. Null when interrupted before measuring. */
async function measureSize(tape: Tape, options: FilledLoadOptions): Promise<LoadSizeResult | null> {
  const signal = options.signal;
  const opening = process.hrtime.bigint();
  const pool = await KpiPool.open(tape, { threads: options.threads, crossoverRows: options.crossoverRows, pollMicros: options.pollMicros });
  try {
    const poolOpenMs = msSince(opening);
    const warmupIterations = await warmUp(pool, options.warmup, signal);
    if (signal?.aborted) return null;

    const histogram = createLatencyHistogram();
    const memoryBefore = process.memoryUsage();
    let peakRss = memoryBefore.rss;
    let iterations = 0;
    let snapshots = 0;
    let stoppedBy: LoadSizeResult['stopped_by'] = options.stop.kind;
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    const deadline = options.stop.kind === 'seconds' ? start + BigInt(Math.round(options.stop.seconds * 1e9)) : null;
    const maxIterations = options.stop.kind === 'iterations' ? options.stop.iterations : Number.POSITIVE_INFINITY;
    let lastSample = start;
    let lastYield = start;
    while (iterations < maxIterations) {
      if (signal?.aborted) {
        stoppedBy = 'interrupt';
        break;
      }
      const t0 = process.hrtime.bigint();
      const result = await pool.snapshots();
      const t1 = process.hrtime.bigint();
      recordLatencyNs(histogram, t1 - t0);
      iterations += 1;
      snapshots = result.length;
      if (deadline !== null && t1 >= deadline) break;
      if (t1 - lastSample >= RSS_SAMPLE_NS) {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        lastSample = t1;
      }
      if (t1 - lastYield >= YIELD_NS) {
        await turnEventLoop();
        lastYield = process.hrtime.bigint();
      }
    }
    const end = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpuBefore);
    const memoryAfter = process.memoryUsage();
    peakRss = Math.max(peakRss, memoryAfter.rss);
    if (iterations === 0) return null;

    const wallS = Number(end - start) / 1e9;
    const belowCrossover = tape.rows < pool.crossoverRows;
    return {
      rows: tape.rows,
      below_crossover: belowCrossover,
      computed_on: belowCrossover ? 'calling thread' : 'pool',
      threads_used: belowCrossover ? 1 : pool.threads,
      snapshots,
      pool_open_ms: poolOpenMs,
      warmup_iterations: warmupIterations,
      iterations,
      stopped_by: stoppedBy,
      wall_s: wallS,
      latency_ms: latencySummaryMs(histogram),
      rows_per_sec: (tape.rows * iterations) / wallS,
      rss_mb: peakRss / MB,
      rss_before_mb: memoryBefore.rss / MB,
      rss_after_mb: memoryAfter.rss / MB,
      heap_used_before_mb: memoryBefore.heapUsed / MB,
      heap_used_after_mb: memoryAfter.heapUsed / MB,
      cpu_percent: (100 * (cpu.user + cpu.system)) / (wallS * 1e6),
    };
  } finally {
    await pool.close();
  }
}

async function warmUp(pool: KpiPool, warmup: LoadWarmup, signal: AbortSignal | null): Promise<number> {
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(warmup.seconds * 1e9));
  let lastYield = start;
  let done = 0;
  while ((done < warmup.iterations || process.hrtime.bigint() < deadline) && !signal?.aborted) {
    await pool.snapshots();
    done += 1;
    const now = process.hrtime.bigint();
    if (now - lastYield >= YIELD_NS) {
      await turnEventLoop();
      lastYield = process.hrtime.bigint();
    }
  }
  return done;
}

function growthOf(
  results: readonly LoadSizeResult[],
  crossoverRows: number,
): Pick<LoadReport, 'growth_exponent' | 'growth_r2' | 'growth_steps' | 'growth_note'> {
  if (results.length < 2) {
    return { growth_exponent: null, growth_r2: null, growth_steps: [], growth_note: 'needs at least two sizes' };
  }
  const rows = results.map((r) => r.rows);
  const p50 = results.map((r) => r.latency_ms.p50);
  const fit = logLogFit(rows, p50);
  const growthSteps: GrowthStep[] = [];
  for (let i = 1; i < results.length; i++) {
    const a = results[i - 1]!;
    const b = results[i]!;
    growthSteps.push({
      from_rows: a.rows,
      to_rows: b.rows,
      exponent: Math.log(b.latency_ms.p50 / a.latency_ms.p50) / Math.log(b.rows / a.rows),
    });
  }
  const below = results.filter((r) => r.below_crossover).length;
  const note =
    below > 0 && below < results.length
      ? `sizes below ${crossoverRows.toLocaleString('en-US')} rows ran on the calling thread and the others on the pool, so the exponent spans two code paths; see growth_steps`
      : null;
  return { growth_exponent: fit.slope, growth_r2: fit.r2, growth_steps: growthSteps, growth_note: note };
}

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function turnEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
