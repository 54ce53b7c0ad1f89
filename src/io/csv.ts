/**
 * The CSV reader of loan tapes (SPEC §2, RFC 4180), streaming and byte-level.
 *
 * A 1M-row tape is ~85 MB, and the whole process must stay under three times that, so the file is never
 * held as one string: it is read in ~1 MiB chunks into one reused buffer, split into records and fields by
 * byte comparisons, and amounts and dates are parsed straight from the bytes. On the hot path no string is
 * made per cell; strings appear only for the header, for new dictionary entries and for problem messages.
 *
 * The pieces are pure functions that tests drive directly: `splitRecord` (one record into field ranges),
 * `parseCents` (one cell into whole cents) and `parseDate` (one cell into a packed yyyymmdd). The reader
 * at the bottom ties them to the TapeBuilder, which owns what happens to a row.
 *
 * Two paths through the records, interchangeable record by record: the general one (splitRecord, then the
 * cell parsers, then RowReader.read), which handles every shape and names every problem, and a fast one
 * (RowReader.fast) for the plain records nearly every tape is made of, which parses each record in a single
 * pass over its bytes and hands anything unusual to the general one. A range of a file can be read on its
 * own (readRecords, from a record boundary, with its first line number), which is how csv-parallel.ts reads
 * a large file on several threads; readCsvTape picks that reader for large files.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { DATE_COLUMN, ID_COLUMN, MAX_EXACT_CENTS, MONEY_COLUMNS, REQUIRED_MONEY_COLUMNS, normaliseHeader } from '../engine/schema.js';
import { maxRowsPerMemory, type Dictionary16 } from '../engine/columns.js';
import type { ByteSource } from './byte-source.js';
import { readCsvParallel } from './csv-parallel.js';
import { ID_HASH_SEED, hashId, pairHash } from './key-set.js';
import { TapeInputError, type Problem } from './problems.js';
import { TapeBuilder, type ReadOptions, type ReadResult } from './tape-builder.js';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const COLON = 58;
const PLUS = 43;
const ZERO = 48;
const UPPER_T = 84;
const UPPER_Z = 90;

/** Chunk size of the reads; a record longer than the buffer makes it grow. */
export const READ_CHUNK_BYTES = 1 << 20;

// ---------------------------------------------------------------------------------------------------------
// Records

/** The field was not quoted; its value is trimmed of spaces, tabs and the CR of a CRLF (see isBlank). */
export const FIELD_PLAIN = 0;
/** The field was quoted; its range is the unescaped content between the quotes. */
export const FIELD_QUOTED = 1;
/** A quote inside an unquoted field, or text after a closing quote: the range is the raw, trimmed text. */
export const FIELD_MALFORMED = 2;
/** Quoted with doubled quotes inside; only while splitting, turned into FIELD_QUOTED once unescaped. */
const FIELD_ESCAPED = 3;

/** The fields of one record, as ranges of the buffer it was split from; reused from record to record. */
export class RecordFields {
  count = 0;
  starts = new Int32Array(32);
  ends = new Int32Array(32);
  kinds = new Uint8Array(32);
  /** fields of kind FIELD_MALFORMED */
  malformed = 0;
  /** line feeds consumed by the record, its terminator included */
  lines = 0;
  /** a completely empty line (nothing, or a lone CR, before the line feed) */
  blank = false;
  /** at end of file inside a quoted field: that field's index, else -1 */
  unterminatedField = -1;
  /** line feeds within the record before the unterminated field began */
  unterminatedLines = 0;
  /** where the unterminated field's opening quote is */
  unterminatedStart = 0;

  grow(): void {
    const length = this.starts.length * 2;
    const starts = new Int32Array(length);
    const ends = new Int32Array(length);
    const kinds = new Uint8Array(length);
    starts.set(this.starts);
    ends.set(this.ends);
    kinds.set(this.kinds);
    this.starts = starts;
    this.ends = ends;
    this.kinds = kinds;
  }
}

/**
 * Split the record that starts at `start` into `out`, and return where the next record starts; or -1 when
 * the bytes up to `end` do not hold the whole record and more of the file is to come (`atEof` false).
 * At end of file, a final record without a line feed is complete, and an unclosed quote is reported in
 * `out.unterminatedField`. Doubled quotes are unescaped in place, which is safe because it happens only
 * once the record is known to be complete, so a record is never scanned again after it was modified.
 */
