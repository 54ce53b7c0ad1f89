/**
 * Seeded synthetic loan tapes: in memory (syntheticTape) or as a .csv, .arrow or .parquet file (writeSyntheticFile). All
 * draw every value from one generator, SyntheticRows, so a file read back gives exactly the in-memory tape.
 *
 * The portfolio it models, and why these numbers:
 * - Order: loan-major. Loan L000000001 has one snapshot per date in date order, then the next loan, so any
 *   prefix of the tape already holds every date (a 1k-row prefix exercises the same snapshots as 10M rows),
 *   and a tape of N rows is a prefix of the tape of N + M rows with the same dates and seed.
 * - Dates: K consecutive month-ends ending 2025-12-31. Years must have four digits, so K ≤ 24,300
 *   (0001-01-31 … 2025-12-31).
 * - Receivable at the first date: log-normal, median $5,000, sigma 1.0 (mean ≈ $8,200; a long right tail of
 *   large loans, as in consumer and SME books), at least $25, in whole cents.
 * - Delinquency: each loan is in one state — current (0-7 dpd), 7-30, 30-60, 60-90, 90+ — and its whole
 *   balance sits in that bucket (the PAR convention: a loan 45 days late puts its entire balance at risk), so
 *   the buckets sum exactly to the receivable. The state moves by a monthly Markov chain (TRANSITIONS): most
 *   loans stay current, late loans mostly cure or roll one bucket further, 90+ persists for months. The first
 *   state is drawn from the chain's stationary distribution, so every snapshot has the same expected mix:
 *   PAR30 ≈ 4% and PAR90 ≈ 2% of balance (SPEC §3: below the warn levels of 5 and 3, with room to move).
 * - Payments: a current loan pays interest (0.8-2.2% a month, 10-26% a year) and principal (1-3% of the
 *   balance a month, terms of about 3 to 8 years); a 7-30 loan pays half; later buckets pay nothing and do
 *   not amortise, so delinquent balances weigh slightly more over time (PAR30 creeps up by a few tenths
 *   over 12 months, as in a static pool). The cash collected is the snapshot's cash_available: about 3.9%
 *   of the eligible balance (SPEC §3 warns below 1.5%). Portfolio health then comes out near 3.7: the
 *   formula needs a collection rate above 5.2% for health to reach its warn level of 5, so a tape with a
 *   realistic collection rate shows a health warning by design.
 * - Eligible (borrowing base): 80-98% of the receivable, per loan; half of that at 30-60 dpd, none past 60.
 * - Discounted balance: the receivable less a per-loan 2-8% discount, and a further haircut for late loans.
 * - Segment: consumer 50%, sme 20%, auto 20%, mortgage 10%, drawn per loan as a label only, so a per-segment
 *   KPI differs from the portfolio's by sampling noise alone.
 *
 * Reproducibility: one sfc32 stream seeded by splitmix32, consumed in a fixed order; normals by Box–Muller.
 * Every amount is rounded to whole cents with Math.round right after it is computed, and the only non-exact
 * functions used (Math.log, Math.cos, Math.exp) are V8's fdlibm ports, which give the same bits on every
 * platform, so one spec gives one tape and one file, byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  AsyncByteQueue,
  DateDay,
  Field,
  Float64,
  makeData,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Utf8,
  type Data,
} from 'apache-arrow';
import { UsageError } from '../errors.js';
import { DATE_COLUMN, ID_COLUMN, MONEY_COLUMNS, normaliseHeader } from '../engine/schema.js';
import { epochDayOf } from './arrow.js';
import { writeParquetBatches } from './parquet.js';
import { TapeBuilder, type ReadOptions, type ReadResult } from './tape-builder.js';

export interface SyntheticSpec {
  readonly rows: number;
  /** snapshot dates per loan (default 12) */
  readonly dates?: number;
  readonly seed?: number;
}

export const DEFAULT_SYNTHETIC_DATES = 12;
export const DEFAULT_SYNTHETIC_SEED = 1;
/** Month-ends back from 2025-12 to 0001-01: the most dates that still print as YYYY-MM-DD. */
export const MAX_SYNTHETIC_DATES = 2025 * 12;
export const SEGMENT_COLUMN = 'segment';
export const SEGMENTS = ['consumer', 'sme', 'auto', 'mortgage'] as const;
export const SYNTHETIC_EXTENSIONS = ['.csv', '.arrow', '.parquet'] as const;

