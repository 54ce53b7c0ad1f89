/**
 * A tape as columns in one shared WebAssembly.Memory.
 *
 * Why a WebAssembly.Memory and not a bare SharedArrayBuffer: a wasm module cannot adopt an existing
 * SharedArrayBuffer, but every worker can instantiate a module over the same shared Memory, and its `.buffer`
 * is a SharedArrayBuffer that typed arrays and Arrow vectors view without copying. Columns are laid out one
 * after another, each starting on a 64-byte boundary so that SIMD loads and cache lines line up.
 */
import { UsageError } from '../errors.js';
import { Meeting, MEETING_BYTES, MeetingStopped } from './meeting.js';
import { MONEY_COLUMNS, MAX_DICTIONARY_SIZE } from './schema.js';

export const WASM_PAGE_BYTES = 65536;
/** wasm32 addresses at most 4 GiB; one memory holds one tape. */
export const MAX_MEMORY_PAGES = 65536;
export const MAX_MEMORY_BYTES = MAX_MEMORY_PAGES * WASM_PAGE_BYTES;
const ALIGN = 64;
/**
 * Room after the columns where the kernels accumulate their per-key partial sums (see engine/wasm-kernels.ts).
 * A wasm module in Node 20 can import only one memory (no multi-memory), so the wasm kernels' accumulators
 * must live in the tape's memory itself. Only the pages actually used become resident.
 */
export const SCRATCH_BYTES = 2 * 1024 * 1024;

/**
 * Bytes of one money value: 8 while a tape is read (Float64 whole cents), 4 once narrowMoney has found that
 * every amount fits a Uint32 (below 2^32 cents, $42,949,672.96), which halves the bytes the kernels read.
 */
export type MoneyWidth = 4 | 8;

/** A money column's view: Float64 or Uint32, whole cents either way. */
export type MoneyView = Float64Array | Uint32Array;

/** Where each column lives in the memory, for `capacity` rows of which `rows` are filled. */
export interface TapeLayout {
  readonly capacity: number;
  readonly moneyWidth: MoneyWidth;
  /** byte offset of each money column, in MONEY_COLUMNS order (moneyWidth bytes a value, whole cents) */
  readonly moneyOffsets: readonly number[];
  /** byte offset of the measurement-date keys (Uint16, index into Tape.dates) */
  readonly dateKeyOffset: number;
  /** byte offset of the --group-by keys (Uint16, index into Tape.groups), or -1 without grouping */
  readonly groupKeyOffset: number;
  /** byte offset of the kernels' scratch area (SCRATCH_BYTES long), after every column */
  readonly scratchOffset: number;
  readonly byteLength: number;
}

/** A read tape: filled columns plus the dictionaries that give their keys a meaning. */
export interface Tape {
  readonly memory: WebAssembly.Memory;
  readonly layout: TapeLayout;
  readonly rows: number;
  /** date key → 'YYYY-MM-DD' */
  readonly dates: readonly string[];
  /** the --group-by column's name, or null */
  readonly groupColumn: string | null;
  /** group key → value of the grouping column */
  readonly groups: readonly string[];
}

/** Typed-array views over a tape's columns (length = rows given). */
export interface ColumnViews {
  readonly money: readonly MoneyView[];
  readonly dateKeys: Uint16Array;
  readonly groupKeys: Uint16Array | null;
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/**
 * Bytes a row takes in the memory while it is read: nine float64 cents, a date key, and an optional group key
 * (the memory is sized for this; a narrowed tape uses less of it).
 */
export function bytesPerRow(withGroup: boolean, moneyWidth: MoneyWidth = 8): number {
  return MONEY_COLUMNS.length * moneyWidth + 2 + (withGroup ? 2 : 0);
}

export function layoutFor(capacity: number, withGroup: boolean, moneyWidth: MoneyWidth = 8): TapeLayout {
  let offset = 0;
  const moneyOffsets: number[] = [];
  for (let c = 0; c < MONEY_COLUMNS.length; c++) {
    moneyOffsets.push(offset);
    offset = alignUp(offset + capacity * moneyWidth);
  }
  const dateKeyOffset = offset;
  offset = alignUp(offset + capacity * 2);
  let groupKeyOffset = -1;
  if (withGroup) {
    groupKeyOffset = offset;
    offset = alignUp(offset + capacity * 2);
  }
  const scratchOffset = offset;
  offset += SCRATCH_BYTES;
  return { capacity, moneyWidth, moneyOffsets, dateKeyOffset, groupKeyOffset, scratchOffset, byteLength: offset };
}

/**
 * The largest number of rows one memory can hold, within `limitBytes` when that is less than the 4 GiB of
 * wasm32 (the 16 alignment gaps of at most 64 bytes each are counted in full).
 */
export function maxRowsPerMemory(withGroup: boolean, limitBytes: number = MAX_MEMORY_BYTES): number {
  const bytes = Math.min(limitBytes, MAX_MEMORY_BYTES);
  return Math.max(0, Math.floor((bytes - SCRATCH_BYTES - 16 * ALIGN) / bytesPerRow(withGroup)));
}

/** A cap on the memory of one tape (--max-memory): bytes, and how a message names it. */
export interface MemoryLimit {
  readonly bytes: number;
  /** e.g. "--max-memory 512MB" */
  readonly name: string;
}

/** A tape that would not fit its memory: refused before anything is allocated (bad input, exit 2). */
export class TapeTooLargeError extends UsageError {
  override name = 'TapeTooLargeError';

