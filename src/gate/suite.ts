/**
 * The gate's benchmark suite, defined once: what each benchmark measures, on which input, and how many
 * samples one block of it takes. Both sides of a comparison run these definitions (from the current tree)
 * against their own build, so a change here changes both sides alike.
 *
 * Every sample is CPU time: what the side's process (all its threads: the calling thread, the pool's workers,
 * the ingest workers) spent, which is the work the code did, and which stays put while other processes keep
 * the cores busy; elapsed time mostly measures how long the threads waited for a core. Measured on the 2-core
 * development machine at a load average of 13 to 22, rounds of the same build against itself (A/A) gave a 95%
 * interval of the 1M-row KPI ratio of 0.97–1.02 in CPU time (12 block pairs), against 0.90–1.17 in elapsed time
 * (20 pairs, timed by an earlier version of this runner). `stress gate --base HEAD --quick --only kpi-1m` on a
 * built tree without uncommitted changes repeats the CPU-time A/A.
 */

/** The inputs the suite reads, written once per gate run by the current tree and read by both sides. */
export const INPUTS = {
  'tape-100k': { rows: 100_000, file: 'tape-100k.arrow' },
  'tape-1m': { rows: 1_000_000, file: 'tape-1m.arrow' },
  'csv-100k': { rows: 100_000, file: 'tape-100k.csv' },
} as const;

export type InputName = keyof typeof INPUTS;

/** synthetic tape parameters of every input (the defaults of `stress generate`) */
export const INPUT_DATES = 12;
export const INPUT_SEED = 1;

export type BenchmarkKind =
  /** the per-snapshot KPIs of an open pool's tape (KpiPool.snapshots, as `stress compute` runs it) */
  | 'kpi'
  /** readTape of a CSV file into shared columns */
  | 'ingest'
  /** an empty task through the pool and back (KpiPool.noop) */
  | 'round-trip'
  /** a closed loop of KPI computations for a few seconds; its block value is the p99 latency */
  | 'soak';

export interface Benchmark {
  readonly name: string;
  readonly kind: BenchmarkKind;
  readonly input: InputName;
  readonly unit: 'ms' | 'µs';
  readonly description: string;
  /** samples in one block (one value for a soak: its p99) */
  readonly samples: number;
  /** calls timed together as one sample, whose mean is the sample: short calls are timed in batches */
  readonly repeat: number;
  /** a soak block's length, full and --quick */
  readonly soakSeconds?: { readonly full: number; readonly quick: number };
}

export const SUITE: readonly Benchmark[] = [
  {
    name: 'kpi-100k',
    kind: 'kpi',
    input: 'tape-100k',
    unit: 'ms',
    description: 'per-snapshot KPIs of 100k rows (12 dates) through the pool',
    samples: 10,
    repeat: 10,
  },
  {
    name: 'kpi-1m',
    kind: 'kpi',
    input: 'tape-1m',
    unit: 'ms',
    description: 'per-snapshot KPIs of 1M rows (12 dates) through the pool',
    samples: 5,
    repeat: 1,
  },
  {
    name: 'ingest-csv-100k',
    kind: 'ingest',
    input: 'csv-100k',
    unit: 'ms',
    description: 'reading a 100k-row CSV tape into shared columns',
    samples: 2,
    repeat: 1,
  },
  {
    name: 'pool-round-trip',
    kind: 'round-trip',
    input: 'tape-100k',
    unit: 'µs',
    description: 'an empty task through the KPI pool and back',
    samples: 10,
    repeat: 50,
  },
  {
    name: 'soak-p99',
    kind: 'soak',
    input: 'tape-1m',
    unit: 'ms',
    description: 'p99 of the per-iteration cost in a closed loop of 1M-row KPI computations',
    samples: 1,
    repeat: 1,
    soakSeconds: { full: 1, quick: 0.5 },
  },
];

export const BENCHMARK_NAMES: readonly string[] = SUITE.map((benchmark) => benchmark.name);

/**
 * The version of the calibration loop (side.ts): stored with a baseline, and a baseline measured with another
 * loop is refused, since its calibration times would not compare.
 */
export const CALIBRATION_LOOP = 'xorshift-gather-16MiB-500k-cpu/1';

/** How long a round is: block pairs (base block, current block) per benchmark. */
export interface Plan {
  readonly pairs: number;
  readonly quick: boolean;
}

export const FULL_PLAN: Plan = { pairs: 20, quick: false };
export const QUICK_PLAN: Plan = { pairs: 12, quick: true };

export function benchmarkNamed(name: string): Benchmark | undefined {
  return SUITE.find((benchmark) => benchmark.name === name);
}

/** The inputs a selection of benchmarks reads. */
export function inputsOf(benchmarks: readonly Benchmark[]): InputName[] {
  return [...new Set(benchmarks.map((benchmark) => benchmark.input))];
}