/** The synthetic file's columns, in order: the tape's, then the segment label. */
export const SYNTHETIC_COLUMNS: readonly string[] = [ID_COLUMN, DATE_COLUMN, ...MONEY_COLUMNS, SEGMENT_COLUMN];

const CURRENT = 0;
const DPD_7_30 = 1;
const DPD_30_60 = 2;
const DPD_90_PLUS = 4;

/** Monthly roll rates: TRANSITIONS[from][to]; each row sums to 1. */
const TRANSITIONS: readonly (readonly number[])[] = [
  [0.97, 0.03, 0, 0, 0],
  [0.55, 0.2, 0.25, 0, 0],
  [0.25, 0.1, 0.2, 0.45, 0],
  [0.1, 0.02, 0.08, 0.15, 0.65],
  [0.2, 0, 0, 0, 0.8],
];
/** Discounted balance kept per state: expected recovery falls as a loan ages. */
const HAIRCUT = [1, 0.97, 0.85, 0.7, 0.5];

function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  // guard the last bucket against a sum of 0.9999999999999999
  out[weights.length - 1] = 1;
  return out;
}

/** The chain's long-run state shares, by iterating it (only + and ×: the same bits everywhere). */
function stationary(transitions: readonly (readonly number[])[]): number[] {
  let share: number[] = transitions.map((_, i) => (i === 0 ? 1 : 0));
  for (let step = 0; step < 2000; step++) {
    const next = share.map(() => 0);
    transitions.forEach((row, from) => row.forEach((p, to) => (next[to]! += share[from]! * p)));
    share = next;
  }
  return share;
}

const TRANSITION_CUMULATIVE = TRANSITIONS.map(cumulative);
const INITIAL_STATE_CUMULATIVE = cumulative(stationary(TRANSITIONS));
const SEGMENT_CUMULATIVE = cumulative([0.5, 0.2, 0.2, 0.1]);

function pick(cumulativeShares: Float64Array, u: number): number {
  let i = 0;
  while (u >= cumulativeShares[i]!) i++;
  return i;
}

/** The K month-ends ending 2025-12-31, oldest first, as 'YYYY-MM-DD' and as days since 1970-01-01. */
export function syntheticDates(count: number): { iso: string[]; epochDays: Int32Array } {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SYNTHETIC_DATES) {
    throw new RangeError(`dates must be a whole number from 1 to ${MAX_SYNTHETIC_DATES}, got ${count}`);
  }
  const iso: string[] = [];
  const epochDays = new Int32Array(count);
  const lastMonth = 2025 * 12 + 11;
  for (let k = 0; k < count; k++) {
    const month = lastMonth - (count - 1 - k);
    const year = Math.floor(month / 12);
    const m = (month % 12) + 1;
    // the day before the first of the next month
    const day = epochDayOf(m === 12 ? year + 1 : year, m === 12 ? 1 : m + 1, 1) - 1;
    epochDays[k] = day;
    iso.push(`${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(monthLength(year, m)).padStart(2, '0')}`);
  }
  return { iso, epochDays };
}

