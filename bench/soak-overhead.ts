/**
 * The soak harness's own cost, in time and in memory.
 *
 *   node dist-bench/soak-overhead.js [--rounds 40] [--seconds 6] [--heap-minutes 2] [--minutes 10] [--skip-time] [--skip-memory]
 *
 * 1. Time: a workload of exactly 1 ms of busy-waiting (test/fixtures/workloads/busy-1ms.mjs) on one worker
 *    thread, one iteration in flight, driven in turn by a bare loop (`await workload.iterate()`, nothing
 *    measured) and by the soak runner in the steady state of a 24-hour run (planned for 24 h, stopped after
 *    --seconds: timestamps, histograms, counters, the task-timeout watchdog, progress, samples every 5 s and
 *    their files). The two alternate, --rounds times, in an order that flips every round (bare first, then
 *    runner first), so that a machine whose load drifts slowly weighs on both alike; each round gives one
 *    paired difference, and the cost of all of that is the median of those differences, with a 95%
 *    percentile-bootstrap interval over the rounds (2,000 resamples, seeded). Short segments pair better on
 *    a machine whose load changes by the second; one of 6 s holds one sample, as 5 s of a 24-hour run do.
 *    Two differences are taken, per iteration and as a share of the 1 ms iteration:
 *    - CPU: the main thread's CPU time (Linux, /proc/thread-self/schedstat, in nanoseconds). The harness does
 *      its work on that thread, and an iteration cannot be dispatched while it works, so this is its cost to
 *      a closed loop on a machine with a core to spare; CPU time does not count the time the thread waits for
 *      a core, so other processes move it less. Part of the harness's work comes per iteration (clock reads,
 *      the histogram) and part per second (timers, samples), and on a loaded machine the cycle stretches, so
 *      CPU per iteration alone would count the per-second part many times over. So both parts are fitted,
 *      by least squares over every segment: CPU = d·iterations + e·seconds for the bare loop, plus
 *      h·iterations + p·seconds for the runner; the harness's cost to a 1 ms iteration is then h / 1 ms + p
 *      (its per-iteration CPU, and its share of each second), and the interval comes from refitting on
 *      rounds resampled with replacement (2,000, seeded). When the segments' rates hardly differ (a quiet
 *      machine) the two parts are nearly collinear and the fit swings, so the figure the total uses is the
 *      plainest one: each round's CPU per iteration, runner less bare, its median and bootstrap interval.
 *      The fit is printed for how it splits the cost.
 *    - wall: the mean cycle, runner / bare − 1: the cost as the run sees it, including whatever the other
 *      processes of the machine do to each segment; on a loaded machine its interval is wide.
 *    The heap measurements (forced GCs on every thread, one a minute in a 24-hour run, the first a minute
 *    in) fall outside such segments, so they are measured on their own: a runner segment of two minutes
 *    records each measurement's pause (heap_gc_pause_ms: this thread's plus the longest worker's), and their
 *    share of the steady state is that pause per minute, or HEAP_PAUSE_BUDGET when that is less (the runner
 *    then spaces them further). The total is the sum of the two. Also timed on their
 *    own: the per-iteration bookkeeping (two clock reads, a histogram record, counters), and the abort
 *    listener piscina adds to and removes from each task's signal, on an AbortSignal, on an EventEmitter, and
 *    on the pool's AbortBridge (what the runner gives piscina).
 *    And the wake-ups: what one timer costs the main thread each time it wakes it from idle, and the runner's
 *    own main-thread CPU per second in an open loop of one iteration a second (its timers and samples alone).
 * 2. Memory: `stress run` with a no-op workload (test/fixtures/workloads/noop.mjs) for --minutes, in its own
 *    process: the median RSS of the samples around minute 1 against those of the last minute. Nothing the
 *    harness keeps may grow with the number of iterations (millions here). RSS after GC (read once every
 *    thread has collected, in the samples that measure the heaps) is the figure that says so: RSS as found
 *    swings by tens of MB with the garbage of tens of thousands of iterations a second that the main thread
 *    has not collected yet, and is printed beside it, with the run's own drift slope over all its samples.
 *
 * Benchmarks print; they do not assert.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { bootstrapMedian, seededRandom } from '../dist/gate/stats.js';
import { DEFAULT_CRITERIA } from '../dist/stress/criteria.js';
import { createLatencyHistogram } from '../dist/stress/histogram.js';
import { defaultSampleIntervalMs, HEAP_PAUSE_BUDGET, runSoakOn, type RunOptions, type SoakEvent } from '../dist/stress/run.js';
import { openWorkload, type Workload } from '../dist/stress/workloads.js';
import { AbortBridge } from '../dist/workers/workload-pool.js';
import { fixed, median, otherCpuMeter, renderTable, summarise } from './lib.js';

const root = resolve(import.meta.dirname, '..');
const fixture = (name: string) => join(root, 'test/fixtures/workloads', name);
const MB = 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;

/** A segment's iterations, the wall time and the main thread's CPU time they took, ms; and the heap measurements' pauses in it. */
interface Segment {
  readonly iterations: number;
  readonly ms: number;
  readonly cpuMs: number;
  readonly heapPauseMs: number;
}

