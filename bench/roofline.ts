/**
 * The KPI kernel against the memory-bandwidth roofline of this machine, measured in the same run.
 *
 *   node dist-bench/roofline.js [--rows 1M,10M] [--runs 21] [--warmup 5] [--threads 2] [--orders loan,date]
 *                               [--crossover 10k,20k,50k,100k,200k,400k] [--noop-calls 20000]
 *                               [--poll 100] [--only roofline|dispatch]
 *
 * The roofline is a plain read of exactly the bytes the per-date sums must touch — the nine money columns and
 * the 2-byte date key of every row, 38 bytes a row once narrowed to Uint32 cents (74 as Float64) — by the same number of threads, through the same pool,
 * partition and dispatch (`KpiPool.stream()`; by default the calling thread reads one range while the
 * workers read the others), with wasm SIMD loads and nothing else. It is read three ways (the kernel's own
 * order: ten streams advancing together; one column after another; one load per cache line) and the fastest
 * is the roofline. Against it: `KpiPool.snapshots()` grouped by date (sums, KPIs and alerts as JS objects)
 * with the wasm kernels and with the JavaScript kernels, through the same dispatch; and, for comparison, the
 * wasm kernels on the workers alone and on the calling thread alone.
 *
 * Tapes: `syntheticTape({rows, dates: 12, seed: 1})`, loan-major (the date key changes at almost every row,
 * the worst case for grouping), and the same rows sorted by date (long runs of one key).
 *
 * Then the dispatch: the empty task's round trip, with workers that poll `--poll` µs for their next task
 * before they sleep (default DEFAULT_POLL_MICROS) and with workers that sleep at once, against the machine's
 * floor for it measured in the same run (a bare round trip between two threads that each sleep until the
 * other wakes them: Atomics.wait and notify, no pool, no message); and calling thread against pool on small
 * tapes, which places DEFAULT_CROSSOVER_ROWS.
 *
 * All methods of one table run round-robin, in an order shuffled each round (see timeRoundRobin), and every
 * median comes with its p10–p90.
 * Before timing, the wasm and JavaScript results are compared bit for bit; a difference exits with 1, because
 * the speed of a wrong result means nothing. Benchmarks print; they do not assert speed.
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { DEFAULT_POLL_MICROS, KpiPool, type Snapshot, type Tape } from 'loan-kpi-stress';
// Not yet exported from the package index: imported from the build output until it is.
import { syntheticTape } from '../dist/io/synthetic.js';
import { compactCount, crossingPoint, fixed, otherCpuMeter, parseSizes, renderTable, summarise, type Summary } from './lib.js';
import {
  loanMajorCopy,
  rooflineCells,
  rooflineRow,
  ROOFLINE_HEADER,
  stealMeter,
  timeRoundRobin,
  type Method,
  type RooflineRow,
} from './roofline-lib.js';

interface Options {
  readonly rows: readonly number[];
  readonly runs: number;
  readonly warmup: number;
  readonly threads: number;
  readonly orders: readonly Order[];
  readonly crossover: readonly number[];
  readonly noopCalls: number;
  /** how long the first pool's workers poll before they sleep, µs */
  readonly poll: number;
  readonly only: 'roofline' | 'dispatch' | null;
}