export function splitRecord(b: Uint8Array, start: number, end: number, atEof: boolean, out: RecordFields): number {
  out.unterminatedField = -1;
  out.malformed = 0;
  const blank = blankLineEnd(b, start, end, atEof);
  out.blank = blank !== 0;
  if (blank !== 0) {
    out.count = 0;
    out.lines = blank > 0 && b[blank - 1] === LF ? 1 : 0;
    return blank;
  }
  let starts = out.starts;
  let ends = out.ends;
  let kinds = out.kinds;
  let i = start;
  let n = 0;
  let lines = 0;
  let malformed = 0;
  let escapes = false;
  for (;;) {
    if (n === starts.length) {
      out.grow();
      ({ starts, ends, kinds } = out);
    }
    let kind = FIELD_PLAIN;
    let s = i;
    let e: number;
    // t: the index of the comma or line feed that ends the field, or `end` at end of file
    let t: number;
    if (i === end || b[i] !== QUOTE) {
      let j = i;
      let unusual = false;
      // Every byte the loop must notice (comma, line feed, quote, blanks to trim) is below '-', and digits,
      // letters, '.' and '-' are not, so the common byte costs one comparison, and a field with none of
      // them needs neither trimming nor a look for quotes.
      while (j < end) {
        const c = b[j]!;
        if (c < MINUS) {
          if (c === COMMA || c === LF) break;
          unusual = true;
        }
        j++;
      }
      if (j === end && !atEof) return -1;
      t = j;
      e = j;
      if (unusual) {
        while (s < e && isBlank(b[s]!)) s++;
        while (e > s && isBlank(b[e - 1]!)) e--;
        for (let q = s; q < e; q++) {
          if (b[q] === QUOTE) {
            kind = FIELD_MALFORMED;
            malformed++;
            break;
          }
        }
      }
    } else {
      const fieldLines = lines;
      let j = i + 1;
      let closed = -1;
      let doubled = false;
      while (j < end) {
        const c = b[j]!;
        if (c === QUOTE) {
          // A quote that is the last byte read yet is taken as closing; the check after the loop asks for more.
          if (j + 1 < end && b[j + 1] === QUOTE) {
            doubled = true;
            j += 2;
            continue;
          }
          closed = j;
          break;
        }
        if (c === LF) lines++;
        j++;
      }
      if (closed < 0) {
        if (!atEof) return -1;
        out.count = n;
        out.unterminatedField = n;
        out.unterminatedLines = fieldLines;
        out.unterminatedStart = i;
        out.lines = lines;
        return end;
      }
      const k = closed + 1;
      if (k === end) {
        if (!atEof) return -1;
        t = end;
      } else if (b[k] === COMMA || b[k] === LF) {
        t = k;
      } else if (b[k] === CR && k + 1 === end) {
        if (!atEof) return -1;
        t = end;
      } else if (b[k] === CR && b[k + 1] === LF) {
        t = k + 1;
      } else {
        t = -1;
      }
      if (t >= 0) {
        s = i + 1;
        e = closed;
        kind = doubled ? FIELD_ESCAPED : FIELD_QUOTED;
        if (doubled) escapes = true;
      } else {
        // Text after the closing quote: the rest of the field up to the separator, read without quote rules.
        t = k;
        while (t < end && b[t] !== COMMA && b[t] !== LF) t++;
        if (t === end && !atEof) return -1;
        kind = FIELD_MALFORMED;
        malformed++;
        e = t;
        while (e > s && isBlank(b[e - 1]!)) e--;
      }
    }
    starts[n] = s;
    ends[n] = e;
    kinds[n] = kind;
    n++;
    if (t < end && b[t] === COMMA) {
      i = t + 1;
      continue;
    }
    out.count = n;
    out.malformed = malformed;
    if (escapes) {
      for (let f = 0; f < n; f++) {
        if (kinds[f] === FIELD_ESCAPED) {
          ends[f] = unescapeQuotes(b, starts[f]!, ends[f]!);
          kinds[f] = FIELD_QUOTED;
        }
      }
    }
    if (t === end) {
      out.lines = lines;
      return end;
    }
    out.lines = lines + 1;
    return t + 1;
  }
}

/**
 * Bytes trimmed around an unquoted field: spaces, tabs and the CR of a CRLF. Other control bytes (a NUL of
 * a binary or UTF-16 file) stay in the value, so that they make it invalid rather than vanish.
 */
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

/**
 * Where a completely empty line that starts at `start` ends (after its LF or CRLF, or at end of file),
 * 0 when the line is not empty, -1 when that cannot be told before more of the file is read.
 */
function blankLineEnd(b: Uint8Array, start: number, end: number, atEof: boolean): number {
  if (start === end) return atEof ? end : -1;
  const c = b[start];
  if (c === LF) return start + 1;
  if (c !== CR) return 0;
  if (start + 1 === end) return atEof ? end : -1;
  return b[start + 1] === LF ? start + 2 : 0;
}

/** Turn each doubled quote of a quoted field's content into one, in place; returns the new end. */
export function unescapeQuotes(b: Uint8Array, start: number, end: number): number {
  let w = start;
  for (let r = start; r < end; r++) {
    const c = b[r]!;
    b[w++] = c;
    if (c === QUOTE) r++;
  }
  return w;
}

// ---------------------------------------------------------------------------------------------------------
// Money

/** Codes that parseCents returns instead of an amount; every amount is ≥ 0. */
export const CENTS_MISSING = -1;
export const CENTS_NEGATIVE = -2;
export const CENTS_TOO_MANY_DECIMALS = -3;
export const CENTS_NOT_A_NUMBER = -4;
export const CENTS_TOO_LARGE = -5;

export function moneyReason(code: number): string {
  switch (code) {
    case CENTS_MISSING:
      return 'missing value';
    case CENTS_NEGATIVE:
      return 'negative amount';
    case CENTS_TOO_MANY_DECIMALS:
      return 'more than 2 decimal places';
    case CENTS_TOO_LARGE:
      return 'amount too large';
    default:
      return 'not a number';
  }
}

/**
 * A money cell as whole cents (an integer-valued float64), or a negative CENTS_* code. Accepts optional
 * surrounding spaces, digits with an optional point and up to two decimals (more only if they are zeros).
 * The integer arithmetic is exact below 2^53 cents, and rounding is monotonic, so the too-large test is
 * right even for longer inputs whose intermediate values are no longer exact.
 */
export function parseCents(b: Uint8Array, start: number, end: number): number {
  // Fast path for the shape nearly every cell has, digits and two decimals: one pass, no trimming.
  const point = end - 3;
  if (point > start && b[point] === DOT) {
    const tens = b[point + 1]! - ZERO;
    const units = b[point + 2]! - ZERO;
    if (tens >>> 0 <= 9 && units >>> 0 <= 9) {
      let whole = 0;
      let i = start;
      for (; i < point; i++) {
        const d = b[i]! - ZERO;
        if (d >>> 0 > 9) break;
        whole = whole * 10 + d;
      }
      const cents = whole * 100 + tens * 10 + units;
      if (i === point && cents <= MAX_EXACT_CENTS) return cents;
    }
  }
  return generalCents(b, start, end);
}

function generalCents(b: Uint8Array, start: number, end: number): number {
  while (start < end && (b[start] === SPACE || b[start] === TAB)) start++;
  while (end > start && (b[end - 1] === SPACE || b[end - 1] === TAB)) end--;
  if (start === end) return CENTS_MISSING;
  if (b[start] === MINUS) {
    // "-5" and "-1.234" are negative amounts; "-", "-abc" and "--5" are not numbers at all.
    const rest = unsignedCents(b, start + 1, end);
    return rest === CENTS_NOT_A_NUMBER ? CENTS_NOT_A_NUMBER : CENTS_NEGATIVE;
  }
  return unsignedCents(b, start, end);
}