const cycleMs = (segment: Segment) => segment.ms / segment.iterations;
const cpuPerIterationMs = (segment: Segment) => segment.cpuMs / segment.iterations;

/**
 * CPU time of this process's main thread so far, ms (Linux): the scheduler's own count of the time it ran, in
 * nanoseconds (/proc/thread-self/schedstat), rather than utime + stime, which come in 10 ms ticks and charge a
 * whole tick to whichever thread the tick finds running.
 */
function mainThreadCpuMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
}

async function timeCost(rounds: number, seconds: number, heapMinutes: number): Promise<void> {
  const opened = await openWorkload({ kind: 'module', path: fixture('busy-1ms.mjs'), threads: 1 });
  // Both drivers see the same counting wrapper, so that the count itself is no part of the difference.
  const counter = { iterations: 0 };
  const workload: Workload = {
    ...opened,
    iterate: (fault, signal) => {
      counter.iterations += 1;
      return opened.iterate(fault, signal);
    },
  };
  const ratios: number[] = [];
  const bare: Segment[] = [];
  const harness: Segment[] = [];
  const others = otherCpuMeter();
  try {
    // warm-up: every driver once, so that none pays for compilation inside its measured window
    await bareLoop(workload, counter, 1);
    await harnessRun(workload, counter, 2);
    for (let round = 0; round < rounds; round++) {
      const bareFirst = round % 2 === 0;
      const first = bareFirst ? await bareLoop(workload, counter, seconds) : await harnessRun(workload, counter, seconds);
      const second = bareFirst ? await harnessRun(workload, counter, seconds) : await bareLoop(workload, counter, seconds);
      const [b, h] = bareFirst ? [first, second] : [second, first];
      bare.push(b);
      harness.push(h);
      ratios.push(cycleMs(h) / cycleMs(b));
      process.stderr.write(
        `round ${round + 1}/${rounds} (${bareFirst ? 'bare first' : 'runner first'}): µs per iteration: ` +
          `wall bare ${fixed(cycleMs(b) * 1000)}, runner ${fixed(cycleMs(h) * 1000)} (${fixed((ratios.at(-1)! - 1) * 100)}%); ` +
          `main-thread CPU bare ${fixed(cpuPerIterationMs(b) * 1000)}, runner ${fixed(cpuPerIterationMs(h) * 1000)}\n`,
      );
    }
  } catch (error) {
    await opened.close();
    throw error;
  }
  const row = (label: string, values: readonly number[]) => {
    const s = summarise(values);
    return [label, fixed(s.median), fixed(s.min), fixed(s.max)];
  };
  console.log(`\n1. time: busy-1ms workload, 1 worker thread, 1 in flight, ${rounds} rounds of ${seconds} s per driver, order flipped every round`);
  console.log(
    renderTable([
      ['per iteration', 'median', 'min', 'max'],
      row('main-thread CPU, bare loop (nothing measured), µs', bare.map((s) => cpuPerIterationMs(s) * 1000)),
      row('main-thread CPU, runner (24-hour steady state), µs', harness.map((s) => cpuPerIterationMs(s) * 1000)),
      row('wall cycle, bare loop, µs', bare.map((s) => cycleMs(s) * 1000)),
      row('wall cycle, runner, µs', harness.map((s) => cycleMs(s) * 1000)),
      row('wall, runner / bare − 1 (same round), %', ratios.map((r) => (r - 1) * 100)),
    ]),
  );
  const cpu = harnessCpuModel(bare, harness, seededRandom(20261122));
  const wall = bootstrapMedian(ratios.map((r) => r - 1), seededRandom(20261123));
  const percent = (share: number) => `${fixed(share * 100)}%`;
  const between = (i: { low: number; high: number }, plus = 0) => `95% bootstrap interval ${percent(i.low + plus)} … ${percent(i.high + plus)}`;
  console.log(
    `harness cost, main-thread CPU: ${percent(cpu.estimate)} of a 1 ms iteration ` +
      `(${fixed(cpu.perIterationUs)} µs per iteration + ${fixed(cpu.perSecondShare * 100)}% of each second; fitted over ${rounds} rounds; ${between(cpu)})`,
  );
  // Each round's CPU per iteration, runner less bare: it holds the per-second work too (spread over the
  // segment's iterations), which is what the fit above apportions; the total uses it (see the header).
  const paired = bootstrapMedian(
    harness.map((h, r) => cpuPerIterationMs(h) - cpuPerIterationMs(bare[r]!)),
    seededRandom(20261124),
  );
  console.log(`harness cost, main-thread CPU per iteration, runner − bare in the same round: ${percent(paired.estimate)} of a 1 ms iteration (${between(paired)})`);
  console.log(`harness cost, wall clock: ${percent(wall.estimate)} (${between(wall)})`);
  if (harness.some((segment) => segment.heapPauseMs > 0)) console.log('(a heap measurement fell inside a segment: --seconds is too long)');
  const heaps = heapMinutes > 0 ? await heapPauses(workload, counter, heapMinutes) : [];
  // one a minute, unless that costs more than the budget, which then spaces them further (run.ts)
  const perMinute = heaps.length === 0 ? 0 : Math.min(HEAP_PAUSE_BUDGET, median(heaps) / 60_000);
  console.log(
    heaps.length === 0
      ? 'heap measurements: not measured (--heap-minutes 0), left out of the total'
      : `heap measurements, on their own: ${heaps.length} in a ${heapMinutes}-minute runner segment, forced-GC pauses ${heaps.map((p) => fixed(p)).join(', ')} ms; ` +
          `one a minute, within the budget of ${fixed(HEAP_PAUSE_BUDGET * 100)}%, is ${fixed(perMinute * 100)}% of the steady state`,
  );
  console.log(
    `total harness cost in the steady state of a 24-hour run, main-thread CPU (runner − bare) plus heap pauses: ${percent(paired.estimate + perMinute)} ` +
      `of a 1 ms iteration (${between(paired, perMinute)}); by the wall clock ${percent(wall.estimate + perMinute)} (${between(wall, perMinute)})`,
  );
  const share = others.share();
  if (share !== null) console.log(`other processes kept ${fixed(share * 100)}% of the machine's cores busy meanwhile`);

  // the per-iteration bookkeeping alone
  const histogram = createLatencyHistogram();
  const n = 2_000_000;
  let loops = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const t1 = performance.now();
    histogram.recordValue(Math.min(1e11, Math.max(1, Math.round((t1 - t0) * 1000 + 1000))));
    loops += 1;
  }
  const perIterationUs = ((performance.now() - start) * 1000) / n;
  console.log(`per-iteration bookkeeping alone (2 clock reads, 1 histogram record, counters): ${fixed(perIterationUs)} µs = ${fixed(perIterationUs / 10)}% of 1 ms (${loops} loops)`);
  console.log(
    `abort listener per task, added and removed as piscina does: on an AbortSignal ${fixed(abortListenerUs(new AbortController().signal))} µs, ` +
      `on an EventEmitter ${fixed(abortListenerUs(new EventEmitter()))} µs, on the pool's AbortBridge ${fixed(abortListenerUs(new AbortBridge(new AbortController().signal)))} µs`,
  );
  process.stderr.write('wake-ups: 60 s of an idle main thread, then 30 s of the runner at one iteration a second…\n');
  console.log(`one timer wake-up of an idle main thread: ${fixed(await wakeUpUs())} µs of CPU (an empty 20 ms interval against none, 10 s each, median of 3)`);
  const idle = await idleRunnerMsPerS(workload, 30);
  console.log(`the runner alone, one iteration a second for 30 s: ${fixed(idle)} ms of main-thread CPU per s = ${fixed(idle / 10)}% of each second (its timers, samples and their wake-ups; the iterations' own share included)`);
  await opened.close();
}

