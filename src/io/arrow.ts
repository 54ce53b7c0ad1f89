/**
 * The Arrow IPC reader of loan tapes (file and stream format), with the rules of SPEC §2 over typed columns.
 *
 * Each column gets a cell reader chosen once from its Arrow type and re-bound to every record batch's buffers,
 * so the row loop reads typed arrays directly and makes no string per cell; strings appear only for problem
 * messages, new dictionary entries, and ids or group values of types that have no byte form. The header
 * rules and the text parsers are the CSV reader's own (mapHeader, parseCents, parseDate), so a column means
 * the same thing in both formats.
 */
import { open, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { DataType, DateUnit, makeVector, Precision, tableFromIPC, TimeUnit, type Data, type Field, type RecordBatch, type Table, type Vector } from 'apache-arrow';
import { allocateColumns, uint32ReadingLayout, type MoneyWidth } from '../engine/columns.js';
import { WasmKernels } from '../engine/wasm-kernels.js';
import { MAX_EXACT_CENTS, MONEY_COLUMNS, REQUIRED_MONEY_COLUMNS } from '../engine/schema.js';
import {
  CENTS_MISSING,
  CENTS_NEGATIVE,
  CENTS_NOT_A_NUMBER,
  CENTS_TOO_LARGE,
  CENTS_TOO_MANY_DECIMALS,
  DATE_BAD,
  DATE_MISSING,
  IntKeys,
  mapHeader,
  moneyReason,
  type ColumnMap,
  parseCents,
  parseDate,
} from './csv.js';
import { bufferStarts, forEachBatch, loadBatch, planArrowFile, readExactly, type ArrowFilePlan, type BatchBlock } from './arrow-file.js';
import { descriptorSource, readExactlySync, type ByteSource } from './byte-source.js';
import { cleanRunsJs, DAY_CACHE_SLOTS, dateKeysJs, IngestWasm, runStartsJs, STAMP_SLOTS } from './ingest-wasm.js';
import { COLD_FIRST_SHARE, PARALLEL_COLD_MIN_BYTES } from './csv-parallel.js';
import { ingestWorkers, ingestWorkersReady, movesOn, WorkerTaskError } from './ingest-pool.js';
import { TapeInputError, type Problem } from './problems.js';
import { mergeRanges, MergeNotPossible } from './range-merge.js';
import { TapeBuilder, WideningNeeded, type RangePartial, type ReadOptions, type ReadResult, type RowRegion } from './tape-builder.js';
import { kernelModule } from '../workers/kernel-module.js';

// ---------------------------------------------------------------------------------------------------------
// Calendar arithmetic (days since 1970-01-01 in the proleptic Gregorian calendar, as Arrow dates count them)

/** Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil; exact for any year). */
export function epochDayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** A day count as year·10000 + month·100 + day (the CSV reader's packed form), or DATE_BAD outside years 0-9999. */
export function packedDateOfEpochDay(epochDay: number): number {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return DATE_BAD;
  return year * 10000 + month * 100 + day;
}

export function isoDateOfPacked(packed: number): string {
  const year = Math.floor(packed / 10000);
  const month = Math.floor(packed / 100) % 100;
  const day = packed % 100;
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

// ---------------------------------------------------------------------------------------------------------
// Cell readers

/** A column's cells, bound to one batch at a time. */
interface CellReader {
  bind(data: Data): void;
  /** the raw cell as text, for a problem message; null for a null cell */
  text(row: number): string | null;
}

/** Returns whole cents (≥ 0) or a CENTS_* code. */
interface MoneyReader extends CellReader {
  cents(row: number): number;
}

/** Returns a packed yyyymmdd date (> 0) or DATE_MISSING / DATE_BAD. */
interface DateReader extends CellReader {
  date(row: number): number;
}

/** Thrown while binding a batch whose buffers cannot hold its declared length. */
class CorruptBatch extends Error {}

const MAX_VALUE_CHARS = 240;
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function offsetAt(offsets: Int32Array | BigInt64Array, i: number): number {
  return Number(offsets[i]!);
}

/** Validity, with the common no-null case skipping the bitmap. */
abstract class Bound implements CellReader {
  protected data!: Data;
  protected hasNulls = false;
  bind(data: Data): void {
    this.data = data;
    this.hasNulls = data.nullCount !== 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0;
    this.check(data);
  }
  isNull(row: number): boolean {
    return this.hasNulls && !this.data.getValid(row);
  }
  protected check(_data: Data): void {}
  abstract text(row: number): string | null;
}

abstract class FixedWidth extends Bound {
  protected override check(data: Data): void {
    const values = data.values as ArrayLike<unknown> | undefined;
    if (data.length > 0 && (values === undefined || values.length < data.length * data.stride)) throw new CorruptBatch();
  }
}

class VariableWidth extends Bound {
  bytes: Uint8Array = new Uint8Array(0);
  protected offsets: Int32Array | BigInt64Array = new Int32Array(1);
  protected override check(data: Data): void {
    this.bytes = (data.values as Uint8Array | undefined) ?? new Uint8Array(0);
    this.offsets = (data.valueOffsets as Int32Array | BigInt64Array | undefined) ?? new Int32Array(1);
    if (data.length > 0 && (this.offsets.length < data.length + 1 || this.bytes.length < offsetAt(this.offsets, data.length))) {
      throw new CorruptBatch();
    }
  }
  start(row: number): number {
    return offsetAt(this.offsets, row);
  }
  end(row: number): number {
    return offsetAt(this.offsets, row + 1);
  }
  text(row: number): string | null {
    if (this.isNull(row)) return null;
    const start = this.start(row);
    return utf8.decode(this.bytes.subarray(start, Math.min(this.end(row), start + MAX_VALUE_CHARS)));
  }
}

/** A whole number of cents within tolerance `epsilon` (relative), from float dollars. */
class FloatMoney extends FixedWidth implements MoneyReader {
  private values: Float32Array | Float64Array = new Float64Array(0);
  constructor(private readonly epsilon: number) {
    super();
  }
  override bind(data: Data): void {
    super.bind(data);
    this.values = data.values as Float32Array | Float64Array;
  }
  cents(row: number): number {
    if (this.isNull(row)) return CENTS_MISSING;
    const dollars = this.values[row]!;
    if (!Number.isFinite(dollars)) return CENTS_NOT_A_NUMBER;
    if (dollars < 0) return CENTS_NEGATIVE;
    const x = dollars * 100;
    const cents = Math.round(x);
    if (Math.abs(x - cents) > this.epsilon * Math.max(1, x)) return CENTS_TOO_MANY_DECIMALS;
    if (cents > MAX_EXACT_CENTS) return CENTS_TOO_LARGE;
    return cents + 0; // -0 → 0
  }
  text(row: number): string | null {
    return this.isNull(row) ? null : String(this.values[row]);
  }
}

const MAX_EXACT_DOLLARS = BigInt(Math.floor(MAX_EXACT_CENTS / 100));

/** Whole dollars, from any integer type. */
class IntMoney extends FixedWidth implements MoneyReader {
  private values: ArrayLike<number> | BigInt64Array | BigUint64Array = new Int32Array(0);
  private big = false;
  override bind(data: Data): void {
    super.bind(data);
    this.values = data.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
    this.big = this.values instanceof BigInt64Array || this.values instanceof BigUint64Array;
  }
  cents(row: number): number {
    if (this.isNull(row)) return CENTS_MISSING;
    if (this.big) {
      const dollars = (this.values as BigInt64Array)[row]!;
      if (dollars < 0n) return CENTS_NEGATIVE;
      if (dollars > MAX_EXACT_DOLLARS) return CENTS_TOO_LARGE;
      return Number(dollars) * 100;
    }
    const dollars = (this.values as ArrayLike<number>)[row]!;
    if (dollars < 0) return CENTS_NEGATIVE;
    return dollars * 100;
  }
  text(row: number): string | null {
    return this.isNull(row) ? null : String(this.values[row]);
  }
}

/**
 * Decimal(precision, scale) of 32 to 256 bits: the unscaled integer times 10^(2 − scale). A scale above 2 is
 * accepted when the digits beyond the cents are zeros, as the CSV reader accepts "12.340".
 */
class DecimalMoney extends FixedWidth implements MoneyReader {
  private words: Uint32Array = new Uint32Array(0);
  private readonly stride: number;
  private readonly bigScale: bigint;
  constructor(private readonly scale: number, bitWidth: number) {
    super();
    this.stride = bitWidth / 32;
    this.bigScale = 10n ** BigInt(Math.abs(2 - scale));
  }
  override bind(data: Data): void {
    super.bind(data);
    this.words = data.values as Uint32Array;
  }
  /** the unscaled value as a bigint (two's complement, little-endian 32-bit words) */
  private unscaled(row: number): bigint {
    const at = row * this.stride;
    let value = 0n;
    for (let w = this.stride - 1; w >= 0; w--) value = (value << 32n) | BigInt(this.words[at + w]!);
    const bits = BigInt(this.stride * 32);
    return this.words[at + this.stride - 1]! >= 0x80000000 ? value - (1n << bits) : value;
  }
  cents(row: number): number {
    if (this.isNull(row)) return CENTS_MISSING;
    const at = row * this.stride;
    const top = this.words[at + this.stride - 1]!;
    if (top >= 0x80000000) return CENTS_NEGATIVE;
    // Most amounts fit in 53 bits: do them without BigInt.
    let small = this.stride === 1 || (this.words[at + 1]! < 0x200000);
    for (let w = 2; small && w < this.stride; w++) small = this.words[at + w] === 0;
    if (small && this.scale <= 17) {
      const unscaled = this.words[at]! + (this.stride > 1 ? this.words[at + 1]! * 4294967296 : 0);
      if (this.scale <= 2) {
        // monotonic rounding: the too-large test is right even where the product is no longer exact
        const cents = unscaled * 10 ** (2 - this.scale);
        return cents > MAX_EXACT_CENTS ? CENTS_TOO_LARGE : cents;
      }
      const divisor = 10 ** (this.scale - 2);
      if (unscaled % divisor !== 0) return CENTS_TOO_MANY_DECIMALS;
      return unscaled / divisor;
    }
    const unscaled = this.unscaled(row);
    let cents: bigint;
    if (this.scale > 2) {
      if (unscaled % this.bigScale !== 0n) return CENTS_TOO_MANY_DECIMALS;
      cents = unscaled / this.bigScale;
    } else {
      cents = unscaled * this.bigScale;
    }
    return cents > BigInt(MAX_EXACT_CENTS) ? CENTS_TOO_LARGE : Number(cents);
  }
  text(row: number): string | null {
    if (this.isNull(row)) return null;
    const unscaled = this.unscaled(row);
    const negative = unscaled < 0n;
    let digits = (negative ? -unscaled : unscaled).toString();
    if (this.scale > 0) {
      digits = digits.padStart(this.scale + 1, '0');
      digits = `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`;
    } else if (this.scale < 0) {
      digits += '0'.repeat(-this.scale);
    }
    return `${negative ? '-' : ''}${digits}`;
  }
}

/** Text amounts, parsed from their UTF-8 bytes by the CSV reader's parser. */
class TextMoney extends VariableWidth implements MoneyReader {
  cents(row: number): number {
    if (this.isNull(row)) return CENTS_MISSING;
    return parseCents(this.bytes, this.start(row), this.end(row));
  }
}

/** A column of Arrow's Null type: every cell is null. */
class AllNull implements MoneyReader, DateReader {
  bind(): void {}
  cents(): number {
    return CENTS_MISSING;
  }
  date(): number {
    return DATE_MISSING;
  }
  text(): string | null {
    return null;
  }
}

/**
 * Cells of any type through Arrow's own getter (views, and types with no fast path here), converted to text
 * and parsed as such. Slower, but these layouts are rare in tapes.
 */
class GetterCells extends Bound {
  protected vector: Vector | null = null;
  private scratch = new Uint8Array(64);
  override bind(data: Data): void {
    super.bind(data);
    this.vector = makeVector(data);
  }
  value(row: number): unknown {
    return this.vector!.get(row);
  }
  text(row: number): string | null {
    const value = this.value(row);
    return value === null || value === undefined ? null : String(value);
  }
  /** the cell's text as UTF-8 in a reused buffer; returns its length, or -1 for null */
  encode(row: number): number {
    const text = this.text(row);
    if (text === null) return -1;
    if (text.length * 3 > this.scratch.length) this.scratch = new Uint8Array(text.length * 3);
    return textEncoder.encodeInto(text, this.scratch).written;
  }
  get bytes(): Uint8Array {
    return this.scratch;
  }
}

const textEncoder = new TextEncoder();

class GetterMoney extends GetterCells implements MoneyReader {
  cents(row: number): number {
    const length = this.encode(row);
    return length < 0 ? CENTS_MISSING : parseCents(this.bytes, 0, length);
  }
}

class GetterDate extends GetterCells implements DateReader {
  date(row: number): number {
    const length = this.encode(row);
    return length < 0 ? DATE_MISSING : parseDate(this.bytes, 0, length);
  }
}

/**
 * Dictionary-encoded cells: the inner reader is bound to the dictionary, and each row reads the entry its
 * index points to, so a dictionary of floats or dates obeys exactly the rules of a plain column.
 */
class DictionaryCells<R extends CellReader> extends Bound {
  private indices: ArrayLike<number> | BigInt64Array | BigUint64Array = new Int32Array(0);
  private boundDictionary: Data | null = null;
  constructor(readonly inner: R) {
    super();
  }
  override bind(data: Data): void {
    super.bind(data);
    this.indices = data.values as ArrayLike<number>;
    const chunks = data.dictionary?.data ?? [];
    if (chunks.length !== 1) throw new CorruptBatch();
    if (chunks[0] !== this.boundDictionary) {
      this.boundDictionary = chunks[0]!;
      this.inner.bind(chunks[0]!);
    }
  }
  entry(row: number): number {
    const index = Number(this.indices[row]!);
    if (index < 0 || index >= this.boundDictionary!.length) throw new CorruptBatch();
    return index;
  }
  text(row: number): string | null {
    return this.isNull(row) ? null : this.inner.text(this.entry(row));
  }
}

class DictionaryMoney extends DictionaryCells<MoneyReader> implements MoneyReader {
  cents(row: number): number {
    return this.isNull(row) ? CENTS_MISSING : this.inner.cents(this.entry(row));
  }
}

class DictionaryDate extends DictionaryCells<DateReader> implements DateReader {
  date(row: number): number {
    return this.isNull(row) ? DATE_MISSING : this.inner.date(this.entry(row));
  }
}

/** Date32 (days) and Date64 (milliseconds) since the epoch. */
class EpochDate extends FixedWidth implements DateReader {
  private values: Int32Array | BigInt64Array = new Int32Array(0);
  private lastDay = Number.NaN;
  private lastPacked = DATE_BAD;
  constructor(private readonly milliseconds: boolean) {
    super();
  }
  override bind(data: Data): void {
    super.bind(data);
    this.values = data.values as Int32Array | BigInt64Array;
  }
  private raw(row: number): number {
    if (!this.milliseconds) return (this.values as Int32Array)[row]!;
    if (this.values instanceof BigInt64Array) return Number(this.values[row]!);
    // older writers' layout: int64 as pairs of int32 words
    const words = this.values as Int32Array;
    return (words[2 * row]! >>> 0) + words[2 * row + 1]! * 4294967296;
  }
  date(row: number): number {
    if (this.isNull(row)) return DATE_MISSING;
    const raw = this.raw(row);
    const day = this.milliseconds ? Math.floor(raw / 86_400_000) : raw;
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.lastPacked = Number.isFinite(day) ? packedDateOfEpochDay(day) : DATE_BAD;
    }
    return this.lastPacked;
  }
  text(row: number): string | null {
    return this.isNull(row) ? null : String(this.raw(row));
  }
}

const UNITS_PER_DAY: Record<number, bigint> = {
  [TimeUnit.SECOND]: 86_400n,
  [TimeUnit.MILLISECOND]: 86_400_000n,
  [TimeUnit.MICROSECOND]: 86_400_000_000n,
  [TimeUnit.NANOSECOND]: 86_400_000_000_000n,
};

const UTC_NAMES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'z', 'zulu']);