function unsignedCents(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let whole = 0;
  let digits = 0;
  for (; i < end; i++) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) break;
    whole = whole * 10 + d;
    digits++;
  }
  let fraction = 0;
  let fractionDigits = 0;
  let nonZeroBeyondCents = false;
  if (i < end) {
    if (b[i] !== DOT) return CENTS_NOT_A_NUMBER;
    for (i++; i < end; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) return CENTS_NOT_A_NUMBER;
      if (fractionDigits < 2) fraction = fraction * 10 + d;
      else if (d !== 0) nonZeroBeyondCents = true;
      fractionDigits++;
    }
  }
  if (digits + fractionDigits === 0) return CENTS_NOT_A_NUMBER;
  if (nonZeroBeyondCents) return CENTS_TOO_MANY_DECIMALS;
  if (fractionDigits === 1) fraction *= 10;
  const cents = whole * 100 + fraction;
  return cents > MAX_EXACT_CENTS ? CENTS_TOO_LARGE : cents;
}

// ---------------------------------------------------------------------------------------------------------
// Dates

export const DATE_MISSING = -1;
export const DATE_BAD = -2;

function twoDigits(b: Uint8Array, i: number): number {
  const hi = b[i]! - ZERO;
  const lo = b[i + 1]! - ZERO;
  if (hi < 0 || hi > 9 || lo < 0 || lo > 9) return -1;
  return hi * 10 + lo;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A measurement_date cell as year·10000 + month·100 + day, or DATE_MISSING / DATE_BAD. The date must be a
 * real calendar date; an optional `THH:MM:SS[.fraction][Z|±hh:mm]` is checked for shape and ignored.
 */
export function parseDate(b: Uint8Array, start: number, end: number): number {
  while (start < end && (b[start] === SPACE || b[start] === TAB)) start++;
  while (end > start && (b[end - 1] === SPACE || b[end - 1] === TAB)) end--;
  if (start === end) return DATE_MISSING;
  if (end - start < 10 || b[start + 4] !== MINUS || b[start + 7] !== MINUS) return DATE_BAD;
  const century = twoDigits(b, start);
  const yy = twoDigits(b, start + 2);
  const month = twoDigits(b, start + 5);
  const day = twoDigits(b, start + 8);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return DATE_BAD;
  const year = century * 100 + yy;
  if (day > daysInMonth(year, month)) return DATE_BAD;
  if (end - start > 10 && !isTimePart(b, start + 10, end)) return DATE_BAD;
  return year * 10000 + month * 100 + day;
}

function isTimePart(b: Uint8Array, p: number, end: number): boolean {
  if (end - p < 9 || b[p] !== UPPER_T || b[p + 3] !== COLON || b[p + 6] !== COLON) return false;
  const hours = twoDigits(b, p + 1);
  const minutes = twoDigits(b, p + 4);
  const seconds = twoDigits(b, p + 7);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59) return false;
  p += 9;
  if (p < end && b[p] === DOT) {
    const digitsFrom = ++p;
    while (p < end && b[p]! >= ZERO && b[p]! <= ZERO + 9) p++;
    if (p === digitsFrom) return false;
  }
  if (p === end) return true;
  if (b[p] === UPPER_Z) return p + 1 === end;
  if (b[p] !== PLUS && b[p] !== MINUS) return false;
  if (end - p !== 6 || b[p + 3] !== COLON) return false;
  const offsetHours = twoDigits(b, p + 1);
  const offsetMinutes = twoDigits(b, p + 4);
  return offsetHours >= 0 && offsetHours <= 23 && offsetMinutes >= 0 && offsetMinutes <= 59;
}

