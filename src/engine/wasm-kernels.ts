/**
 * The WebAssembly SIMD kernels (src/engine/wasm/kernels.wat) over a tape's shared memory, and the scratch
 * slots in that memory where kernels leave their per-key partial sums.
 *
 * Same contract as the JavaScript kernels in kernels.ts — per key, SUMS_PER_KEY float64 slots added into —
 * and the same bits: every value is a whole number of cents, so the f64 adds are exact in any order. The
 * money columns are Float64 or, once a tape is narrowed (columns.ts, narrowMoney), Uint32: each instance
 * calls the kernels for its layout's moneyWidth.
 *
 * Why the accumulators live in the tape's own memory: a wasm module can import one memory only (Node 20's V8
 * has no multi-memory), and the kernels must import the tape's memory to read the columns in place. So the
 * layout keeps a scratch area after the columns (columns.ts, SCRATCH_BYTES), cut here into slots of one
 * key space each. A slot belongs to one computation at a time: the owner claims it (an atomic
 * compare-and-exchange, so two pools over one tape never share a slot), a worker zeroes it, sums into it and
 * publishes it, and the owner reads it back without any copy crossing threads.
 *
 * Nothing here reads files: the compiled WebAssembly.Module is handed in by the caller (workers/kpi-pool.ts
 * loads dist/engine/wasm/kernels.wasm), so that the engine stays pure computation.
 */
import { allocateColumns, narrowMoney, SCRATCH_BYTES, viewsOf, type ColumnViews, type MoneyWidth, type TapeLayout } from './columns.js';
import { sumByDate, sumByDateAndGroup } from './kernels.js';
import { MONEY_COLUMNS, SUMS_PER_KEY } from './schema.js';

/** Bytes of accumulators per key: SUMS_PER_KEY float64. */
export const BYTES_PER_KEY = SUMS_PER_KEY * 8;

/** Per-date sums of rows [rowStart, rowEnd) into the accumulators at byte `acc` (offsets in bytes). */
type SumByDate = (money: number, stride: number, dateKeys: number, rowStart: number, rowEnd: number, acc: number) => void;
/** Per-(date, group) sums, key = date · groupCount + group. */
type SumByDateAndGroup = (
  money: number,
  stride: number,
  dateKeys: number,
  groupKeys: number,
  groupCount: number,
  rowStart: number,
  rowEnd: number,
  acc: number,
) => void;
/** A roofline read of rows [rowStart, rowEnd); the checksum means nothing. */
type Stream = (money: number, stride: number, dateKeys: number, rowStart: number, rowEnd: number) => number;

/** What the kernels module exports (all offsets in bytes, all row indices in rows). */
interface KernelExports {
  sumByDate: SumByDate;
  sumByDateAndGroup: SumByDateAndGroup;
  stream: Stream;
  streamColumns: Stream;
  streamLines: Stream;
  /** The same five over Uint32 money columns (4 bytes a value: a narrowed tape). */
  sumByDateU32: SumByDate;
  sumByDateAndGroupU32: SumByDateAndGroup;
  streamU32: Stream;
  streamColumnsU32: Stream;
  streamLinesU32: Stream;
  centsFromDollars(from: number, to: number, count: number, width: MoneyWidth): number;
  largestCents(): number;
  fitsUint32(at: number, count: number): number;
  narrowMoney(from: number, to: number, count: number): void;
  /** groupRowsByDate's loops (columns.ts, GroupingKernels, without the key count, which they trust) */
  countKeys(keys: number, count: number, counts: number): number;
  scatterByKeyU32(from: number, keys: number, cursors: number, to: number, count: number): void;
  scatterByKeyU16(from: number, keys: number, cursors: number, to: number, count: number): void;
}