  constructor(
    readonly rows: number,
    readonly maxRows: number,
    readonly withGroup: boolean,
    /** what the tape would exceed, e.g. "--max-memory 1GiB" */
    readonly exceeds: string,
    readonly file: string | null = null,
  ) {
    const count = (n: number) => n.toLocaleString('en-US');
    super(
      `${file === null ? '' : `${file}: `}a tape of up to ${count(rows)} rows needs ${formatBytes(layoutFor(rows, withGroup).byteLength)} ` +
        `(${count(rows)} rows × ${bytesPerRow(withGroup)} bytes + ${formatBytes(SCRATCH_BYTES)} for the kernels), ` +
        `more than ${exceeds}: at most ${count(maxRows)} rows fit`,
    );
  }

  /** The same refusal, naming the file the tape was read from. */
  of(file: string): TapeTooLargeError {
    return new TapeTooLargeError(this.rows, this.maxRows, this.withGroup, this.exceeds, file);
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

/**
 * Refuse a tape of `rows` rows that one memory cannot hold, or that would pass `limit`: a pure check on the
 * figures, so that the refusal comes before any memory is reserved. One memory per tape is the design (the
 * kernels address the columns of one wasm32 memory), so a tape beyond 4 GiB is refused, not split.
 */
export function checkTapeFits(rows: number, withGroup: boolean, limit: MemoryLimit | null = null): void {
  if (limit !== null && limit.bytes < MAX_MEMORY_BYTES) {
    const maxRows = maxRowsPerMemory(withGroup, limit.bytes);
    if (rows > maxRows) throw new TapeTooLargeError(rows, maxRows, withGroup, limit.name);
  }
  const maxRows = maxRowsPerMemory(withGroup);
  if (rows > maxRows) throw new TapeTooLargeError(rows, maxRows, withGroup, 'the 4 GiB one WebAssembly memory can address (wasm32)');
}

/**
 * Reserve a zeroed shared memory for `capacity` rows, once checkTapeFits allows them. Pages that are never
 * written are never made resident by the operating system, so a generous capacity costs address space, not RSS.
 */
export function allocateColumns(capacity: number, withGroup: boolean, limit: MemoryLimit | null = null): { memory: WebAssembly.Memory; layout: TapeLayout } {
  checkTapeFits(capacity, withGroup, limit);
  const layout = layoutFor(capacity, withGroup);
  const pages = Math.max(1, Math.ceil(layout.byteLength / WASM_PAGE_BYTES));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return { memory, layout };
}

export function viewsOf(buffer: ArrayBufferLike, layout: TapeLayout, rows: number): ColumnViews {
  return {
    money: layout.moneyOffsets.map((offset) => (layout.moneyWidth === 4 ? new Uint32Array(buffer, offset, rows) : new Float64Array(buffer, offset, rows))),
    dateKeys: new Uint16Array(buffer, layout.dateKeyOffset, rows),
    groupKeys: layout.groupKeyOffset < 0 ? null : new Uint16Array(buffer, layout.groupKeyOffset, rows),
  };
}

export function tapeViews(tape: Tape): ColumnViews {
  return viewsOf(tape.memory.buffer, tape.layout, tape.rows);
}

/**
 * The rows of a tape at `places` (row i of the copy is row places[i]), in a memory of their own with the
 * tape's money width and nothing else changed: not narrowed or grouped again.
 */
export function copyRows(tape: Tape, places: Uint32Array): Tape {
  const rows = places.length;
  const from = tapeViews(tape);
  const allocated = allocateColumns(rows, from.groupKeys !== null);
  const layout = tape.layout.moneyWidth === 4 ? narrowLayout(allocated.layout, rows) : allocated.layout;
  const to = viewsOf(allocated.memory.buffer, layout, rows);
  const copy = (source: MoneyView | Uint16Array, target: MoneyView | Uint16Array) => {
    for (let i = 0; i < rows; i++) target[i] = source[places[i]!]!;
  };
  from.money.forEach((column, c) => copy(column, to.money[c]!));
  copy(from.dateKeys, to.dateKeys);
  if (from.groupKeys !== null) copy(from.groupKeys, to.groupKeys!);
  return { ...tape, memory: allocated.memory, layout, rows };
}

/**
 * `rows` of a tape's rows, evenly spaced (row ⌊i·n/rows⌋ of its n, for i < rows), in a memory of their own: a
 * smaller tape like the whole one. A read tape is grouped by date, so a prefix of it would hold only its first
 * dates; the sample holds every date in proportion, and stays grouped.
 */
export function evenlySpacedRows(tape: Tape, rows: number): Tape {
  if (!Number.isInteger(rows) || rows < 1 || rows > tape.rows) {
    throw new RangeError(`a sample of a ${tape.rows}-row tape takes 1 to ${tape.rows} rows, not ${rows}`);
  }
  if (rows === tape.rows) return tape;
  const places = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) places[i] = Math.floor((i * tape.rows) / rows);
  return copyRows(tape, places);
}

/** The largest amount a narrowed (Uint32) money column holds, in cents. */
export const MAX_NARROW_CENTS = 0xffffffff;

/**
 * The two loops of narrowMoney, over byte offsets in the tape's memory: the wasm kernels' (wasm-kernels.ts,
 * at memory speed) or these plainer ones.
 */
export interface NarrowingKernels {
  /** whether each of `count` Float64 values from byte `at` is at most MAX_NARROW_CENTS (the values are whole and ≥ 0) */
  fitsUint32(at: number, count: number): boolean;
  /** `count` Float64 values from byte `from` as Uint32 from byte `to` ≤ `from`, in a forward pass */
  narrowMoney(from: number, to: number, count: number): void;
}

const NARROWING_IN_JS = (buffer: ArrayBufferLike): NarrowingKernels => ({
  fitsUint32(at, count) {
    const values = new Float64Array(buffer, at, count);
    for (let i = 0; i < count; i++) if (values[i]! > MAX_NARROW_CENTS) return false;
    return true;
  },
  narrowMoney(from, to, count) {
    const wide = new Float64Array(buffer, from, count);
    const narrow = new Uint32Array(buffer, to, count);
    for (let i = 0; i < count; i++) narrow[i] = wide[i]!;
  },
});

/**
 * The layout of a tape of `rows` rows read into `layout` once its money columns are narrowed: Uint32 columns
 * for exactly those rows, the key columns after them, and the scratch area where it was (the memory and its
 * byte length do not change).
 */
export function narrowLayout(layout: TapeLayout, rows: number): TapeLayout {
  const narrow = layoutFor(rows, layout.groupKeyOffset >= 0, 4);
  return { ...narrow, scratchOffset: layout.scratchOffset, byteLength: layout.byteLength };
}

/**
 * Narrow the money columns of a freshly read tape (Float64 cents, `rows` rows) to Uint32 in place when every
 * amount fits, and return the layout that then describes the memory; otherwise return `layout` unchanged.
 *
 * Why: the per-snapshot sums are bound by memory bandwidth, and a row is then 38 bytes instead of 74. Sums
 * stay exact — every value is a whole number below 2^32 and every sum below 2^53, whether the Uint32 kernels
 * add them as integers or as float64 — so results are bit-identical to the wide columns'. Amounts are whole, non-negative cents (the readers guarantee it), so
 * only the upper bound is checked, on every column before anything moves.
 *
 * In place is safe: a value moves from byte c·S8 + 8i to c·S4 + 4i, never to a later byte than the one it
 * leaves, and columns are moved in order, so a forward copy never overwrites what it has yet to read.
 *
 * `largest`: a bound of every amount that the reader found as it wrote them (the Arrow reader's conversion
 * keeps one). When it is within MAX_NARROW_CENTS the check is known to pass and is skipped, a pass over the
 * columns saved; otherwise (or unknown: Infinity) the columns are checked, so the outcome never depends on it.
 */
export function narrowMoney(
  memory: WebAssembly.Memory,
  layout: TapeLayout,
  rows: number,
  kernels: NarrowingKernels | null = null,
  largest = Number.POSITIVE_INFINITY,
): TapeLayout {
  if (layout.moneyWidth === 4 || rows === 0) return layout;
  const loops = kernels ?? NARROWING_IN_JS(memory.buffer);
  const fits = largest <= MAX_NARROW_CENTS || layout.moneyOffsets.every((offset) => loops.fitsUint32(offset, rows));
  if (!fits) return layout;
  const narrow = narrowLayout(layout, rows);
  layout.moneyOffsets.forEach((offset, c) => loops.narrowMoney(offset, narrow.moneyOffsets[c]!, rows));
  const bytes = new Uint8Array(memory.buffer);
  bytes.copyWithin(narrow.dateKeyOffset, layout.dateKeyOffset, layout.dateKeyOffset + rows * 2);
  if (layout.groupKeyOffset >= 0) bytes.copyWithin(narrow.groupKeyOffset, layout.groupKeyOffset, layout.groupKeyOffset + rows * 2);
  return narrow;
}

/** A reader's Uint32 money columns while it reads (uint32ReadingLayout), and where its dollars go first. */
export interface Uint32Reading {
  readonly layout: TapeLayout;
  /** 8 bytes for each row of the capacity from here, behind the Uint32 columns: room for a row's dollars */
  readonly stagingOffset: number;
}

/**
 * Where a reader that writes Uint32 cents from the start keeps the columns of a memory allocated with
 * `layout` (Float64 money) while it reads: the money as Uint32 at the capacity's stride from byte 0, the key
 * columns where `layout` has them (so that widening back to Float64, widenMoney, moves only the money), and
 * behind the Uint32 columns, in the room the Float64 ones would take, 8 bytes a row for the dollars it reads
 * before it writes their cents. Null when the layout is too small to leave that room (a few rows).
 *
 * Why: a tape's fresh pages are faulted in as they are first written, and a read that wrote Float64 cents
 * and narrowed them afterwards touched 74 bytes a row and made a pass of narrowing; this touches 38.
 */
export function uint32ReadingLayout(layout: TapeLayout): Uint32Reading | null {
  if (layout.moneyWidth !== 8) return null;
  const narrow = layoutFor(layout.capacity, layout.groupKeyOffset >= 0, 4);
  const stagingOffset = narrow.dateKeyOffset;
  if (stagingOffset + layout.capacity * 8 > layout.dateKeyOffset) return null;
  return { layout: { ...layout, moneyWidth: 4, moneyOffsets: narrow.moneyOffsets }, stagingOffset };
}

/**
 * The first `rows` rows of a tape in a Uint32 reading layout (`reading`) as Float64 cents where `wide` (the
 * layout it came from) has them, for a reader that meets an amount beyond Uint32. In place, from the last
 * column to the first and from the last row to the first: a value moves from byte N_c + 4i to W_c + 8i,
 * never below the byte it leaves, and every value at or below the bytes a move writes has been read already
 * (the Uint32 columns lie lower than the Float64 ones of the same or a later column).
 */
export function widenMoney(memory: WebAssembly.Memory, reading: TapeLayout, wide: TapeLayout, rows: number): void {
  const narrow = new Uint32Array(memory.buffer);
  const money = new Float64Array(memory.buffer);
  for (let c = MONEY_COLUMNS.length - 1; c >= 0; c--) {
    const from = reading.moneyOffsets[c]! / 4;
    const to = wide.moneyOffsets[c]! / 8;
    for (let i = rows - 1; i >= 0; i--) money[to + i] = narrow[from + i]!;
  }
}

/**
 * A tape read in a Uint32 reading layout, `rows` rows kept: its money columns moved to where narrowMoney
 * leaves a tape's (packed for `rows` rows from byte 0), the key columns left where they are (groupRowsByDate
 * moves them anyway), and that layout. Every move goes to a lower byte, in a forward pass.
 */
export function settleUint32Columns(memory: WebAssembly.Memory, reading: TapeLayout, rows: number): TapeLayout {
  const { moneyOffsets } = layoutFor(rows, reading.groupKeyOffset >= 0, 4);
  const words = new Uint32Array(memory.buffer);
  reading.moneyOffsets.forEach((offset, c) => {
    // every row kept (rows = capacity): the money is in place already
    if (moneyOffsets[c] !== offset) words.copyWithin(moneyOffsets[c]! / 4, offset / 4, offset / 4 + rows);
  });
  return { ...reading, capacity: rows, moneyOffsets };
}

/** One view over a whole memory of its money columns at `layout`'s width: money[offset / width + row]. */
export function moneyOver(buffer: ArrayBufferLike, layout: TapeLayout): { money: MoneyView; moneyIndex: Int32Array } {
  const width = layout.moneyWidth;
  const money = width === 4 ? new Uint32Array(buffer, 0, layout.byteLength >>> 2) : new Float64Array(buffer, 0, layout.byteLength >>> 3);
  return { money, moneyIndex: Int32Array.from(layout.moneyOffsets, (offset) => offset / width) };
}

/** Assign small integer keys to string values in first-seen order. */
export class Dictionary16 {
  private readonly keys = new Map<string, number>();
  readonly values: string[] = [];
  constructor(private readonly what: string) {}
  keyOf(value: string): number {
    let key = this.keys.get(value);
    if (key === undefined) {
      if (this.values.length >= MAX_DICTIONARY_SIZE) {
        throw new RangeError(`more than ${MAX_DICTIONARY_SIZE} distinct ${this.what} values in one tape`);
      }
      key = this.values.length;
      this.keys.set(value, key);
      this.values.push(value);
    }
    return key;
  }
  get size(): number {
    return this.values.length;
  }
}

/**
 * The three loops of groupRowsByDate's moves within the tape's memory, over byte offsets (the wasm kernels',
 * wasm-kernels.ts). They run once over a fresh tape, so a JavaScript twin would run unoptimised: without them a
 * tape is grouped through copies instead.
 */
export interface GroupingKernels {
  /**
   * counts[key] += 1 for each of `count` Uint16 keys from byte `keys`, each below `keyCount` (`keyCount`
   * Uint32 counts at byte `counts`); whether the keys never descend.
   */
  countKeys(keys: number, count: number, counts: number, keyCount: number): boolean;
  /**
   * `count` Uint32 values from byte `from`, value i to place cursors[keys[i]]++ of the column at byte `to`
   * (Uint16 keys from byte `keys`, each below `keyCount`; `keyCount` Uint32 cursors at byte `cursors`)
   */
  scatterByKeyU32(from: number, keys: number, cursors: number, keyCount: number, to: number, count: number): void;
  /** the same for Uint16 values */
  scatterByKeyU16(from: number, keys: number, cursors: number, keyCount: number, to: number, count: number): void;
}

/**
 * Reorder a tape's rows so that each date key's rows are contiguous, in key order (a stable counting sort:
 * within a date, rows keep their order), and return the layout that then describes the memory (the same one
 * when the dates already ascend).
 *
 * Why: loan tapes usually come loan by loan, so the date changes on every row, and the kernel that adds each
 * row into its date's accumulators is then bound by that work per row rather than by the memory bus. Once a
 * date's rows are contiguous, the kernels add whole blocks of one key in registers (kernels.wat, uniform
 * blocks). Every consumer of a tape is indifferent to the order of its rows (sums of whole cents are exact in
 * any order; row numbers in messages are those of the input, given before this runs).
 *
 * Uint32 money columns packed from byte 0 (narrowMoney's, or settleUint32Columns') are reordered within the
 * memory they already have: the reader left the room of the Float64 columns, about 36 bytes a row, behind
 * them. The group keys move to a new place after every old column, and the money columns one slot up, from
 * the last to the first, each into the slot its successor (or the old key columns) has just left; each move
 * finds a row's place from its date key and a cursor per date. The date keys are read by every move, so where
 * a move would overwrite them they are first copied above every place a move writes; last, they are written
 * as runs. So no move overwrites a value it has yet to read, and the wasm loops (`kernels`) make one pass a
 * column, at memory speed, and count the dates too. Without those loops, or for a tape whose money stays
 * Float64, or one too small for that room (a few dozen rows), the rows are reordered in place through a copy
 * of one column at a time, in JavaScript, and the layout stays as it is.
 */
export function groupRowsByDate(memory: WebAssembly.Memory, layout: TapeLayout, rows: number, dateCount: number, kernels: GroupingKernels | null = null): TapeLayout {
  const begun = beginGrouping(memory, layout, rows, dateCount, kernels);
  return 'moves' in begun ? moveEveryColumnHere(layout, begun.grouped, begun.moves) : begun.layout;
}

/** Every money column moved on this thread, from the last to the first, then the date keys written as runs. */
function moveEveryColumnHere(layout: TapeLayout, grouped: TapeLayout, moves: InPlaceMoves): TapeLayout {
  for (let c = MONEY_COLUMNS.length - 1; c >= 0; c--) moves.moveRows(layout.moneyOffsets[c]!, grouped.moneyOffsets[c]!, 0, moves.rows, moves.starts);
  moves.finish();
  return grouped;
}

/** What a thread's moves need: the loops, the date keys at byte `keysAt`, its own `dateCount` cursors at `cursorsAt`. */
interface Scatter {
  readonly kernels: GroupingKernels;
  readonly memory: WebAssembly.Memory;
  readonly keysAt: number;
  readonly cursorsAt: number;
  readonly dateCount: number;
}

/**
 * Rows [first, first + count) of one Uint32 money column from byte `from` to byte `to`, each date's rows from
 * its place in `placeStarts` on.
 */
function scatterRows(scatter: Scatter, from: number, to: number, first: number, count: number, placeStarts: Uint32Array): void {
  const { kernels, memory, keysAt, cursorsAt, dateCount } = scatter;
  new Uint32Array(memory.buffer, cursorsAt, dateCount).set(placeStarts.subarray(0, dateCount));
  kernels.scatterByKeyU32(from + first * 4, keysAt + first * 2, cursorsAt, dateCount, to, count);
}

/**
 * Another thread's part of groupRowsByDateShared: its own instance of the grouping loops over the same memory,
 * and a task that moves its rows of these columns, in this order, meeting this thread after each column.
 * Null when there is no other thread to take it (nothing was sent).
 */
export type MovesElsewhere = (task: ColumnMovesTask) => Promise<unknown> | null;

export interface ColumnMovesTask {
  readonly memory: WebAssembly.Memory;
  /** a layout the kernels accept over this memory (the tape's before the moves) */
  readonly layout: TapeLayout;
  /** every Uint32 money column: [from, to) byte offsets, moved in this order */
  readonly moves: readonly (readonly [number, number])[];
  readonly keysAt: number;
  /** the other thread's own cursors, dateCount Uint32 */
  readonly cursorOffset: number;
  readonly dateCount: number;
  /** the other thread moves rows [firstRow, rows) of each column */
  readonly firstRow: number;
  readonly rows: number;
  /** each date's first place for those rows */
  readonly starts: Uint32Array;
  /** byte offset of the words where the two threads meet (meeting.ts) */
  readonly meetingAt: number;
}

/**
 * How long the calling thread, its half of the first column moved, waits for the other to start before it moves
 * every row itself: the other thread may be busy with a task of another read, and must not hold this one up.
 */
const CLAIM_WAIT_MS = 5;

/**
 * Run a ColumnMovesTask with `kernels` (on the thread that received it, side 1 of the meeting); nothing when
 * the calling thread has taken its rows already.
 */
export function moveColumns(task: ColumnMovesTask, kernels: GroupingKernels): void {
  const meeting = new Meeting(task.memory.buffer, task.meetingAt);
  if (!meeting.claim()) return;
  const scatter: Scatter = { kernels, memory: task.memory, keysAt: task.keysAt, cursorsAt: task.cursorOffset, dateCount: task.dateCount };
  // from here on the calling thread counts on this one: whatever fails must stop it
  try {
    task.moves.forEach(([from, to], c) => {
      scatterRows(scatter, from, to, task.firstRow, task.rows - task.firstRow, task.starts);
      meeting.meet(1, c + 1);
    });
  } catch (error) {
    meeting.stop();
    throw error;
  }
}

/**
 * groupRowsByDate with the money moves shared with another thread (`elsewhere`): the same tape, the same
 * layout, faster on two cores. Each column is moved by both threads at once, this one its first half of the
 * rows and the other the rest, each with cursors of its own that start where its rows of each date go (a
 * date's rows of the first half before those of the second, as in one pass). The moves go from the last
 * column to the first, each into the slot its successor has just left, so neither thread starts a column
 * before both have moved the one before: they meet after each column (meeting.ts). Moving a column is bound
 * by each core's traffic to memory, so two threads halve it; and since both move every column, no column
 * waits in a slot of its own for the other thread's moves, to be copied back after. When the other thread has
 * not started within `claimWaitMs` (CLAIM_WAIT_MS) of this one's first half column, this one moves every row
 * itself; without room for the other thread's cursors, or when the moves are not made in place,
 * groupRowsByDate does it all here.
 */
export async function groupRowsByDateShared(
  memory: WebAssembly.Memory,
  layout: TapeLayout,
  rows: number,
  dateCount: number,
  kernels: GroupingKernels | null,
  elsewhere: MovesElsewhere,
  claimWaitMs = CLAIM_WAIT_MS,
): Promise<TapeLayout> {
  const half = rows >>> 1;
  const begun = beginGrouping(memory, layout, rows, dateCount, kernels, half);
  if (!('moves' in begun)) return begun.layout;
  const { moves, grouped } = begun;
  const otherCursors = alignUp(moves.writtenEnd);
  const meetingAt = alignUp(otherCursors + dateCount * 4);
  const end = meetingAt + MEETING_BYTES;
  // the other cursors and the meeting words lie past every place a move writes; they must not cover the date keys
  const room = end <= layout.scratchOffset && (end <= moves.keysAt || otherCursors >= moves.keysAt + rows * 2);
  if (!room || moves.splitStarts === null) return moveEveryColumnHere(layout, grouped, moves);
  const order: [number, number][] = [];
  for (let c = MONEY_COLUMNS.length - 1; c >= 0; c--) order.push([layout.moneyOffsets[c]!, grouped.moneyOffsets[c]!]);
  const meeting = new Meeting(memory.buffer, meetingAt, true);
  const task: ColumnMovesTask = { memory, layout, moves: order, keysAt: moves.keysAt, cursorOffset: otherCursors, dateCount, firstRow: half, rows, starts: moves.splitStarts, meetingAt };
  const sent = elsewhere(task);
  if (sent === null) return moveEveryColumnHere(layout, grouped, moves);
  // settled either way: the other thread's error is thrown here only when it stopped the moves
  const settled = sent.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  try {
    // while the other thread starts: the date keys' runs go where no move reads or writes (beginGrouping)
    moves.finish();
    const [firstFrom, firstTo] = order[0]!;
    const rest = order.slice(1);
    moves.moveRows(firstFrom, firstTo, 0, half, moves.starts);
    if (!meeting.claimed(claimWaitMs)) {
      // the other thread has not started: its rows of the first column, then every other column, here
      moves.moveRows(firstFrom, firstTo, half, rows - half, moves.splitStarts);
      for (const [from, to] of rest) moves.moveRows(from, to, 0, rows, moves.starts);
      return grouped;
    }
    meeting.meet(0, 1);
    rest.forEach(([from, to], c) => {
      moves.moveRows(from, to, 0, half, moves.starts);
      meeting.meet(0, c + 2);
    });
    return grouped;
  } catch (error) {
    // a failure on either thread leaves columns half moved, and the tape with them: it is thrown, never repaired
    meeting.stop();
    if (error instanceof MeetingStopped) {
      const failed = await settled;
      if (failed !== null) throw failed.error;
    }
    throw error;
  }
}

interface InPlaceMoves {
  readonly rows: number;
  /** each date's first row, and the rows' count last */
  readonly starts: Uint32Array;
  /** each date's first place for the rows from beginGrouping's `splitRow` on (null: no split asked for) */
  readonly splitStarts: Uint32Array | null;
  /** where the moves read the date keys */
  readonly keysAt: number;
  /** past every byte a move writes (the cursors included) and the keys' copy */
  readonly writtenEnd: number;
  /**
   * rows [first, first + count) of one money column from byte `from` to byte `to`, each date's rows from its
   * place in `placeStarts` on (this thread's cursors)
   */
  moveRows(from: number, to: number, first: number, count: number, placeStarts: Uint32Array): void;
  /**
   * the date keys written as runs, between the money slots and the cursors, where no move reads or writes:
   * so also while the moves go on
   */
  finish(): void;
}

/**
 * Everything of groupRowsByDate but the money moves: the count of each date's rows, and either the tape
 * already grouped (dates that already ascend, or moves through copies), or the layout it will have and the
 * moves to get there, with the date keys copied out of the way and the group keys moved.
 */
function beginGrouping(
  memory: WebAssembly.Memory,
  layout: TapeLayout,
  rows: number,
  dateCount: number,
  kernels: GroupingKernels | null,
  splitRow = 0,
): { readonly layout: TapeLayout } | { readonly moves: InPlaceMoves; readonly grouped: TapeLayout } {
  const withGroup = layout.groupKeyOffset >= 0;
  const slot = alignUp(rows * 4);
  const dateKeyOffset = (MONEY_COLUMNS.length + 1) * slot;
  const groupKeyOffset = withGroup ? alignUp(dateKeyOffset + rows * 2) : -1;
  const cursorOffset = alignUp((withGroup ? groupKeyOffset : dateKeyOffset) + rows * 2);
  const movesEnd = cursorOffset + dateCount * 4;
  const keyBytes = rows * 2;
  const cursorBytes = dateCount * 4;
  const apart = (a: number, aBytes: number, b: number, bBytes: number) => a + aBytes <= b || b + bBytes <= a;
  // Everything from the second slot to the cursors is written by a move
  const keysInTheWay = !apart(layout.dateKeyOffset, keyBytes, slot, movesEnd - slot);
  const keysAt = keysInTheWay ? alignUp(movesEnd) : layout.dateKeyOffset;
  // the group keys are read once, first, after the counts and the copy of the date keys were written
  const groupClear =
    !withGroup ||
    (apart(layout.groupKeyOffset, keyBytes, cursorOffset, cursorBytes) &&
      apart(layout.groupKeyOffset, keyBytes, groupKeyOffset, keyBytes) &&
      apart(layout.groupKeyOffset, keyBytes, keysAt, keysInTheWay ? keyBytes : 0));
  const inPlace =
    kernels !== null &&
    layout.moneyWidth === 4 &&
    layout.moneyOffsets.every((offset, c) => offset === c * slot) &&
    apart(layout.dateKeyOffset, keyBytes, cursorOffset, cursorBytes) &&
    groupClear &&
    Math.max(movesEnd, keysAt + keyBytes) <= layout.scratchOffset;

  const starts = new Uint32Array(dateCount + 1);
  let splitStarts: Uint32Array | null = null;
  let ascending = true;
  if (inPlace) {
    const counts = new Uint32Array(memory.buffer, cursorOffset, dateCount);
    counts.fill(0);
    const split = splitRow > 0 && splitRow < rows ? splitRow : rows;
    ascending = kernels.countKeys(layout.dateKeyOffset, split, cursorOffset, dateCount);
    if (split < rows) {
      // the first rows' counts, for the places of the rows from the split on; then all the rows'
      splitStarts = counts.slice();
      ascending = kernels.countKeys(layout.dateKeyOffset + split * 2, rows - split, cursorOffset, dateCount) && ascending;
      const keys = new Uint16Array(memory.buffer, layout.dateKeyOffset, rows);
      ascending &&= keys[split - 1]! <= keys[split]!;
    }
    starts.set(counts, 1);
  } else {
    const keys = new Uint16Array(memory.buffer, layout.dateKeyOffset, rows);
    for (let i = 0; i < rows; i++) {
      starts[keys[i]! + 1]!++;
      if (i > 0 && keys[i]! < keys[i - 1]!) ascending = false;
    }
  }
  if (ascending) return { layout };
  for (let k = 0; k < dateCount; k++) starts[k + 1]! += starts[k]!;
  if (splitStarts !== null) for (let k = 0; k < dateCount; k++) splitStarts[k]! += starts[k]!;
  if (!inPlace) {
    groupThroughCopies(viewsOf(memory.buffer, layout, rows), starts);
    return { layout };
  }

  if (keysInTheWay) new Uint8Array(memory.buffer).copyWithin(keysAt, layout.dateKeyOffset, layout.dateKeyOffset + rows * 2);
  const cursors = new Uint32Array(memory.buffer, cursorOffset, dateCount);
  if (withGroup) {
    cursors.set(starts.subarray(0, dateCount));
    kernels.scatterByKeyU16(layout.groupKeyOffset, keysAt, cursorOffset, dateCount, groupKeyOffset, rows);
  }
  const moneyOffsets = layout.moneyOffsets.map((_, c) => (c + 1) * slot);
  const scatter: Scatter = { kernels, memory, keysAt, cursorsAt: cursorOffset, dateCount };
  const moves: InPlaceMoves = {
    rows,
    starts,
    splitStarts,
    keysAt,
    writtenEnd: Math.max(movesEnd, keysInTheWay ? keysAt + keyBytes : 0),
    moveRows: (from, to, first, count, placeStarts) => scatterRows(scatter, from, to, first, count, placeStarts),
    finish: () => {
      const grouped = new Uint16Array(memory.buffer, dateKeyOffset, rows);
      for (let k = 0; k < starts.length - 1; k++) grouped.fill(k, starts[k]!, starts[k + 1]!);
    },
  };
  return { moves, grouped: { ...layout, moneyOffsets, dateKeyOffset, groupKeyOffset } };
}

/** groupRowsByDate without its moves within the memory: each column through a copy, in place. */
function groupThroughCopies(views: ColumnViews, starts: Uint32Array): void {
  const dateCount = starts.length - 1;
  const keys = views.dateKeys;
  const place = new Uint32Array(keys.length);
  const cursor = starts.slice(0, dateCount);
  for (let i = 0; i < keys.length; i++) place[i] = cursor[keys[i]!]!++;
  for (const column of views.money) {
    const copy = column.slice();
    for (let i = 0; i < copy.length; i++) column[place[i]!] = copy[i]!;
  }
  if (views.groupKeys !== null) {
    const copy = views.groupKeys.slice();
    for (let i = 0; i < copy.length; i++) views.groupKeys[place[i]!] = copy[i]!;
  }
  for (let k = 0; k < dateCount; k++) keys.fill(k, starts[k]!, starts[k + 1]!);
}