function dateText(packed: number): string {
  const year = Math.floor(packed / 10000);
  const month = Math.floor(packed / 100) % 100;
  const day = packed % 100;
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

// ---------------------------------------------------------------------------------------------------------
// The header

/** Which field of a record holds which column; -1 where the tape has no such column. */
export interface ColumnMap {
  /** the header's names as written (BOM and surrounding spaces removed), by field index */
  readonly names: readonly string[];
  /** field index of each money column, in MONEY_COLUMNS order */
  readonly money: Int32Array;
  readonly date: number;
  readonly id: number;
  readonly group: number;
}

/**
 * Map the header's names to columns. Throws the whole-file problems: a duplicated name, missing required
 * columns, an unknown group-by column.
 */
export function mapHeader(names: readonly string[], groupBy: string | null | undefined, file: string, line: number): ColumnMap {
  const fieldOf = new Map<string, number>();
  const duplicates: Problem[] = [];
  names.forEach((name, f) => {
    const key = normaliseHeader(name);
    // Unnamed columns (a trailing comma, a pandas index) cannot be referred to, so repeating them is harmless.
    if (key === '') return;
    if (fieldOf.has(key)) duplicates.push(problem(file, line, name, null, 'duplicate column'));
    else fieldOf.set(key, f);
  });
  if (duplicates.length > 0) throw new TapeInputError(duplicates, duplicates.length);
  const missing = [DATE_COLUMN, ...MONEY_COLUMNS.filter((c) => REQUIRED_MONEY_COLUMNS.has(c))].filter((c) => !fieldOf.has(c));
  if (missing.length > 0) throw fileError(file, line, null, null, `missing required column(s): ${missing.join(', ')}${separatorHint(names)}`);
  let group = -1;
  if (groupBy) {
    group = fieldOf.get(normaliseHeader(groupBy)) ?? -1;
    if (group < 0) throw fileError(file, line, groupBy, null, 'unknown group-by column');
  }
  return {
    names,
    money: Int32Array.from(MONEY_COLUMNS, (c) => fieldOf.get(c) ?? -1),
    date: fieldOf.get(DATE_COLUMN)!,
    id: fieldOf.get(ID_COLUMN) ?? -1,
    group,
  };
}

/** A header read as one field that another separator would have split: the likeliest cause of missing columns. */
function separatorHint(names: readonly string[]): string {
  if (names.length !== 1) return '';
  const separator = [';', '\t', '|'].find((c) => names[0]!.includes(c));
  return separator === undefined ? '' : ` (the header is one field holding ${JSON.stringify(separator)}: the separator must be a comma)`;
}

function problem(file: string, line: number, column: string | null, value: string | null, reason: string): Problem {
  return { file, line, lineKind: 'line', column, value, reason };
}

export function fileError(file: string, line: number, column: string | null, value: string | null, reason: string): TapeInputError {
  return new TapeInputError([problem(file, line, column, value, reason)], 1);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Problem values are cut for display anyway; a 10 MB bad cell must not become a 10 MB string. */
const MAX_VALUE_BYTES = 240;

function valueText(b: Uint8Array, start: number, end: number): string {
  return lenientUtf8.decode(b.subarray(start, Math.min(end, start + MAX_VALUE_BYTES)));
}


// ---------------------------------------------------------------------------------------------------------
// Dictionary keys

/**
 * Positive integers (packed yyyymmdd dates, shifted day numbers) → dictionary keys, in a small open-addressing
 * table: a tape has few dates, and a probe of an Int32Array costs less than a Map lookup on every row (tapes
 * sorted by loan change date every row). The CSV reader puts in only dates that parseDate accepted, so a hit
 * also proves the date valid.
 */
export class IntKeys {
  /** slot i: [2i] the integer (0 = empty: callers never use 0), [2i + 1] its key */
  private slots = new Int32Array(2 * 64);
  private size = 0;

  get(packed: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = (Math.imul(packed, 0x9e3779b1) >>> 16 << 1) & mask;
    for (;;) {
      const value = slots[i]!;
      if (value === packed) return slots[i + 1]!;
      if (value === 0) return -1;
      i = (i + 2) & mask;
    }
  }

  set(packed: number, key: number): void {
    if ((this.size + 1) * 4 > this.slots.length) {
      const old = this.slots;
      this.slots = new Int32Array(old.length * 2);
      this.size = 0;
      for (let j = 0; j < old.length; j += 2) if (old[j] !== 0) this.set(old[j]!, old[j + 1]!);
    }
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = (Math.imul(packed, 0x9e3779b1) >>> 16 << 1) & mask;
    while (slots[i] !== 0) i = (i + 2) & mask;
    slots[i] = packed;
    slots[i + 1] = key;
    this.size += 1;
  }
}

/**
 * Group-by cells to dictionary keys, found by their bytes, so that a row whose value was seen before costs
 * a hash and a comparison rather than a decoded string. The hash is the loan_id's (hashId), so the fast
 * path can compute it while it scans the cell.
 */
class GroupKeys {
  private readonly keysByHash = new Map<number, number[]>();
  private readonly bytesByKey: Uint8Array[] = [];

  constructor(private readonly dictionary: Dictionary16) {}

  /** The key of a value seen before, or -1. */
  find(b: Uint8Array, start: number, end: number, hash: number): number {
    const keys = this.keysByHash.get(hash);
    if (keys !== undefined) {
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (sameBytes(this.bytesByKey[key]!, b, start, end)) return key;
      }
    }
    return -1;
  }

  /** The key of the cell's text, or -1 when the cell is not valid UTF-8. */
  keyOf(b: Uint8Array, start: number, end: number): number {
    const h = hashId(b, start, end);
    const known = this.find(b, start, end, h);
    if (known >= 0) return known;
    let text: string;
    try {
      text = strictUtf8.decode(b.subarray(start, end));
    } catch {
      return -1;
    }
    const key = this.dictionary.keyOf(text);
    this.bytesByKey[key] = b.slice(start, end);
    const keys = this.keysByHash.get(h);
    if (keys !== undefined) keys.push(key);
    else this.keysByHash.set(h, [key]);
    return key;
  }
}

function sameBytes(stored: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (stored.length !== end - start) return false;
  for (let i = 0; i < stored.length; i++) if (stored[i] !== b[start + i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Rows

/** What the fast path does with each field of a record; a value ≥ 0 is a money column's index. */
const ROLE_SKIP = -1;
const ROLE_DATE = -2;
const ROLE_ID = -3;
const ROLE_GROUP = -4;

/** Rows whose duplicate checks the fast path does together (see RowReader.settle). */
const BATCH_ROWS = 256;

/** Validates each data record and hands the good ones to the builder. */
export class RowReader {
  /** 1-based line on which the next record starts */
  line: number;
  private readonly fieldCount: number;
  private readonly required: boolean[];
  private readonly requiredMoney: Uint8Array;
  /** per field: ROLE_* or the money column; null when the fast path cannot serve this header */
  private readonly roles: Int32Array | null;
  private readonly dateKeys = new IntKeys();
  /** tapes are often sorted by date: the last date answers most rows without a lookup */
  private lastDate = -1;
  private lastDateKey = 0;
  private readonly groupKeys: GroupKeys | null;
  /** the fast path's batch of rows awaiting their duplicate check: hashes, id bytes (empty: no id), date key */
  private readonly idHashes = new Int32Array(BATCH_ROWS);
  private readonly pairs = new Int32Array(BATCH_ROWS);
  private readonly idStarts = new Int32Array(BATCH_ROWS);
  private readonly idEnds = new Int32Array(BATCH_ROWS);
  private readonly pendingDates = new Uint16Array(BATCH_ROWS);
  /** what KeySet.touch returned, kept so that its loads stay */
  touched = 0;

  constructor(
    private readonly file: string,
    private readonly columns: ColumnMap,
    private readonly builder: TapeBuilder,
    line: number,
    fastPath = true,
  ) {
    this.line = line;
    this.fieldCount = columns.names.length;
    this.required = MONEY_COLUMNS.map((c) => REQUIRED_MONEY_COLUMNS.has(c));
    this.requiredMoney = Uint8Array.from(this.required, Number);
    this.groupKeys = columns.group >= 0 ? new GroupKeys(builder.groups) : null;
    this.roles = fastPath ? fastRoles(columns) : null;
  }

  /**
   * The fast path: rows from `p` while each record is the plain kind nearly every tape is made of, parsed in
   * one pass over its bytes, cells written straight into the columns; returns where it stopped, at the start
   * of the first record it does not serve (or at `end`). `end` must follow a line feed, so that every record
   * it serves ends before `end`.
   *
   * A record is served when every field is unquoted and made of bytes ≥ '-' (no quote, blank, CR or control
   * byte, except the CR of a CRLF), there are exactly as many fields as header names, money cells are
   * digits with an optional point and one or two decimals (or empty where optional), the date is a plain
   * YYYY-MM-DD already in the dictionary, and a group value was seen before. For such a record the general
   * path (splitRecord, parseCents, parseDate, read) computes exactly the same cells and keys, so the two paths
   * are interchangeable record by record; everything else (problems, new dictionary entries, quotes, blank
   * lines) is left to the general path, which is why this one never reports a problem nor adds to a dictionary.
   */
  fast(b: Uint8Array, p: number, end: number): number {
    const roles = this.roles;
    if (roles === null) return p;
    const builder = this.builder;
    const last = roles.length - 1;
    const requiredMoney = this.requiredMoney;
    const money64 = builder.money64;
    const moneyIndex = builder.moneyIndex;
    const dateColumn = builder.dateColumn;
    const groupColumn = builder.groupColumn;
    const limit = builder.rowLimit;
    const dateKeys = this.dateKeys;
    const groupKeys = this.groupKeys;
    let row = builder.nextRow;
    let lastDate = this.lastDate;
    let lastDateKey = this.lastDateKey;
    let records = 0;
    const { idHashes, pairs, idStarts, idEnds, pendingDates } = this;
    let pending = 0;
    let start = p;
    rows: for (;;) {
      start = p;
      if (p >= end || row >= limit) break;
      let dateKey = 0;
      let groupKey = 0;
      let idStart = 0;
      let idEnd = 0;
      let idHash = 0;
      for (let f = 0; f <= last; f++) {
        const role = roles[f]!;
        let c = b[p]!;
        if (role >= 0) {
          const from = p;
          let whole = 0;
          let d = c - ZERO;
          while (d >>> 0 <= 9) {
            whole = whole * 10 + d;
            c = b[++p]!;
            d = c - ZERO;
          }
          const wholeDigits = p - from;
          // more digits could pass 2^53 cents: the general path judges those
          if (wholeDigits > 13) break rows;
          let cents: number;
          if (c === DOT) {
            c = b[++p]!;
            d = c - ZERO;
            if (d >>> 0 <= 9) {
              let fraction = d * 10;
              c = b[++p]!;
              d = c - ZERO;
              if (d >>> 0 <= 9) {
                fraction += d;
                c = b[++p]!;
              }
              cents = whole * 100 + fraction;
            } else {
              // "." alone is not a number
              if (wholeDigits === 0) break rows;
              cents = whole * 100;
            }
          } else if (wholeDigits === 0) {
            // empty, or not a number (then the separator test below sends the record to the general path)
            if (requiredMoney[role] !== 0) break rows;
            cents = 0;
          } else {
            cents = whole * 100;
          }
          money64[moneyIndex[role]! + row] = cents;
        } else if (role === ROLE_ID) {
          // hashed while scanned (hashId), so the duplicate check reads no byte twice
          idStart = p;
          let h = ID_HASH_SEED;
          while (c >= MINUS) {
            h = Math.imul(h ^ c, 0x01000193);
            c = b[++p]!;
          }
          idEnd = p;
          idHash = h;
        } else if (role === ROLE_DATE) {
          // An LF at or after p comes before `end`: when it lies within the next 10 bytes it fails a dash or
          // digit test below, so nothing past it decides anything.
          if (b[p + 4] !== MINUS || b[p + 7] !== MINUS) break rows;
          const y1 = c - ZERO;
          const y2 = b[p + 1]! - ZERO;
          const y3 = b[p + 2]! - ZERO;
          const y4 = b[p + 3]! - ZERO;
          const m1 = b[p + 5]! - ZERO;
          const m2 = b[p + 6]! - ZERO;
          const d1 = b[p + 8]! - ZERO;
          const d2 = b[p + 9]! - ZERO;
          // negative when any of them is not a digit
          if ((y1 | y2 | y3 | y4 | m1 | m2 | d1 | d2 | (9 - y1) | (9 - y2) | (9 - y3) | (9 - y4) | (9 - m1) | (9 - m2) | (9 - d1) | (9 - d2)) < 0) break rows;
          const packed = (y1 * 1000 + y2 * 100 + y3 * 10 + y4) * 10000 + (m1 * 10 + m2) * 100 + d1 * 10 + d2;
          if (packed !== lastDate) {
            const key = dateKeys.get(packed);
            if (key < 0) break rows;
            lastDate = packed;
            lastDateKey = key;
          }
          dateKey = lastDateKey;
          p += 10;
          c = b[p]!;
        } else if (role === ROLE_GROUP) {
          const from = p;
          let h = ID_HASH_SEED;
          while (c >= MINUS) {
            h = Math.imul(h ^ c, 0x01000193);
            c = b[++p]!;
          }
          groupKey = groupKeys!.find(b, from, p, h);
          if (groupKey < 0) break rows;
        } else {
          while (c >= MINUS) c = b[++p]!;
        }
        if (f !== last) {
          if (c !== COMMA) break rows;
          p++;
        } else {
          if (c === CR) c = b[++p]!;
          if (c !== LF) break rows;
          p++;
        }
      }
      records++;
      dateColumn[row] = dateKey;
      if (groupColumn !== null) groupColumn[row] = groupKey;
      // The row is written as if kept; its duplicate check waits for the batch (see settle).
      idHashes[pending] = idHash;
      pairs[pending] = pairHash(idHash, dateKey);
      idStarts[pending] = idStart;
      idEnds[pending] = idEnd;
      pendingDates[pending] = dateKey;
      pending++;
      row++;
      if (pending === BATCH_ROWS) {
        builder.nextRow = row;
        if (row > builder.written) builder.written = row;
        this.settle(b, pending);
        row = builder.nextRow;
        pending = 0;
      }
    }
    builder.nextRow = row;
    // the cells of the record it stopped at, if any, were written too
    if (row + 1 > builder.written) builder.written = row + 1;
    if (pending > 0) this.settle(b, pending);
    builder.rowsRead += records;
    this.line += records;
    this.lastDate = lastDate;
    this.lastDateKey = lastDateKey;
    return start;
  }

  /**
   * The duplicate checks of the last `count` rows the fast path wrote, in row order: first one load of each
   * row's slot (KeySet.touch), so that the cache misses of the batch overlap instead of following one
   * another, then the inserts. A duplicate is dropped by moving the batch's later rows down over it, so the
   * kept rows stay contiguous and in file order; duplicates are rare, and so are the moves.
   */
  private settle(b: Uint8Array, count: number): void {
    const builder = this.builder;
    const ids = builder.ids;
    const { idHashes, pairs, idStarts, idEnds, pendingDates } = this;
    // only a hash table has misses worth overlapping (see dedupe.ts for the run mode, which has none)
    const set = ids.pairs;
    if (set !== null) this.touched ^= set.touch(pairs, count);
    const first = builder.nextRow - count;
    const rowBase = builder.rowBase;
    let kept = first;
    for (let k = 0; k < count; k++) {
      const start = idStarts[k]!;
      const end = idEnds[k]!;
      if (end === start) ids.idless(kept - rowBase);
      else if (!ids.add(b, start, end, idHashes[k]!, pairs[k]!, pendingDates[k]!, kept - rowBase)) {
        builder.duplicates++;
        continue;
      }
      if (kept !== first + k) builder.moveRow(first + k, kept);
      kept++;
    }
    builder.nextRow = kept;
    // the column totals of the kept rows, while their cells are still in cache
    const { money64, moneyIndex, totals } = builder;
    for (let c = 0; c < moneyIndex.length; c++) {
      const from = moneyIndex[c]! + first;
      const to = moneyIndex[c]! + kept;
      let sum = totals[c]!;
      for (let i = from; i < to; i++) sum += money64[i]!;
      totals[c] = sum;
    }
  }

  /** The general path: one split record, any shape, with every problem reported. */
  read(b: Uint8Array, fields: RecordFields, line: number): void {
    const builder = this.builder;
    const columns = this.columns;
    builder.rowsRead++;
    const headerAgain = this.headerAgain(b, fields);
    if (headerAgain !== null) {
      builder.reject(problem(this.file, line, null, null, headerAgain));
      builder.endBadRow();
      return;
    }
    let bad = false;
    if (fields.malformed > 0) {
      for (let f = 0; f < fields.count; f++) {
        if (fields.kinds[f] === FIELD_MALFORMED) this.reject(b, fields, f, line, 'malformed quotes');
      }
      bad = true;
    }
    if (fields.count !== this.fieldCount) {
      builder.reject(problem(this.file, line, null, null, `expected ${this.fieldCount} fields, found ${fields.count}${bareCrHint(b, fields)}`));
      builder.endBadRow();
      return;
    }
    const starts = fields.starts;
    const ends = fields.ends;
    const kinds = fields.kinds;
    const cents = builder.cents;
    const money = columns.money;
    for (let c = 0; c < cents.length; c++) {
      const f = money[c]!;
      if (f < 0) {
        cents[c] = 0;
        continue;
      }
      if (kinds[f] === FIELD_MALFORMED) continue;
      const value = parseCents(b, starts[f]!, ends[f]!);
      if (value >= 0) {
        cents[c] = value;
      } else if (value === CENTS_MISSING && !this.required[c]) {
        cents[c] = 0;
      } else {
        this.reject(b, fields, f, line, moneyReason(value));
        bad = true;
      }
    }
    let dateKey = 0;
    const df = columns.date;
    if (kinds[df] !== FIELD_MALFORMED) {
      const packed = parseDate(b, starts[df]!, ends[df]!);
      if (packed >= 0) {
        dateKey = this.dateKeyOf(packed, line);
      } else {
        this.reject(b, fields, df, line, packed === DATE_MISSING ? 'missing value' : 'bad date');
        bad = true;
      }
    }
    let groupKey = 0;
    const gf = columns.group;
    if (gf >= 0 && kinds[gf] !== FIELD_MALFORMED) {
      groupKey = this.groupKeyOf(b, starts[gf]!, ends[gf]!, line);
      if (groupKey < 0) {
        this.reject(b, fields, gf, line, 'invalid UTF-8');
        bad = true;
      }
    }
    if (bad) {
      builder.endBadRow();
      return;
    }
    const idf = columns.id;
    if (idf < 0 || starts[idf] === ends[idf]) builder.commit(null, 0, 0, dateKey, groupKey);
    else builder.commit(b, starts[idf]!, ends[idf]!, dateKey, groupKey);
  }

  /**
   * Whether the record is a header line, which is what joining files with their headers leaves mid-file:
   * 'header repeated' (the same names), 'another header within the data' (other names), or null. Only a
   * date cell as long as the date column's name is decoded, so a data record costs one comparison.
   */
  private headerAgain(b: Uint8Array, fields: RecordFields): string | null {
    const df = this.columns.date;
    if (df >= fields.count || fields.ends[df]! - fields.starts[df]! !== DATE_COLUMN.length) return null;
    const cellText = (f: number) => normaliseHeader(lenientUtf8.decode(b.subarray(fields.starts[f]!, fields.ends[f]!)));
    if (cellText(df) !== DATE_COLUMN) return null;
    const names = this.columns.names;
    const same = fields.count === names.length && names.every((name, f) => cellText(f) === normaliseHeader(name));
    return same ? 'header repeated' : 'another header within the data';
  }

  private reject(b: Uint8Array, fields: RecordFields, f: number, line: number, reason: string): void {
    const value = valueText(b, fields.starts[f]!, fields.ends[f]!);
    this.builder.reject(problem(this.file, line, this.columns.names[f]!, value, reason));
  }

  private dateKeyOf(packed: number, line: number): number {
    if (packed === this.lastDate) return this.lastDateKey;
    let key = this.dateKeys.get(packed);
    if (key < 0) {
      try {
        key = this.builder.dates.keyOf(dateText(packed));
      } catch (error) {
        throw this.overflow(error, line, this.columns.date);
      }
      this.dateKeys.set(packed, key);
    }
    this.lastDate = packed;
    this.lastDateKey = key;
    return key;
  }

  private groupKeyOf(b: Uint8Array, start: number, end: number, line: number): number {
    try {
      return this.groupKeys!.keyOf(b, start, end);
    } catch (error) {
      throw this.overflow(error, line, this.columns.group);
    }
  }

  /** A dictionary that overflows its 16-bit keys rejects the whole file, at the line that overflowed it. */
  private overflow(error: unknown, line: number, f: number): unknown {
    return error instanceof RangeError ? fileError(this.file, line, this.columns.names[f]!, null, error.message) : error;
  }
}

const BARE_CR = 'a line ends with a bare CR: lines must end with LF or CRLF';

/**
 * Whether an unquoted field holds a CR: a line ending of CR alone (old Mac files, or mixed endings), which
 * joins two lines into one record, since only LF and CRLF end a record.
 */
function hasBareCr(b: Uint8Array, fields: RecordFields): boolean {
  for (let f = 0; f < fields.count; f++) {
    if (fields.kinds[f] === FIELD_PLAIN && b.subarray(fields.starts[f]!, fields.ends[f]!).includes(CR)) return true;
  }
  return false;
}

/** Why a record has the wrong number of fields, when a bare CR joined two lines. */
function bareCrHint(b: Uint8Array, fields: RecordFields): string {
  return hasBareCr(b, fields) ? ` (${BARE_CR})` : '';
}

/**
 * The fast path's plan for a header; null when one field would play two parts (a --group-by naming the
 * date, the id or an amount), which only the general path handles.
 */
function fastRoles(columns: ColumnMap): Int32Array | null {
  const roles = new Int32Array(columns.names.length).fill(ROLE_SKIP);
  const assign = (f: number, role: number): boolean => {
    if (f < 0) return true;
    if (roles[f] !== ROLE_SKIP) return false;
    roles[f] = role;
    return true;
  };
  let ok = assign(columns.date, ROLE_DATE) && assign(columns.id, ROLE_ID) && assign(columns.group, ROLE_GROUP);
  columns.money.forEach((f, c) => {
    ok = ok && assign(f, c);
  });
  return ok ? roles : null;
}

// ---------------------------------------------------------------------------------------------------------
// The reader

/**
 * Count line feeds in [from, to) with the given buffer: rows ≤ line feeds + 1 bounds the columns to reserve
 * (quoted line feeds only make the bound looser, and reserved pages that are never written cost no memory).
 */
export async function countLineFeeds(handle: ByteSource, buffer: Uint8Array, from: number, to: number): Promise<number> {
  // Buffer's indexOf is memchr; the view shares the buffer's memory.
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length);
  let count = 0;
  let position = from;
  while (position < to) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - position), position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const chunk = bytesRead === bytes.length ? bytes : bytes.subarray(0, bytesRead);
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) count++;
  }
  return count;
}