const EXPORTS: readonly (keyof KernelExports)[] = [
  'sumByDate',
  'sumByDateAndGroup',
  'stream',
  'streamColumns',
  'streamLines',
  'sumByDateU32',
  'sumByDateAndGroupU32',
  'streamU32',
  'streamColumnsU32',
  'streamLinesU32',
  'centsFromDollars',
  'largestCents',
  'fitsUint32',
  'narrowMoney',
  'countKeys',
  'scatterByKeyU32',
  'scatterByKeyU16',
];

/** The kernels that read money columns, under the Float64 kernels' names, and groupRowsByDate's loops. */
type MoneyKernels = Pick<
  KernelExports,
  | 'sumByDate'
  | 'sumByDateAndGroup'
  | 'stream'
  | 'streamColumns'
  | 'streamLines'
  | 'centsFromDollars'
  | 'largestCents'
  | 'fitsUint32'
  | 'narrowMoney'
  | 'countKeys'
  | 'scatterByKeyU32'
  | 'scatterByKeyU16'
>;

/**
 * The kernels for a layout's money width, under the Float64 names. A WasmKernels serves one layout, so the
 * width is looked at once, here, and each method makes the same call whatever the width: the gate's
 * calibration (bench/gate-calibration.sh) and its end-to-end test find the per-date call by its text and plant
 * a slowdown after it, which must then slow narrowed tapes too.
 */
function kernelsFor(exports: KernelExports, moneyWidth: MoneyWidth): MoneyKernels {
  if (moneyWidth === 8) return exports;
  return {
    sumByDate: exports.sumByDateU32,
    sumByDateAndGroup: exports.sumByDateAndGroupU32,
    stream: exports.streamU32,
    streamColumns: exports.streamColumnsU32,
    streamLines: exports.streamLinesU32,
    // Float64 only: WasmKernels refuses these on a narrowed layout before they get here
    centsFromDollars: exports.centsFromDollars,
    largestCents: exports.largestCents,
    fitsUint32: exports.fitsUint32,
    narrowMoney: exports.narrowMoney,
    countKeys: exports.countKeys,
    scatterByKeyU32: exports.scatterByKeyU32,
    scatterByKeyU16: exports.scatterByKeyU16,
  };
}

/**
 * How a roofline read goes over the bytes: in the kernel's own order (ten streams at once), one column after
 * another, or one load per cache line in the kernel's order (see kernels.wat).
 */
export type StreamOrder = 'blocks' | 'columns' | 'lines';
export const STREAM_ORDERS: readonly StreamOrder[] = ['blocks', 'columns', 'lines'];

/**
 * The distance between consecutive money columns when the layout is the one the wasm kernels assume (all
 * nine at one constant stride, every column 16-byte aligned), else null.
 */
export function moneyStride(layout: TapeLayout): number | null {
  const [first, second] = layout.moneyOffsets;
  if (first === undefined || second === undefined) return null;
  const stride = second - first;
  const regular = layout.moneyOffsets.every((offset, c) => offset === first + c * stride);
  const aligned = [first, stride, layout.dateKeyOffset, layout.scratchOffset].every((n) => n % 16 === 0);
  return regular && aligned && stride > 0 ? stride : null;
}

/** One instance of the kernels module over one tape's memory (one per thread that computes). */
export class WasmKernels {
  private constructor(
    /** the exports for this layout's money width (see kernelsFor) */
    private readonly kernels: MoneyKernels,
    private readonly layout: TapeLayout,
    private readonly stride: number,
  ) {}

