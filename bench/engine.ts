/**
 * The KPI engine against DuckDB on the same rows, in the same process and the same run.
 *
 *   node dist-bench/engine.js [--sizes 1000000,10000000] [--runs 21] [--warmup 5] [--threads 2]
 *                             [--money bigint|uinteger|double] [--order blocked|interleaved]
 *   node dist-bench/engine.js table [options of bench/table.ts]      (everything in one table)
 *   node dist-bench/engine.js crossover [--sizes 1k,5k,10k,25k,50k,100k,250k] [--runs 1000] [--warmup 200]
 *                                       [--noop-calls 10000]
 *
 * Default mode: per size, one synthetic tape (12 month-end snapshots, seed 1) is built in shared memory and
 * the same cents are copied into a DuckDB table. Timed: `KpiPool.snapshots()` (per-snapshot sums, KPIs and
 * alerts, as JS objects) against the equivalent GROUP BY measurement_date query through `runAndReadAll`, read
 * back as JS values. Both results are checked against each other before anything is timed; a difference
 * exits with 1, because the figures of a wrong result mean nothing.
 *
 * `crossover` mode: on small tapes, the calling thread alone against the pool (workers only, and workers with
 * the calling thread summing one range), and the pool's empty-task round trip, to place DEFAULT_CROSSOVER_ROWS.
 *
 * Benchmarks print; they do not assert speed.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';
import { KpiPool, type Tape } from 'loan-kpi-stress';
// Not yet exported from the package index: imported from the build output until it is.
import { syntheticTape } from '../dist/io/synthetic.js';
import { disagreements } from './agreement.js';
import { duckRows, KPI_SQL, loadIntoDuckDB, MONEY_TYPES, storageSummary, type MoneyType } from './duck.js';
import { kernelBytesPerRow } from './roofline-lib.js';
import { summaryTable } from './table.js';
import {
  compactCount,
  crossingPoint,
  fixed,
  loadLine,
  machineLine,
  nowMs,
  otherCpuMeter,
  parseSizes,
  renderTable,
  summarise,
  timeOnce,
  timeRuns,
  type Summary,
} from './lib.js';

const DATES = 12;
const SEED = 1;

type Order = 'blocked' | 'interleaved';

interface CompareOptions {
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  readonly threads: number;
  readonly money: MoneyType;
  readonly order: Order;
}

interface CrossoverOptions {
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  readonly threads: number;
  readonly noopCalls: number;
}

class BenchUsageError extends Error {}

async function main(): Promise<number> {
  // everything in one table (bench/table.ts), with options of its own
  if (process.argv[2] === 'table') return summaryTable(process.argv.slice(3));
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sizes: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      threads: { type: 'string', default: '2' },
      money: { type: 'string', default: 'bigint' },
      order: { type: 'string', default: 'blocked' },
      'noop-calls': { type: 'string', default: '10000' },
    },
  });
  const mode = positionals[0] ?? 'compare';
  const whole = (name: string, text: string, min: number): number => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw new BenchUsageError(`--${name} must be a whole number ≥ ${min}, got "${text}"`);
    return n;
  };
  const threads = whole('threads', values.threads, 1);
  if (mode === 'compare') {
    if (!(MONEY_TYPES as readonly string[]).includes(values.money)) throw new BenchUsageError(`--money must be ${MONEY_TYPES.join(', ')}`);
    if (values.order !== 'blocked' && values.order !== 'interleaved') throw new BenchUsageError(`--order must be blocked or interleaved`);
    return compare({
      sizes: parseSizes(values.sizes ?? positionals[1] ?? '1000000,10000000'),
      runs: whole('runs', values.runs ?? '21', 1),
      warmup: whole('warmup', values.warmup ?? '5', 0),
      threads,
      money: values.money as MoneyType,
      order: values.order,
    });
  }
  if (mode === 'crossover') {
    return crossover({
      sizes: parseSizes(values.sizes ?? positionals[1] ?? '1k,5k,10k,25k,50k,100k,250k'),
      runs: whole('runs', values.runs ?? '1000', 1),
      warmup: whole('warmup', values.warmup ?? '200', 0),
      threads,
      noopCalls: whole('noop-calls', values['noop-calls'], 1),
    });
  }
  throw new BenchUsageError(`unknown mode "${mode}": use compare (the default), crossover or table`);
}

function machineLines(): string[] {
  return [
    machineLine(),
    `runtime: Node ${process.version} (V8 ${process.versions.v8}), DuckDB ${duckdbVersion()} via @duckdb/node-api`,
    loadLine('at start'),
  ];
}

function synthetic(rows: number): { tape: Tape; ms: number } {
  const start = nowMs();
  const { tape } = syntheticTape({ rows, dates: DATES, seed: SEED });
  return { tape, ms: nowMs() - start };
}

// ---------------------------------------------------------------------------------------------------------
// compare mode

interface Measured {
  readonly method: 'ours' | 'duckdb';
  readonly rows: number;
  /** bytes the kernel reads a row */
  readonly bytesPerRow: number;
  readonly ms: Summary;
  /** share of all cores other processes used while this method was timed */
  readonly others: number | null;
}