/**
 * At most how many rows bytes [from, to) can put in the columns, without reading them: every row kept (or
 * written by the fast path before its duplicate check) comes from its own record, which has a comma between
 * each two of the header's F fields, a line feed (but the file's last), a date of at least 10 bytes and
 * three required amounts of at least a digit each: F + 12 bytes or more.
 */
export function rowBound(bytes: number, fieldCount: number): number {
  return Math.floor(bytes / (fieldCount + 12)) + 1;
}

/**
 * The rows to reserve for bytes [from, to): rowBound when a memory can hold that many (the unused rows cost
 * address space, not memory: a page is only made resident when written), else the line feeds counted (a
 * first pass over the bytes) + 1, which is exact enough for any tape that fits at all.
 */
export async function rowCapacity(handle: ByteSource, header: CsvHeader, from: number, to: number, maxRows: number): Promise<number> {
  const bound = rowBound(to - from, header.columns.names.length);
  if (bound <= maxRows) return bound;
  return (await countLineFeeds(handle, new Uint8Array(READ_CHUNK_BYTES), from, to)) + 1;
}

/**
 * The header's names. Its bytes are judged first as a whole, since a header that is not UTF-8 text says
 * more about the file (binary, UTF-16, another encoding) than any one field could.
 */
function decodeHeader(b: Uint8Array, start: number, end: number, fields: RecordFields, file: string, line: number): string[] {
  const header = b.subarray(start, end);
  if (header.includes(0)) throw fileError(file, line, null, null, 'not a text file: the header holds NUL bytes (binary data, or UTF-16 text)');
  if (!isUtf8(header)) throw fileError(file, line, null, null, 'invalid UTF-8');
  if (hasBareCr(b, fields)) throw fileError(file, line, null, null, BARE_CR);
  if (fields.malformed > 0) {
    const f = fields.kinds.indexOf(FIELD_MALFORMED);
    throw fileError(file, line, null, valueText(b, fields.starts[f]!, fields.ends[f]!), 'malformed quotes');
  }
  const names: string[] = [];
  for (let f = 0; f < fields.count; f++) names.push(normaliseName(strictUtf8.decode(b.subarray(fields.starts[f]!, fields.ends[f]!))));
  return names;
}