/** A 24-hour run's options (its sample interval, default criteria), stopped early through `signal`. */
function dayRunOptions(load: RunOptions['load'], outDir: string, signal: AbortSignal): RunOptions {
  return {
    durationMs: DAY_MS,
    load,
    sampleIntervalMs: defaultSampleIntervalMs(DAY_MS),
    criteria: DEFAULT_CRITERIA,
    criteriaFile: null,
    outDir,
    abortOnFail: false,
    recordedOptions: { bench: 'soak-overhead' },
    signal,
  };
}

/**
 * The CPU one timer costs the main thread each time it wakes it from idle, µs: 10 s with an empty 20 ms
 * interval against 10 s with nothing, the median of 3 pairs. Most of the harness's steady-state cost is such
 * wake-ups (its timers fire while the thread waits for an iteration), and what one costs depends on the
 * machine: under a hypervisor a wake-up from idle is dear.
 */
async function wakeUpUs(): Promise<number> {
  const idleMs = async (period: number | null) => {
    const timer = period === null ? null : setInterval(() => {}, period);
    const start = mainThreadCpuMs();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const spent = mainThreadCpuMs() - start;
    if (timer !== null) clearInterval(timer);
    return spent;
  };
  const pairs: number[] = [];
  for (let i = 0; i < 3; i++) pairs.push((((await idleMs(20)) - (await idleMs(null))) * 1000) / 500);
  return median(pairs);
}

