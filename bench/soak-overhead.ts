/**
 * The soak harness's own cost, in time and in memory.
 *
 *   node dist-bench/soak-overhead.js [--rounds 3] [--seconds 60] [--minutes 10] [--skip-time] [--skip-memory]
 *
 * 1. Time: a workload of exactly 1 ms of busy-waiting (test/fixtures/workloads/busy-1ms.mjs) on one worker
 *    thread, one iteration in flight, driven in turn by a bare loop (`await workload.iterate()`, nothing
 *    measured) and by the soak runner (timestamps, histograms, counters, samples with forced GCs,
 *    checkpoints, files) for --seconds each, --rounds times. The harness's cost per iteration is the
 *    difference of the mean cycle times within a round, as a share of the 1 ms iteration. The runner is
 *    measured twice: in the steady state of a 24-hour run (planned for 24 h, stopped after --seconds: samples
 *    every 5 s, heaps every minute, no checkpoint yet), and as a whole run of --seconds, which packs its 18
 *    checkpoints and a heap measurement per sample into that time — the most the harness ever costs. Also
 *    timed on its own: the per-iteration bookkeeping (two clock reads, a histogram record, counters).
 * 2. Memory: `stress run` with a no-op workload (test/fixtures/workloads/noop.mjs) for --minutes, in its own
 *    process: the median RSS of the samples around minute 1 against those of the last minute. Nothing the
 *    harness keeps may grow with the number of iterations (millions here).
 *
 * Benchmarks print; they do not assert.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_CRITERIA } from '../dist/stress/criteria.js';
import { createLatencyHistogram } from '../dist/stress/histogram.js';
import { defaultSampleIntervalMs, runSoakOn, type RunOptions } from '../dist/stress/run.js';
import { openWorkload } from '../dist/stress/workloads.js';
import { fixed, median, otherCpuMeter, renderTable, summarise } from './lib.js';

const root = resolve(import.meta.dirname, '..');
const fixture = (name: string) => join(root, 'test/fixtures/workloads', name);
const MB = 1024 * 1024;

async function timeCost(rounds: number, seconds: number): Promise<void> {
  const workload = await openWorkload({ kind: 'module', path: fixture('busy-1ms.mjs'), threads: 1 });
  const bare: number[] = [];
  const steady: number[] = [];
  const short: number[] = [];
  const others = otherCpuMeter();
  try {
    // warm-up: every driver once, so that none pays for compilation inside its measured window
    await bareLoop(workload.iterate, 1);
    await harnessRun(workload, 1, 'short');
    for (let round = 0; round < rounds; round++) {
      bare.push(await bareLoop(workload.iterate, seconds));
      steady.push(await harnessRun(workload, seconds, 'steady'));
      short.push(await harnessRun(workload, seconds, 'short'));
      process.stderr.write(
        `round ${round + 1}/${rounds}: µs per iteration: bare ${fixed(bare.at(-1)! * 1000)}, ` +
          `24-hour run ${fixed(steady.at(-1)! * 1000)}, ${seconds}-s run ${fixed(short.at(-1)! * 1000)}\n`,
      );
    }
  } finally {
    await workload.close();
  }
  const row = (label: string, values: readonly number[]) => {
    const s = summarise(values.map((v) => v * 1000));
    return [label, fixed(s.median), fixed(s.min), fixed(s.max)];
  };
  const steadyCost = steady.map((h, i) => h - bare[i]!);
  const shortCost = short.map((h, i) => h - bare[i]!);
  console.log(`\n1. time: busy-1ms workload, 1 worker thread, 1 in flight, ${rounds} rounds of ${seconds} s per driver, alternating`);
  console.log(
    renderTable([
      ['mean cycle per iteration, µs', 'median', 'min', 'max'],
      row('bare loop (nothing measured)', bare),
      row('runner, steady state of a 24-hour run', steady),
      row(`runner, a whole ${seconds}-s run`, short),
      row('24-hour run − bare (same round)', steadyCost),
      row(`${seconds}-s run − bare (same round)`, shortCost),
    ]),
  );
  const percent = (values: readonly number[]) => {
    const s = summarise(values);
    return `${fixed(s.median * 100)}% (range ${fixed(s.min * 100)}% … ${fixed(s.max * 100)}%)`;
  };
  console.log(`harness cost in the steady state of a 24-hour run: ${percent(steadyCost)} of a 1 ms iteration`);
  console.log(`harness cost of a whole ${seconds}-s run (18 checkpoints and heap measurements every sample): ${percent(shortCost)}`);
  const share = others.share();
  if (share !== null) console.log(`other processes kept ${fixed(share * 100)}% of the machine's cores busy meanwhile`);

  // the per-iteration bookkeeping alone
  const histogram = createLatencyHistogram();
  const n = 2_000_000;
  let counter = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const t1 = performance.now();
    histogram.recordValue(Math.min(1e11, Math.max(1, Math.round((t1 - t0) * 1000 + 1000))));
    counter += 1;
  }
  const perIterationUs = ((performance.now() - start) * 1000) / n;
  console.log(`per-iteration bookkeeping alone (2 clock reads, 1 histogram record, counters): ${fixed(perIterationUs)} µs = ${fixed(perIterationUs / 10)}% of 1 ms (${counter} loops)`);
}

/** Mean ms per iteration of a bare loop over `seconds`. */
async function bareLoop(iterate: () => Promise<boolean>, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let iterations = 0;
  const start = performance.now();
  while (performance.now() < end) {
    await iterate();
    iterations += 1;
  }
  return (performance.now() - start) / iterations;
}