  /**
   * Instantiate `module` over `memory`. Instantiation is synchronous and cheap: the compiled code is shared
   * by every instance of the module, in every thread it was sent to.
   */
  static instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, layout: TapeLayout): WasmKernels {
    const stride = moneyStride(layout);
    if (stride === null) throw new Error('the wasm kernels need nine 16-byte-aligned money columns at one stride');
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    for (const name of EXPORTS) {
      if (typeof instance.exports[name] !== 'function') throw new Error(`the kernels module does not export ${name}`);
    }
    return new WasmKernels(kernelsFor(instance.exports as unknown as KernelExports, layout.moneyWidth), layout, stride);
  }

  /** Per-date sums of rows [rowStart, rowEnd), added into the accumulators at byte offset `acc`. */
  sumByDate(rowStart: number, rowEnd: number, acc: number): void {
    this.checkRange(rowStart, rowEnd, acc);
    const { layout } = this;
    this.kernels.sumByDate(layout.moneyOffsets[0]!, this.stride, layout.dateKeyOffset, rowStart, rowEnd, acc);
  }

  /** Per-(date, group) sums, key = date · groupCount + group, added into the accumulators at `acc`. */
  sumByDateAndGroup(groupCount: number, rowStart: number, rowEnd: number, acc: number): void {
    this.checkRange(rowStart, rowEnd, acc);
    const { layout } = this;
    if (layout.groupKeyOffset < 0) throw new Error('this tape has no group keys');
    this.kernels.sumByDateAndGroup(
      layout.moneyOffsets[0]!,
      this.stride,
      layout.dateKeyOffset,
      layout.groupKeyOffset,
      groupCount,
      rowStart,
      rowEnd,
      acc,
    );
  }

  /**
   * Read every byte the per-date kernel touches for rows [rowStart, rowEnd) and do nothing with it: the
   * roofline that the kernel is measured against. The returned checksum means nothing; returning it keeps the
   * reads alive.
   */
  stream(rowStart: number, rowEnd: number, order: StreamOrder = 'blocks'): number {
    this.checkRange(rowStart, rowEnd, this.layout.scratchOffset);
    const { layout } = this;
    const read = order === 'blocks' ? this.kernels.stream : order === 'columns' ? this.kernels.streamColumns : this.kernels.streamLines;
    return read(layout.moneyOffsets[0]!, this.stride, layout.dateKeyOffset, rowStart, rowEnd);
  }

  /**
   * Float64 dollars into whole cents in place, for `count` values from byte `at` of the columns (see
   * kernels.wat): the sum of the cents when every value is a valid amount (finite, ≥ 0, at most two
   * decimals within Float64 rounding, below 2^53 cents), else -1. Cents are Math.round(dollars · 100), as
   * the JavaScript reader computes them.
   */
  centsFromDollars(at: number, count: number): number {
    // It runs while a tape is read, before narrowMoney: Uint32 columns hold cents already.
    this.checkWide('centsFromDollars', at, count);
    return this.kernels.centsFromDollars(at, at, count, 8);
  }

  /**
   * The same conversion into Uint32 cents elsewhere (see kernels.wat): `count` Float64 dollars from byte
   * `from`, their cents as Uint32 from byte `to`, both within the columns. The sum of the cents when every
   * value is valid and at most MAX_NARROW_CENTS; -1 when a value is not valid; -2 when every value is valid
   * but one is above MAX_NARROW_CENTS (what was written is then not those cents). Whatever the tape's width:
   * the bytes are the caller's to give.
   */
  centsFromDollarsNarrow(from: number, to: number, count: number): number {
    this.checkValues(from, count, 8);
    this.checkValues(to, count, 4);
    // a step loads 32 bytes before it stores 16 at `to`: writing at or before `from` is safe, into the values ahead is not
    if (to > from && to < from + count * 8) throw new RangeError(`cannot write Uint32 cents at byte ${to}, within the dollars from byte ${from}`);
    return this.kernels.centsFromDollars(from, to, count, 4);
  }

  /**
   * The largest cents centsFromDollars or centsFromDollarsNarrow has written through this instance (0 before
   * its first call): a bound of those amounts while no call has returned -1.
   */
  largestCents(): number {
    return this.kernels.largestCents();
  }

  /** Whether each of `count` Float64 values from byte `at` of the columns fits a Uint32 (narrowMoney's check, columns.ts). */
  fitsUint32(at: number, count: number): boolean {
    this.checkWide('fitsUint32', at, count);
    return this.kernels.fitsUint32(at, count) === 1;
  }

  /** `count` Float64 values from byte `from` as Uint32 from byte `to` ≤ `from`, in place (columns.ts, narrowMoney). */
  narrowMoney(from: number, to: number, count: number): void {
    this.checkWide('narrowMoney', from, count);
    if (!(Number.isInteger(to) && to >= 0 && to <= from && to % 4 === 0)) throw new RangeError(`cannot narrow values at byte ${from} to byte ${to}`);
    this.kernels.narrowMoney(from, to, count);
  }

  /** groupRowsByDate's count of each date's rows (columns.ts): whether the keys never descend. */
  countKeys(keys: number, count: number, counts: number, keyCount: number): boolean {
    // Keys are trusted to be below keyCount, as the kernels trust them (columns.ts builds them from a dictionary).
    for (const [at, n, width] of [[keys, count, 2], [counts, keyCount, 4]] as const) this.checkValues(at, n, width);
    return this.kernels.countKeys(keys, count, counts) === 1;
  }

  /** groupRowsByDate's moves: value i of `count` Uint32 from byte `from` to place cursors[keys[i]]++ of the column at `to`. */
  scatterByKeyU32(from: number, keys: number, cursors: number, keyCount: number, to: number, count: number): void {
    for (const [at, n, width] of [[from, count, 4], [keys, count, 2], [cursors, keyCount, 4], [to, count, 4]] as const) this.checkValues(at, n, width);
    this.kernels.scatterByKeyU32(from, keys, cursors, to, count);
  }

  /** The same for Uint16 values (group keys). */
  scatterByKeyU16(from: number, keys: number, cursors: number, keyCount: number, to: number, count: number): void {
    for (const [at, n, width] of [[from, count, 2], [keys, count, 2], [cursors, keyCount, 4], [to, count, 2]] as const) this.checkValues(at, n, width);
    this.kernels.scatterByKeyU16(from, keys, cursors, to, count);
  }

  /** `count` values of `width` bytes from byte `at`, aligned to their width, within the columns (before the scratch area). */
  private checkValues(at: number, count: number, width: number): void {
    if (!(Number.isInteger(at) && Number.isInteger(count) && at >= 0 && count >= 0 && at % width === 0 && at + count * width <= this.layout.scratchOffset)) {
      throw new RangeError(`${count} values of ${width} bytes at byte ${at} are not within the columns`);
    }
  }

  /** The kernels that read Float64 columns while a tape is read: a wide layout, and values within the columns. */
  private checkWide(kernel: string, at: number, count: number): void {
    if (this.layout.moneyWidth !== 8) {
      throw new Error(`${kernel} reads Float64 money columns, and this tape's are narrowed to ${this.layout.moneyWidth}-byte Uint32 cents`);
    }
    this.checkValues(at, count, 8);
  }

  private checkRange(rowStart: number, rowEnd: number, acc: number): void {
    const { capacity, scratchOffset } = this.layout;
    if (!(Number.isInteger(rowStart) && Number.isInteger(rowEnd) && rowStart >= 0 && rowStart <= rowEnd && rowEnd <= capacity)) {
      throw new RangeError(`rows [${rowStart}, ${rowEnd}) are not within the tape's ${capacity} rows`);
    }
    // Accumulators outside the scratch area would overwrite columns: refuse them before wasm could.
    if (!(Number.isInteger(acc) && acc >= scratchOffset && acc % 16 === 0)) {
      throw new RangeError(`accumulators at byte ${acc} are not 16-byte aligned within the scratch area`);
    }
  }
}

