import { accessSync, constants, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_SYNTHETIC_DATES,
  DEFAULT_SYNTHETIC_SEED,
  MAX_SYNTHETIC_DATES,
  SYNTHETIC_EXTENSIONS,
  writeSyntheticFile,
} from '../../io/synthetic.js';
import { EXIT, UsageError } from '../errors.js';
import { parseRowCount, parseWholeNumber } from '../options.js';
import { printJson, printText } from '../output.js';

interface GenerateFlags {
  rows: string;
  dates?: string;
  seed?: string;
  out: string;
  json?: boolean;
}

export interface GenerateOptions {
  readonly rows: number;
  readonly dates: number;
  readonly seed: number;
  /** as given on the command line */
  readonly out: string;
  readonly json: boolean;
}

export interface GenerateResult {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly seed: number;
  readonly dates: number;
}

/** argv strings → validated options, or a UsageError naming the option; nothing is written before this passes. */
export function parseGenerateOptions(flags: GenerateFlags): GenerateOptions {
  const rows = parseRowCount('--rows', flags.rows);
  if (!Number.isSafeInteger(rows)) throw new UsageError(`--rows must be at most ${Number.MAX_SAFE_INTEGER}, got "${flags.rows}"`);
  const dates = flags.dates === undefined ? DEFAULT_SYNTHETIC_DATES : parseWholeNumber('--dates', flags.dates, 1, MAX_SYNTHETIC_DATES);
  const seed = flags.seed === undefined ? DEFAULT_SYNTHETIC_SEED : parseWholeNumber('--seed', flags.seed);
  const out = flags.out;
  const extension = extname(out).toLowerCase();
  if (!(SYNTHETIC_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new UsageError(`--out ${out}: a tape is written as ${SYNTHETIC_EXTENSIONS.join(', ')}, not "${extension || '(no extension)'}"`);
  }
  const folder = dirname(resolve(out));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder) throw new UsageError(`--out ${out}: folder ${folder} does not exist`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new UsageError(`--out ${out}: folder ${folder} cannot be written`);
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(out).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (isDirectory) throw new UsageError(`--out ${out}: is a folder, not a file`);
  return { rows, dates, seed, out, json: flags.json === true };
}

export function renderGenerateText(result: GenerateResult, shownPath: string): string {
  const megabytes = (result.bytes / 1e6).toFixed(1);
  const seconds = result.seconds < 1 ? result.seconds.toFixed(2) : result.seconds.toFixed(1);
  return `wrote ${result.rows.toLocaleString('en-US')} rows (${megabytes} MB) to ${shownPath} in ${seconds} s`;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a seeded, realistic synthetic loan tape (.csv, .arrow or .parquet)')
    .requiredOption('--rows <n>', 'rows to write, e.g. 1000000, 1_000_000, 100k or 1m')
    .option('--dates <k>', `snapshot dates per loan: month-ends ending 2025-12-31 (1 to ${MAX_SYNTHETIC_DATES}, default ${DEFAULT_SYNTHETIC_DATES})`)
    .option('--seed <s>', `whole number; the same seed gives the same file, byte for byte (default ${DEFAULT_SYNTHETIC_SEED})`)
    .requiredOption('--out <file>', 'where to write; the extension (.csv, .arrow or .parquet) picks the format')
    .option('--json', 'print the result as JSON')
    .action(async (flags: GenerateFlags) => {
      const options = parseGenerateOptions(flags);
      // Ctrl-C stops between chunks and removes the partial file, so no truncated tape is ever left behind.
      const controller = new AbortController();
      const interrupt = () => controller.abort(new Interrupted());
      process.once('SIGINT', interrupt);
      const started = performance.now();
      let written: { rows: number; bytes: number };
      try {
        written = await writeSyntheticFile(options.out, { rows: options.rows, dates: options.dates, seed: options.seed }, { signal: controller.signal });
      } catch (error) {
        if (error instanceof Interrupted) {
          process.stderr.write(`stress: interrupted; ${basename(options.out)} was not written\n`);
          process.exitCode = EXIT.interrupted;
          return;
        }
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (typeof code === 'string') throw new UsageError(`--out ${options.out}: cannot write (${code}): ${(error as Error).message}`);
        throw error;
      } finally {
        process.removeListener('SIGINT', interrupt);
      }
      const result: GenerateResult = {
        path: resolve(options.out),
        rows: written.rows,
        bytes: written.bytes,
        seconds: Math.round(performance.now() - started) / 1000,
        seed: options.seed,
        dates: options.dates,
      };
      if (options.json) printJson(result);
      else printText(renderGenerateText(result, options.out));
    });
}

class Interrupted extends Error {
  override name = 'Interrupted';
}
