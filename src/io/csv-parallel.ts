/**
 * The CSV reader on several threads: the file is cut into byte ranges at record boundaries, each range is
 * read by its own thread into its own region of one shared memory, and the regions are merged into the tape
 * that the single-threaded reader (readCsvSerial) would have made, column for column, key for key, message
 * for message (see range-merge.ts for how).
 *
 * Where to cut. A range must start where a record starts, or its thread would read the middle of a quoted
 * field as records. The cut is placed after a line feed at which the number of quote bytes since the end of
 * the header is even: in RFC 4180 every quote either opens or closes a quoted field or is one of a doubled
 * pair inside one, so an even count means the line feed is outside any quoted field. A file with malformed
 * quotes (a quote inside an unquoted field, which the reader does not take as opening a field) can break
 * that reasoning, so the rule is also checked: the thread of the earlier range reports whether its last
 * record ended exactly at the cut (readRecords), and when one did not, the file is read again in one pass.
 * The same fallback covers whatever a merge cannot reproduce cheaply: a dictionary overflowing its 16-bit
 * keys, and an error that ends reading in a later range (such errors are exceptional, and a single pass
 * names the exact line).
 *
 * The calling thread reads the first range itself while the workers read the others, so two threads need one
 * worker. Below PARALLEL_MIN_BYTES a single pass is faster than handing work over.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { allocateColumns, maxRowsPerMemory } from '../engine/columns.js';
import { descriptorSource, type ByteSource } from './byte-source.js';
import { fileError, readCsvSerial, readHeader, readRecords, rowBound, RowReader, READ_CHUNK_BYTES, type ColumnMap, type CsvHeader, type RecordRange } from './csv.js';
import { ingestWorkers, ingestWorkersReady, movesOn, WorkerTaskError } from './ingest-pool.js';
import { mergeRanges, MergeNotPossible } from './range-merge.js';
import { TapeInputError } from './problems.js';
import { TapeBuilder, type RangePartial, type ReadOptions, type ReadResult, type RowRegion } from './tape-builder.js';

/**
 * Files smaller than this are read in one pass when the ingest workers are running already: below it the
 * hand-over (a message each way, a merge) costs about what the second thread saves.
 */
export const PARALLEL_MIN_BYTES = 8 << 20;

/**
 * Files smaller than this are read in one pass when a worker would have to start first: starting one and
 * loading the readers into it takes ~60-70 ms on the machines measured (see ingest-pool.ts), which the
 * second thread only wins back on a file that takes ~150 ms or more to read alone.
 */
export const PARALLEL_COLD_MIN_BYTES = 48 << 20;

/**
 * When the worker has to start first, the calling thread takes this much more of the file than a worker's
 * share (1.5: 60% of two ranges), so that both finish at about the same time.
 */
export const COLD_FIRST_SHARE = 1.5;

const LF = 10;
const QUOTE = 34;

export interface ParallelPlan {
  /** threads to use, the calling one included (default: the available parallelism, at most MAX_THREADS) */
  readonly threads?: number;
  /** read in one pass below this size (default PARALLEL_MIN_BYTES, or PARALLEL_COLD_MIN_BYTES while no worker runs) */
  readonly minBytes?: number;
  /** where to aim the cuts (byte offsets, ascending), instead of equal parts: tests put them in awkward places */
  readonly targets?: readonly number[];
}

/**
 * How parallel reads ended since the process started: ranges merged (into a tape or the strict mode's error),
 * or handed back to a single pass. Tests check which path a read took.
 */
export const parallelReadCounts = { merged: 0, singlePass: 0 };

/** More threads than this gain nothing on a file read from the page cache at these speeds. */
export const MAX_THREADS = 4;

/** A range and the rows reserved for it. */
export interface PlannedRange extends RecordRange {
  /**
   * rows ≤ this: the line feeds in the range, exactly (so that the next range's rows follow without a gap);
   * for the file's last range rowBound of its size (or its line feeds + 1 when that bound is too large)
   */
  readonly capacity: number;
}

/** One range's work for a worker thread; everything in it crosses threads by structured clone. */
export interface CsvRangeTask {
  readonly kind: 'csv-range';
  /** for messages */
  readonly path: string;
  /** the calling thread's descriptor of the file, open until every range has been read */
  readonly fd: number;
  readonly range: RecordRange;
  readonly columns: ColumnMap;
  readonly options: ReadOptions;
  readonly region: RowRegion;
}

export interface CsvRangeResult {
  /** the range ended exactly at the end of a record */
  readonly aligned: boolean;
  readonly partial: RangePartial;
}

