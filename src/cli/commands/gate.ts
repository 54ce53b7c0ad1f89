import { appendFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { readBaseline, writeBaseline, DEFAULT_BASELINE_FILE } from '../../gate/baseline.js';
import { repositoryOf, resolveCommit } from '../../gate/base.js';
import { CurrentBuildError, Interrupted } from '../../gate/compare.js';
import { renderGateMarkdown, renderGateText, type GateReport } from '../../gate/render.js';
import { measureBaseline, runGate, type Against } from '../../gate/run.js';
import { currentPackageRoot } from '../../gate/sides.js';
import { median } from '../../gate/stats.js';
import { BENCHMARK_NAMES, FULL_PLAN, QUICK_PLAN, SUITE, type Benchmark, type Plan } from '../../gate/suite.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { table } from '../../report/kpi-text.js';
import { EXIT, UsageError } from '../errors.js';
import { parseWholeNumber, prepareOutputDir } from '../options.js';
import { printJson, printText } from '../output.js';

const DEFAULT_THRESHOLD = 0.1;

interface GateFlags {
  base?: string;
  baseline?: string;
  updateBaseline?: string | boolean;
  quick?: boolean;
  only?: string;
  threshold: string[];
  seed?: string;
  out?: string;
  json?: boolean;
}

type GateTask =
  | { readonly kind: 'judge'; readonly against: Against; readonly thresholds: ReadonlyMap<string, number> }
  | { readonly kind: 'update-baseline'; readonly file: string };

interface GateCommandOptions {
  readonly task: GateTask;
  readonly benchmarks: readonly Benchmark[];
  readonly plan: Plan;
  readonly seed: number;
  readonly out: string | null;
  readonly json: boolean;
}

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description(
      'performance-regression gate for CI: runs the benchmark suite on the current tree and on a base (built from a ' +
        'git ref and run interleaved, A B A B, in the same time window) or against stored results; fails (exit 1) ' +
        'only when a regression beyond the limit is found by two independent rounds',
    )
    .option('--base <ref>', 'git ref to compare with, built in a temporary worktree (e.g. HEAD~1, main)')
    .option('--baseline <file>', `stored results to compare with, scaled by the calibration loop (e.g. ${DEFAULT_BASELINE_FILE})`)
    .option('--update-baseline [file]', `measure the current tree and store the results (default: ${DEFAULT_BASELINE_FILE})`)
    .option('--quick', `fewer block pairs (${QUICK_PLAN.pairs} instead of ${FULL_PLAN.pairs}) and shorter soak blocks`)
    .option('--only <list>', `comma-separated benchmarks (default: all of ${BENCHMARK_NAMES.join(', ')})`)
    .option(
      '--threshold <spec>',
      `regression limit as a fraction or percent: "0.15" or "15%" for every benchmark, "kpi-1m=0.2" for one; repeatable (default: ${DEFAULT_THRESHOLD})`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--seed <n>', 'seed of the bootstrap resampling (default: 1)')
    .option('--out <dir>', 'write gate.json and summary.md into this folder')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nsummary.md (Markdown) goes to --out DIR, and is appended to $GITHUB_STEP_SUMMARY when that is set.\n' +
        'Exit codes: 0 no confirmed regression, 1 confirmed regression, 2 bad usage, 130 interrupted.',
    )
    .action(async (flags: GateFlags) => {
      await runGateCommand(parseGateFlags(flags));
    });
}

/** "0.15", "15%", "kpi-1m=0.2" → thresholds for every benchmark of the suite; later specs win. */
export function parseThresholds(specs: readonly string[]): Map<string, number> {
  const thresholds = new Map(BENCHMARK_NAMES.map((name) => [name, DEFAULT_THRESHOLD]));
  for (const spec of specs) {
    const match = /^\s*(?:([\w-]+)\s*=\s*)?(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(spec);
    if (!match) throw new UsageError(`--threshold takes 0.15, 15% or BENCHMARK=0.15, got "${spec}"`);
    const value = Number(match[2]) / (match[3] === '%' ? 100 : 1);
    if (!(value > 0 && value < 1)) throw new UsageError(`--threshold ${spec}: the limit must be above 0 and below 1 (100%)`);
    const name = match[1];
    if (name === undefined) for (const key of thresholds.keys()) thresholds.set(key, value);
    else if (!thresholds.has(name)) throw new UsageError(`--threshold ${spec}: no benchmark "${name}" (benchmarks: ${BENCHMARK_NAMES.join(', ')})`);
    else thresholds.set(name, value);
  }
  return thresholds;
}

export function parseOnly(text: string | undefined): Benchmark[] {
  if (text === undefined) return [...SUITE];
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const unknown = names.filter((name) => !BENCHMARK_NAMES.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`--only ${text}: ${names.length === 0 ? 'names no benchmark' : `no benchmark "${unknown[0]}"`} (benchmarks: ${BENCHMARK_NAMES.join(', ')})`);
  }
  return SUITE.filter((benchmark) => names.includes(benchmark.name));
}

