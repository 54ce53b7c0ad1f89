/**
 * The gate's runs: measuring rounds side by side (A B A B) or against stored results, and turning the samples
 * into verdicts. The statistics are in stats.ts; this file owns the processes, the inputs and the order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticFile } from '../io/synthetic.js';
import type { Baseline } from './baseline.js';
import { SideProcess } from './sides.js';
import {
  bootstrapCalibratedRatio,
  bootstrapMedian,
  confirmedVerdict,
  median,
  roundVerdict,
  seededRandom,
  type Interval,
  type RoundVerdict,
  type Verdict,
} from './stats.js';
import { INPUT_DATES, INPUT_SEED, INPUTS, inputsOf, type Benchmark, type Plan } from './suite.js';

/** Samples of one benchmark in one round: blocks of samples per side, and the calibration loop's times. */
export interface RoundSamples {
  readonly base: number[][];
  readonly current: number[][];
  readonly calibration: number[];
}

export interface RoundResult {
  readonly base_median: number;
  readonly current_median: number;
  /** current / base, with its 95% bootstrap interval */
  readonly ratio: Interval;
  readonly verdict: RoundVerdict;
  readonly blocks: number;
  /** side by side: current / base of each block pair, in the order measured */
  readonly pair_ratios?: readonly number[];
}

export interface BenchmarkResult {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly threshold: number;
  readonly verdict: Verdict;
  /** why it is not comparable */
  readonly reason?: string;
  /** the first round, then the confirming round when the first found a regression */
  readonly rounds: readonly RoundResult[];
}

export interface Progress {
  (line: string): void;
}

/** What a block stands for: the median of its samples (a soak block has one value, its p99). */
export function blockValue(values: readonly number[]): number {
  return median(values);
}

/** A fresh generator for each (round, benchmark), so that adding a benchmark never shifts another's interval. */
function roundRandom(seed: number, round: number, benchmarkIndex: number): () => number {
  return seededRandom((seed * 1_000_003 + round * 1009 + benchmarkIndex) >>> 0);
}

/** A side-by-side round: per-pair ratios of block values, bootstrapped over the pairs. */
export function judgePairedRound(samples: RoundSamples, threshold: number, random: () => number): RoundResult {
  const ratios = samples.current.map((block, i) => blockValue(block) / blockValue(samples.base[i]!));
  const ratio = bootstrapMedian(ratios, random);
  return {
    base_median: median(samples.base.map(blockValue)),
    current_median: median(samples.current.map(blockValue)),
    ratio,
    verdict: roundVerdict(ratio, threshold),
    blocks: ratios.length,
    pair_ratios: ratios,
  };
}

/** A round against stored block values, normalised by the calibration loop of each run. */
export function judgeCalibratedRound(
  samples: RoundSamples,
  stored: { readonly blocks: readonly number[]; readonly calibration: readonly number[] },
  threshold: number,
  random: () => number,
): RoundResult {
  const current = samples.current.map(blockValue);
  const ratio = bootstrapCalibratedRatio(
    { values: current, calibration: samples.calibration },
    { values: stored.blocks, calibration: stored.calibration },
    random,
  );
  return {
    base_median: median(stored.blocks),
    current_median: median(current),
    ratio,
    verdict: roundVerdict(ratio, threshold),
    blocks: current.length,
  };
}