function monthLength(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

interface FilledSpec {
  readonly rows: number;
  readonly dates: number;
  readonly seed: number;
}

function fill(spec: SyntheticSpec): FilledSpec {
  const dates = spec.dates ?? DEFAULT_SYNTHETIC_DATES;
  const seed = spec.seed ?? DEFAULT_SYNTHETIC_SEED;
  if (!Number.isSafeInteger(spec.rows) || spec.rows < 1) throw new RangeError(`rows must be a whole number ≥ 1, got ${spec.rows}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number ≥ 0, got ${seed}`);
  if (!Number.isInteger(dates) || dates < 1 || dates > MAX_SYNTHETIC_DATES) {
    throw new RangeError(`dates must be a whole number from 1 to ${MAX_SYNTHETIC_DATES}, got ${dates}`);
  }
  return { rows: spec.rows, dates, seed };
}

/**
 * The row stream. Each next() fills `cents` (MONEY_COLUMNS order) and the current row's loan id bytes, date
 * index and segment index; nothing is allocated per row.
 */
export class SyntheticRows {
  /** ASCII bytes of the current loan id, idLength of them */
  readonly idBytes = new Uint8Array(24);
  idLength = 0;
  dateIndex = -1;
  segment = 0;
  private loan = 0;
  private state = CURRENT;
  private balance = 0;
  private amortisation = 0;
  private interest = 0;
  private eligibleShare = 0;
  private discountShare = 0;
  // sfc32 state
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(
    private readonly dates: number,
    seed: number,
    /** where the amounts go; the builder's own array, to skip a copy */
    readonly cents: Float64Array = new Float64Array(MONEY_COLUMNS.length),
  ) {
    // splitmix32 spreads any seed (including 0 and seeds above 2^32) over the 128-bit sfc32 state
    let s = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b1);
    const splitmix = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
    this.idBytes[0] = 0x4c; // 'L'
  }

  private nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** uniform on [0, 1) */
  private uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** standard normal, one Box–Muller draw per call (the pair's second half is not kept, for simplicity) */
  private normal(): number {
    const u1 = (this.nextUint32() + 1) / 4294967296; // (0, 1]: log(0) is never taken
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  next(): void {
    if (this.loan === 0 || this.dateIndex + 1 >= this.dates) this.startLoan();
    else {
      this.dateIndex += 1;
      this.state = pick(TRANSITION_CUMULATIVE[this.state]!, this.uniform());
    }
    this.emit();
  }

  private startLoan(): void {
    this.loan += 1;
    this.dateIndex = 0;
    this.writeId(this.loan);
    this.balance = Math.max(2500, Math.round(500_000 * Math.exp(this.normal())));
    this.amortisation = 0.01 + 0.02 * this.uniform();
    this.interest = 0.008 + 0.014 * this.uniform();
    this.eligibleShare = 0.8 + 0.18 * this.uniform();
    this.discountShare = 0.02 + 0.06 * this.uniform();
    this.state = pick(INITIAL_STATE_CUMULATIVE, this.uniform());
    this.segment = pick(SEGMENT_CUMULATIVE, this.uniform());
  }

  /** 'L' and the loan number in at least 9 digits */
  private writeId(loan: number): void {
    const digits = Math.max(9, String(loan).length);
    let rest = loan;
    for (let i = digits; i >= 1; i--) {
      this.idBytes[i] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.idLength = digits + 1;
  }

  private emit(): void {
    const state = this.state;
    const out = this.cents;
    let cash = 0;
    if (state <= DPD_7_30) {
      const share = state === CURRENT ? 1 : 0.5;
      const principal = Math.round(this.balance * this.amortisation * share);
      cash = principal + Math.round(this.balance * this.interest * share);
      this.balance -= principal;
    }
    const receivable = this.balance;
    out[0] = receivable;
    out[1] = state > DPD_30_60 ? 0 : Math.round(receivable * this.eligibleShare * (state === DPD_30_60 ? 0.5 : 1));
    out[2] = Math.round(receivable * (1 - this.discountShare) * HAIRCUT[state]!);
    out[3] = cash;
    for (let bucket = CURRENT; bucket <= DPD_90_PLUS; bucket++) out[4 + bucket] = bucket === state ? receivable : 0;
  }
}

/**
 * A synthetic tape in shared columns, through the same TapeBuilder as every reader. With groupBy 'segment'
 * the rows are keyed by their segment label; any other grouping column does not exist in a synthetic tape.
 */
export function syntheticTape(spec: SyntheticSpec, options: Pick<ReadOptions, 'groupBy' | 'memoryLimit'> = {}): ReadResult {
  const filled = fill(spec);
  const groupBy = options.groupBy === undefined || options.groupBy === null ? null : normaliseHeader(options.groupBy);
  if (groupBy !== null && groupBy !== SEGMENT_COLUMN) {
    throw new UsageError(`a synthetic tape can be grouped by "${SEGMENT_COLUMN}" only, not "${groupBy}"`);
  }
  const builder = new TapeBuilder(filled.rows, { groupBy, memoryLimit: options.memoryLimit ?? null });
  // only the dates some row has, so that a short tape's dictionary holds no empty snapshot
  const { iso } = syntheticDates(filled.dates);
  const dateKeys = iso.slice(0, Math.min(filled.dates, filled.rows)).map((date) => builder.dates.keyOf(date));
  const groupKeys = SEGMENTS.map((segment) => (groupBy === null ? 0 : builder.groups.keyOf(segment)));
  const rows = new SyntheticRows(filled.dates, filled.seed, builder.cents);
  for (let row = 0; row < filled.rows; row++) {
    rows.next();
    // (loan, date) pairs are unique by construction, so the builder's duplicate check would be pure cost
    builder.commit(null, 0, 0, dateKeys[rows.dateIndex]!, groupKeys[rows.segment]!);
  }
  builder.rowsRead = filled.rows;
  return builder.finish('synthetic');
}

export interface WriteOptions {
  /** stop between chunks, remove the partial file and reject with the signal's reason */
  readonly signal?: AbortSignal;
}

/**
 * Write a synthetic tape as .csv, .arrow or .parquet (by extension), streaming in chunks. The file appears only when
 * complete: the data go to a temporary file in the same folder, renamed at the end, removed on failure.
 */
export async function writeSyntheticFile(path: string, spec: SyntheticSpec, options: WriteOptions = {}): Promise<{ rows: number; bytes: number }> {
  const extension = extname(path).toLowerCase();
  if (!(SYNTHETIC_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new UsageError(`cannot write a tape as "${extension || '(no extension)'}": use ${SYNTHETIC_EXTENSIONS.join(' or ')}`);
  }
  const filled = fill(spec);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx');
  let closed = false;
  try {
    const bytes =
      extension === '.csv'
        ? await writeCsv(handle, filled, options.signal)
        : extension === '.arrow'
          ? await writeArrow(handle, filled, options.signal)
          : await writeParquet(handle, filled, options.signal);
    // on disk before it gets its name: a crash never leaves a short file under the final name
    await handle.sync();
    await handle.close();
    closed = true;
    await rename(temporary, path);
    return { rows: filled.rows, bytes };
  } catch (error) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    // an abort inside the Parquet writer's stream comes back wrapped: report it as the abort it was
    if (options.signal?.aborted) throw options.signal.reason;
    throw error;
  }
}

const CSV_BUFFER_BYTES = 4 << 20;
/** the longest line: 11 separators, a 17-digit id, a date, nine 19-character amounts and a segment */
const CSV_LINE_MAX = 256;

async function writeCsv(handle: FileHandle, spec: FilledSpec, signal: AbortSignal | undefined): Promise<number> {
  const encoder = new TextEncoder();
  const dates = syntheticDates(spec.dates).iso.map((date) => encoder.encode(date));
  const segments = SEGMENTS.map((segment) => encoder.encode(segment));
  const buffer = new Uint8Array(CSV_BUFFER_BYTES);
  const header = encoder.encode(`${SYNTHETIC_COLUMNS.join(',')}\n`);
  buffer.set(header);
  let at = header.length;
  let written = 0;
  const rows = new SyntheticRows(spec.dates, spec.seed);
  const cents = rows.cents;
  for (let row = 0; row < spec.rows; row++) {
    rows.next();
    buffer.set(rows.idBytes.subarray(0, rows.idLength), at);
    at += rows.idLength;
    buffer[at++] = 0x2c;
    const date = dates[rows.dateIndex]!;
    buffer.set(date, at);
    at += date.length;
    for (let c = 0; c < cents.length; c++) {
      buffer[at++] = 0x2c;
      at = writeCents(buffer, at, cents[c]!);
    }
    buffer[at++] = 0x2c;
    const segment = segments[rows.segment]!;
    buffer.set(segment, at);
    at += segment.length;
    buffer[at++] = 0x0a;
    if (at > CSV_BUFFER_BYTES - CSV_LINE_MAX) {
      signal?.throwIfAborted();
      written += await writeAll(handle, buffer.subarray(0, at));
      at = 0;
    }
  }
  written += await writeAll(handle, buffer.subarray(0, at));
  return written;
}

/** Print whole cents as dollars with exactly two decimals, digit by digit: no float rounding can creep in. */
export function writeCents(buffer: Uint8Array, at: number, cents: number): number {
  let dollars = Math.floor(cents / 100);
  const rest = cents - dollars * 100;
  let digits = 1;
  for (let d = dollars; d >= 10; d = Math.floor(d / 10)) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    buffer[i] = 0x30 + (dollars % 10);
    dollars = Math.floor(dollars / 10);
  }
  at += digits;
  buffer[at] = 0x2e;
  buffer[at + 1] = 0x30 + Math.floor(rest / 10);
  buffer[at + 2] = 0x30 + (rest % 10);
  return at + 3;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<number> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
  return done;
}

export const ARROW_BATCH_ROWS = 65536;

/** Collects what the Arrow writer emits, so each batch's bytes can be written out before the next is built. */
class PendingBytes extends AsyncByteQueue {
  readonly chunks: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }
  async drainTo(handle: FileHandle): Promise<number> {
    let written = 0;
    for (const chunk of this.chunks) written += await writeAll(handle, chunk);
    this.chunks.length = 0;
    return written;
  }
}

/** The synthetic file's Arrow schema: money as Float64 dollars, as most producers write it. */
export function syntheticArrowSchema(): Schema {
  return new Schema([
    new Field(ID_COLUMN, new Utf8(), false),
    new Field(DATE_COLUMN, new DateDay(), false),
    ...MONEY_COLUMNS.map((name) => new Field(name, new Float64(), false)),
    new Field(SEGMENT_COLUMN, new Utf8(), false),
  ]);
}

/**
 * The synthetic rows as Arrow record batches of ARROW_BATCH_ROWS rows. The batches share their buffers: each
 * must be consumed (written out) before the next is asked for.
 */
function* syntheticBatches(spec: FilledSpec, signal: AbortSignal | undefined): Generator<RecordBatch> {
  const schema = syntheticArrowSchema();
  const { epochDays } = syntheticDates(spec.dates);
  const encoder = new TextEncoder();
  const segmentBytes = SEGMENTS.map((segment) => encoder.encode(segment));
  const batchRows = Math.min(ARROW_BATCH_ROWS, spec.rows);
  const idOffsets = new Int32Array(batchRows + 1);
  const idData = new Uint8Array(batchRows * 24);
  const days = new Int32Array(batchRows);
  const money = MONEY_COLUMNS.map(() => new Float64Array(batchRows));
  const segmentOffsets = new Int32Array(batchRows + 1);
  const segmentData = new Uint8Array(batchRows * 8);
  const rows = new SyntheticRows(spec.dates, spec.seed);
  const cents = rows.cents;
  for (let start = 0; start < spec.rows; start += batchRows) {
    signal?.throwIfAborted();
    const n = Math.min(batchRows, spec.rows - start);
    let idAt = 0;
    let segmentAt = 0;
    for (let i = 0; i < n; i++) {
      rows.next();
      idData.set(rows.idBytes.subarray(0, rows.idLength), idAt);
      idAt += rows.idLength;
      idOffsets[i + 1] = idAt;
      days[i] = epochDays[rows.dateIndex]!;
      for (let c = 0; c < cents.length; c++) money[c]![i] = cents[c]! / 100;
      const segment = segmentBytes[rows.segment]!;
      segmentData.set(segment, segmentAt);
      segmentAt += segment.length;
      segmentOffsets[i + 1] = segmentAt;
    }
    const children: Data[] = [
      makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: idOffsets.subarray(0, n + 1), data: idData.subarray(0, idAt) }),
      makeData({ type: new DateDay(), length: n, nullCount: 0, data: days.subarray(0, n) }),
      ...money.map((column) => makeData({ type: new Float64(), length: n, nullCount: 0, data: column.subarray(0, n) })),
      makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: segmentOffsets.subarray(0, n + 1), data: segmentData.subarray(0, segmentAt) }),
    ];
    yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
  }
}

async function writeArrow(handle: FileHandle, spec: FilledSpec, signal: AbortSignal | undefined): Promise<number> {
  const sink = new PendingBytes();
  const writer = new RecordBatchFileWriter();
  writer.reset(sink, syntheticArrowSchema());
  let written = 0;
  for (const batch of syntheticBatches(spec, signal)) {
    writer.write(batch);
    written += await sink.drainTo(handle);
  }
  writer.close();
  written += await sink.drainTo(handle);
  return written;
}

/** Parquet with the Arrow file's schema, one row group per Arrow batch. */
async function writeParquet(handle: FileHandle, spec: FilledSpec, signal: AbortSignal | undefined): Promise<number> {
  let written = 0;
  await writeParquetBatches(syntheticBatches(spec, signal), async (chunk) => {
    written += await writeAll(handle, chunk);
  });
  return written;
}