/**
 * The runner's own main-thread CPU per second of a 24-hour run when the thread has nothing else to do: an
 * open loop of one iteration a second, ms of CPU per s. Its timers (samples, progress and watchdog, the
 * event-loop delay monitor) and their I/O, with every wake-up from idle: what the runner adds to each second
 * of a loop whose thread waits between iterations, an upper bound of the per-second part.
 */
async function idleRunnerMsPerS(workload: Workload, seconds: number): Promise<number> {
  let cpuStart = 0;
  let spent = 0;
  await dayRunFor(workload, { kind: 'open', rate_per_s: 1, max_in_flight: 1 }, seconds, {
    start: () => (cpuStart = mainThreadCpuMs()),
    stop: () => (spent = mainThreadCpuMs() - cpuStart),
  });
  return spent / seconds;
}

/**
 * What piscina does with a task's signal (its onabort): add a once-listener, and remove it when the task
 * ends; µs per task, the median of 5 rounds of 200,000 after a warm-up.
 */
function abortListenerUs(signal: AbortSignal | EventEmitter | AbortBridge): number {
  const once = (listener: () => void): void => {
    if (signal instanceof AbortSignal) {
      signal.addEventListener('abort', listener, { once: true });
      signal.removeEventListener('abort', listener);
    } else {
      signal.once('abort', listener);
      signal.removeListener('abort', listener);
    }
  };
  const n = 200_000;
  const round = () => {
    const start = performance.now();
    for (let i = 0; i < n; i++) once(() => {});
    return ((performance.now() - start) * 1000) / n;
  };
  round();
  return median(Array.from({ length: 5 }, round));
}

/**
 * The least-squares fit of CPU = d·n + e·t + h·n·runner + p·t·runner over the segments (n iterations, t
 * seconds, runner 0 or 1): h (ms of CPU per iteration) and p (CPU seconds per second) are the harness's.
 */
function fitHarnessCpu(segments: readonly { readonly segment: Segment; readonly runner: boolean }[]): { h: number; p: number } {
  const rows = segments.map(({ segment, runner }) => {
    const n = segment.iterations;
    const t = segment.ms;
    return { x: [n, t, runner ? n : 0, runner ? t : 0], y: segment.cpuMs };
  });
  // normal equations (XᵀX) β = Xᵀy, solved by Gaussian elimination with partial pivoting
  const k = 4;
  const a = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => rows.reduce((sum, r) => sum + r.x[i]! * r.x[j]!, 0)),
    rows.reduce((sum, r) => sum + r.x[i]! * r.y, 0),
  ]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const factor = a[r]![col]! / a[col]![col]!;
      const row = a[r]!;
      for (let c = col; c <= k; c++) row[c] = row[c]! - factor * a[col]![c]!;
    }
  }
  const beta = a.map((row, i) => row[k]! / row[i]!);
  return { h: beta[2]!, p: beta[3]! };
}

