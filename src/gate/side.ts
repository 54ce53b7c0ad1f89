/**
 * One side of a gate comparison, in a child process of its own: `node side.js DIST DATA`.
 *
 * This file always comes from the tree being judged (the current one), while DIST may be any build, including
 * one made before the gate existed. So it drives DIST through a small surface that has long been stable —
 * `io/read-tape.js` (readTape) and `workers/kpi-pool.js` (KpiPool.open, snapshots, noop, close) — loaded by
 * path; a benchmark whose part of that surface is missing is answered "unavailable", never guessed at.
 *
 * The parent asks for one block at a time (over the IPC channel) and alternates between the two sides.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../errors.js';
import { quantile } from './stats.js';
import { benchmarkNamed, INPUTS, type Benchmark, type InputName } from './suite.js';

export type SideRequest =
  /** calibrates: whether calibration samples will be asked for (a judgement against stored results) */
  | { readonly type: 'prepare'; readonly benchmarks: readonly string[]; readonly quick: boolean; readonly calibrates: boolean }
  | { readonly type: 'block'; readonly benchmark: string; readonly quick: boolean }
  | { readonly type: 'calibrate' }
  | { readonly type: 'close' };

export type SideReply =
  /** sent once, when the build's modules are loaded */
  | { readonly type: 'ready' }
  /** benchmark name → why this build cannot run it */
  | { readonly type: 'prepared'; readonly unavailable: Readonly<Record<string, string>> }
  | { readonly type: 'block'; readonly values: readonly number[] }
  | { readonly type: 'calibration'; readonly ms: number }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

interface PoolSurface {
  snapshots(): Promise<unknown>;
  noop(): Promise<void>;
  close(): Promise<void>;
}

interface Surface {
  readTape: ((path: string) => Promise<{ readonly tape: unknown }>) | string;
  openPool: ((tape: unknown) => Promise<PoolSurface>) | string;
}

const [distDir, dataDir] = process.argv.slice(2);

/** Each export of the surface, or the reason it cannot be had from this build. */
async function loadSurface(dist: string): Promise<Surface> {
  const load = async (relative: string): Promise<Record<string, unknown> | string> => {
    const file = join(dist, relative);
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      return `${relative} does not load: ${(error as Error).message.split('\n', 1)[0]}`;
    }
  };
  const io = await load('io/read-tape.js');
  const pool = await load('workers/kpi-pool.js');
  const readTape =
    typeof io === 'string' ? io : typeof io['readTape'] === 'function' ? (io['readTape'] as Surface['readTape']) : 'io/read-tape.js has no readTape';
  let openPool: Surface['openPool'];
  if (typeof pool === 'string') openPool = pool;
  else {
    const KpiPool = pool['KpiPool'] as { open?: unknown } | undefined;
    openPool =
      KpiPool !== undefined && typeof KpiPool.open === 'function'
        ? (tape: unknown) => (KpiPool.open as (tape: unknown, options: object) => Promise<PoolSurface>).call(KpiPool, tape, GATE_POOL_OPTIONS)
        : 'workers/kpi-pool.js has no KpiPool.open';
  }
  return { readTape, openPool };
}

/**
 * Workers that sleep as soon as they answer (KpiPoolOptions.pollMicros 0). Every sample is CPU time, and a
 * worker that polls for its next task spends CPU time waiting, which is not work; builds made before polling
 * existed ignore the option and sleep at once anyway, so both sides measure the same thing.
 */
const GATE_POOL_OPTIONS = { pollMicros: 0 };

function needs(benchmark: Benchmark): readonly (keyof Surface)[] {
  return benchmark.kind === 'ingest' ? ['readTape'] : ['readTape', 'openPool'];
}

const surface = await loadSurface(distDir!);
const pools = new Map<InputName, PoolSurface>();

async function poolFor(input: InputName): Promise<PoolSurface> {
  let pool = pools.get(input);
  if (pool === undefined) {
    const read = await (surface.readTape as Exclude<Surface['readTape'], string>)(join(dataDir!, INPUTS[input].file));
    pool = await (surface.openPool as Exclude<Surface['openPool'], string>)(read.tape);
    pools.set(input, pool);
  }
  return pool;
}

/** The CPU time of `repeat` calls (every thread of this process) in milliseconds, divided by `repeat`. */
async function timeCalls(call: () => Promise<unknown>, repeat: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < repeat; i++) await call();
  const spent = process.cpuUsage(start);
  return (spent.user + spent.system) / 1000 / repeat;
}

const MIN_SOAK_ITERATIONS = 30;