async function compare(options: CompareOptions): Promise<number> {
  const lines = machineLines();
  for (const line of lines) console.log(line);
  const instance = await DuckDBInstance.create(':memory:', { threads: String(options.threads) });
  const connection = await instance.connect();
  const setting = await connection.runAndReadAll(`SELECT current_setting('threads')`);
  console.log(
    `settings: engine KpiPool with ${options.threads} worker threads; DuckDB in-memory, threads = ${String(setting.getRows()[0]?.[0])}; ` +
      `money in DuckDB as ${options.money.toUpperCase()} cents, measurement_date as DATE; ` +
      `${options.warmup} warm-up + ${options.runs} timed runs each, ${options.order === 'blocked' ? 'all of one method, then all of the other' : 'alternating ours / DuckDB'}`,
  );
  console.log(`tape: syntheticTape({rows, dates: ${DATES}, seed: ${SEED}}), 38 bytes a row read by the kernel (nine Uint32 cents and the date key)`);
  console.log('');

  const results: Measured[] = [];
  try {
    for (const rows of options.sizes) {
      const built = synthetic(rows);
      const tape = built.tape;
      const pool = await KpiPool.open(tape, { threads: options.threads });
      try {
        const loadStart = nowMs();
        await loadIntoDuckDB(connection, tape, options.money);
        const loadMs = nowMs() - loadStart;
        const storage = await storageSummary(connection);
        const path = `${rows < pool.crossoverRows ? 'calling thread (below the crossover)' : `pool, ${pool.threads} workers`}, ${pool.kernel} kernels`;
        console.log(
          `${compactCount(rows)} rows: tape built in ${fixed(built.ms)} ms; copied into DuckDB in ${fixed(loadMs)} ms (not timed below); ` +
            `DuckDB storage: ${storage}; engine path: ${path}`,
        );

        const sums = await pool.sums();
        const snapshots = await pool.snapshots();
        const first = await connection.runAndReadAll(KPI_SQL);
        const problems = disagreements(tape.dates, sums, snapshots, duckRows(first.columnNames(), first.getRows()));
        if (problems.length > 0) {
          for (const problem of problems.slice(0, 20)) console.log(`MISMATCH ${compactCount(rows)} rows: ${problem}`);
          if (problems.length > 20) console.log(`MISMATCH ${compactCount(rows)} rows: … and ${problems.length - 20} more`);
          return 1;
        }
        console.log(`${compactCount(rows)} rows: results agree (${snapshots.length} dates: row counts and cent sums identical, KPIs bit-identical)`);

        const ours = () => pool.snapshots();
        // getRows() turns DuckDB's chunks into JS values, as snapshots() ends with JS objects
        const theirs = async () => (await connection.runAndReadAll(KPI_SQL)).getRows();
        const [a, b] = await timeBoth(ours, theirs, options);
        const bytesPerRow = kernelBytesPerRow(tape.layout);
        results.push({ method: 'ours', rows, bytesPerRow, ms: summarise(a.ms), others: a.others }, { method: 'duckdb', rows, bytesPerRow, ms: summarise(b.ms), others: b.others });
      } finally {
        await pool.close();
        await connection.run('DROP TABLE IF EXISTS tape');
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }

  console.log('');
  console.log(compareTable(results));
  console.log('');
  console.log(`ours   = KpiPool.snapshots() with default options but threads: per-date sums on ${options.threads} workers, merge, KPIs, alerts, as JS objects`);
  console.log(
    `duckdb = connection.runAndReadAll(GROUP BY measurement_date: count, 9 sums, 4 KPIs; ORDER BY date) + getRows(); ` +
      `SQL text each run (parse and plan included)`,
  );
  console.log(`ms = wall time of one call, closed loop; spread = p10–p90 (min–max); rows/s and GB/s from the median, ` +
    `GB/s = rows × the bytes a row the kernel reads (the engine's input) for both`);
  console.log('ratio = DuckDB median / ours median: > 1 means ours is faster');
  console.log(`others CPU = share of all ${availableParallelism()} cores busy with other processes (or stolen by the hypervisor) while that line was timed, from /proc/stat`);
  console.log(loadLine('at end'));
  for (const rows of options.sizes) {
    const ours = results.find((r) => r.method === 'ours' && r.rows === rows);
    const duck = results.find((r) => r.method === 'duckdb' && r.rows === rows);
    if (ours && duck && duck.ms.median < ours.ms.median) {
      console.log(`SLOWER: at ${compactCount(rows)} rows ours (${fixed(ours.ms.median)} ms) is slower than DuckDB (${fixed(duck.ms.median)} ms)`);
    }
  }
  return 0;
}

interface Timed {
  readonly ms: number[];
  readonly others: number | null;
}

async function timeBoth(ours: () => Promise<unknown>, theirs: () => Promise<unknown>, options: CompareOptions): Promise<[Timed, Timed]> {
  if (options.order === 'blocked') {
    const timeOne = async (task: () => Promise<unknown>): Promise<Timed> => {
      for (let i = 0; i < options.warmup; i++) await task();
      const meter = otherCpuMeter();
      const ms = await timeRuns(task, 0, options.runs);
      return { ms, others: meter.share() };
    };
    const a = await timeOne(ours);
    const b = await timeOne(theirs);
    return [a, b];
  }
  for (let i = 0; i < options.warmup; i++) {
    await ours();
    await theirs();
  }
  const meter = otherCpuMeter();
  const oursMs: number[] = [];
  const theirsMs: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    oursMs.push(await timeOnce(ours));
    theirsMs.push(await timeOnce(theirs));
  }
  const others = meter.share();
  return [{ ms: oursMs, others }, { ms: theirsMs, others }];
}

function compareTable(results: readonly Measured[]): string {
  const header = ['method', 'rows', 'median ms', 'p10–p90 ms', 'min–max ms', 'rows/s', 'GB/s', 'ratio', 'others CPU'];
  const body = results.map((r) => {
    const duck = results.find((d) => d.method === 'duckdb' && d.rows === r.rows);
    const seconds = r.ms.median / 1000;
    return [
      r.method === 'ours' ? 'ours' : 'duckdb',
      compactCount(r.rows),
      fixed(r.ms.median),
      `${fixed(r.ms.p10)}–${fixed(r.ms.p90)}`,
      `${fixed(r.ms.min)}–${fixed(r.ms.max)}`,
      compactCount(r.rows / seconds),
      fixed((r.rows * r.bytesPerRow) / seconds / 1e9),
      r.method === 'ours' && duck ? fixed(duck.ms.median / r.ms.median) : '',
      r.others === null ? 'n/a' : `${(100 * r.others).toFixed(0)}%`,
    ];
  });
  return renderTable([header, ...body]);
}

// ---------------------------------------------------------------------------------------------------------
// crossover mode

/** The three ways the pool can serve one call, all through `snapshots()`. */
const VARIANTS = [
  { name: 'calling', label: 'calling thread', options: { crossoverRows: Number.POSITIVE_INFINITY } },
  { name: 'pool', label: 'pool', options: { crossoverRows: 0, helpRows: 0 } },
  { name: 'pool+caller', label: 'pool + caller', options: { crossoverRows: 0, helpRows: Number.POSITIVE_INFINITY } },
] as const;

async function crossover(options: CrossoverOptions): Promise<number> {
  for (const line of machineLines()) console.log(line);
  console.log(
    `calling thread = KpiPool.open(tape, {threads: ${options.threads}, crossoverRows: Infinity}).snapshots(); ` +
      `pool = {crossoverRows: 0, helpRows: 0} (the workers sum every range); ` +
      `pool + caller = {crossoverRows: 0, helpRows: Infinity} (the calling thread sums the first range meanwhile)`,
  );
  console.log(
    `tape: syntheticTape({rows, dates: ${DATES}, seed: ${SEED}}); per size ${options.warmup} warm-up calls of each, ` +
      `then ${options.runs} rounds of one call of each in turn; µs = wall time of one call`,
  );
  console.log('');

  const sizes = [...options.sizes].sort((a, b) => a - b);
  const header = ['rows', ...VARIANTS.flatMap((v) => [`${v.label} µs`, 'p10–p90']), 'fastest', 'kernel'];
  const table: string[][] = [header];
  const medians: number[][] = VARIANTS.map(() => []);
  let noop: Summary | null = null;
  const meter = otherCpuMeter();
  for (const size of sizes) {
    const { tape } = synthetic(size);
    const pools: KpiPool[] = [];
    try {
      for (const variant of VARIANTS) pools.push(await KpiPool.open(tape, { threads: options.threads, ...variant.options }));
      const reference = await pools[0]!.sums();
      for (const [v, pool] of pools.entries()) {
        const sums = await pool.sums();
        if (sums.length !== reference.length || sums.some((value, i) => value !== reference[i])) {
          console.log(`MISMATCH ${compactCount(size)} rows: ${VARIANTS[v]!.label} sums differ from the calling thread's`);
          return 1;
        }
      }
      const tasks = pools.map((pool) => () => pool.snapshots());
      for (let i = 0; i < options.warmup; i++) for (const task of tasks) await task();
      const samples: number[][] = tasks.map(() => []);
      for (let round = 0; round < options.runs; round++) {
        for (const [v, task] of tasks.entries()) samples[v]!.push((await timeOnce(task)) * 1000);
      }
      const summaries = samples.map(summarise);
      summaries.forEach((summary, v) => medians[v]!.push(summary.median));
      const fastest = summaries.reduce((best, summary, v) => (summary.median < summaries[best]!.median ? v : best), 0);
      table.push([
        compactCount(size),
        ...summaries.flatMap((summary) => [fixed(summary.median), `${fixed(summary.p10)}–${fixed(summary.p90)}`]),
        VARIANTS[fastest]!.label,
        pools[0]!.kernel,
      ]);
      if (size === sizes[sizes.length - 1]) noop = await noopRoundTrip(pools[1]!, options.noopCalls);
    } finally {
      for (const pool of pools) await pool.close();
    }
  }
  const others = meter.share();
  console.log(renderTable(table));
  console.log('');
  console.log(`other processes used ${others === null ? 'an unknown share' : `${(100 * others).toFixed(0)}%`} of all cores during this table`);
  console.log(loadLine('at end'));
  const calling = medians[0]!;
  for (const v of [1, 2]) {
    const label = VARIANTS[v]!.label;
    const diffs = medians[v]!.map((m, i) => m - calling[i]!);
    const crossing = crossingPoint(sizes, diffs);
    const lastLoss = sizes.reduce((last, size, i) => (diffs[i]! > 0 ? size : last), 0);
    const winsFrom = sizes.find((size) => size > lastLoss);
    if (crossing === null) console.log(`${label}: never faster than the calling thread up to ${compactCount(sizes[sizes.length - 1]!)} rows`);
    else {
      console.log(
        `${label}: faster than the calling thread at every measured size from ${winsFrom === undefined ? '(none)' : compactCount(winsFrom)} rows; ` +
          `medians first cross at about ${compactCount(Math.round(crossing))} rows (linear between neighbouring sizes)`,
      );
    }
  }
  if (noop) {
    console.log(
      `pool.noop() round trip, ${noop.n} sequential calls after 1000 warm-up: p50 ${fixed(noop.median)} µs, ` +
        `p90 ${fixed(noop.p90)} µs, p99 ${fixed(noop.p99)} µs, max ${fixed(noop.max)} µs`,
    );
  }
  return 0;
}

async function noopRoundTrip(pool: KpiPool, calls: number): Promise<Summary> {
  for (let i = 0; i < 1000; i++) await pool.noop();
  const samples = await timeRuns(() => pool.noop(), 0, calls);
  return summarise(samples.map((ms) => ms * 1000));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof BenchUsageError || error instanceof RangeError) {
      console.error(`engine bench: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