function normaliseName(name: string): string {
  return name.replace(/^\uFEFF/, '').trim();
}

/** The header, and where the data records begin. */
export interface CsvHeader {
  readonly columns: ColumnMap;
  /** byte offset of the first record after the header */
  readonly dataStart: number;
  /** its 1-based line */
  readonly dataLine: number;
}

/**
 * Move the bytes not yet consumed ([position, length)) to the front of the read buffer, and double the buffer
 * when they fill it, so that the next read always has room: one record longer than the buffer (a 10 MB field)
 * still fits.
 */
function keepUnconsumed(buffer: Uint8Array<ArrayBuffer>, position: number, length: number): { buffer: Uint8Array<ArrayBuffer>; length: number } {
  if (position > 0) {
    buffer.copyWithin(0, position, length);
    length -= position;
  }
  if (length === buffer.length) {
    const bigger = new Uint8Array(buffer.length * 2);
    bigger.set(buffer.subarray(0, length));
    buffer = bigger;
  }
  return { buffer, length };
}

/** Read up to the header (a BOM and blank lines before it are skipped); throws the header's problems. */
export async function readHeader(handle: ByteSource, path: string, groupBy: string | null | undefined): Promise<CsvHeader> {
  let buffer = new Uint8Array(1 << 16);
  const fields = new RecordFields();
  let filePosition = 0;
  let length = 0;
  let position = 0;
  let line = 1;
  for (;;) {
    ({ buffer, length } = keepUnconsumed(buffer, position, length));
    position = 0;
    const base = filePosition - length;
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, filePosition);
    const eof = bytesRead === 0;
    if (filePosition === 0 && bytesRead >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) position = 3;
    filePosition += bytesRead;
    length += bytesRead;
    while (position < length) {
      const next = splitRecord(buffer, position, length, eof, fields);
      if (next < 0) break;
      if (fields.unterminatedField >= 0) {
        throw fileError(path, line + fields.unterminatedLines, null, valueText(buffer, fields.unterminatedStart, length), 'unterminated quoted field');
      }
      if (!fields.blank) {
        const columns = mapHeader(decodeHeader(buffer, position, next, fields, path, line), groupBy, path, line);
        return { columns, dataStart: base + next, dataLine: line + fields.lines };
      }
      line += fields.lines;
      position = next;
    }
    if (eof) throw fileError(path, 0, null, null, 'no header');
  }
}