/**
 * Timestamps: the calendar date of the instant in the column's time zone (UTC when it has none), which is
 * what the date part of the same instant written as text would say.
 */
class TimestampDate extends FixedWidth implements DateReader {
  private values: BigInt64Array = new BigInt64Array(0);
  private readonly perDay: bigint;
  private readonly perMinute: bigint;
  private readonly offsetUnits: bigint;
  private readonly zone: Intl.DateTimeFormat | null;
  // the day [dayStart, dayEnd) that the last row fell in, in the column's units
  private dayStart = 1n;
  private dayEnd = 0n;
  private lastPacked = DATE_BAD;
  private readonly zoneCache = new Map<number, number>();

  constructor(unit: TimeUnit, timezone: string | null | undefined) {
    super();
    this.perDay = UNITS_PER_DAY[unit]!;
    this.perMinute = this.perDay / 1440n;
    const zone = (timezone ?? '').trim();
    const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
    this.zone = null;
    if (zone === '' || UTC_NAMES.has(zone.toLowerCase())) {
      this.offsetUnits = 0n;
    } else if (fixed) {
      const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
      this.offsetUnits = BigInt(fixed[1] === '-' ? -minutes : minutes) * this.perMinute;
    } else {
      this.offsetUnits = 0n;
      this.zone = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', era: 'short' });
    }
  }
  override bind(data: Data): void {
    super.bind(data);
    this.values = data.values as BigInt64Array;
  }
  date(row: number): number {
    if (this.isNull(row)) return DATE_MISSING;
    const value = this.values[row]!;
    if (this.zone !== null) return this.zonedDate(value);
    const local = value + this.offsetUnits;
    if (local >= this.dayStart && local < this.dayEnd) return this.lastPacked;
    let day = local / this.perDay;
    if (local < 0n && day * this.perDay !== local) day -= 1n;
    this.dayStart = day * this.perDay;
    this.dayEnd = this.dayStart + this.perDay;
    this.lastPacked = packedDateOfEpochDay(Number(day));
    return this.lastPacked;
  }
  /** Zone offsets change only on quarter-hour boundaries, so one lookup per quarter hour is exact. */
  private zonedDate(value: bigint): number {
    const quarterHours = Number(floorDiv(value, this.perMinute * 15n));
    let packed = this.zoneCache.get(quarterHours);
    if (packed === undefined) {
      packed = DATE_BAD;
      const ms = quarterHours * 900_000;
      if (Math.abs(ms) <= 8.64e15) {
        let year = 0;
        let month = 0;
        let day = 0;
        let bc = false;
        for (const part of this.zone!.formatToParts(ms)) {
          if (part.type === 'year') year = Number(part.value);
          else if (part.type === 'month') month = Number(part.value);
          else if (part.type === 'day') day = Number(part.value);
          else if (part.type === 'era') bc = part.value.startsWith('B');
        }
        if (!bc && year <= 9999) packed = year * 10000 + month * 100 + day;
      }
      if (this.zoneCache.size > 100_000) this.zoneCache.clear();
      this.zoneCache.set(quarterHours, packed);
    }
    return packed;
  }
  text(row: number): string | null {
    return this.isNull(row) ? null : String(this.values[row]);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

class TextDate extends VariableWidth implements DateReader {
  date(row: number): number {
    if (this.isNull(row)) return DATE_MISSING;
    return parseDate(this.bytes, this.start(row), this.end(row));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Choosing a reader by type

class UnsupportedType extends Error {}

function isText(type: DataType): boolean {
  return DataType.isUtf8(type) || DataType.isLargeUtf8(type);
}

function moneyReaderFor(type: DataType): MoneyReader {
  if (DataType.isFloat(type)) {
    // 8 ulps of each precision: the representation error of a cent amount, not a stray third decimal
    if (type.precision === Precision.DOUBLE) return new FloatMoney(1e-12);
    if (type.precision === Precision.SINGLE) return new FloatMoney(1e-6);
    throw new UnsupportedType();
  }
  if (DataType.isInt(type)) return new IntMoney();
  if (DataType.isDecimal(type)) return new DecimalMoney(type.scale, type.bitWidth);
  if (isText(type)) return new TextMoney();
  if (DataType.isUtf8View(type)) return new GetterMoney();
  if (DataType.isNull(type)) return new AllNull();
  if (DataType.isDictionary(type)) return new DictionaryMoney(moneyReaderFor(type.dictionary));
  throw new UnsupportedType();
}

function dateReaderFor(type: DataType): DateReader {
  if (DataType.isDate(type)) return new EpochDate(type.unit !== 0);
  if (DataType.isTimestamp(type)) return new TimestampDate(type.unit, type.timezone);
  if (isText(type)) return new TextDate();
  if (DataType.isUtf8View(type)) return new GetterDate();
  if (DataType.isNull(type)) return new AllNull();
  if (DataType.isDictionary(type)) return new DictionaryDate(dateReaderFor(type.dictionary));
  throw new UnsupportedType();
}

/** loan_id: its bytes where the type has them (text, binary), else the UTF-8 of Arrow's value as text. */
class IdCells {
  private readonly raw: VariableWidth | null;
  private readonly getter: GetterCells | null;
  /** where the last id returned by idBytes() lies in the returned array */
  start = 0;
  end = 0;
  constructor(type: DataType) {
    const hasBytes = isText(type) || DataType.isBinary(type) || DataType.isLargeBinary(type);
    this.raw = hasBytes ? new VariableWidth() : null;
    this.getter = hasBytes ? null : new GetterCells();
  }
  bind(data: Data): void {
    (this.raw ?? this.getter)!.bind(data);
  }
  /** the id's bytes, or null for a null or empty id (a row of its own, as in the CSV reader) */
  idBytes(row: number): Uint8Array | null {
    const raw = this.raw;
    if (raw !== null) {
      if (raw.isNull(row)) return null;
      this.start = raw.start(row);
      this.end = raw.end(row);
      return this.start === this.end ? null : raw.bytes;
    }
    const getter = this.getter!;
    const length = getter.encode(row);
    if (length <= 0) return null;
    this.start = 0;
    this.end = length;
    return getter.bytes;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The reader

function fileProblem(file: string, column: string | null, reason: string): TapeInputError {
  return new TapeInputError([{ file, line: 0, lineKind: 'row', column, value: null, reason }], 1);
}

/** Whole-file problems from the shared header rules, relabelled for a format that counts rows. */
function asRowProblems(error: TapeInputError): TapeInputError {
  return new TapeInputError(
    error.problems.map((p) => ({ ...p, lineKind: 'row' as const })),
    error.total,
  );
}

async function loadTable(path: string): Promise<Table> {
  const bytes = await readFile(path);
  const invalid = () => fileProblem(path, null, 'not a valid Arrow IPC file');
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch {
    throw invalid();
  }
  // a few stray bytes parse as a stream that ends before its schema
  if (table.schema.fields.length === 0) throw invalid();
  return table;
}

/** How a batch's columns are read, chosen once from the schema. */
interface ArrowColumns {
  readonly path: string;
  readonly names: readonly string[];
  readonly columns: ColumnMap;
  readonly money: readonly (MoneyReader | null)[];
  readonly moneyFields: readonly number[];
  readonly date: DateReader;
  readonly id: IdCells | null;
  readonly group: GetterCells | null;
  /** the batch fast path's plan, or null when some column's type needs the cell readers */
  readonly fast: FastPlan | null;
}

/** Column types the batch fast path converts a column at a time: Float64 money, Date32 days, Utf8 ids. */
interface FastPlan {
  /** per money column: its field, or -1 where the tape has none */
  readonly moneyFields: Int32Array;
  /** per field, its first buffer in a batch (see bufferStarts), or null when a field's type is not flat */
  readonly bufferStarts: Int32Array | null;
}

const REQUIRED = MONEY_COLUMNS.map((c) => REQUIRED_MONEY_COLUMNS.has(c));

function fastPlanFor(fields: readonly Field[], columns: ColumnMap, groupBy: string | null | undefined): FastPlan | null {
  if (groupBy) return null;
  const type = (f: number) => fields[f]!.type as DataType;
  for (const f of columns.money) {
    if (f < 0) continue;
    const t = type(f);
    if (!DataType.isFloat(t) || t.precision !== Precision.DOUBLE) return null;
  }
  const date = type(columns.date);
  if (!DataType.isDate(date) || date.unit !== DateUnit.DAY) return null;
  if (columns.id >= 0 && !DataType.isUtf8(type(columns.id))) return null;
  return { moneyFields: Int32Array.from(columns.money), bufferStarts: bufferStarts(fields) };
}

/** Days since 1970-01-01 of 0000-01-01 and 9999-12-31, the dates a tape can hold. */
const FIRST_DAY = -719528;
const LAST_DAY = 2932896;
/** Shifts every day from FIRST_DAY to LAST_DAY above 0, IntKeys' empty mark. */
const DAY_KEY_OFFSET = 1 << 22;

/**
 * Dollars a piece of the Uint32 path converts at once (64 KiB of them): read, or copied, into the staging room
 * just before, so the conversion finds them in the core's cache.
 */
const STAGING_ROWS = 8192;
/** What the Uint32 conversion returns when every value is valid but one does not fit a Uint32 (kernels.wat). */
const BEYOND_UINT32 = -2;

/** Whole cents of float dollars are exact within 8 ulps (FloatMoney's tolerance for Float64). */
const DOUBLE_EPSILON = 1e-12;

/**
 * FloatMoney's conversion and tests for `n` dollars from `values` into `money64` from index `base` (the same
 * cells may be read and written: each is read before it is written), gathered into one flag: the sum of
 * the cents when every value is valid, else -1. A bad cell is rare, and the batch then goes to the cell
 * readers, which overwrite what was written here. NaN and negatives fail `dollars >= 0`; an infinity fails
 * `cents <= MAX_EXACT_CENTS`. The wasm kernel centsFromDollars does the same, faster.
 */
export function centsFromDollarsJs(values: Float64Array, money64: Float64Array, base: number, n: number): number {
  let sum = 0;
  let good = true;
  for (let i = 0; i < n; i++) {
    const dollars = values[i]!;
    const x = dollars * 100;
    const cents = Math.round(x);
    const error = x - cents;
    const tolerance = DOUBLE_EPSILON * (x > 1 ? x : 1);
    good = good && dollars >= 0 && error <= tolerance && -error <= tolerance && cents <= MAX_EXACT_CENTS;
    money64[base + i] = cents + 0; // -0 → 0, as FloatMoney
    sum += cents;
  }
  return good ? sum : -1;
}

/** One read of a batch's column straight from the file: `into.length` bytes at file position `at`. */
interface DirectRead {
  readonly at: number;
  readonly into: Uint8Array;
}

/** A batch read column by column (ArrowRows.planDirect). */
interface DirectBatch {
  readonly n: number;
  /** the row its money columns are read to */
  readonly first: number;
  /** the money columns' width when it was planned: 8, its dollars are read into them; 4, see moneyAt */
  readonly width: MoneyWidth;
  /**
   * Width 4: each money column's dollars in the file (-1: no such column), read a piece at a time into the
   * builder's staging room as the batch is completed. The reads then only fault the Uint32 columns' fresh
   * pages in on the thread pool, ahead of the conversion (any bytes: the conversion writes every one), and
   * only when one thread reads the file: two reading threads keep both cores busy, and the thread pool's
   * faults then slow them (a 10M-row file took twice as long with them, on two cores).
   */
  readonly moneyAt: readonly number[];
  readonly reads: readonly DirectRead[];
  /** where its days and ids are read to */
  readonly keys: KeyColumns;
}

/**
 * A batch's date and id columns, for the fast path's key loops: `days` (Int32 days), and the ids as Utf8
 * `offsets` into the first `limit` bytes of `bytes` (limit -1: the tape has no ids). Where the three lie in
 * the ingest module's memory, `at` has their byte addresses, and the wasm loops run on them.
 */
interface KeyColumns {
  readonly days: Int32Array;
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly limit: number;
  readonly at: { readonly days: number; readonly offsets: number; readonly bytes: number } | null;
}

/**
 * Reused buffers for a batch's date and id columns (read straight from the file, or copied from a batch read
 * whole), in the ingest module's memory when the reader has one, else (or once that memory is full) plain.
 */
class KeyScratch {
  days: Int32Array<ArrayBufferLike> = new Int32Array(0);
  offsets: Int32Array<ArrayBufferLike> = new Int32Array(0);
  bytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  /** byte addresses of the three in the ingest memory (null: plain arrays) */
  private at: { days: number; offsets: number; bytes: number } | null = null;

  constructor(private wasm: IngestWasm | null) {}

  /** Room for `rows` rows and `bytes` id bytes, regrown by half again beyond need; returns the columns. */
  columns(rows: number, bytes: number): KeyColumns {
    if (this.days.length < rows || this.bytes.length < bytes) {
      const rowRoom = this.days.length < rows ? rows + (rows >> 1) : this.days.length;
      this.place(rowRoom, this.bytes.length < bytes ? bytes + (bytes >> 1) : this.bytes.length);
    }
    return { days: this.days, offsets: this.offsets, bytes: this.bytes, limit: bytes, at: this.at };
  }

  /**
   * New room for the three: in the ingest memory (the old region is left there unused) until it cannot grow
   * so far, plain arrays for good from then on.
   */
  private place(rows: number, bytes: number): void {
    const days = this.wasm?.allocate(rows * 4 + (rows + 1) * 4 + bytes) ?? -1;
    if (days < 0) {
      this.wasm = null;
      this.days = new Int32Array(rows);
      this.offsets = new Int32Array(rows + 1);
      this.bytes = new Uint8Array(bytes);
      this.at = null;
      return;
    }
    const offsets = days + rows * 4;
    const ids = offsets + (rows + 1) * 4;
    const buffer = this.wasm!.buffer;
    this.days = new Int32Array(buffer, days, rows);
    this.offsets = new Int32Array(buffer, offsets, rows + 1);
    this.bytes = new Uint8Array(buffer, ids, bytes);
    this.at = { days, offsets, bytes: ids };
  }
}

/**
 * Rows of record batches into a builder: each batch through the fast path when its columns allow (one tight
 * loop per column over the batch's own buffers, no call per cell), else through the cell readers, row by
 * row, which also report every problem. The fast path gives up on a batch as soon as it meets anything it
 * does not take (a null, a value the cell readers would reject, a new dictionary overflow) before it has
 * changed anything but cells the slow path then overwrites, so a batch is always read exactly as the slow
 * path reads it.
 */
class ArrowRows {
  private readonly dateKeys = new Map<number, number>();
  private readonly groupKeys = new Map<string, number>();
  /** Date32 day (+ DAY_KEY_OFFSET) → date key, for the fast path: a tape has few days, met on every row */
  private readonly dayKeys = new IntKeys();
  /**
   * In front of dayKeys, a direct-mapped cache of valid days (slot: the day's low bits) and their keys: a
   * load and a compare a row, where a sorted tape's dates change on every row. Slot s starts with day s ^ 1,
   * which is never looked up there. In the ingest memory when there is one (`cacheAt`: its addresses).
   */
  private readonly cachedDays: Int32Array;
  private readonly cachedKeys: Uint16Array;
  private readonly cacheAt: { readonly days: number; readonly keys: number } | null = null;
  /** the wasm kernels over the tape's memory, for the fast path's money columns; null: the JavaScript loop */
  private readonly wasm: WasmKernels | null;
  /** the key loops' module over a memory of this reader's own (ingest-wasm.ts); null: the JavaScript twins */
  private readonly ingest: IngestWasm | null;
  /** what the key loops give back: date keys (wasm only: the JavaScript loop writes the date column) and runs */
  private readonly out = {
    keys: new Uint16Array(0) as Uint16Array<ArrayBufferLike>,
    keysAt: -1,
    starts: new Int32Array(0) as Int32Array<ArrayBufferLike>,
    startsAt: -1,
    clean: new Uint8Array(0) as Uint8Array<ArrayBufferLike>,
    cleanAt: -1,
  };
  /** the run starts and clean-run flags of the JavaScript loops */
  private plainStarts = new Int32Array(0);
  private plainClean = new Uint8Array(0);
  /** cleanRuns' table of stamps (in the ingest memory at `stampsAt` when there is one), and its next stamp */
  private readonly stamps: Int32Array;
  private readonly stampsAt: number = -1;
  private stamp = 1;
  /** for batches read whole: their key columns are copied here to reach the wasm loops */
  private copies: KeyScratch | null = null;
  /** the builder's staging room, while its money is Uint32 (null otherwise), and the memory's bytes to read into it */
  private readonly staging: Float64Array | null;
  private readonly memoryBytes: Uint8Array;

  constructor(
    private readonly c: ArrowColumns,
    private readonly builder: TapeBuilder,
    tuning: ArrowTuning = {},
  ) {
    const wasm = c.fast !== null && tuning.kernel !== 'js';
    const module = wasm ? kernelModule().module : null;
    this.wasm = module === null ? null : WasmKernels.instantiate(module, builder.memory, builder.layout);
    const ingest = wasm ? IngestWasm.take(tuning.keyMemoryPages) : null;
    const cacheAt = ingest?.allocate(DAY_CACHE_SLOTS * 6 + STAMP_SLOTS * 4) ?? -1;
    // the wasm loops need their tables in their memory: where they do not fit, the JavaScript twins run
    if (cacheAt < 0) ingest?.release();
    this.ingest = cacheAt >= 0 ? ingest : null;
    if (cacheAt >= 0) {
      this.stampsAt = cacheAt + DAY_CACHE_SLOTS * 6;
      // a reused memory holds the last reader's stamps
      this.stamps = new Int32Array(this.ingest!.buffer, this.stampsAt, STAMP_SLOTS).fill(0);
      this.cacheAt = { days: cacheAt, keys: cacheAt + DAY_CACHE_SLOTS * 4 };
      this.cachedDays = new Int32Array(this.ingest!.buffer, this.cacheAt.days, DAY_CACHE_SLOTS);
      this.cachedKeys = new Uint16Array(this.ingest!.buffer, this.cacheAt.keys, DAY_CACHE_SLOTS);
    } else {
      this.stamps = new Int32Array(STAMP_SLOTS);
      this.cachedDays = new Int32Array(DAY_CACHE_SLOTS);
      this.cachedKeys = new Uint16Array(DAY_CACHE_SLOTS);
    }
    for (let slot = 0; slot < DAY_CACHE_SLOTS; slot++) this.cachedDays[slot] = slot ^ 1;
    // Uint32 money from the start goes through the wasm conversion; without it, the columns are Float64
    if (this.wasm === null) builder.widen();
    this.staging = builder.stagingOffset < 0 ? null : new Float64Array(builder.memory.buffer, builder.stagingOffset, builder.rowLimit - builder.rowBase);
    this.memoryBytes = new Uint8Array(builder.memory.buffer);
    // While every batch goes through the wasm conversion, the largest amount it wrote bounds the tape's, and
    // narrowing needs no check of its own (builder.largestCents); the JavaScript loop keeps no bound.
    if (this.wasm !== null && builder.nextRow === builder.rowBase) builder.largestCents = 0;
  }

  /**
   * The ingest memory back to this thread's next reader, once nothing reads into it any more (the batches
   * are all read, or a read failed and no other is in flight); nothing may be read after.
   */
  release(): void {
    this.ingest?.release();
  }

  /** Buffers for the columns of a batch read straight from the file (planDirect): one per batch in flight. */
  keyScratch(): KeyScratch {
    return new KeyScratch(this.ingest);
  }

  /** Whether batches can be read column by column straight from the file (planDirect). */
  get direct(): boolean {
    return this.c.fast !== null && this.c.fast.bufferStarts !== null;
  }

  /** The row the next kept row goes to. */
  get nextRow(): number {
    return this.builder.nextRow;
  }

  /** Read a batch of `n` rows whose first is row `rowBase` + 1 of the file. */
  batch(children: readonly Data[], n: number, rowBase: number): void {
    const { c } = this;
    try {
      c.money.forEach((reader, m) => reader?.bind(children[c.moneyFields[m]!]!));
      c.date.bind(children[c.columns.date]!);
      c.id?.bind(children[c.columns.id]!);
      c.group?.bind(children[c.columns.group]!);
    } catch (error) {
      if (error instanceof CorruptBatch) throw fileProblem(c.path, null, 'not a valid Arrow IPC file');
      throw error;
    }
    if (c.fast !== null && this.fastBatch(c.fast, children, n, rowBase)) return;
    this.slowBatch(n, rowBase);
  }

  private fastBatch(plan: FastPlan, children: readonly Data[], n: number, rowBase: number): boolean {
    const { c, builder } = this;
    const first = builder.nextRow;
    if (first + n > builder.rowLimit) return false;
    const dateData = children[c.columns.date]!;
    const idData = c.columns.id >= 0 ? children[c.columns.id]! : null;
    if (dateData.nullCount !== 0 || (idData !== null && idData.nullCount !== 0)) return false;
    const { money, moneyIndex } = builder;
    const narrow = builder.columns.moneyWidth === 4;
    builder.written = Math.max(builder.written, first + n);
    const batchTotals = new Float64Array(MONEY_COLUMNS.length);
    for (let m = 0; m < MONEY_COLUMNS.length; m++) {
      const f = plan.moneyFields[m]!;
      const base = moneyIndex[m]! + first;
      if (f < 0) {
        money.fill(0, base, base + n);
        continue;
      }
      const data = children[f]!;
      if (data.nullCount !== 0) return false;
      const values = data.values as Float64Array;
      let sum: number;
      if (narrow) {
        sum = this.centsThroughStaging(base * 4, n, (done, count) => this.staging!.set(values.subarray(done, done + count)));
        if (sum === BEYOND_UINT32) {
          // Float64 columns from here on, and the batch again (nothing reads into the tape while a batch is read whole)
          builder.widen();
          return this.fastBatch(plan, children, n, rowBase);
        }
      } else if (this.wasm !== null) {
        const money64 = money as Float64Array;
        // a copy at memcpy speed, then the conversion in place
        money64.set(values.subarray(0, n), base);
        sum = this.wasm.centsFromDollars(base * 8, n);
      } else {
        sum = centsFromDollarsJs(values, money as Float64Array, base, n);
      }
      if (sum < 0) return false;
      batchTotals[m] = sum;
    }
    this.noteLargest();
    return this.fastKeys(this.keyColumns(dateData, idData, n), n, first, rowBase, batchTotals);
  }

  /**
   * `n` dollars into Uint32 cents at byte `to` of the tape, a piece at a time through the staging room, each
   * piece put there by `fill(first value, count)` just before it is converted: the sum of the cents, -1
   * when a value is not valid, BEYOND_UINT32 when every value is but one does not fit a Uint32.
   */
  private centsThroughStaging(to: number, n: number, fill: (done: number, count: number) => void): number {
    const { wasm, builder } = this;
    let sum = 0;
    for (let done = 0; done < n; done += STAGING_ROWS) {
      const count = Math.min(STAGING_ROWS, n - done);
      fill(done, count);
      const piece = wasm!.centsFromDollarsNarrow(builder.stagingOffset, to + done * 4, count);
      if (piece < 0) return piece;
      sum += piece;
    }
    return sum;
  }

  /** After a batch's conversion: the builder's bound of its amounts includes the batch's (none once lost). */
  private noteLargest(): void {
    if (this.wasm !== null) this.builder.largestCents = Math.max(this.builder.largestCents, this.wasm.largestCents());
  }

  /** The key columns of a batch read whole: its own arrays, or copies in the ingest memory for the wasm loops. */
  private keyColumns(dateData: Data, idData: Data | null, n: number): KeyColumns {
    const days = dateData.values as Int32Array;
    const offsets = idData === null ? new Int32Array(0) : (idData.valueOffsets as Int32Array);
    const bytes = idData === null ? new Uint8Array(0) : (idData.values as Uint8Array);
    const limit = idData === null ? -1 : bytes.length;
    if (this.ingest === null) return { days, offsets, bytes, limit, at: null };
    this.copies ??= this.keyScratch();
    // copies at memcpy speed, a few bytes a row
    const copies = this.copies.columns(n, Math.max(0, limit));
    copies.days.set(days.subarray(0, n));
    if (idData !== null) {
      copies.offsets.set(offsets.subarray(0, n + 1));
      copies.bytes.set(bytes);
    }
    return { ...copies, limit };
  }

  /**
   * Where the columns of a batch of the fast path's types lie in the file, and where they go: the money
   * columns straight to their place in the tape from row `first`, the dates and ids into `scratch`. Null when
   * the batch must be read whole instead (a null, a layout this path does not take). Touches nothing.
   */
  planDirect(batch: BatchBlock, first: number, scratch: KeyScratch): DirectBatch | null {
    const { c, builder } = this;
    const plan = c.fast;
    if (plan === null || plan.bufferStarts === null) return null;
    const n = batch.rows;
    if (first + n > builder.rowLimit) return null;
    const { nodes, buffers } = batch.header;
    const starts = plan.bufferStarts;
    /** the file position of buffer `b` of `field` if the field has n rows, no nulls, and `bytes` there */
    const where = (field: number, b: number, bytes: number): number => {
      const node = nodes[field];
      const region = buffers[starts[field]! + b];
      if (node === undefined || region === undefined || node.length !== n || node.nullCount !== 0) return -1;
      if (region.length < bytes || region.offset < 0 || region.offset + region.length > batch.bodyLength) return -1;
      return batch.bodyOffset + region.offset;
    };
    const dayAt = where(c.columns.date, 1, n * 4);
    if (dayAt < 0) return null;
    const idField = c.columns.id;
    let idOffsetsAt = -1;
    let idBytesAt = -1;
    let idBytes = 0;
    if (idField >= 0) {
      idBytes = buffers[starts[idField]! + 2]?.length ?? -1;
      idOffsetsAt = where(idField, 1, (n + 1) * 4);
      idBytesAt = where(idField, 2, idBytes);
      if (idOffsetsAt < 0 || idBytesAt < 0) return null;
    }
    const reads: DirectRead[] = [];
    const moneyAt: number[] = [];
    const { columns } = builder;
    const width = columns.moneyWidth;
    const faultAhead = !builder.inRegion;
    const tapeBytes = this.memoryBytes;
    for (let m = 0; m < MONEY_COLUMNS.length; m++) {
      const f = plan.moneyFields[m]!;
      const at = f < 0 ? -1 : where(f, 1, n * 8);
      moneyAt.push(at);
      if (f < 0) continue;
      if (at < 0) return null;
      // Float64: the dollars into their place; Uint32: as many bytes of them over their cents' place, to fault it in
      const into = columns.moneyOffsets[m]! + first * width;
      if (width === 8 || faultAhead) reads.push({ at, into: tapeBytes.subarray(into, into + n * width) });
    }
    if (faultAhead) {
      // the date keys' place too, faulted in as the money's is (by as many bytes of the days): the keys are copied there
      const dateKeysAt = builder.dateColumn.byteOffset + first * 2;
      reads.push({ at: dayAt, into: tapeBytes.subarray(dateKeysAt, dateKeysAt + n * 2) });
    }
    const keys = scratch.columns(n, Math.max(0, idBytes));
    const asBytes = (array: Int32Array, length: number) => new Uint8Array(array.buffer, array.byteOffset, length * 4);
    reads.push({ at: dayAt, into: asBytes(keys.days, n) });
    if (idField >= 0) {
      reads.push({ at: idOffsetsAt, into: asBytes(keys.offsets, n + 1) });
      reads.push({ at: idBytesAt, into: keys.bytes.subarray(0, idBytes) });
    }
    return { n, first, width, moneyAt, reads, keys: { ...keys, limit: idField < 0 ? -1 : idBytes } };
  }

  /**
   * Read a planned batch's columns, all at once: the reads run side by side on the thread pool, and fault the
   * tape's fresh pages in together, while this thread goes on with the batch before. Throws when the file
   * ends early.
   */
  async fetchDirect(source: ByteSource, direct: DirectBatch): Promise<void> {
    const { builder } = this;
    builder.written = Math.max(builder.written, direct.first + direct.n);
    const complete = await Promise.all(direct.reads.map(({ at, into }) => readExactly(source, into, into.length, at)));
    if (complete.includes(false)) throw new Error('the file ends inside a record batch');
  }

  /**
   * A fetched batch into the tape at the builder's next row. Float64 columns: its money was read into them,
   * is moved there first if the batches before kept fewer rows than they read, and is converted in place.
   * Uint32 columns: its dollars are read now, a piece at a time through the staging room (`source.readSync`),
   * and converted into the columns. False when the batch must be read whole through the cell readers, which
   * overwrite what was written here (a bad value or date, an amount beyond Uint32, or no readSync).
   */
  completeDirect(source: ByteSource, direct: DirectBatch, rowBase: number): boolean {
    const { builder } = this;
    const { money, moneyIndex } = builder;
    const { n } = direct;
    // planned before the columns were widened: its reads went where Uint32 cents were to go
    if (direct.width !== builder.columns.moneyWidth) return false;
    const first = builder.nextRow;
    const batchTotals = new Float64Array(MONEY_COLUMNS.length);
    for (let m = 0; m < MONEY_COLUMNS.length; m++) {
      const base = moneyIndex[m]! + first;
      const at = direct.moneyAt[m]!;
      if (at < 0) {
        money.fill(0, base, base + n);
        continue;
      }
      let sum: number;
      if (direct.width === 4) {
        const readFrom = source.readSync;
        if (readFrom === undefined) return false;
        const read = (done: number, count: number) => {
          if (!readExactlySync(readFrom, this.memoryBytes, builder.stagingOffset, count * 8, at + done * 8)) throw new Error('the file ends inside a record batch');
        };
        // a value beyond Uint32 (BEYOND_UINT32) too: the batch read whole widens the columns
        sum = this.centsThroughStaging(base * 4, n, read);
      } else {
        const money64 = money as Float64Array;
        if (first !== direct.first) money64.copyWithin(base, moneyIndex[m]! + direct.first, moneyIndex[m]! + direct.first + n);
        sum = this.wasm !== null ? this.wasm.centsFromDollars(base * 8, n) : centsFromDollarsJs(money64.subarray(base, base + n), money64, base, n);
      }
      if (sum < 0) return false;
      batchTotals[m] = sum;
    }
    this.noteLargest();
    // as VariableWidth.check: the last offset within the bytes
    const { keys } = direct;
    if (keys.limit >= 0 && !(keys.offsets[n]! <= keys.limit)) return false;
    return this.fastKeys(keys, n, first, rowBase, batchTotals);
  }

  /**
   * The fast path after the money columns: the dates, then the ids and duplicates, then the totals. False
   * when a date needs the cell readers.
   */
  private fastKeys(keys: KeyColumns, n: number, first: number, rowBase: number, batchTotals: Float64Array): boolean {
    const { builder, ingest, out } = this;
    const { money, moneyIndex, totals, dateColumn } = builder;
    const { days, offsets, bytes, limit, at } = keys;
    const wasm = ingest !== null && at !== null && this.roomOut(ingest, n + 1) ? ingest : null;
    if (wasm === null && this.plainStarts.length < n + 1) {
      this.plainStarts = new Int32Array(n + 1 + ((n + 1) >> 1));
      this.plainClean = new Uint8Array(this.plainStarts.length);
    }
    // Every amount is valid: the dates next (new ones join the dictionary in row order, as row by row), each
    // day the cache does not have looked up and put there.
    for (let i = 0; ; ) {
      i = wasm !== null ? wasm.dateKeys(at!.days, i, n, out.keysAt, this.cacheAt!.days, this.cacheAt!.keys) : dateKeysJs(days, i, n, dateColumn, first, this.cachedDays, this.cachedKeys);
      if (i >= n) break;
      if (!this.cacheDay(days[i]!, rowBase + i + 1)) return false;
    }
    if (wasm !== null) dateColumn.set(out.keys.subarray(0, n), first);
    // Every row is valid: duplicates are dropped by moving the later rows of the batch down over them.
    let kept = first;
    if (limit >= 0) {
      const ids = builder.ids;
      const rowStart = builder.rowBase;
      // the batch's bytes alone (the scratch may be longer): an offset past them reads undefined, as it did
      const idBytes = bytes.length === limit ? bytes : bytes.subarray(0, limit);
      const starts = wasm !== null ? out.starts : this.plainStarts;
      const runs = wasm !== null ? wasm.runStarts(at!.offsets, at!.bytes, limit, n, out.startsAt) : runStartsJs(offsets, bytes, limit, n, starts);
      if (this.stamp > 0x7fffffff - runs) {
        this.stamps.fill(0);
        this.stamp = 1;
      }
      const clean = wasm !== null ? out.clean : this.plainClean;
      if (wasm !== null) wasm.cleanRuns(out.startsAt, runs, out.keysAt, this.stampsAt, this.stamp, out.cleanAt);
      else cleanRunsJs(starts, runs, dateColumn, first, this.stamps, this.stamp, clean);
      this.stamp += runs;
      for (let r = 0; r < runs; r++) {
        const from = starts[r]!;
        const to = starts[r + 1]!;
        const start = offsets[from]!;
        const end = offsets[from + 1]!;
        const runsBefore = ids.runCount;
        let keep = true;
        if (start === end) ids.idless(kept - rowStart);
        else keep = ids.addBytes(idBytes, start, end, dateColumn[first + from]!, kept - rowStart);
        if (!keep) builder.duplicates++;
        else {
          if (kept !== first + from) builder.moveRow(first + from, kept);
          kept++;
        }
        let i = from + 1;
        // A run that its first row started in run mode, whose dates do not repeat, and that another id follows
        // in this batch, is kept whole: its rows could only be duplicates of each other, and no later row is
        // checked against its dates (a later row of its id comes out of order, and the switch to pairs takes
        // the run's pairs from the date column). Nothing moves while no row before it was dropped.
        if (clean[r] === 1 && to < n && kept === first + i && ids.pairs === null && ids.runCount === runsBefore + 1) {
          kept += to - i;
          i = to;
        }
        // the rest of the run repeats the id of its first row: no hash, no compare
        for (; i < to; i++) {
          if (!ids.addRepeat(idBytes, start, end, dateColumn[first + i]!, kept - rowStart)) {
            builder.duplicates++;
            continue;
          }
          if (kept !== first + i) builder.moveRow(first + i, kept);
          kept++;
        }
      }
    } else {
      kept = first + n;
    }
    if (kept === first + n) {
      for (let m = 0; m < MONEY_COLUMNS.length; m++) totals[m]! += batchTotals[m]!;
    } else {
      for (let m = 0; m < MONEY_COLUMNS.length; m++) {
        let sum = totals[m]!;
        for (let row = first; row < kept; row++) sum += money[moneyIndex[m]! + row]!;
        totals[m] = sum;
      }
    }
    builder.nextRow = kept;
    builder.rowsRead += n;
    return true;
  }

  /** Whether the ingest memory has (or can make) room for the wasm loops' output of `rows` rows. */
  private roomOut(wasm: IngestWasm, rows: number): boolean {
    const out = this.out;
    if (out.starts.length >= rows) return true;
    const capacity = rows + (rows >> 1);
    const at = wasm.allocate(capacity * 7);
    if (at < 0) return false;
    out.startsAt = at;
    out.keysAt = at + capacity * 4;
    out.cleanAt = at + capacity * 6;
    out.starts = new Int32Array(wasm.buffer, out.startsAt, capacity);
    out.keys = new Uint16Array(wasm.buffer, out.keysAt, capacity);
    out.clean = new Uint8Array(wasm.buffer, out.cleanAt, capacity);
    return true;
  }

  /**
   * Put a day the cache did not have in it, with its key (looked up, or new: see newDay); false for a day
   * the cell readers must see (outside years 0-9999, which they reject).
   */
  private cacheDay(day: number, row: number): boolean {
    if (day < FIRST_DAY || day > LAST_DAY) return false;
    let key = this.dayKeys.get(day + DAY_KEY_OFFSET);
    if (key < 0) key = this.newDay(day, row);
    if (key < 0) return false;
    const slot = day & (DAY_CACHE_SLOTS - 1);
    this.cachedDays[slot] = day;
    this.cachedKeys[slot] = key;
    return true;
  }

  /**
   * The key of a day the fast path has not met: -1 (give the batch to the cell readers) for a day the cell
   * reader would reject; a dictionary overflow throws as the row-by-row path would at this row.
   */
  private newDay(day: number, row: number): number {
    const packed = packedDateOfEpochDay(day);
    if (packed < 0) return -1;
    const key = this.dateKeyOf(packed, row);
    this.dayKeys.set(day + DAY_KEY_OFFSET, key);
    return key;
  }

  private dateKeyOf(packed: number, row: number): number {
    const known = this.dateKeys.get(packed);
    if (known !== undefined) return known;
    const key = this.dictionaryKey(() => this.builder.dates.keyOf(isoDateOfPacked(packed)), row, this.c.names[this.c.columns.date]!);
    this.dateKeys.set(packed, key);
    return key;
  }

  private dictionaryKey(keyOf: () => number, row: number, column: string): number {
    try {
      return keyOf();
    } catch (error) {
      if (error instanceof RangeError) {
        throw new TapeInputError([{ file: this.c.path, line: row, lineKind: 'row', column, value: null, reason: error.message }], 1);
      }
      throw error;
    }
  }

  private reject(row: number, field: number, reader: CellReader, local: number, reason: string): void {
    const problem: Problem = { file: this.c.path, line: row, lineKind: 'row', column: this.c.names[field]!, value: reader.text(local), reason };
    this.builder.reject(problem);
  }

  /** Row by row through the cell readers: any type, nulls, and every problem named. */
  private slowBatch(n: number, rowBase: number): void {
    const { c, builder } = this;
    // amounts the wasm conversion did not see: narrowing must check the columns
    builder.largestCents = Number.POSITIVE_INFINITY;
    const { money, moneyFields, date, id, group, columns, names } = c;
    const cents = builder.cents;
    for (let i = 0; i < n; i++) {
      const row = rowBase + i + 1;
      builder.rowsRead++;
      let bad = false;
      for (let m = 0; m < cents.length; m++) {
        const reader = money[m];
        if (reader === null || reader === undefined) {
          cents[m] = 0;
          continue;
        }
        const value = reader.cents(i);
        if (value >= 0) cents[m] = value;
        else if (value === CENTS_MISSING && !REQUIRED[m]) cents[m] = 0;
        else {
          this.reject(row, moneyFields[m]!, reader, i, moneyReason(value));
          bad = true;
        }
      }
      const packed = date.date(i);
      let dateKey = 0;
      if (packed >= 0) {
        dateKey = this.dateKeyOf(packed, row);
      } else {
        this.reject(row, columns.date, date, i, packed === DATE_MISSING ? 'missing value' : 'bad date');
        bad = true;
      }
      if (bad) {
        builder.endBadRow();
        continue;
      }
      let groupKey = 0;
      if (group !== null) {
        const value = group.text(i) ?? '';
        const known = this.groupKeys.get(value);
        if (known !== undefined) groupKey = known;
        else {
          groupKey = this.dictionaryKey(() => builder.groups.keyOf(value), row, names[columns.group]!);
          this.groupKeys.set(value, groupKey);
        }
      }
      const idBytes = id === null ? null : id.idBytes(i);
      if (idBytes === null) builder.commit(null, 0, 0, dateKey, groupKey);
      else builder.commit(idBytes, id!.start, id!.end, dateKey, groupKey);
    }
  }
}

/** The columns of a table's schema, mapped by the header rules, with their readers. */
function arrowColumns(path: string, fields: readonly Field[], options: ReadOptions): ArrowColumns {
  let columns: ColumnMap;
  try {
    columns = mapHeader(
      fields.map((f) => f.name.replace(/^\uFEFF/, '').trim()),
      options.groupBy,
      path,
      0,
    );
  } catch (error) {
    throw error instanceof TapeInputError ? asRowProblems(error) : error;
  }
  const typed = <R>(index: number, make: (type: DataType) => R): R => {
    const field = fields[index]!;
    try {
      return make(field.type as DataType);
    } catch (error) {
      // the column is named in the reason, which reads better than "column x: ... for column x"
      if (error instanceof UnsupportedType) throw fileProblem(path, null, `unsupported type ${String(field.type)} for column ${field.name}`);
      if (error instanceof RangeError) throw fileProblem(path, null, `unsupported time zone for column ${field.name}: ${error.message}`);
      throw error;
    }
  };
  const moneyFields = Array.from(columns.money);
  return {
    path,
    names: fields.map((f) => f.name),
    columns,
    money: moneyFields.map((f) => (f < 0 ? null : typed(f, moneyReaderFor))),
    moneyFields,
    date: typed(columns.date, dateReaderFor),
    id: columns.id < 0 ? null : new IdCells(fields[columns.id]!.type as DataType),
    group: columns.group < 0 ? null : new GetterCells(),
    fast: fastPlanFor(fields, columns, options.groupBy),
  };
}

/** How the Arrow reader works, for tests that compare its paths. */
export interface ArrowTuning {
  /** convert whole batches a column at a time where the types allow (default true) */
  readonly fastPath?: boolean;
  /** read IPC files a batch at a time (arrow-file.ts) rather than whole through tableFromIPC (default true) */
  readonly streaming?: boolean;
  /** threads for an IPC file, the calling one included (default: the available parallelism, at most 2) */
  readonly threads?: number;
  /** read on one thread below this size (default PARALLEL_ARROW_MIN_BYTES) */
  readonly minBytes?: number;
  /**
   * read the fast path's columns of an IPC file one by one, the money straight into the tape, instead of
   * each batch whole into a buffer first (default true; see ArrowRows.readDirect)
   */
  readonly direct?: boolean;
  /**
   * convert the fast path's money with the wasm kernel or the JavaScript loop, and find its date keys and runs
   * of ids with the wasm loops of ingest-wasm.ts or their JavaScript twins (default 'wasm' where it loads)
   */
  readonly kernel?: 'wasm' | 'js';
  /** the most 64 KiB pages the key loops' wasm memory may grow to (default: 1 GiB), to test what a full one does */
  readonly keyMemoryPages?: number;
  /**
   * where the fast path reads columns one by one with the wasm conversion, write the tape's money as Uint32
   * cents from the start (default true; see TapeBuilder), rather than Float64 cents narrowed at the end
   */
  readonly uint32?: boolean;
}

/**
 * The width a reader of these columns starts the tape's money at: 4 where every batch can take the direct
 * path's Uint32 conversion (see ArrowTuning.uint32), else 8.
 */
function startingWidth(columns: ArrowColumns, tuning: ArrowTuning): MoneyWidth {
  const direct = columns.fast !== null && columns.fast.bufferStarts !== null;
  return direct && tuning.uint32 !== false && tuning.kernel !== 'js' && kernelModule().module !== null ? 4 : 8;
}

export async function readArrowTape(path: string, options: ReadOptions = {}, tuning: ArrowTuning = {}): Promise<ReadResult> {
  const handle = await open(path, 'r');
  let result: ReadResult | null = null;
  try {
    const size = (await handle.stat()).size;
    // the calling thread's reads: through the descriptor, which has readSync (a FileHandle has not)
    const source = descriptorSource(handle.fd);
    const plan = tuning.streaming === false ? null : await planArrowFile(source, size);
    if (plan !== null) {
      if (plan.rows === 0) throw fileProblem(path, null, 'no data rows');
      const threads = Math.min(tuning.threads ?? availableParallelism(), 2);
      const warm = ingestWorkersReady(1);
      const minBytes = tuning.minBytes ?? (warm ? PARALLEL_ARROW_MIN_BYTES : PARALLEL_COLD_MIN_BYTES);
      const split = threads > 1 && size >= minBytes ? splitBatches(plan, warm ? 1 : COLD_FIRST_SHARE) : 0;
      result = split > 0 ? await readArrowInParallel({ fd: handle.fd, size, source }, path, plan, split, options, tuning) : null;
      if (result === null) {
        const columns = arrowColumnsFor(path, plan.schema.fields, options, tuning);
        const builder = new TapeBuilder(plan.rows, options, undefined, startingWidth(columns, tuning));
        await readBatches(source, path, plan, 0, plan.batches.length, 0, new ArrowRows(columns, builder, tuning));
        result = builder.finish(path);
      }
    }
  } finally {
    await handle.close();
  }
  if (result !== null) return result;
  // IPC streams, dictionaries, compression: the whole file through tableFromIPC
  return readArrowTable(path, await loadTable(path), options, tuning);
}

/** A table already in memory (an IPC stream read whole, or a whole Parquet file) into a tape. */
export function readArrowTable(path: string, table: Table, options: ReadOptions = {}, tuning: ArrowTuning = {}): ReadResult {
  return readArrowBatches(path, table.schema.fields, table.numRows, table.batches, options, tuning);
}

/**
 * Record batches of `totalRows` rows in all, with these fields, into a tape, by the same cell readers and rules
 * as an Arrow file; problems name `path` and the 1-based row. The batches may be made one at a time (a Parquet
 * file is decoded a row group at a time), so that only one is in memory besides the tape.
 */
export function readArrowBatches(
  path: string,
  fields: readonly Field[],
  totalRows: number,
  batches: Iterable<RecordBatch>,
  options: ReadOptions = {},
  tuning: ArrowTuning = {},
): ReadResult {
  const columns = arrowColumnsFor(path, fields, options, tuning);
  if (totalRows === 0) throw fileProblem(path, null, 'no data rows');
  const builder = new TapeBuilder(totalRows, options);
  const rows = new ArrowRows(columns, builder, tuning);
  let rowBase = 0;
  try {
    for (const batch of batches) {
      if (rowBase + batch.numRows > totalRows) throw fileProblem(path, null, `more rows than the ${totalRows} the file declares`);
      rows.batch(batch.data.children, batch.numRows, rowBase);
      rowBase += batch.numRows;
    }
  } finally {
    rows.release();
  }
  return builder.finish(path);
}

/**
 * IPC files smaller than this are read on the calling thread alone when the ingest worker runs already
 * (csv-parallel.ts has the thresholds for when it would have to start, and why).
 */
export const PARALLEL_ARROW_MIN_BYTES = 16 << 20;

/** Batches [from, to) of a planned file into `rows`; `rowBase`: the file's rows before batch `from`. */
async function readBatches(handle: ByteSource, path: string, plan: ArrowFilePlan, from: number, to: number, rowBase: number, rows: ArrowRows): Promise<void> {
  let base = rowBase;
  try {
    if (rows.direct) {
      await readBatchesDirect(handle, plan, from, to, rowBase, rows);
      return;
    }
    await forEachBatch(handle, plan, from, to, (children, n) => {
      rows.batch(children, n, base);
      base += n;
    });
  } catch (error) {
    // what tableFromIPC would have refused: Arrow's loader, or the file cut short since it was planned
    if (error instanceof TapeInputError || error instanceof WideningNeeded) throw error;
    throw fileProblem(path, null, 'not a valid Arrow IPC file');
  } finally {
    rows.release();
  }
}

/**
 * Batches [from, to) column by column (ArrowRows.planDirect), each batch's reads started while the batch
 * before is converted, at the row it would start at if every row before were kept; a batch that cannot be
 * read so, or is refused by the fast path, is read whole (loadBatch) and goes through ArrowRows.batch.
 */
async function readBatchesDirect(source: ByteSource, plan: ArrowFilePlan, from: number, to: number, rowBase: number, rows: ArrowRows): Promise<void> {
  const scratch = [rows.keyScratch(), rows.keyScratch()];
  let body: Uint8Array | null = null;
  let base = rowBase;
  type Fetch = { direct: DirectBatch; done: Promise<unknown> };
  const start = (b: number, first: number): Fetch | null => {
    const direct = rows.planDirect(plan.batches[b]!, first, scratch[b & 1]!);
    if (direct === null) return null;
    // settled either way, so that a failure surfaces when the batch's turn comes, not as an unhandled rejection
    return { direct, done: rows.fetchDirect(source, direct).then(() => null, (error: unknown) => ({ error })) };
  };
  let next: Fetch | null = null;
  try {
    for (let b = from; b < to; b++) {
      const current = next ?? start(b, rows.nextRow);
      next = null;
      if (current !== null && b + 1 < to) next = start(b + 1, current.direct.first + current.direct.n);
      let read = false;
      if (current !== null) {
        const failed = (await current.done) as { error: unknown } | null;
        if (failed !== null) throw failed.error;
        read = rows.completeDirect(source, current.direct, base);
      }
      if (!read) {
        // A batch read whole may widen the money columns: no read of the next batch may still be writing into them.
        if (next !== null) await next.done;
        body ??= new Uint8Array(Math.max(...plan.batches.slice(from, to).map((block) => block.bodyLength)));
        rows.batch(await loadBatch(source, plan, b, body), plan.batches[b]!.rows, base);
      }
      base += plan.batches[b]!.rows;
    }
  } finally {
    // no read may still be writing into the tape, or using the descriptor, once this returns
    if (next !== null) await next.done;
  }
}

/**
 * The first batch of the worker's range, where the calling thread's rows reach `firstShare` / (firstShare + 1)
 * of all; 0 when the file does not split (a single batch).
 */
function splitBatches(plan: ArrowFilePlan, firstShare: number): number {
  let rows = 0;
  for (let b = 0; b < plan.batches.length - 1; b++) {
    rows += plan.batches[b]!.rows;
    if (rows * (firstShare + 1) >= plan.rows * firstShare) return b + 1;
  }
  return 0;
}

/** One range of batches for a worker thread (see readArrowInParallel). */
export interface ArrowRangeTask {
  readonly kind: 'arrow-range';
  /** for messages */
  readonly path: string;
  /** the calling thread's descriptor of the file, open until both ranges have been read */
  readonly fd: number;
  /**
   * the file's size when the calling thread planned it: the worker plans with it rather than asking again,
   * through the thread pool, where the calling thread's reads ahead may keep it waiting for milliseconds
   */
  readonly size: number;
  readonly from: number;
  readonly to: number;
  /** the file's rows before batch `from`, for row numbers in problems */
  readonly rowBase: number;
  readonly options: ReadOptions;
  readonly tuning: ArrowTuning;
  readonly region: RowRegion;
}

/**
 * Read a range of batches into its region: on the calling thread for the first range (through its handle,
 * with its plan), in the worker for the other (through the calling thread's descriptor: see byte-source.ts).
 */
export async function readArrowRange(task: ArrowRangeTask, source: ByteSource = descriptorSource(task.fd), known?: ArrowFilePlan): Promise<RangePartial> {
  const plan = known ?? (await planArrowFile(source, task.size));
  if (plan === null) throw fileProblem(task.path, null, 'not a valid Arrow IPC file');
  const builder = TapeBuilder.region(task.region, task.options);
  const rows = new ArrowRows(arrowColumnsFor(task.path, plan.schema.fields, task.options, task.tuning), builder, task.tuning);
  await readBatches(source, task.path, plan, task.from, task.to, task.rowBase, rows);
  return builder.partial();
}

/**
 * The batches before `split` on this thread and the others on an ingest worker, each into its own region of
 * one memory, merged as the CSV reader's ranges are (range-merge.ts): the same tape, problems and counts as
 * reading the batches in order. Batch row counts are known from the plan, so the regions are exactly as
 * large as their batches. The ingest worker also moves half of each money column's rows into date order while
 * this thread moves the other half (engine/columns.ts, groupRowsByDateShared). Null when only a single pass can
 * give the exact result (an error in the second range, which a single pass might not reach the same way; a
 * dictionary that overflows once merged; a worker that cannot run). `file`: the open file's descriptor, which
 * the worker reads through, its size when planned, and this thread's reads of it.
 */
async function readArrowInParallel(
  file: { readonly fd: number; readonly size: number; readonly source: ByteSource },
  path: string,
  plan: ArrowFilePlan,
  split: number,
  options: ReadOptions,
  tuning: ArrowTuning,
): Promise<ReadResult | null> {
  const workers = ingestWorkers(1);
  // the header rules first, so that a file with no usable columns fails here, as in one pass
  const columns = arrowColumnsFor(path, plan.schema.fields, options, tuning);
  const firstRows = plan.batches.slice(0, split).reduce((sum, batch) => sum + batch.rows, 0);
  const { memory, layout } = allocateColumns(plan.rows, Boolean(options.groupBy), options.memoryLimit ?? null);
  // both regions Uint32 or both Float64: the merge moves the rows of one layout
  const reading = startingWidth(columns, tuning) === 4 ? uint32ReadingLayout(layout) : null;
  const moneyWidth: MoneyWidth = reading === null ? 8 : 4;
  const task = (from: number, to: number, rowBase: number, rowLimit: number, checkedLater: boolean): ArrowRangeTask => ({
    kind: 'arrow-range',
    path,
    fd: file.fd,
    size: file.size,
    from,
    to,
    rowBase,
    options,
    tuning,
    region: { memory, layout, rowBase, rowLimit, checkedLater, moneyWidth },
  });
  const outcomes = await Promise.allSettled([
    readArrowRange(task(0, split, 0, firstRows, true), file.source, plan),
    workers[0]!.run<RangePartial>(task(split, plan.batches.length, firstRows, plan.rows, false)),
  ]);
  const [first, second] = outcomes;
  // an amount beyond Uint32 in either region: one pass can widen the columns, two regions cannot
  if (first!.status === 'rejected' && !(first!.reason instanceof WideningNeeded)) throw first!.reason;
  if (second!.status === 'rejected') {
    const error: unknown = second!.reason;
    if (error instanceof WorkerTaskError && error.name !== 'TapeInputError' && error.name !== 'WideningNeeded') throw error;
    return null;
  }
  if (first!.status === 'rejected') return null;
  try {
    return await mergeRanges(path, memory, reading?.layout ?? layout, [first!.value, second!.value], options, movesOn(workers[0]!));
  } catch (error) {
    if (error instanceof MergeNotPossible) return null;
    throw error;
  }
}

function arrowColumnsFor(path: string, fields: readonly Field[], options: ReadOptions, tuning: ArrowTuning): ArrowColumns {
  const columns = arrowColumns(path, fields, options);
  if (tuning.fastPath === false || columns.fast === null) return { ...columns, fast: null };
  return tuning.direct === false ? { ...columns, fast: { ...columns.fast, bufferStarts: null } } : columns;
}