/** Writes the suite's inputs into a new temporary folder (the current tree's generator, for both sides). */
export async function writeInputs(benchmarks: readonly Benchmark[]): Promise<{ dir: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'stress-gate-data-'));
  try {
    for (const input of inputsOf(benchmarks)) {
      await writeSyntheticFile(join(dir, INPUTS[input].file), { rows: INPUTS[input].rows, dates: INPUT_DATES, seed: INPUT_SEED });
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Builds {
  /** null: no base build (judging against stored results) */
  readonly base: string | null;
  readonly current: string;
}

/** The tree being judged cannot run its own suite: the gate fails (exit 1), since nothing shows it is not slower. */
export class CurrentBuildError extends Error {
  override name = 'CurrentBuildError';
}

/** Thrown when the run was interrupted between blocks. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/**
 * One round: fresh side processes, warm-up, then for each pair and each benchmark a base block and a current
 * block (or, with no base, a current block and a calibration loop), so both sides share every stretch of the
 * machine's load. Returns the samples of the benchmarks both sides can run, and the reasons for the others.
 */
export async function measureRound(
  builds: Builds,
  dataDir: string,
  benchmarks: readonly Benchmark[],
  plan: Plan,
  signal: AbortSignal,
  progress: Progress,
): Promise<{ samples: Map<string, RoundSamples>; unavailable: Map<string, string> }> {
  if (signal.aborted) throw new Interrupted('interrupted');
  const sides: SideProcess[] = [];
  const stopAll = () => sides.forEach((side) => side.kill());
  signal.addEventListener('abort', stopAll, { once: true });
  try {
    const names = benchmarks.map((benchmark) => benchmark.name);
    // both sides start, load their inputs and warm up at once: none of that is measured
    const starting = [SideProcess.start('current', builds.current, dataDir), builds.base === null ? null : SideProcess.start('base', builds.base, dataDir)];
    const started = await Promise.allSettled(starting);
    for (const side of started) if (side.status === 'fulfilled' && side.value) sides.push(side.value);
    for (const side of started) if (side.status === 'rejected') throw side.reason;
    const current = sides.find((side) => side.label === 'current')!;
    const base = sides.find((side) => side.label === 'base') ?? null;
    const prepare = { type: 'prepare', benchmarks: names, quick: plan.quick, calibrates: base === null } as const;
    const [preparedCurrent, preparedBase] = await Promise.all([current.request(prepare, 'prepared'), base?.request(prepare, 'prepared')]);
    const unavailable = new Map<string, string>();
    for (const [name, reason] of Object.entries(preparedBase?.unavailable ?? {})) unavailable.set(name, `base: ${reason}`);
    for (const [name, reason] of Object.entries(preparedCurrent.unavailable)) {
      // the tree being judged must run its own suite: that is a failure, not an incomparable benchmark
      throw new CurrentBuildError(`gate failed: the current build cannot run ${name}: ${reason}`);
    }
    const runnable = benchmarks.filter((benchmark) => !unavailable.has(benchmark.name));
    const samples = new Map<string, RoundSamples>(runnable.map((b) => [b.name, { base: [], current: [], calibration: [] }]));
    for (let pair = 0; pair < plan.pairs; pair++) {
      for (const benchmark of runnable) {
        if (signal.aborted) throw new Interrupted('interrupted');
        const into = samples.get(benchmark.name)!;
        const request = { type: 'block', benchmark: benchmark.name, quick: plan.quick } as const;
        if (base) into.base.push([...(await base.request(request, 'block')).values]);
        into.current.push([...(await current.request(request, 'block')).values]);
        if (!base) into.calibration.push((await current.request({ type: 'calibrate' }, 'calibration')).ms);
      }
      progress(`  pair ${pair + 1}/${plan.pairs} measured`);
    }
    await Promise.all(sides.map((side) => side.stop()));
    return { samples, unavailable };
  } catch (error) {
    if (signal.aborted) throw new Interrupted('interrupted');
    throw error;
  } finally {
    signal.removeEventListener('abort', stopAll);
    stopAll();
  }
}

export interface JudgeInput {
  readonly benchmarks: readonly Benchmark[];
  readonly thresholds: ReadonlyMap<string, number>;
  readonly seed: number;
  /** stored results to judge against; null for side by side */
  readonly baseline: Baseline | null;
}

/** One round's verdicts for the benchmarks it measured (deterministic for a given seed). */
export function judgeRound(
  input: JudgeInput,
  round: number,
  measured: { samples: ReadonlyMap<string, RoundSamples>; unavailable: ReadonlyMap<string, string> },
): Map<string, RoundResult> {
  const results = new Map<string, RoundResult>();
  input.benchmarks.forEach((benchmark, index) => {
    const samples = measured.samples.get(benchmark.name);
    if (samples === undefined) return;
    const threshold = input.thresholds.get(benchmark.name)!;
    const random = roundRandom(input.seed, round, index);
    const stored = input.baseline?.benchmarks[benchmark.name];
    if (input.baseline === null) results.set(benchmark.name, judgePairedRound(samples, threshold, random));
    else if (stored !== undefined) {
      results.set(benchmark.name, judgeCalibratedRound(samples, { blocks: stored.blocks, calibration: input.baseline.calibration_ms }, threshold, random));
    }
  });
  return results;
}

/** The final word per benchmark, from the first round and the confirming round (if one was run). */
export function combineRounds(
  input: JudgeInput,
  first: ReadonlyMap<string, RoundResult>,
  second: ReadonlyMap<string, RoundResult> | null,
  unavailable: ReadonlyMap<string, string>,
): BenchmarkResult[] {
  return input.benchmarks.map((benchmark) => {
    const common = { name: benchmark.name, unit: benchmark.unit, description: benchmark.description, threshold: input.thresholds.get(benchmark.name)! };
    const one = first.get(benchmark.name);
    if (one === undefined) {
      const reason = unavailable.get(benchmark.name) ?? 'not in the baseline';
      return { ...common, verdict: 'not comparable', reason, rounds: [] };
    }
    const two = second?.get(benchmark.name) ?? null;
    return { ...common, verdict: confirmedVerdict(one.verdict, two?.verdict ?? null), rounds: two ? [one, two] : [one] };
  });
}