/** Bytes [from, to) of a file, holding whole records; `line` is the 1-based line at `from`. */
export interface RecordRange {
  readonly from: number;
  readonly to: number;
  readonly line: number;
  /** `to` is the end of the file (else the range must end exactly at the end of a record) */
  readonly fileEnd: boolean;
}

/**
 * Read the data records of a range into the reader's builder: the fast path for the plain records, the
 * general one for the rest. Returns false when the range does not end at the end of a record (a quoted field
 * runs on past `to`): its rows are then wrong and the caller must read the file another way.
 */
export async function readRecords(handle: ByteSource, path: string, rows: RowReader, columns: ColumnMap, range: RecordRange): Promise<boolean> {
  let buffer = new Uint8Array(READ_CHUNK_BYTES);
  const fields = new RecordFields();
  let filePosition = range.from;
  let length = 0;
  let position = 0;
  for (;;) {
    ({ buffer, length } = keepUnconsumed(buffer, position, length));
    position = 0;
    const want = Math.min(buffer.length - length, range.to - filePosition);
    const bytesRead = want > 0 ? (await handle.read(buffer, length, want, filePosition)).bytesRead : 0;
    filePosition += bytesRead;
    length += bytesRead;
    const done = bytesRead === 0 || filePosition >= range.to;
    const eof = done && range.fileEnd;
    // the fast path takes records that end before the last line feed read
    let fastEnd = length;
    while (fastEnd > position && buffer[fastEnd - 1] !== LF) fastEnd--;
    while (position < length) {
      if (position < fastEnd) {
        position = rows.fast(buffer, position, fastEnd);
        if (position === fastEnd) continue;
      }
      const next = splitRecord(buffer, position, length, eof, fields);
      if (next < 0) break;
      if (fields.unterminatedField >= 0) {
        const column = columns.names[fields.unterminatedField] ?? null;
        throw fileError(path, rows.line + fields.unterminatedLines, column, valueText(buffer, fields.unterminatedStart, length), 'unterminated quoted field');
      }
      if (!fields.blank) rows.read(buffer, fields, rows.line);
      rows.line += fields.lines;
      position = next;
    }
    if (done) return position === length;
  }
}

