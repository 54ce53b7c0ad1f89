/**
 * `stress run`: argv → one validated, filled SoakOptions (every problem is exit 2 before anything starts),
 * then runSoak; the progress line and the checkpoint table listen to its events.
 */
import { statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { checkTapeFits } from '../../engine/columns.js';
import { renderCheckpointRow, renderSummaryText } from '../../report/summary-text.js';
import { DEFAULT_CRITERIA, parseCriteriaFile } from '../../stress/criteria.js';
import { formatDuration, parseDuration } from '../../stress/duration.js';
import { ProgressLine } from '../../stress/progress.js';
import { claimNewRunDir, claimRunDir, type RunDirClaim } from '../../stress/run-claim.js';
import type { LoadPlan } from '../../stress/run-dir.js';
import { injectsNothing, parseInjectSpec } from '../../stress/inject.js';
import { defaultSampleIntervalMs, defaultTaskTimeoutMs, isWriteError, MIN_SAMPLE_INTERVAL_MS, runSoak, RunWriteError, type SoakEvent, type SoakOptions } from '../../stress/run.js';
import type { RunSummary } from '../../stress/summary.js';
import { DEFAULT_ROWS, defaultWorkloadThreads, type WorkloadSpec } from '../../stress/workloads.js';
import { DEFAULT_POLL_MICROS, MAX_POLL_MICROS } from '../../workers/kpi-pool.js';
import { WorkloadLoadError } from '../../workers/workload-pool.js';
import { EXIT, UsageError } from '../errors.js';
import { MAX_MEMORY_HELP, parseMaxMemory, parseRowCount, parseThreads, parseWholeNumber } from '../options.js';
import { printJson, printText } from '../output.js';

/** Run directories go here (git-ignored) unless --runs-dir names another parent or --out the folder itself. */
export const RUNS_DIR = join('reports', 'runs');
export const DEFAULT_DURATION = '24h';
const MAX_CONCURRENCY = 10_000;
const MAX_RATE = 1_000_000;

export interface RunFlags {
  duration?: string;
  rows?: string;
  input?: string;
  mode?: string;
  workload?: string;
  threads?: string;
  poll?: string;
  concurrency?: string;
  rate?: string;
  sampleInterval?: string;
  criteria?: string;
  out?: string;
  runsDir?: string;
  maxMemory?: string;
  abortOnFail?: boolean;
  inject?: string;
  taskTimeout?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface RunCommandOptions {
  readonly soak: Omit<SoakOptions, 'signal'>;
  readonly json: boolean;
  readonly quiet: boolean;
  /** the run directory, claimed for this run; released if the run fails before it starts */
  readonly claim: RunDirClaim;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      'sustained soak: drive the KPI engine (or a workload module) for --duration, record every iteration in ' +
        'HdrHistograms, sample memory and CPU, detect memory drift, and judge the run by the 24-hour stability ' +
        'criteria; writes a run directory that `stress report` can rebuild after a crash',
    )
    .option('--duration <d>', 'how long, e.g. 90s, 30m, 24h, 1h30m', DEFAULT_DURATION)
    .option('--rows <n>', `rows of the synthetic tape of the kpi workload (default: ${DEFAULT_ROWS})`)
    .option('--input <file>', 'the tape of the kpi workload (instead of a synthetic one); required by --mode pipeline')
    .option('--mode <mode>', 'kpi: compute over the tape in memory; pipeline: re-read, validate and compute --input every iteration', 'kpi')
    .option('--workload <module>', 'an ES module whose default export is one iteration (run in every pool worker; optional setup())')
    .option('--threads <n>', 'worker threads of the pool, 1..256 (default: available cores)')
    .option(
      '--poll <µs>',
      `kpi workload: after answering, a worker polls this long for its next task before it sleeps, 0..${MAX_POLL_MICROS}; 0: sleep at once (default: ${DEFAULT_POLL_MICROS})`,
    )
    .option(
      '--concurrency <n>',
      'closed loop: iterations in flight (default: 1 for kpi, --threads otherwise); with --rate: the most in flight (default: max(16, 4 × threads))',
    )
    .option('--rate <r>', 'open loop: iterations per second at fixed intended start times, e.g. 50 or 50/s')
    .option('--sample-interval <d>', `memory/CPU sample and latency interval (default: min(5s, duration/60), at least ${MIN_SAMPLE_INTERVAL_MS}ms)`)
    .option('--criteria <file>', 'JSON file overriding the default stability criteria')
    .option('--out <dir>', 'the run directory itself; refused if it already holds a run')
    .option('--runs-dir <dir>', `without --out: the parent of a new run directory <timestamp>-<4 hex> (default: ${RUNS_DIR})`)
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .option('--abort-on-fail', 'stop at the first failed criterion')
    .option('--inject <faults>', 'inject faults per iteration, e.g. worker-crash=0.001,hang=0.0005,throw=0.01,leak=1KiB')
    .option('--task-timeout <d>', 'abandon an iteration running longer, replacing its worker (default: min(30s, max(10s, duration/10)))')
    .option('--json', 'print the summary as JSON at the end (no progress, no table)')
    .option('--quiet', 'no progress line and no checkpoint table; only the summary at the end')
    .action(async (flags: RunFlags) => {
      const options = parseRunFlags(flags);
      await runCommand(options);
    });
}

/** argv flags → validated, filled options, or a UsageError naming the flag. Claims the run directory. */
export function parseRunFlags(flags: RunFlags, now: Date = new Date()): RunCommandOptions {
  const durationText = flags.duration ?? DEFAULT_DURATION;
  const durationMs = parseDuration(durationText, '--duration');
  let sampleIntervalMs = defaultSampleIntervalMs(durationMs);
  if (flags.sampleInterval !== undefined) {
    sampleIntervalMs = parseDuration(flags.sampleInterval, '--sample-interval');
    if (sampleIntervalMs < MIN_SAMPLE_INTERVAL_MS) {
      throw new UsageError(`--sample-interval must be at least ${MIN_SAMPLE_INTERVAL_MS}ms (each sample forces a GC on every thread), got ${flags.sampleInterval}`);
    }
    if (sampleIntervalMs > durationMs) throw new UsageError(`--sample-interval ${flags.sampleInterval} is longer than --duration ${durationText}`);
  }

  const mode = flags.mode ?? 'kpi';
  if (mode !== 'kpi' && mode !== 'pipeline') throw new UsageError(`--mode takes kpi or pipeline, got "${mode}"`);
  const threads = flags.threads === undefined ? defaultWorkloadThreads() : parseThreads(flags.threads);
  const memoryLimit = parseMaxMemory(flags.maxMemory);
  const pollMicros = flags.poll === undefined ? DEFAULT_POLL_MICROS : parseWholeNumber('--poll', flags.poll, 0, MAX_POLL_MICROS);
  if (flags.poll !== undefined && (flags.workload !== undefined || mode === 'pipeline')) {
    throw new UsageError('--poll sets the KPI pool\'s workers: it applies to the kpi workload only, not to --workload or --mode pipeline');
  }
  let workload: WorkloadSpec;
  if (flags.workload !== undefined) {
    if (flags.rows !== undefined || flags.input !== undefined || flags.mode === 'pipeline') {
      throw new UsageError('--workload runs its own module: it cannot be combined with --rows, --input or --mode pipeline');
    }
    workload = { kind: 'module', path: existingFile('--workload', flags.workload), threads };
  } else if (mode === 'pipeline') {
    if (flags.input === undefined) throw new UsageError('--mode pipeline re-reads a file every iteration: give it with --input FILE');
    if (flags.rows !== undefined) throw new UsageError('--rows and --input cannot be used together');
    workload = { kind: 'pipeline', input: existingFile('--input', flags.input), threads, memoryLimit };
  } else if (flags.input !== undefined) {
    if (flags.rows !== undefined) throw new UsageError('--rows and --input cannot be used together');
    workload = { kind: 'kpi', input: { kind: 'file', path: existingFile('--input', flags.input) }, threads, pollMicros, memoryLimit };
  } else {
    const rows = flags.rows === undefined ? DEFAULT_ROWS : parseRowCount('--rows', flags.rows);
    // refused here, before the run folder is claimed and before any memory is reserved
    checkTapeFits(rows, false, memoryLimit);
    workload = { kind: 'kpi', input: { kind: 'synthetic', rows }, threads, pollMicros, memoryLimit };
  }

  let load: LoadPlan;
  const concurrency = flags.concurrency === undefined ? null : parseWholeNumber('--concurrency', flags.concurrency, 1, MAX_CONCURRENCY);
  if (flags.rate !== undefined) {
    const rate = parseRate(flags.rate);
    load = { kind: 'open', rate_per_s: rate, max_in_flight: concurrency ?? Math.max(16, 4 * threads) };
  } else {
    // one KPI iteration already spreads over every thread of the pool; a module iteration takes one thread
    load = { kind: 'closed', concurrency: concurrency ?? (workload.kind === 'kpi' ? 1 : threads) };
  }

  const criteria = flags.criteria === undefined ? DEFAULT_CRITERIA : parseCriteriaFile(flags.criteria);
  const inject = flags.inject === undefined ? null : parseInjectSpec(flags.inject);
  const taskTimeoutMs = flags.taskTimeout === undefined ? defaultTaskTimeoutMs(durationMs) : parseDuration(flags.taskTimeout, '--task-timeout');
  if (flags.out !== undefined && flags.runsDir !== undefined) throw new UsageError('--out names the run directory itself and --runs-dir its parent: give one of them');
  const claim = flags.out === undefined ? claimNewRunDir('--runs-dir', flags.runsDir ?? RUNS_DIR, now) : claimRunDir('--out', flags.out);
  const outDir = claim.dir;

  const recordedOptions: Record<string, unknown> = {
    duration: durationText,
    duration_ms: durationMs,
    sample_interval_ms: sampleIntervalMs,
    workload: workload.kind,
    ...(workload.kind === 'kpi' && workload.input.kind === 'synthetic' ? { rows: workload.input.rows } : {}),
    ...(workload.kind === 'kpi' && workload.input.kind === 'file' ? { input: workload.input.path } : {}),
    ...(workload.kind === 'pipeline' ? { input: workload.input } : {}),
    ...(workload.kind === 'module' ? { module: workload.path } : {}),
    threads,
    ...(workload.kind === 'kpi' ? { poll_us: workload.pollMicros } : {}),
    max_memory_bytes: memoryLimit.bytes,
    load,
    criteria: flags.criteria ?? null,
    out: outDir,
    abort_on_fail: flags.abortOnFail === true,
    task_timeout_ms: taskTimeoutMs,
    ...(inject !== null && !injectsNothing(inject) ? { inject } : {}),
  };
  return {
    soak: {
      durationMs,
      workload,
      load,
      sampleIntervalMs,
      criteria,
      criteriaFile: flags.criteria === undefined ? null : resolve(flags.criteria),
      outDir,
      abortOnFail: flags.abortOnFail === true,
      recordedOptions,
      inject,
      taskTimeoutMs,
    },
    json: flags.json === true,
    quiet: flags.quiet === true,
    claim,
  };
}

/** "50", "50/s", "0.5" → iterations per second. */
export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/s)?\s*$/.exec(text);
  const value = match ? Number(match[1]) : Number.NaN;
  if (!(value > 0) || value > MAX_RATE) throw new UsageError(`--rate takes iterations per second > 0 and ≤ ${MAX_RATE}, e.g. 50 or 50/s, got "${text}"`);
  return value;
}