const SLOT_FREE = 0;
const SLOT_CLAIMED = 1;
const SLOT_WRITTEN = 2;
/** The slot states: one Int32 per slot at the start of the scratch area. */
export const MAX_SCRATCH_SLOTS = 64;
const HEADER_BYTES = MAX_SCRATCH_SLOTS * 4;
/**
 * Slots start on their own 4 KiB pages. Two threads whose accumulators were only a cache line or two apart
 * ran the per-date kernel 1.6× slower together than alone (measured: 1M loan-major rows, 2 workers, slots
 * 1 KiB apart; no slowdown from 2 KiB up): the hardware prefetchers fetch lines next to the ones a core
 * writes, so each core kept pulling in the other's accumulator lines. Prefetchers stay within a page.
 */
export const SLOT_ALIGN = 4096;

/**
 * The scratch area of a tape cut into slots of `keys` accumulators (one slot per partial result in flight).
 *
 * Every thread that touches a slot builds its own ScratchSlots over the same memory with the same key count,
 * so all agree on where slot n is. The state word of a slot is only read and written with Atomics: the
 * worker's atomic write of WRITTEN after its plain (non-atomic) kernel stores, and the owner's atomic read of
 * it before reading the sums, order those plain accesses (a synchronizes-with edge in the JavaScript memory
 * model), whatever the message channel that carried the "done" happens to guarantee.
 */