/** argv flags → validated options; resolves the ref and reads the baseline, so that bad ones fail before any work. */
function parseGateFlags(flags: GateFlags): GateCommandOptions {
  const chosen = [flags.base !== undefined, flags.baseline !== undefined, flags.updateBaseline !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('choose exactly one of --base REF, --baseline FILE or --update-baseline [FILE]');
  const benchmarks = parseOnly(flags.only);
  const thresholds = parseThresholds(flags.threshold);
  const seed = flags.seed === undefined ? 1 : parseWholeNumber('--seed', flags.seed, 0, 2 ** 32 - 1);
  const out = flags.out === undefined ? null : prepareOutputDir('--out', flags.out);
  let task: GateTask;
  if (flags.base !== undefined) {
    const root = currentPackageRoot();
    const repo = repositoryOf(root);
    const commit = resolveCommit(repo, flags.base);
    task = { kind: 'judge', thresholds, against: { kind: 'base', ref: flags.base, repo, packageDir: relative(repo, root), commit } };
  } else if (flags.baseline !== undefined) {
    task = { kind: 'judge', thresholds, against: { kind: 'baseline', file: flags.baseline, baseline: readBaseline(flags.baseline) } };
  } else {
    const file = typeof flags.updateBaseline === 'string' ? flags.updateBaseline : DEFAULT_BASELINE_FILE;
    prepareOutputDir('--update-baseline', dirname(resolve(file)));
    task = { kind: 'update-baseline', file };
  }
  return { task, benchmarks, plan: flags.quick ? QUICK_PLAN : FULL_PLAN, seed, out, json: flags.json === true };
}

async function runGateCommand(options: GateCommandOptions): Promise<void> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  // once: a second Ctrl-C falls back to the default and ends the process at once
  process.once('SIGINT', onInterrupt);
  // progress goes to stderr, so that it shows in a CI log without mixing into --json
  const started = performance.now();
  const progress = (line: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
  const common = { benchmarks: options.benchmarks, plan: options.plan, signal: controller.signal, progress };
  try {
    if (options.task.kind === 'update-baseline') {
      const baseline = await measureBaseline(common);
      writeBaseline(options.task.file, baseline);
      if (options.json) printJson(baseline);
      else {
        const rows = Object.entries(baseline.benchmarks).map(([name, entry]) => [name, `${median(entry.blocks).toPrecision(4)} ${entry.unit}`, String(entry.blocks.length)]);
        printText(`${table(['benchmark', 'median', 'blocks'], rows)}\ncalibration loop median ${median(baseline.calibration_ms).toFixed(2)} ms\nwrote ${options.task.file}`);
      }
      return;
    }
    const report = await runGate({ ...common, against: options.task.against, thresholds: options.task.thresholds, seed: options.seed });
    publish(report, options);
    if (report.failed) process.exitCode = EXIT.failed;
  } catch (error) {
    if (error instanceof Interrupted || controller.signal.aborted) {
      process.stderr.write('stress: gate interrupted; nothing judged\n');
      process.exitCode = EXIT.interrupted;
      return;
    }
    if (error instanceof CurrentBuildError) {
      process.stderr.write(`stress: ${error.message}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

function publish(report: GateReport, options: GateCommandOptions): void {
  const markdown = renderGateMarkdown(report);
  if (options.out !== null) {
    writeFileAtomic(join(options.out, 'gate.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileAtomic(join(options.out, 'summary.md'), markdown);
  }
  // GitHub Actions shows what a step appends to this file on the run's summary page
  const stepSummary = process.env['GITHUB_STEP_SUMMARY'];
  if (stepSummary) appendFileSync(stepSummary, markdown);
  if (options.json) printJson(report);
  else printText(renderGateText(report));
}
