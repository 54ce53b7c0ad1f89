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
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DATE_COLUMN, ID_COLUMN, MAX_EXACT_CENTS, MONEY_COLUMNS, REQUIRED_MONEY_COLUMNS, normaliseHeader } from '../engine/schema.js';
import type { Dictionary16 } from '../engine/columns.js';
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

/** The field was not quoted; its value is trimmed of spaces, tabs, the CR of a CRLF and other control bytes. */
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
        while (s < e && b[s]! <= SPACE) s++;
        while (e > s && b[e - 1]! <= SPACE) e--;
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
        while (e > s && b[e - 1]! <= SPACE) e--;
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
  if (missing.length > 0) throw fileError(file, line, null, null, `missing required column(s): ${missing.join(', ')}`);
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

function problem(file: string, line: number, column: string | null, value: string | null, reason: string): Problem {
  return { file, line, lineKind: 'line', column, value, reason };
}

function fileError(file: string, line: number, column: string | null, value: string | null, reason: string): TapeInputError {
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
// Group keys

/**
 * Group-by cells to dictionary keys, found by their bytes, so that a row whose value was seen before costs
 * a hash and a comparison rather than a decoded string.
 */
class GroupKeys {
  private readonly keysByHash = new Map<number, number[]>();
  private readonly bytesByKey: Uint8Array[] = [];

  constructor(private readonly dictionary: Dictionary16) {}

  /** The key of the cell's text, or -1 when the cell is not valid UTF-8. */
  keyOf(b: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const keys = this.keysByHash.get(h);
    if (keys !== undefined) {
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (sameBytes(this.bytesByKey[key]!, b, start, end)) return key;
      }
    }
    let text: string;
    try {
      text = strictUtf8.decode(b.subarray(start, end));
    } catch {
      return -1;
    }
    const key = this.dictionary.keyOf(text);
    this.bytesByKey[key] = b.slice(start, end);
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

/** Validates each data record and hands the good ones to the builder. */
class RowReader {
  private readonly fieldCount: number;
  private readonly required: boolean[];
  /** packed yyyymmdd → date key: a tape has few dates, so almost every row is a hit that makes no string */
  private readonly dateKeys = new Map<number, number>();
  /** tapes are mostly sorted by date: the last date answers most rows without a map lookup */
  private lastDate = -1;
  private lastDateKey = 0;
  private readonly groupKeys: GroupKeys | null;

  constructor(
    private readonly file: string,
    private readonly columns: ColumnMap,
    private readonly builder: TapeBuilder,
  ) {
    this.fieldCount = columns.names.length;
    this.required = MONEY_COLUMNS.map((c) => REQUIRED_MONEY_COLUMNS.has(c));
    this.groupKeys = columns.group >= 0 ? new GroupKeys(builder.groups) : null;
  }

  read(b: Uint8Array, fields: RecordFields, line: number): void {
    const builder = this.builder;
    const columns = this.columns;
    builder.rowsRead++;
    let bad = false;
    if (fields.malformed > 0) {
      for (let f = 0; f < fields.count; f++) {
        if (fields.kinds[f] === FIELD_MALFORMED) this.reject(b, fields, f, line, 'malformed quotes');
      }
      bad = true;
    }
    if (fields.count !== this.fieldCount) {
      builder.reject(problem(this.file, line, null, null, `expected ${this.fieldCount} fields, found ${fields.count}`));
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

  private reject(b: Uint8Array, fields: RecordFields, f: number, line: number, reason: string): void {
    const value = valueText(b, fields.starts[f]!, fields.ends[f]!);
    this.builder.reject(problem(this.file, line, this.columns.names[f]!, value, reason));
  }

  private dateKeyOf(packed: number, line: number): number {
    if (packed === this.lastDate) return this.lastDateKey;
    let key = this.dateKeys.get(packed);
    if (key === undefined) {
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

// ---------------------------------------------------------------------------------------------------------
// The reader

/**
 * Count line feeds in a first pass over the file, with the same buffer: rows ≤ line feeds + 1 bounds the
 * columns to reserve (quoted line feeds only make the bound looser, and reserved pages that are never
 * written cost no memory).
 */
async function countLineFeeds(handle: FileHandle, buffer: Uint8Array): Promise<number> {
  // Buffer's indexOf is memchr; the view shares the buffer's memory.
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length);
  let count = 0;
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return count;
    position += bytesRead;
    const chunk = bytesRead === bytes.length ? bytes : bytes.subarray(0, bytesRead);
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) count++;
  }
}

function decodeHeader(b: Uint8Array, fields: RecordFields, file: string, line: number): string[] {
  if (fields.malformed > 0) {
    const f = fields.kinds.indexOf(FIELD_MALFORMED);
    throw fileError(file, line, null, valueText(b, fields.starts[f]!, fields.ends[f]!), 'malformed quotes');
  }
  const names: string[] = [];
  try {
    for (let f = 0; f < fields.count; f++) names.push(normaliseName(strictUtf8.decode(b.subarray(fields.starts[f]!, fields.ends[f]!))));
  } catch {
    throw fileError(file, line, null, null, 'invalid UTF-8');
  }
  return names;
}

function normaliseName(name: string): string {
  return name.replace(/^\uFEFF/, '').trim();
}

export async function readCsvTape(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  const handle = await open(path, 'r');
  try {
    // A plain Uint8Array rather than a Buffer: the builder takes subarrays of it for loan ids, and
    // Buffer's own subarray is several times slower than the typed array's.
    let buffer = new Uint8Array(READ_CHUNK_BYTES);
    const builder = new TapeBuilder((await countLineFeeds(handle, buffer)) + 1, options);
    const fields = new RecordFields();
    let columns: ColumnMap | null = null;
    let rows: RowReader | null = null;
    let filePosition = 0;
    let length = 0;
    let position = 0;
    let eof = false;
    /** 1-based line on which the next record starts */
    let line = 1;
    for (;;) {
      if (position > 0) {
        buffer.copyWithin(0, position, length);
        length -= position;
        position = 0;
      }
      if (length === buffer.length) {
        const bigger = new Uint8Array(buffer.length * 2);
        bigger.set(buffer.subarray(0, length));
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, filePosition);
      if (bytesRead === 0) eof = true;
      if (filePosition === 0 && bytesRead >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) position = 3;
      filePosition += bytesRead;
      length += bytesRead;
      while (position < length) {
        const next = splitRecord(buffer, position, length, eof, fields);
        if (next < 0) break;
        if (fields.unterminatedField >= 0) {
          const f = fields.unterminatedField;
          const column = columns === null ? null : (columns.names[f] ?? null);
          throw fileError(path, line + fields.unterminatedLines, column, valueText(buffer, fields.unterminatedStart, length), 'unterminated quoted field');
        }
        if (!fields.blank) {
          if (rows === null) {
            columns = mapHeader(decodeHeader(buffer, fields, path, line), options.groupBy, path, line);
            rows = new RowReader(path, columns, builder);
          } else {
            rows.read(buffer, fields, line);
          }
        }
        line += fields.lines;
        position = next;
      }
      if (eof) break;
    }
    if (rows === null) throw fileError(path, 0, null, null, 'no header');
    if (builder.rowsRead === 0) throw fileError(path, 0, null, null, 'no data rows');
    return builder.finish(path);
  } finally {
    await handle.close();
  }
}