export class ScratchSlots {
  /** float64 values per slot: keys × SUMS_PER_KEY */
  readonly length: number;
  readonly slotBytes: number;
  /** slots that fit (0 when one key space is larger than the scratch area) */
  readonly count: number;
  private readonly firstSlot: number;
  private readonly states: Int32Array;

  constructor(
    private readonly buffer: SharedArrayBuffer,
    layout: TapeLayout,
    keys: number,
  ) {
    this.length = keys * SUMS_PER_KEY;
    this.slotBytes = Math.max(SLOT_ALIGN, Math.ceil((keys * BYTES_PER_KEY) / SLOT_ALIGN) * SLOT_ALIGN);
    // byte offsets in the memory, whose base is page-aligned
    this.firstSlot = Math.ceil((layout.scratchOffset + HEADER_BYTES) / SLOT_ALIGN) * SLOT_ALIGN;
    const room = layout.scratchOffset + SCRATCH_BYTES - this.firstSlot;
    this.count = Math.max(0, Math.min(MAX_SCRATCH_SLOTS, Math.floor(room / this.slotBytes)));
    this.states = new Int32Array(buffer, layout.scratchOffset, MAX_SCRATCH_SLOTS);
  }

  /** Take a free slot for the caller's exclusive use, or -1 when none is free. */
  claim(): number {
    for (let slot = 0; slot < this.count; slot++) {
      if (Atomics.compareExchange(this.states, slot, SLOT_FREE, SLOT_CLAIMED) === SLOT_FREE) return slot;
    }
    return -1;
  }

  release(slot: number): void {
    this.check(slot);
    Atomics.store(this.states, slot, SLOT_FREE);
  }

  /** Owner side: mark a slot it holds as claimed again, whatever state a finished or failed task left it in. */
  reclaim(slot: number): void {
    this.check(slot);
    Atomics.store(this.states, slot, SLOT_CLAIMED);
  }

  /** Byte offset of the slot's accumulators (page-aligned; the wasm kernels want 16 bytes). */
  offset(slot: number): number {
    this.check(slot);
    return this.firstSlot + slot * this.slotBytes;
  }

  view(slot: number): Float64Array {
    return new Float64Array(this.buffer, this.offset(slot), this.length);
  }

  /** Worker side, before summing: the slot's accumulators, zeroed. */
  begin(slot: number): Float64Array {
    const sums = this.view(slot);
    sums.fill(0);
    return sums;
  }

  /** Worker side, after summing: make the sums visible to the owner. */
  publish(slot: number): void {
    this.check(slot);
    if (Atomics.compareExchange(this.states, slot, SLOT_CLAIMED, SLOT_WRITTEN) !== SLOT_CLAIMED) {
      throw new Error(`scratch slot ${slot} was not claimed when its sums were published`);
    }
  }

  /** Owner side, once the worker has answered: the published sums (a view, valid until the slot is reused). */
  collect(slot: number): Float64Array {
    this.check(slot);
    if (Atomics.compareExchange(this.states, slot, SLOT_WRITTEN, SLOT_CLAIMED) !== SLOT_WRITTEN) {
      throw new Error(`scratch slot ${slot} holds no published sums`);
    }
    return this.view(slot);
  }