async function runBlock(benchmark: Benchmark, quick: boolean): Promise<number[]> {
  const values: number[] = [];
  switch (benchmark.kind) {
    case 'kpi': {
      const pool = await poolFor(benchmark.input);
      for (let i = 0; i < benchmark.samples; i++) values.push(await timeCalls(() => pool.snapshots(), benchmark.repeat));
      return values;
    }
    case 'round-trip': {
      const pool = await poolFor(benchmark.input);
      for (let i = 0; i < benchmark.samples; i++) values.push(1000 * (await timeCalls(() => pool.noop(), benchmark.repeat)));
      return values;
    }
    case 'ingest': {
      const readTape = surface.readTape as Exclude<Surface['readTape'], string>;
      const file = join(dataDir!, INPUTS[benchmark.input].file);
      for (let i = 0; i < benchmark.samples; i++) values.push(await timeCalls(() => readTape(file), benchmark.repeat));
      return values;
    }
    case 'soak': {
      const pool = await poolFor(benchmark.input);
      const seconds = quick ? benchmark.soakSeconds!.quick : benchmark.soakSeconds!.full;
      const latencies: number[] = [];
      const end = performance.now() + seconds * 1000;
      // at least enough iterations for a p99 that is not simply the maximum of a handful
      while (performance.now() < end || latencies.length < MIN_SOAK_ITERATIONS) latencies.push(await timeCalls(() => pool.snapshots(), 1));
      return [quantile(latencies, 0.99)];
    }
  }
}

/**
 * The calibration loop (CALIBRATION_LOOP names this version): a fixed mix of dependent integer arithmetic and
 * scattered reads over 16 MiB, timed in CPU milliseconds like every sample. It runs the same code in every gate
 * run (it belongs to the runner, not to the build being measured), so its time says how fast the machine was
 * at that moment: caches shared with other work, clock frequency.
 */
const CALIBRATION_WORDS = 1 << 22;
let calibrationBuffer: Uint32Array | null = null;

function calibrate(): number {
  // filled on first use, outside the timed region: a side that is never asked to calibrate (a comparison with
  // a built base) does not pay for it
  if (calibrationBuffer === null) {
    calibrationBuffer = new Uint32Array(CALIBRATION_WORDS);
    for (let i = 0; i < CALIBRATION_WORDS; i++) calibrationBuffer[i] = Math.imul(i, 2654435761) >>> 0;
  }
  const buffer = calibrationBuffer;
  const start = process.cpuUsage();
  let x = 1;
  let sum = 0;
  for (let i = 0; i < 500_000; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    sum = (sum + buffer[(x >>> 0) & (CALIBRATION_WORDS - 1)]!) | 0;
  }
  const spent = process.cpuUsage(start);
  // keeps the loop's result alive so that it cannot be optimised away
  if (sum === 0x7fffffff) process.stderr.write('');
  return (spent.user + spent.system) / 1000;
}

async function prepare(names: readonly string[], quick: boolean, calibrates: boolean): Promise<Record<string, string>> {
  const unavailable: Record<string, string> = {};
  for (const name of names) {
    const benchmark = benchmarkNamed(name);
    if (benchmark === undefined) {
      unavailable[name] = 'unknown benchmark';
      continue;
    }
    const missing = needs(benchmark)
      .map((part) => surface[part])
      .find((part): part is string => typeof part === 'string');
    if (missing !== undefined) {
      unavailable[name] = missing;
      continue;
    }
    try {
      // warm-up: one block unmeasured, so JIT tiers, worker start and first-touch page faults stay out
      await runBlock(benchmark, quick);
    } catch (error) {
      unavailable[name] = `does not run on this build: ${(error as Error).message.split('\n', 1)[0]}`;
    }
  }
  if (calibrates) calibrate();
  return unavailable;
}

async function answer(request: SideRequest): Promise<SideReply> {
  switch (request.type) {
    case 'prepare':
      return { type: 'prepared', unavailable: await prepare(request.benchmarks, request.quick, request.calibrates) };
    case 'block':
      return { type: 'block', values: await runBlock(benchmarkNamed(request.benchmark)!, request.quick) };
    case 'calibrate':
      return { type: 'calibration', ms: calibrate() };
    case 'close':
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
      return { type: 'closed' };
  }
}

process.on('message', (request: SideRequest) => {
  answer(request).then(
    (reply) => {
      process.send!(reply);
      if (reply.type === 'closed') process.disconnect();
    },
    (error: unknown) => process.send!({ type: 'error', message: messageOf(error) } satisfies SideReply),
  );
});
process.send!({ type: 'ready' } satisfies SideReply);