/**
 * Read one range into its region: on the calling thread for the first range (through its handle), in a
 * worker for the others (through the calling thread's descriptor, `task.fd`: see byte-source.ts).
 */
export async function readCsvRange(task: CsvRangeTask, source: ByteSource = descriptorSource(task.fd)): Promise<CsvRangeResult> {
  const builder = TapeBuilder.region(task.region, task.options);
  const rows = new RowReader(task.path, task.columns, builder, task.range.line);
  const aligned = await readRecords(source, task.path, rows, task.columns, task.range);
  return { aligned, partial: builder.partial() };
}

/** Line feeds in bytes[from, to), by memchr (Buffer.indexOf): a line is long enough for a call per line. */
function countLineFeeds(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = bytes.indexOf(LF, from); at >= 0 && at < to; at = bytes.indexOf(LF, at + 1)) count++;
  return count;
}

/**
 * Quotes in bytes[from, to): by memchr while they are rare (most tapes have none), by a plain loop once they
 * turn out frequent (every field quoted), where a call per quote would cost more than looking at every byte.
 */
function countQuotes(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  let i = from;
  while (i < to) {
    const at = bytes.indexOf(QUOTE, i);
    if (at < 0 || at >= to) return count;
    count++;
    i = at + 1;
    if (count === 64) {
      for (; i < to; i++) if (bytes[i] === QUOTE) count++;
      return count;
    }
  }
  return count;
}

/**
 * Plan `threads` ranges over the data records: one pass up to the last cut counting line feeds (the capacity
 * of each range) and quotes (for the cut rule above). Returns fewer ranges when the file has no safe cut
 * near a target, and null when it has no safe cut at all.
 */
export async function planRanges(
  handle: ByteSource,
  header: CsvHeader,
  size: number,
  threads: number,
  aims?: readonly number[],
  firstShare = 1,
  /** the most rows the tape may have (its memory, or --max-memory): past it, line feeds are counted */
  maxRows = maxRowsPerMemory(false),
): Promise<PlannedRange[] | null> {
  const start = header.dataStart;
  const fields = header.columns.names.length;
  const targets: number[] = [];
  // the first range weighs `firstShare`, each other 1
  const whole = firstShare + threads - 1;
  if (aims !== undefined) targets.push(...aims.filter((at) => at > start && at < size));
  else for (let k = 1; k < threads; k++) targets.push(start + Math.floor(((size - start) * (firstShare + k - 1)) / whole));
  if (targets.length === 0) return null;
  const cuts: { at: number; lineFeeds: number }[] = [];
  const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  let position = start;
  let lineFeeds = 0;
  let quotes = 0;
  let target = 0;
  // Past the last cut, the last range's rows are bounded by its size (rowBound) unless that bound is too
  // large for one memory: only then are its line feeds counted too.
  const boundFits = (from: number, before: number) => before + rowBound(size - from, fields) <= maxRows;
  while (position < size) {
    if (target === targets.length && cuts.length > 0 && boundFits(cuts[cuts.length - 1]!.at, cuts[cuts.length - 1]!.lineFeeds)) break;
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - position), position);
    if (bytesRead === 0) break;
    const end = bytesRead;
    // Look for the cuts that fall in this chunk: the first line feed at or after the target (less one, so that
    // the cut, just after the line feed, is at or after the target) with an even number of quotes before it.
    let counted = 0;
    while (target < targets.length && targets[target]! - 1 < position + end) {
      let from = Math.max(0, targets[target]! - 1 - position, counted);
      let found = -1;
      while (from < end) {
        const lf = chunk.indexOf(LF, from);
        if (lf < 0 || lf >= end) break;
        lineFeeds += countLineFeeds(chunk, counted, lf + 1);
        quotes += countQuotes(chunk, counted, lf + 1);
        counted = lf + 1;
        if ((quotes & 1) === 0) {
          found = lf;
          break;
        }
        from = lf + 1;
      }
      if (found < 0) break;
      cuts.push({ at: position + found + 1, lineFeeds });
      target++;
      // a later target already passed by this cut is dropped
      while (target < targets.length && targets[target]! <= position + found + 1) target++;
    }
    lineFeeds += countLineFeeds(chunk, counted, end);
    quotes += countQuotes(chunk, counted, end);
    position += bytesRead;
  }
  const usable = cuts.filter((cut) => cut.at < size);
  if (usable.length === 0) return null;
  const ranges: PlannedRange[] = [];
  let from = start;
  let line = header.dataLine;
  let before = 0;
  for (const cut of usable) {
    ranges.push({ from, to: cut.at, line, fileEnd: false, capacity: cut.lineFeeds - before });
    line += cut.lineFeeds - before;
    before = cut.lineFeeds;
    from = cut.at;
  }
  const counted = position >= size;
  ranges.push({ from, to: size, line, fileEnd: true, capacity: counted ? lineFeeds - before + 1 : rowBound(size - from, fields) });
  return ranges;
}