  private check(slot: number): void {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.count)) throw new RangeError(`no scratch slot ${slot}`);
  }
}

/**
 * Run every wasm kernel `rounds` times on a short odd-length tape of its own — an odd first row, blocks of one
 * date (summed at once) and blocks where the date changes at every row (summed in pairs), a tail of odd
 * length — and check the sums against the JavaScript kernels bit for bit. Throws on any difference. The
 * Uint32 kernels run on a narrowed copy of the same tape, over those ranges (summed in their integer form)
 * and over two short ones (under 64 rows: in float, one of uniform blocks, one where the date changes at every
 * row).
 *
 * Two uses. Any thread that is about to compute with the module runs it a few times, so that every path of
 * the loops has run before the first real task. And it tiers the module up: V8 first compiles wasm with its
 * baseline compiler and recompiles a function with its optimising compiler only after it has done enough
 * work (about 150 rounds here); the optimised code then serves every instance of the module in every thread
 * it was sent to, so one thread's many rounds spare all the others the slow start.
 */
export function exerciseKernels(module: WebAssembly.Module, rounds: number): void {
  const rows = 1001;
  // room after the rows of the first money column for the conversion's values
  const { memory, layout } = allocateColumns(rows + 128, true);
  const views = viewsOf(memory.buffer, layout, rows);
  fillExerciseTape(views, rows);
  const expectByDate = new Float64Array(3 * SUMS_PER_KEY);
  sumByDate(views.money, views.dateKeys, 1, rows, expectByDate);
  const expectByGroup = new Float64Array(6 * SUMS_PER_KEY);
  sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys!, 2, 3, rows - 2, expectByGroup);

  const kernels = WasmKernels.instantiate(module, memory, layout);
  const acc = new ScratchSlots(memory.buffer, layout, 6);
  const slot = acc.claim();
  // dollars with cents, an odd count, and a last value with a third decimal: every path of the conversion
  const dollars = Float64Array.from({ length: 101 }, (_, i) => (i * 7919) / 100 + (i === 100 ? 0.001 : 0));
  const centsAt = layout.moneyOffsets[0]! + 1008 * 8;
  const cents = new Float64Array(memory.buffer, centsAt, dollars.length);
  // the Uint32 conversion's cents go after the rows of the second money column
  const narrowCentsAt = layout.moneyOffsets[1]! + 1008 * 8;
  const narrowCents = new Uint32Array(memory.buffer, narrowCentsAt, dollars.length);

  // the same tape with its money narrowed to Uint32 cents, as a reader leaves it
  const narrow = allocateColumns(rows, true);
  fillExerciseTape(viewsOf(narrow.memory.buffer, narrow.layout, rows), rows);
  const narrowLayout = narrowMoney(narrow.memory, narrow.layout, rows);
  if (narrowLayout.moneyWidth !== 4) throw new Error('the exercise tape was not narrowed to Uint32 cents');
  const narrowViews = viewsOf(narrow.memory.buffer, narrowLayout, rows);
  // [1, rows) in the integer form, then [1, 60) (uniform blocks) and [401, 460) (a new date every row) in float
  const dateRanges = [[1, rows], [1, 60], [401, 460]] as const;
  const groupRanges = [[3, rows - 2], [5, 50], [403, 458]] as const;
  const expectByDateU32 = new Float64Array(3 * SUMS_PER_KEY);
  for (const [start, end] of dateRanges) sumByDate(narrowViews.money, narrowViews.dateKeys, start, end, expectByDateU32);
  const expectByGroupU32 = new Float64Array(6 * SUMS_PER_KEY);
  for (const [start, end] of groupRanges) sumByDateAndGroup(narrowViews.money, narrowViews.dateKeys, narrowViews.groupKeys!, 2, start, end, expectByGroupU32);
  const narrowKernels = WasmKernels.instantiate(module, narrow.memory, narrowLayout);
  const narrowAcc = new ScratchSlots(narrow.memory.buffer, narrowLayout, 6);
  const narrowSlot = narrowAcc.claim();

  for (let round = 0; round < rounds; round++) {
    cents.set(dollars);
    const all = kernels.centsFromDollars(centsAt, dollars.length);
    cents.set(dollars);
    const valid = kernels.centsFromDollars(centsAt, dollars.length - 1);
    if (round === 0) expectCents(dollars, cents, valid, all);
    cents.set(dollars);
    const validNarrow = kernels.centsFromDollarsNarrow(centsAt, narrowCentsAt, dollars.length - 1);
    const allNarrow = kernels.centsFromDollarsNarrow(centsAt, narrowCentsAt, dollars.length);
    if (round === 0) expectCents(dollars, Float64Array.from(narrowCents), validNarrow, allNarrow, 'centsFromDollarsNarrow');
    const byDate = acc.begin(slot);
    kernels.sumByDate(1, rows, acc.offset(slot));
    if (round === 0) expectSameBits(byDate.subarray(0, expectByDate.length), expectByDate, 'sumByDate');
    const byGroup = acc.begin(slot);
    kernels.sumByDateAndGroup(2, 3, rows - 2, acc.offset(slot));
    if (round === 0) expectSameBits(byGroup, expectByGroup, 'sumByDateAndGroup');
    if (round % 10 === 0) for (const order of STREAM_ORDERS) kernels.stream(1, rows, order);

    const byDateU32 = narrowAcc.begin(narrowSlot);
    for (const [start, end] of dateRanges) narrowKernels.sumByDate(start, end, narrowAcc.offset(narrowSlot));
    if (round === 0) expectSameBits(byDateU32.subarray(0, expectByDateU32.length), expectByDateU32, 'sumByDateU32');
    const byGroupU32 = narrowAcc.begin(narrowSlot);
    for (const [start, end] of groupRanges) narrowKernels.sumByDateAndGroup(2, start, end, narrowAcc.offset(narrowSlot));
    if (round === 0) expectSameBits(byGroupU32, expectByGroupU32, 'sumByDateAndGroupU32');
    if (round % 10 === 0) for (const order of STREAM_ORDERS) narrowKernels.stream(1, rows, order);
  }
}