/** The harness's main-thread CPU cost to a 1 ms iteration (h / 1 ms + p), with a bootstrap interval over rounds. */
function harnessCpuModel(bare: readonly Segment[], harness: readonly Segment[], random: () => number) {
  const rounds = bare.map((segment, i) => [
    { segment, runner: false },
    { segment: harness[i]!, runner: true },
  ]);
  const costOf = (fit: { h: number; p: number }) => fit.h / 1 + fit.p;
  const fit = fitHarnessCpu(rounds.flat());
  const costs = Float64Array.from({ length: 2000 }, () =>
    costOf(fitHarnessCpu(Array.from({ length: rounds.length }, () => rounds[Math.floor(random() * rounds.length)]!).flat())),
  ).sort();
  const at = (q: number) => costs[Math.min(costs.length - 1, Math.floor(q * costs.length))]!;
  return { estimate: costOf(fit), low: at(0.025), high: at(0.975), perIterationUs: fit.h * 1000, perSecondShare: fit.p };
}

/** The forced-GC pauses of the heap measurements of a 24-hour run's first `minutes` (one a minute), ms. */
async function heapPauses(workload: Workload, counter: { iterations: number }, minutes: number): Promise<number[]> {
  process.stderr.write(`heap measurements: a ${minutes}-minute runner segment…\n`);
  const pauses: number[] = [];
  await harnessRun(workload, counter, minutes * 60 + 5, (pause) => pauses.push(pause));
  return pauses;
}

/** A bare loop over `seconds`. */
async function bareLoop(workload: Workload, counter: { iterations: number }, seconds: number): Promise<Segment> {
  const end = performance.now() + seconds * 1000;
  const before = counter.iterations;
  const start = performance.now();
  const cpuStart = mainThreadCpuMs();
  while (performance.now() < end) await workload.iterate();
  return { iterations: counter.iterations - before, ms: performance.now() - start, cpuMs: mainThreadCpuMs() - cpuStart, heapPauseMs: 0 };
}

/**
 * The runner in the steady state of a 24-hour run (samples every 5 s, heaps every minute, no checkpoint
 * before the first hour), stopped after `seconds`: the iterations it started from its first to the stop.
 * The run's start (files, the sampler's baseline) comes before its first iteration and the drain and the
 * closing checkpoint after the stop, so neither is counted.
 */
async function harnessRun(workload: Workload, counter: { iterations: number }, seconds: number, onHeapPause: (ms: number) => void = () => {}): Promise<Segment> {
  let start = 0;
  let before = 0;
  let cpuStart = 0;
  let cpuStop = 0;
  let stop = 0;
  let stopCount = 0;
  let heapPauseMs = 0;
  await dayRunFor(workload, { kind: 'closed', concurrency: 1 }, seconds, {
    // the first iteration starts right after the start event
    start: () => {
      start = performance.now();
      before = counter.iterations;
      cpuStart = mainThreadCpuMs();
    },
    stop: () => {
      stop = performance.now();
      cpuStop = mainThreadCpuMs();
      stopCount = counter.iterations;
    },
    event: (event) => {
      if (event.type === 'sample' && stop === 0 && event.sample.heap_gc_pause_ms !== null) {
        heapPauseMs += event.sample.heap_gc_pause_ms;
        onHeapPause(event.sample.heap_gc_pause_ms);
      }
    },
  });
  if (stopCount <= before) throw new Error('the harness run started no iteration');
  return { iterations: stopCount - before, ms: stop - start, cpuMs: cpuStop - cpuStart, heapPauseMs };
}

/**
 * The runner with a 24-hour run's options and `load`, in a run directory of its own (removed after), stopped
 * `seconds` after it starts its first iteration: `start` is called then, `stop` at the stop (before the drain
 * and the closing checkpoint, which are not the steady state), `event` with every event of the run.
 */
async function dayRunFor(
  workload: Workload,
  load: RunOptions['load'],
  seconds: number,
  hooks: { readonly start: () => void; readonly stop: () => void; readonly event?: (event: SoakEvent) => void },
): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'soak-overhead-'));
  const controller = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  try {
    await runSoakOn(workload, dayRunOptions(load, outDir, controller.signal), (event) => {
      hooks.event?.(event);
      if (event.type !== 'start') return;
      hooks.start();
      timer = setTimeout(() => {
        hooks.stop();
        controller.abort('bench');
      }, seconds * 1000);
    });
  } finally {
    if (timer !== null) clearTimeout(timer);
    rmSync(outDir, { recursive: true, force: true });
  }
}