function existingFile(option: string, path: string): string {
  let file = false;
  try {
    file = statSync(path).isFile();
  } catch {
    // reported below
  }
  if (!file) throw new UsageError(`${option} ${path}: file not found or not a regular file`);
  return resolve(path);
}

export function exitCodeOf(summary: RunSummary): number {
  switch (summary.status) {
    case 'PASS':
    case 'WARN':
      return EXIT.ok;
    case 'FAIL':
      return EXIT.failed;
    case 'INTERRUPTED':
      return EXIT.interrupted;
  }
}

async function runCommand(options: RunCommandOptions): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => controller.abort(signal);
  // once: a second Ctrl-C (or SIGTERM) falls back to the default and ends the process at once
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const live = !options.json && !options.quiet;
  const progress = live && process.stderr.isTTY ? new ProgressLine(process.stderr) : null;
  let rows = 0;
  const onEvent = (event: SoakEvent) => {
    switch (event.type) {
      case 'start':
        if (live) {
          const plan = event.manifest.checkpoint_plan;
          printText(
            `stress run: ${formatDuration(event.manifest.planned_s * 1000)}, ${plan.length} checkpoints, ` +
              `${event.manifest.workload.kind} workload; run directory ${event.dir}`,
          );
        }
        break;
      case 'progress':
        progress?.update(event.progress);
        break;
      case 'checkpoint':
        if (live) {
          const row = renderCheckpointRow(event.record, rows === 0);
          rows += 1;
          if (progress) progress.print(process.stdout, row);
          else process.stdout.write(row);
        }
        break;
      case 'stopping':
        if (live && event.reason.kind !== 'completed') {
          const line = event.reason.kind === 'interrupted' ? `${event.reason.why}: finishing the iterations in flight…` : `stopping: ${event.reason.criterion} failed`;
          if (progress) progress.print(process.stderr, line);
          else process.stderr.write(`${line}\n`);
        }
        break;
      case 'sample':
      case 'end':
        break;
    }
  };
  let summary: RunSummary;
  try {
    ({ summary } = await runSoak({ ...options.soak, signal: controller.signal }, onEvent));
  } catch (error) {
    if (error instanceof RunWriteError) {
      progress?.clear();
      process.stderr.write(`stress: ${error.message}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    // a run that never started leaves its folder free for the next try
    options.claim.release();
    if (error instanceof WorkloadLoadError) throw new UsageError(`--workload: ${error.message}`);
    // the run's first files could not be written: a folder that cannot be written, found before the run
    if (isWriteError(error) && error.path?.startsWith(options.soak.outDir)) {
      throw new UsageError(`run folder ${options.soak.outDir}: cannot write ${basename(error.path)} (${error.message})`);
    }
    throw error;
  } finally {
    progress?.clear();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (options.json) printJson(summary);
  else printText(`${renderSummaryText(summary)}\nRun directory: ${options.soak.outDir} (summary.md, summary.json, report.html)`);
  process.exitCode = exitCodeOf(summary);
}