/** The exercise tape: three dates in runs of 40 rows, then a new date at every row; two groups in runs of 32. */
function fillExerciseTape(views: ColumnViews, rows: number): void {
  MONEY_COLUMNS.forEach((_, c) => views.money[c]!.set(Float64Array.from({ length: rows }, (_, i) => (i * (c + 3)) % 1001)));
  views.dateKeys.set(Uint16Array.from({ length: rows }, (_, i) => (i < 400 ? Math.floor(i / 40) % 3 : i % 3)));
  views.groupKeys!.set(Uint16Array.from({ length: rows }, (_, i) => (i >> 5) % 2));
}

/** The conversion's results against Math.round(dollars · 100), bit for bit; the last value is not valid. */
function expectCents(dollars: Float64Array, cents: Float64Array, valid: number, all: number, kernel = 'centsFromDollars'): void {
  let sum = 0;
  for (let i = 0; i < dollars.length - 1; i++) {
    const expected = Math.round(dollars[i]! * 100) + 0;
    sum += expected;
    if (!Object.is(cents[i], expected)) throw new Error(`the wasm ${kernel} kernel turns $${dollars[i]} into ${cents[i]} cents, not ${expected}`);
  }
  if (valid !== sum || all !== -1) throw new Error(`the wasm ${kernel} kernel sums to ${valid} (expected ${sum}) and to ${all} with a bad value (expected -1)`);
}

function expectSameBits(actual: Float64Array, expected: Float64Array, kernel: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(`the wasm ${kernel} kernel disagrees with the JavaScript kernel at slot ${i}: ${actual[i]} ≠ ${expected[i]}`);
    }
  }
}