/**
 * Mean ms per iteration under the soak runner for `seconds`, up to its last sample (so that the drain and the
 * closing checkpoint, which time no iteration, are left out):
 * - 'steady': a run planned for 24 hours, stopped after `seconds` — the sampling of a long run (every 5 s,
 *   heaps every minute) and no checkpoint yet (the first comes after an hour);
 * - 'short': a whole run of `seconds`, with its 18 checkpoints and heap measurements at every sample.
 */
async function harnessRun(workload: Awaited<ReturnType<typeof openWorkload>>, seconds: number, kind: 'steady' | 'short'): Promise<number> {
  const outDir = mkdtempSync(join(tmpdir(), 'soak-overhead-'));
  const durationMs = kind === 'steady' ? 24 * 3600 * 1000 : seconds * 1000;
  const controller = new AbortController();
  const options: RunOptions = {
    durationMs,
    load: { kind: 'closed', concurrency: 1 },
    sampleIntervalMs: defaultSampleIntervalMs(durationMs),
    criteria: DEFAULT_CRITERIA,
    criteriaFile: null,
    outDir,
    abortOnFail: false,
    recordedOptions: { bench: 'soak-overhead', kind },
    signal: controller.signal,
  };
  const timer = kind === 'steady' ? setTimeout(() => controller.abort('bench'), seconds * 1000) : null;
  let last: { elapsed_s: number; iterations: number } | null = null;
  let stopped = false;
  try {
    await runSoakOn(workload, options, (event) => {
      if (event.type === 'stopping') stopped = true;
      if (event.type === 'sample' && !stopped) last = event.sample;
    });
  } finally {
    if (timer !== null) clearTimeout(timer);
    rmSync(outDir, { recursive: true, force: true });
  }
  const sample = last as { elapsed_s: number; iterations: number } | null;
  if (sample === null || sample.iterations === 0) throw new Error('the harness run took no sample');
  return (sample.elapsed_s * 1000) / sample.iterations;
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
  const summary = JSON.parse(result.stdout) as { iterations: { total: number }; duration: { actual_s: number } };
  const samples = readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { elapsed_s: number; rss_mb: number; heap_after_gc_mb: number; heap_after_gc_total_mb: number });
  const window = (from: number, to: number) => samples.filter((s) => s.elapsed_s >= from && s.elapsed_s <= to);
  const end = summary.duration.actual_s;
  const first = window(45, 75);
  const last = window(end - 60, end);
  const rows = [['', 'RSS MB', 'main heap after GC MB', 'all threads heap+external after GC MB', 'samples']];
  const describe = (label: string, group: typeof samples) =>
    rows.push([label, fixed(median(group.map((s) => s.rss_mb))), fixed(median(group.map((s) => s.heap_after_gc_mb))), fixed(median(group.map((s) => s.heap_after_gc_total_mb))), String(group.length)]);
  describe('minute 1 (45-75 s), median', first);
  describe(`last minute (${fixed(end - 60)}-${fixed(end)} s), median`, last);
  console.log(`\n2. memory: no-op workload, ${minutes} minutes, ${summary.iterations.total.toLocaleString('en-US')} iterations`);
  console.log(renderTable(rows));
  const growth = median(last.map((s) => s.rss_mb)) - median(first.map((s) => s.rss_mb));
  console.log(`RSS growth, minute 1 to the last minute: ${fixed(growth)} MB (run directory ${dir})`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '60' },
      minutes: { type: 'string', default: '10' },
      'skip-time': { type: 'boolean', default: false },
      'skip-memory': { type: 'boolean', default: false },
    },
  });
  console.log(`soak-overhead: node ${process.version}, ${cpus()[0]?.model.trim() ?? 'cpu'} × ${availableParallelism()}`);
  if (!values['skip-time']) await timeCost(Number(values.rounds), Number(values.seconds));
  if (!values['skip-memory']) memoryGrowth(Number(values.minutes));
}

await main();
