/**
 * A whole gate run: inputs, the base build, the first round, the confirming round for what the first flagged,
 * and the report. The command (cli/commands/gate.ts) validates the options and prints; this file measures.
 */
import { join } from 'node:path';
import { BASELINE_FORMAT, type Baseline } from './baseline.js';
import { buildBase, commitOf, type BaseBuild } from './base.js';
import {
  blockValue,
  combineRounds,
  Interrupted,
  judgeRound,
  measureRound,
  writeInputs,
  type JudgeInput,
  type Progress,
  type RoundResult,
} from './compare.js';
import type { GateReport } from './render.js';
import { currentPackageRoot } from './sides.js';
import { DEFAULT_CONFIDENCE, gateFails, median } from './stats.js';
import { CALIBRATION_LOOP, type Benchmark, type Plan } from './suite.js';

export type Against =
  | { readonly kind: 'base'; readonly ref: string; readonly repo: string; readonly packageDir: string; readonly commit: string }
  | { readonly kind: 'baseline'; readonly file: string; readonly baseline: Baseline };

export interface GateOptions {
  readonly against: Against;
  readonly benchmarks: readonly Benchmark[];
  readonly thresholds: ReadonlyMap<string, number>;
  readonly plan: Plan;
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly progress: Progress;
}

export async function runGate(options: GateOptions): Promise<GateReport> {
  const startedAt = new Date();
  const started = performance.now();
  const { against, benchmarks, plan, signal, progress } = options;
  let building: Promise<BaseBuild | null> = Promise.resolve(null);
  if (against.kind === 'base') {
    progress(`building base ${against.ref} (${against.commit.slice(0, 12)}) in a temporary worktree…`);
    building = buildBase(against.repo, against.packageDir, against.commit, signal, progress);
  }
  // the inputs are written while the base builds; whichever fails, the other is still cleaned up
  const [written, built] = await Promise.allSettled([writeInputs(benchmarks), building]);
  const data = written.status === 'fulfilled' ? written.value : null;
  const base: BaseBuild | null = built.status === 'fulfilled' ? built.value : null;
  try {
    if (written.status === 'rejected') throw written.reason;
    if (built.status === 'rejected') throw signal.aborted ? new Interrupted('interrupted') : built.reason;
    if (base) progress(`  base built in ${base.buildSeconds.toFixed(0)} s (node_modules ${base.install})`);
    const builds = { base: base?.dist ?? null, current: join(currentPackageRoot(), 'dist') };
    const input: JudgeInput = {
      benchmarks,
      thresholds: options.thresholds,
      seed: options.seed,
      baseline: against.kind === 'baseline' ? against.baseline : null,
    };
    progress(`round 1: ${benchmarks.length} benchmarks × ${plan.pairs} block pairs`);
    const first = await measureRound(builds, data!.dir, benchmarks, plan, signal, progress);
    const judgedFirst = judgeRound(input, 1, first);
    const flagged = benchmarks.filter((benchmark) => judgedFirst.get(benchmark.name)?.verdict === 'regression');
    let judgedSecond: Map<string, RoundResult> | null = null;
    let calibration = [...first.samples.values()].flatMap((samples) => samples.calibration);
    if (flagged.length > 0) {
      progress(`round 2, to confirm: ${flagged.map((b) => b.name).join(', ')}`);
      const second = await measureRound(builds, data!.dir, flagged, plan, signal, progress);
      judgedSecond = judgeRound(input, 2, second);
      calibration = calibration.concat([...second.samples.values()].flatMap((samples) => samples.calibration));
    }
    const results = combineRounds(input, judgedFirst, judgedSecond, first.unavailable);
    const confirmed = results.filter((result) => result.verdict === 'regression').map((result) => result.name);
    return {
      mode: against.kind,
      against:
        against.kind === 'base'
          ? `${against.ref} (${against.commit.slice(0, 12)})`
          : `${against.file} (${against.baseline.created_at}${against.baseline.commit ? `, ${against.baseline.commit.slice(0, 12)}` : ''})`,
      quick: plan.quick,
      seed: options.seed,
      confidence: DEFAULT_CONFIDENCE,
      started_at: startedAt.toISOString(),
      duration_s: (performance.now() - started) / 1000,
      ...(base ? { base_build: { commit: base.commit, install: base.install, seconds: base.buildSeconds } } : {}),
      ...(against.kind === 'baseline' && calibration.length > 0
        ? { machine_slowdown: median(calibration) / median(against.baseline.calibration_ms) }
        : {}),
      benchmarks: results,
      confirmed_regressions: confirmed,
      failed: gateFails(results.map((result) => result.verdict)),
    };
  } finally {
    base?.remove();
    data?.remove();
  }
}

/** Measure the current tree alone, with the calibration loop, and return what --baseline judges against. */
export async function measureBaseline(options: Omit<GateOptions, 'against' | 'thresholds' | 'seed'>): Promise<Baseline> {
  const { benchmarks, plan, signal, progress } = options;
  const data = await writeInputs(benchmarks);
  try {
    progress(`measuring ${benchmarks.length} benchmarks × ${plan.pairs} blocks for the baseline`);
    const round = await measureRound({ base: null, current: join(currentPackageRoot(), 'dist') }, data.dir, benchmarks, plan, signal, progress);
    return {
      format: BASELINE_FORMAT,
      created_at: new Date().toISOString(),
      commit: commitOf(currentPackageRoot(), 'HEAD'),
      quick: plan.quick,
      node: process.version,
      calibration_loop: CALIBRATION_LOOP,
      calibration_ms: [...round.samples.values()].flatMap((samples) => samples.calibration),
      benchmarks: Object.fromEntries(
        benchmarks.map((benchmark) => [benchmark.name, { unit: benchmark.unit, blocks: round.samples.get(benchmark.name)!.current.map(blockValue) }]),
      ),
    };
  } finally {
    data.remove();
  }
}