function memoryGrowth(minutes: number): void {
  const out = mkdtempSync(join(tmpdir(), 'soak-overhead-memory-'));
  const criteria = join(out, 'criteria.json');
  writeFileSync(criteria, JSON.stringify({ latency_ms: { pass: 600_000, fail: 1_200_000 }, cpu_percent: { pass: 99.9, fail: 100 } }));
  const dir = join(out, 'run');
  process.stderr.write(`2. memory: a ${minutes}-minute no-op run in ${dir}…\n`);
  const result = spawnSync(
    process.execPath,
    [process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js'), 'run', '--duration', `${minutes}m`, '--workload', fixture('noop.mjs'), '--criteria', criteria, '--out', dir, '--json'],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 * MB },
  );
  if (result.status === null || result.stdout.length === 0) {
    console.log(`the no-op run failed: ${result.stderr}`);
    return;
  }
  const summary = JSON.parse(result.stdout) as {
    iterations: { total: number };
    duration: { actual_s: number };
    drift: { rss: { slope_per_hour: number | null; slope_ci_per_hour: { low: number; high: number } | null; from_s: number; to_s: number } | null } | null;
  };
  const samples = readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as { elapsed_s: number; rss_mb: number; rss_after_gc_mb: number | null; heap_after_gc_mb: number | null; heap_after_gc_total_mb: number | null },
    );
  const window = (from: number, to: number) => samples.filter((s) => s.elapsed_s >= from && s.elapsed_s <= to);
  // the heap figures exist only in the samples that measured the heaps (after forced GCs): null elsewhere
  const medianKnown = (values: readonly (number | null)[]): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length === 0 ? null : median(known);
  };
  const medianOf = (values: readonly (number | null)[]) => {
    const m = medianKnown(values);
    return m === null ? '–' : fixed(m);
  };
  const end = summary.duration.actual_s;
  const first = window(45, 75);
  const last = window(end - 60, end);
  const rows = [['', 'RSS MB', 'RSS after GC MB', 'main heap after GC MB', 'all threads heap+external after GC MB', 'samples']];
  const describe = (label: string, group: typeof samples) =>
    rows.push([
      label,
      medianOf(group.map((s) => s.rss_mb)),
      medianOf(group.map((s) => s.rss_after_gc_mb)),
      medianOf(group.map((s) => s.heap_after_gc_mb)),
      medianOf(group.map((s) => s.heap_after_gc_total_mb)),
      String(group.length),
    ]);
  describe('minute 1 (45-75 s), median', first);
  describe(`last minute (${fixed(end - 60)}-${fixed(end)} s), median`, last);
  console.log(`\n2. memory: no-op workload, ${minutes} minutes, ${summary.iterations.total.toLocaleString('en-US')} iterations`);
  console.log(renderTable(rows));
  const growth = (pick: (s: (typeof samples)[number]) => number | null) => {
    const [a, b] = [medianKnown(first.map(pick)), medianKnown(last.map(pick))];
    return a === null || b === null ? 'not measured' : `${fixed(b - a)} MB`;
  };
  console.log(`RSS growth, minute 1 to the last minute, medians: after GC ${growth((s) => s.rss_after_gc_mb)}; as found ${growth((s) => s.rss_mb)} (run directory ${dir})`);
  // RSS swings with the garbage not yet collected when a sample is taken; the run's own drift slope uses every
  // sample after the warm-up
  const rss = summary.drift?.rss;
  if (rss?.slope_per_hour != null && rss.slope_ci_per_hour !== null) {
    const over = (perHour: number) => fixed((perHour * (rss.to_s - rss.from_s)) / 3600);
    console.log(
      `RSS growth by the run's drift slope (Theil-Sen over ${fixed(rss.from_s)}-${fixed(rss.to_s)} s): ${over(rss.slope_per_hour)} MB over that span ` +
        `(95% interval ${over(rss.slope_ci_per_hour.low)} … ${over(rss.slope_ci_per_hour.high)} MB)`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '40' },
      seconds: { type: 'string', default: '6' },
      'heap-minutes': { type: 'string', default: '2' },
      minutes: { type: 'string', default: '10' },
      'skip-time': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
    },
  });
  console.log(`soak-overhead: node ${process.version}, ${cpus()[0]?.model.trim() ?? 'cpu'} × ${availableParallelism()}`);
  if (!values['skip-time']) await timeCost(Number(values.rounds), Number(values.seconds), Number(values['heap-minutes']));
  if (!values['skip-memory']) memoryGrowth(Number(values.minutes));
}

await main();