type Order = 'loan' | 'date';
const ORDER_LABEL: Record<Order, string> = { loan: 'loan-major', date: 'date-major' };

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1M,10M' },
      runs: { type: 'string', default: '21' },
      warmup: { type: 'string', default: '5' },
      threads: { type: 'string', default: '2' },
      orders: { type: 'string', default: 'loan,date' },
      crossover: { type: 'string', default: '10k,20k,50k,100k,200k,400k' },
      'noop-calls': { type: 'string', default: '20000' },
      poll: { type: 'string', default: String(DEFAULT_POLL_MICROS) },
      only: { type: 'string' },
    },
  });
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be a whole number ≥ ${min}, got "${text}"`);
    return n;
  };
  if (values.only !== undefined && values.only !== 'roofline' && values.only !== 'dispatch') {
    throw new RangeError(`--only takes roofline or dispatch, not "${values.only}"`);
  }
  const orders = values.orders.split(',').map((o) => o.trim());
  for (const order of orders) if (order !== 'loan' && order !== 'date') throw new RangeError(`--orders takes loan and date, not "${order}"`);
  return {
    rows: parseSizes(values.rows),
    runs: whole('runs', values.runs, 15),
    warmup: whole('warmup', values.warmup, 1),
    threads: whole('threads', values.threads, 1),
    orders: orders as Order[],
    crossover: parseSizes(values.crossover),
    noopCalls: whole('noop-calls', values['noop-calls'], 100),
    poll: whole('poll', values.poll, 1),
    only: values.only ?? null,
  };
}

/** Two results, every number compared by its IEEE-754 bits. */
function sameBits(a: readonly Snapshot[], b: readonly Snapshot[]): boolean {
  const scratch = new Float64Array(1);
  const bits = new BigUint64Array(scratch.buffer);
  const render = (s: readonly Snapshot[]) =>
    JSON.stringify(s, (_key, v: unknown) => {
      if (typeof v !== 'number') return v;
      scratch[0] = v;
      return `f64:${bits[0]!.toString(16)}`;
    });
  return render(a) === render(b);
}

async function rooflineTable(options: Options): Promise<RooflineRow[]> {
  const table: RooflineRow[] = [];
  for (const rows of options.rows) {
    // read as every tape is, grouped by date
    const dateMajor = syntheticTape({ rows, dates: 12, seed: 1 }).tape;
    for (const order of options.orders) {
      const tape = order === 'date' ? dateMajor : loanMajorCopy(dateMajor);
      table.push(...(await measureTape(tape, ORDER_LABEL[order], options)));
    }
  }
  return table;
}

async function measureTape(tape: Tape, order: string, options: Options): Promise<RooflineRow[]> {
  const wasm = await KpiPool.open(tape, { threads: options.threads, crossoverRows: 0, kernel: 'wasm' });
  const js = await KpiPool.open(tape, { threads: options.threads, crossoverRows: 0, kernel: 'js' });
  // for comparison, not the roofline: all on the calling thread (one thread, no dispatch), and all on the
  // workers while the calling thread waits
  const here = await KpiPool.open(tape, { threads: 1, crossoverRows: Number.POSITIVE_INFINITY, kernel: 'wasm' });
  const workers = await KpiPool.open(tape, { threads: options.threads, crossoverRows: 0, helpRows: 0, kernel: 'wasm' });
  try {
    if (!sameBits(await wasm.snapshots(), await js.snapshots())) {
      throw new Error(`the wasm and JavaScript kernels disagree on the ${order} tape of ${tape.rows} rows`);
    }
    const methods: Method[] = [
      { name: 'read, kernel order', run: () => wasm.stream('blocks') },
      { name: 'read, column order', run: () => wasm.stream('columns') },
      { name: 'read, a word per line', run: () => wasm.stream('lines') },
      { name: 'KPIs, wasm SIMD kernel', run: () => wasm.snapshots() },
      { name: 'KPIs, JavaScript kernel', run: () => js.snapshots() },
      { name: 'KPIs, wasm, workers only', run: () => workers.snapshots() },
      { name: 'read, calling thread only', run: () => here.stream('blocks') },
      { name: 'KPIs, wasm, calling thread only', run: () => here.snapshots() },
    ];
    const samples = await timeRoundRobin(methods, options.warmup, options.runs);
    const median = (name: string) => summarise(samples.get(name)!).median;
    const roofline = Math.min(median('read, kernel order'), median('read, column order'), median('read, a word per line'));
    return methods.map((m) => rooflineRow(m.name, order, tape, samples.get(m.name)!, roofline));
  } finally {
    await Promise.all([wasm.close(), js.close(), here.close(), workers.close()]);
  }
}

interface SizeResult {
  readonly rows: number;
  /** everything on the calling thread */
  readonly here: Summary;
  /** the workers sum every range; the calling thread waits */
  readonly pool: Summary;
  /** the calling thread sums the first range while the workers sum the others */
  readonly helped: Summary;
}

interface DispatchResult {
  /** the empty task's round trip, workers polling `--poll` µs before they sleep */
  readonly noopUs: Summary;
  /** the same, workers sleeping as soon as they answer */
  readonly sleepingNoopUs: Summary;
  readonly bareUs: Summary;
  readonly sizes: readonly SizeResult[];
  /** where the pool starts to beat the calling thread, and where the helped pool does */
  readonly crossover: number | null;
  readonly helpedCrossover: number | null;
}

/**
 * Round trips between this thread and a bare worker thread, each sleeping in Atomics.wait until the other
 * stores and notifies: the cost of waking a sleeping thread and being woken by it, which every round trip
 * through a pool of sleeping workers pays (on a virtual machine, a sleeping vCPU is woken by the host).
 */
async function bareRoundTrips(calls: number): Promise<Summary> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(
    `const flags = new Int32Array(require('node:worker_threads').workerData);
     for (;;) { Atomics.wait(flags, 0, 0); if (Atomics.load(flags, 1) === 1) break; Atomics.store(flags, 0, 0); Atomics.notify(flags, 0); }`,
    { eval: true, workerData: flags.buffer },
  );
  await new Promise((resolve) => worker.once('online', resolve));
  const us: number[] = [];
  for (let i = 0; i < calls + calls / 10; i++) {
    const start = process.hrtime.bigint();
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    Atomics.wait(flags, 0, 1);
    if (i >= calls / 10) us.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  Atomics.store(flags, 1, 1);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  await new Promise((resolve) => worker.once('exit', resolve));
  return summarise(us);
}

/** Back-to-back empty tasks through a pool whose workers poll this long before sleeping. */
async function noopRoundTrips(options: Options, pollMicros: number): Promise<Summary> {
  const pool = await KpiPool.open(syntheticTape({ rows: 1000, dates: 12, seed: 1 }).tape, { threads: options.threads, pollMicros });
  const us: number[] = [];
  try {
    for (let i = 0; i < options.noopCalls / 10; i++) await pool.noop();
    for (let i = 0; i < options.noopCalls; i++) {
      const start = process.hrtime.bigint();
      await pool.noop();
      us.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
  } finally {
    await pool.close();
  }
  return summarise(us);
}

async function dispatch(options: Options): Promise<DispatchResult> {
  const noopUs = await noopRoundTrips(options, options.poll);
  const sleepingNoopUs = await noopRoundTrips(options, 0);
  const bareUs = await bareRoundTrips(options.noopCalls);
  const sizes: SizeResult[] = [];
  for (const rows of options.crossover) {
    // a tape of its own per size: a prefix of a larger one, grouped by date, would hold fewer dates
    const tape: Tape = syntheticTape({ rows, dates: 12, seed: 1 }).tape;
    // Workers that sleep as soon as they answer: three pools take turns here, and polling workers of one would
    // hold the cores while the next one computes. Each computation so meets sleeping workers, as the first of a
    // burst does.
    const pools = {
      here: await KpiPool.open(tape, { threads: options.threads, crossoverRows: Number.POSITIVE_INFINITY }),
      pool: await KpiPool.open(tape, { threads: options.threads, crossoverRows: 0, helpRows: 0, pollMicros: 0 }),
      helped: await KpiPool.open(tape, { threads: options.threads, crossoverRows: 0, helpRows: Number.POSITIVE_INFINITY, pollMicros: 0 }),
    };
    try {
      // small sizes are noisy: many more runs than the large tables
      const runs = Math.max(options.runs, Math.min(2000, Math.round(2e8 / rows)));
      const samples = await timeRoundRobin(
        Object.entries(pools).map(([name, pool]) => ({ name, run: () => pool.snapshots() })),
        Math.max(options.warmup, Math.round(runs / 10)),
        runs,
      );
      const of = (name: string) => summarise(samples.get(name)!);
      sizes.push({ rows, here: of('here'), pool: of('pool'), helped: of('helped') });
    } finally {
      await Promise.all(Object.values(pools).map((pool) => pool.close()));
    }
  }
  const xs = sizes.map((s) => s.rows);
  return {
    bareUs,
    noopUs,
    sleepingNoopUs,
    sizes,
    crossover: crossingPoint(xs, sizes.map((s) => s.pool.median - s.here.median)),
    helpedCrossover: crossingPoint(xs, sizes.map((s) => s.helped.median - s.here.median)),
  };
}

async function main(): Promise<number> {
  const options = parseOptions();
  const steal = stealMeter();
  const others = otherCpuMeter();
  const table = options.only === 'dispatch' ? null : await rooflineTable(options);
  const dispatched = options.only === 'roofline' ? null : await dispatch(options);
  const machine = steal.read();
  const otherShare = others.share();
  if (table) printRoofline(table, options);
  if (dispatched) printDispatch(dispatched, options);
  console.log(
    `machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} CPUs, Node ${process.version}` +
      (otherShare === null ? '' : `; other processes used ${(100 * otherShare).toFixed(0)}% of the CPUs during the run`) +
      (machine === null ? '' : `, the hypervisor stole ${(100 * machine.steal).toFixed(0)}%`),
  );
  return 0;
}

function printRoofline(table: readonly RooflineRow[], options: Options): void {
  console.log(
    `KPI grouped by date vs the memory-bandwidth roofline — ${options.threads} threads, medians of ${options.runs} runs ` +
      `after ${options.warmup} warm-up rounds, methods round-robin in an order shuffled each round; synthetic tape, 12 dates, seed 1; ` +
      `GB/s of the bytes a row the sums must read (38 narrowed, 74 wide); "vs roofline" = median time / roofline median time (1.00 = the limit); ` +
      `default dispatch: the calling thread sums one range while ${options.threads - 1} worker(s) sum the rest`,
  );
  console.log(renderTable([ROOFLINE_HEADER, ...table.map(rooflineCells)]));
  console.log();
}

function printDispatch(dispatched: DispatchResult, options: Options): void {
  const { noopUs, sleepingNoopUs, bareUs } = dispatched;
  const quantiles = (s: Summary) => `p50 ${fixed(s.median)} µs, p90 ${fixed(s.p90)} µs, p99 ${fixed(s.p99)} µs, max ${fixed(s.max)} µs`;
  const ofFloor = (s: Summary) => `${(s.median / bareUs.median).toFixed(2)}× the floor`;
  console.log(
    `dispatch: empty task through the pool and back, ${options.noopCalls} round trips one after another, workers polling ` +
      `${options.poll} µs before they sleep (default ${DEFAULT_POLL_MICROS}): ${quantiles(noopUs)}; ${ofFloor(noopUs)}`,
  );
  console.log(`  workers sleeping as soon as they answer: ${quantiles(sleepingNoopUs)}; ${ofFloor(sleepingNoopUs)}`);
  console.log(`  the machine's floor, a bare round trip between two sleeping threads (Atomics.wait/notify, no pool): ${quantiles(bareUs)}`);
  const cell = (s: Summary) => [fixed(s.median), `${fixed(s.p10)}–${fixed(s.p90)}`];
  console.log(
    `KPIs grouped by date on small tapes (medians, ms): the calling thread alone; ${options.threads} workers while ` +
      `the calling thread waits; the calling thread summing one range while ${options.threads - 1} worker(s) sum the rest`,
  );
  console.log(
    renderTable([
      ['rows', 'calling thread', 'p10–p90', 'pool', 'p10–p90', 'pool + caller', 'p10–p90', 'fastest'],
      ...dispatched.sizes.map((s) => {
        const fastest = [['calling thread', s.here], ['pool', s.pool], ['pool + caller', s.helped]] as const;
        const best = fastest.reduce((a, b) => (b[1].median < a[1].median ? b : a));
        return [compactCount(s.rows), ...cell(s.here), ...cell(s.pool), ...cell(s.helped), best[0]];
      }),
    ]),
  );
  const at = (x: number | null) => (x === null ? 'never, in these sizes' : `${compactCount(Math.round(x))} rows`);
  console.log(
    `crossover (interpolated, where the median equals the calling thread's): pool ${at(dispatched.crossover)}; ` +
      `pool + caller ${at(dispatched.helpedCrossover)}`,
  );
  console.log();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof RangeError ? 2 : 1);
  },
);