/** The single-threaded reader: the header, a first pass counting line feeds, then every record in order. */
/** How the CSV reader works, for tests that compare its paths. */
export interface CsvTuning {
  /** take plain records through RowReader.fast (default true); else every record through the general path */
  readonly fastPath?: boolean;
}

export async function readCsvSerial(path: string, options: ReadOptions = {}, tuning: CsvTuning = {}): Promise<ReadResult> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const header = await readHeader(handle, path, options.groupBy);
    const capacity = await rowCapacity(handle, header, header.dataStart, size, maxRowsPerMemory(Boolean(options.groupBy), options.memoryLimit?.bytes));
    const builder = new TapeBuilder(capacity, options);
    const rows = new RowReader(path, header.columns, builder, header.dataLine, tuning.fastPath !== false);
    await readRecords(handle, path, rows, header.columns, { from: header.dataStart, to: size, line: header.dataLine, fileEnd: true });
    if (builder.rowsRead === 0) throw fileError(path, 0, null, null, 'no data rows');
    return builder.finish(path);
  } finally {
    await handle.close();
  }
}

/**
 * Read a CSV tape into shared columns: on several threads when the file is large enough to gain from them
 * (csv-parallel.ts), in one pass otherwise; the result is the same either way.
 */
export async function readCsvTape(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  return readCsvParallel(path, options);
}