function threadsFor(plan: ParallelPlan): number {
  if (plan.targets !== undefined) return plan.targets.length + 1;
  return Math.max(1, Math.min(plan.threads ?? availableParallelism(), MAX_THREADS));
}

/** Whether a file of `size` bytes is read on several threads under `plan`. */
export function readsInParallel(size: number, plan: ParallelPlan = {}): boolean {
  const threads = threadsFor(plan);
  const warm = ingestWorkersReady(threads - 1);
  return threads > 1 && size >= (plan.minBytes ?? (warm ? PARALLEL_MIN_BYTES : PARALLEL_COLD_MIN_BYTES));
}

/**
 * Read a CSV tape, on several threads when the file is large enough (see the module comment); the result is
 * the single-threaded reader's in every case.
 */
export async function readCsvParallel(path: string, options: ReadOptions = {}, plan: ParallelPlan = {}): Promise<ReadResult> {
  const handle = await open(path, 'r');
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (!readsInParallel(size, plan)) {
    await handle.close();
    return readCsvSerial(path, options);
  }
  const threads = threadsFor(plan);
  let result: ReadResult | null = null;
  try {
    const warm = ingestWorkersReady(threads - 1);
    // Started now, so that they boot while this thread reads the header and counts lines.
    const workers = ingestWorkers(threads - 1);
    const header = await readHeader(handle, path, options.groupBy);
    const maxRows = maxRowsPerMemory(Boolean(options.groupBy), options.memoryLimit?.bytes);
    const ranges = await planRanges(handle, header, size, threads, plan.targets, warm ? 1 : COLD_FIRST_SHARE, maxRows);
    if (ranges !== null) result = await readRanges(handle, path, header, ranges, workers, options);
  } finally {
    await handle.close();
  }
  if (result !== null) return result;
  parallelReadCounts.singlePass++;
  return readCsvSerial(path, options);
}

/** Read the planned ranges and merge them; null when only a single pass can give the exact result. */
async function readRanges(
  handle: FileHandle,
  path: string,
  header: CsvHeader,
  ranges: readonly PlannedRange[],
  workers: ReturnType<typeof ingestWorkers>,
  options: ReadOptions,
): Promise<ReadResult | null> {
  const capacity = ranges.reduce((sum, range) => sum + range.capacity, 0);
  const { memory, layout } = allocateColumns(capacity, Boolean(options.groupBy), options.memoryLimit ?? null);
  const tasks: CsvRangeTask[] = [];
  let rowBase = 0;
  ranges.forEach((range, k) => {
    const { capacity: rows, ...recordRange } = range;
    const region = { memory, layout, rowBase, rowLimit: rowBase + rows, checkedLater: k < ranges.length - 1 };
    tasks.push({ kind: 'csv-range', path, fd: handle.fd, range: recordRange, columns: header.columns, options, region });
    rowBase += rows;
  });
  const outcomes = await Promise.allSettled([
    readCsvRange(tasks[0]!, handle),
    ...tasks.slice(1).map((task, k) => workers[k]!.run<CsvRangeResult>(task)),
  ]);
  // The first range's error is the single pass's: it would have stopped there too.
  const first = outcomes[0]!;
  if (first.status === 'rejected') throw first.reason;
  const results: CsvRangeResult[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      const error: unknown = outcome.reason;
      // An input problem that ends a later range: a single pass says which line stops it first.
      if (error instanceof WorkerTaskError && error.name === 'TapeInputError') return null;
      // A worker that failed rather than its task (it could not start, or it died): the file is still
      // readable in one pass. A task's own failure is a bug, and is not hidden.
      if (!(error instanceof WorkerTaskError)) return null;
      throw error;
    }
    if (!outcome.value.aligned) return null;
    results.push(outcome.value);
  }
  const partials = results.map((r) => r.partial);
  if (partials.reduce((sum, p) => sum + p.rowsRead, 0) === 0) throw fileError(path, 0, null, null, 'no data rows');
  try {
    const result = await mergeRanges(path, memory, layout, partials, options, movesOn(workers[0]!));
    parallelReadCounts.merged++;
    return result;
  } catch (error) {
    if (error instanceof MergeNotPossible) return null;
    // the strict mode's verdict on the merged ranges
    if (error instanceof TapeInputError) parallelReadCounts.merged++;
    throw error;
  }
}
