import { join } from 'node:path';
import type { Command } from 'commander';
import { checkTapeFits } from '../../engine/columns.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { writeLoadReport } from '../../report/html/load.js';
import { renderLoadTable } from '../../report/load-text.js';
import { DEFAULT_LOAD_SECONDS, DEFAULT_LOAD_SIZES, LoadSizeError, runLoad, type LoadOptions, type LoadProgress, type LoadReport, type LoadStop } from '../../stress/load.js';
import { DEFAULT_CROSSOVER_ROWS, DEFAULT_POLL_MICROS, MAX_POLL_MICROS } from '../../workers/kpi-pool.js';
import { EXIT, UsageError } from '../errors.js';
import { MAX_MEMORY_HELP, parseMaxMemory, parseRowCountList, parseThreads, parseWholeNumber, prepareOutputDir } from '../options.js';
import { printJson, printText } from '../output.js';

/** Generated load reports go here (git-ignored) unless --out names a folder. */
export const LOAD_REPORTS_DIR = join('reports', 'load');
const MAX_SECONDS = 24 * 3600;

interface LoadFlags {
  rows?: string;
  input?: string;
  threads?: string;
  seconds?: string;
  iterations?: string;
  crossover?: string;
  poll?: string;
  json?: boolean;
  out?: string;
  maxMemory?: string;
}

interface LoadCommandOptions {
  readonly load: LoadOptions;
  readonly json: boolean;
  /** the report file to write */
  readonly reportDir: string;
  readonly reportName: ((startedAt: string) => string) | string;
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description(
      'load/scalability of the KPI engine: per size, a closed loop (one iteration in flight) of the per-snapshot ' +
        'KPI computation over columns already in memory; latency percentiles, rows/s, memory, CPU, and the growth ' +
        'exponent of latency against rows',
    )
    .option('--rows <list>', `comma-separated sizes, e.g. 10k,100k,1m (default: ${DEFAULT_LOAD_SIZES.join(',')}; with --input, those below its row count and its row count)`)
    .option('--input <file>', 'measure this tape (and evenly spaced samples of it) instead of a synthetic one')
    .option('--threads <n>', 'worker threads, 1..256 (default: available cores)')
    .option('--seconds <s>', `measured time per size, after warm-up (default: ${DEFAULT_LOAD_SECONDS})`)
    .option('--iterations <n>', 'measured iterations per size instead of a time')
    .option('--crossover <rows>', `compute on the calling thread below this many rows; 0: always the pool (default: ${DEFAULT_CROSSOVER_ROWS})`)
    .option(
      '--poll <µs>',
      `after answering, a worker polls this long for its next task before it sleeps, 0..${MAX_POLL_MICROS}; 0: sleep at once (default: ${DEFAULT_POLL_MICROS})`,
    )
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .option('--json', 'print the report as JSON')
    .option('--out <dir>', `write load.json into this folder (default: ${LOAD_REPORTS_DIR}/<timestamp>.json)`)
    .action(async (flags: LoadFlags) => {
      const options = parseLoadFlags(flags);
      await runLoadCommand(options);
    });
}

/** argv flags → validated options, or a UsageError naming the flag. Creates the report folder. */
export function parseLoadFlags(flags: LoadFlags): LoadCommandOptions {
  if (flags.seconds !== undefined && flags.iterations !== undefined) {
    throw new UsageError('--seconds and --iterations cannot be used together: choose one way to stop each size');
  }
  let stop: LoadStop | undefined;
  if (flags.seconds !== undefined) stop = { kind: 'seconds', seconds: parseSeconds(flags.seconds) };
  if (flags.iterations !== undefined) stop = { kind: 'iterations', iterations: parseWholeNumber('--iterations', flags.iterations, 1) };
  const memoryLimit = parseMaxMemory(flags.maxMemory);
  let sizes: number[] | null = null;
  if (flags.rows !== undefined) {
    sizes = parseRowCountList('--rows', flags.rows);
    // the sizes are evenly spaced samples of one synthetic tape of the largest size (or of --input, checked as it is read)
    if (flags.input === undefined) checkTapeFits(sizes[sizes.length - 1]!, false, memoryLimit);
  }
  const threads = flags.threads === undefined ? undefined : parseThreads(flags.threads);
  const crossoverRows = flags.crossover === undefined ? undefined : parseWholeNumber('--crossover', flags.crossover, 0);
  const pollMicros = flags.poll === undefined ? undefined : parseWholeNumber('--poll', flags.poll, 0, MAX_POLL_MICROS);
  const reportDir = flags.out === undefined ? prepareOutputDir('report folder', LOAD_REPORTS_DIR) : prepareOutputDir('--out', flags.out);
  return {
    load: {
      sizes,
      input: flags.input === undefined ? { kind: 'synthetic' } : { kind: 'file', path: flags.input },
      ...(threads === undefined ? {} : { threads }),
      ...(crossoverRows === undefined ? {} : { crossoverRows }),
      ...(pollMicros === undefined ? {} : { pollMicros }),
      ...(stop === undefined ? {} : { stop }),
      memoryLimit,
    },
    json: flags.json === true,
    reportDir,
    // ':' is not allowed in Windows file names, so the ISO timestamp uses '-' between hours, minutes, seconds
    reportName: flags.out === undefined ? (startedAt) => `${startedAt.replace(/:/g, '-')}.json` : 'load.json',
  };
}

function parseSeconds(text: string): number {
  const value = Number(text.trim());
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !(value > 0) || value > MAX_SECONDS) {
    throw new UsageError(`--seconds takes a number of seconds > 0 and ≤ ${MAX_SECONDS}, got "${text}"`);
  }
  return value;
}

async function runLoadCommand(options: LoadCommandOptions): Promise<void> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  // once: a second Ctrl-C falls back to the default and ends the process at once
  process.once('SIGINT', onInterrupt);
  const progress = process.stderr.isTTY && !options.json ? printProgress : undefined;
  let report: LoadReport;
  try {
    report = await runLoad({ ...options.load, signal: controller.signal }, progress);
  } catch (error) {
    if (error instanceof LoadSizeError) throw new UsageError(`--rows: ${error.message}`);
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  const name = typeof options.reportName === 'string' ? options.reportName : options.reportName(report.started_at);
  const path = join(options.reportDir, name);
  writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
  writeLoadReport(path, report);
  if (options.json) printJson(report);
  else printText(`${renderLoadTable(report)}Report: ${path}`);
  if (report.interrupted) process.exitCode = EXIT.interrupted;
}

function printProgress(event: LoadProgress): void {
  switch (event.type) {
    case 'input':
      process.stderr.write(`input ready: ${event.input.rows} rows in ${event.ingest_ms.toFixed(0)} ms\n`);
      break;
    case 'size-start':
      process.stderr.write(`measuring ${event.rows} rows (${event.index + 1}/${event.of})…\n`);
      break;
    case 'size-done':
      process.stderr.write(`  ${event.result.iterations} iterations, p50 ${event.result.latency_ms.p50.toFixed(3)} ms\n`);
      break;
  }
}
