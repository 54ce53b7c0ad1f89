/**
 * Where every reader puts its validated rows: the shared columns, the date and group dictionaries, duplicate
 * detection, and the problem log. Readers parse and validate cells; the builder owns what happens to a row.
 *
 * A builder fills either a tape of its own (`new TapeBuilder(capacity)`) or one region of rows of a memory
 * that several builders share (`TapeBuilder.region`), one per thread of a parallel reader. A region builder
 * keeps its own dictionaries, duplicate set and problems, as if its rows were a whole file; `partial()` hands
 * them over, and range-merge.ts turns the regions into the tape a single builder would have made.
 */
import {
  allocateColumns,
  Dictionary16,
  groupRowsByDate,
  groupRowsByDateShared,
  MAX_NARROW_CENTS,
  moneyOver,
  narrowMoney,
  settleUint32Columns,
  uint32ReadingLayout,
  widenMoney,
  type MemoryLimit,
  type MoneyView,
  type MoneyWidth,
  type MovesElsewhere,
  type Tape,
  type TapeLayout,
} from '../engine/columns.js';
import { MAX_EXACT_CENTS, MONEY_COLUMNS } from '../engine/schema.js';
import { moneyStride, WasmKernels } from '../engine/wasm-kernels.js';
import { kernelModule } from '../workers/kernel-module.js';
import { deduperTransferList, PairDeduper, type DeduperParts } from './dedupe.js';
import { hashId, pairHash } from './key-set.js';
import { ProblemLog, TapeInputError, type Problem } from './problems.js';

export interface ReadOptions {
  /** drop bad rows and report them, instead of rejecting the whole input */
  readonly lenient?: boolean;
  /** keep this extra column (normalised header name) as a group key */
  readonly groupBy?: string | null;
  /** refuse a tape whose columns would take more than this (--max-memory), before reserving them */
  readonly memoryLimit?: MemoryLimit | null;
}

export interface ReadResult {
  readonly tape: Tape;
  /** data rows in the input, before any was dropped */
  readonly rowsRead: number;
  readonly dropped: { readonly duplicates: number; readonly invalid: number };
  /** lenient mode: problems of dropped rows, counted by reason */
  readonly invalidByReason: Readonly<Record<string, number>>;
  /** lenient mode: the first problems of dropped rows */
  readonly problems: readonly Problem[];
}

/** Which rows of a shared memory a region builder may write. */
export interface RowRegion {
  readonly memory: WebAssembly.Memory;
  readonly layout: TapeLayout;
  /** the region's first row */
  readonly rowBase: number;
  /** one past the region's last row */
  readonly rowLimit: number;
  /** later regions' pairs will be looked up in this one's (it gets a filter that makes that cheap) */
  readonly checkedLater?: boolean;
  /** 4: every region writes Uint32 cents from the start (see TapeBuilder's moneyWidth), and cannot widen */
  readonly moneyWidth?: MoneyWidth;
}

/**
 * A region's builder met an amount beyond Uint32 while its money columns were Uint32: the regions share the
 * memory, so one region cannot widen alone, and the file is read again in one pass, which can.
 */
export class WideningNeeded extends Error {
  override name = 'WideningNeeded';
}

/** What a region builder hands to the merge: plain data and transferable arrays, no views of the memory. */
export interface RangePartial {
  readonly rowBase: number;
  /** kept rows, written at rowBase, rowBase + 1, … */
  readonly rows: number;
  readonly rowsRead: number;
  readonly duplicates: number;
  readonly invalidRows: number;
  readonly problemsListed: readonly Problem[];
  readonly problemsByReason: Readonly<Record<string, number>>;
  readonly problemsTotal: number;
  /** the region's own dictionaries, in first-seen order */
  readonly dates: readonly string[];
  readonly groups: readonly string[];
  /** per money column, the sum of the kept rows' cents */
  readonly totals: Float64Array;
  /** the kept (id, date key) pairs, date keys local to the region, with their rows (from rowBase) */
  readonly ids: DeduperParts;
  /** TapeBuilder.largestCents of the region */
  readonly largestCents: number;
}

export class TapeBuilder {
  /** the general path fills this with the current row's amounts, in MONEY_COLUMNS order, before commit() */
  readonly cents = new Float64Array(MONEY_COLUMNS.length);
  readonly dates = new Dictionary16('measurement_date');
  readonly groups = new Dictionary16('group-by');
  readonly problems = new ProblemLog();
  rowsRead = 0;
  /** the row the next kept row goes to (absolute, within the memory) */
  nextRow: number;
  duplicates = 0;
  invalidRows = 0;
  readonly ids: PairDeduper;
  /** per money column, the sum of the kept rows so far (in row order, as the rows are kept) */
  readonly totals = new Float64Array(MONEY_COLUMNS.length);
  readonly memory: WebAssembly.Memory;
  /** the layout the memory was allocated for: Float64 money columns */
  readonly layout: TapeLayout;
  /**
   * Where the columns are while the tape is read: `layout`, or, for a builder asked to start with Uint32
   * money (the Arrow reader's direct path), uint32ReadingLayout's until an amount beyond Uint32 widens them.
   */
  columns: TapeLayout;
  /** while the money is Uint32: where this builder's dollars may go, 8 bytes for each of its rows; else -1 */
  readonly stagingOffset: number;
  readonly rowBase: number;
  readonly rowLimit: number;
  /** whether this builder fills one region of a memory that other builders share */
  readonly inRegion: boolean;
  /**
   * The fast paths of the readers write cells here directly: `money[moneyIndex[c] + row]` is money column
   * c of absolute row `row` (one view over the whole memory, so a row's nine stores need no per-column view),
   * at the columns' width; `dateColumn[row]` and `groupColumn[row]` its keys.
   */
  money: MoneyView;
  moneyIndex: Int32Array;
  readonly dateColumn: Uint16Array;
  readonly groupColumn: Uint16Array | null;
  /**
   * A bound of every amount written so far, for narrowMoney, when the reader keeps one (the Arrow reader's
   * wasm conversion does); Infinity, the default, when nothing is known and narrowing must check.
   */
  largestCents = Number.POSITIVE_INFINITY;

  /**
   * A builder of a tape of its own, for at most `capacity` rows. `moneyWidth` 4: its money columns start as
   * Uint32 (when the memory leaves the room, see uint32ReadingLayout), for a reader that writes Uint32 cents
   * through `money`; a write of Float64 cents (`money64`, commit) widens them first when it must.
   */
  constructor(
    capacity: number,
    private readonly options: ReadOptions = {},
    region?: RowRegion,
    moneyWidth: MoneyWidth = region?.moneyWidth ?? 8,
  ) {
    if (region === undefined) {
      ({ memory: this.memory, layout: this.layout } = allocateColumns(capacity, Boolean(options.groupBy), options.memoryLimit ?? null));
      this.rowBase = 0;
      this.rowLimit = capacity;
    } else {
      this.memory = region.memory;
      this.layout = region.layout;
      this.rowBase = region.rowBase;
      this.rowLimit = region.rowLimit;
    }
    this.inRegion = region !== undefined;
    this.nextRow = this.rowBase;
    const buffer = this.memory.buffer;
    const capacityRows = this.layout.capacity;
    const reading = moneyWidth === 4 ? uint32ReadingLayout(this.layout) : null;
    if (region !== undefined && moneyWidth === 4 && reading === null) throw new Error('the regions\' memory has no room for Uint32 reading');
    this.columns = reading?.layout ?? this.layout;
    this.stagingOffset = reading === null ? -1 : reading.stagingOffset + this.rowBase * 8;
    ({ money: this.money, moneyIndex: this.moneyIndex } = moneyOver(buffer, this.columns));
    this.dateColumn = new Uint16Array(buffer, this.layout.dateKeyOffset, capacityRows);
    this.groupColumn = this.layout.groupKeyOffset < 0 ? null : new Uint16Array(buffer, this.layout.groupKeyOffset, capacityRows);
    // Rows of a region are tracked by its duplicate detection, so that a merge can drop the later of two
    // equal pairs found in different regions.
    this.ids = new PairDeduper(this.rowLimit - this.rowBase, this.dateColumn, this.rowBase, region !== undefined, region?.checkedLater === true);
  }

  /** A builder of rows [rowBase, rowLimit) of a memory that other builders share. */
  static region(region: RowRegion, options: ReadOptions = {}): TapeBuilder {
    return new TapeBuilder(region.rowLimit - region.rowBase, options, region);
  }

  /** Copy row `from` to row `to` in every column (a reader dropping a duplicate moves the rows after it down). */
  moveRow(from: number, to: number): void {
    const { money, moneyIndex, dateColumn, groupColumn } = this;
    for (let c = 0; c < moneyIndex.length; c++) money[moneyIndex[c]! + to] = money[moneyIndex[c]! + from]!;
    dateColumn[to] = dateColumn[from]!;
    if (groupColumn !== null) groupColumn[to] = groupColumn[from]!;
  }

  /**
   * The money columns as Float64, for the readers that write Float64 cents into them: widened first when
   * they are Uint32.
   */
  get money64(): Float64Array {
    this.widen();
    return this.money as Float64Array;
  }

  /**
   * Float64 money columns from here on: every kept row's cents move to `layout` (widenMoney). A region's
   * builder throws WideningNeeded instead, as its memory holds other regions' Uint32 rows. The caller must
   * have no read still writing into the memory.
   */
  widen(): void {
    if (this.columns.moneyWidth === 8) return;
    if (this.inRegion) throw new WideningNeeded('an amount beyond Uint32 cents in a region read as Uint32');
    widenMoney(this.memory, this.columns, this.layout, this.nextRow);
    this.columns = this.layout;
    ({ money: this.money, moneyIndex: this.moneyIndex } = moneyOver(this.memory.buffer, this.columns));
  }

  get lenient(): boolean {
    return this.options.lenient === true;
  }

  /** Record a problem of the current row; call endBadRow() once after the row's last problem. */
  reject(problem: Problem): void {
    this.problems.add(problem);
  }

  endBadRow(): void {
    this.invalidRows += 1;
  }

  /**
   * Keep the current row (amounts in `cents`), unless its (loan_id, date) was seen before. `idBytes` is null
   * when the tape has no loan_id (or the cell is empty): such a row is its own aggregate and never a duplicate.
   */
  commit(idBytes: Uint8Array | null, idStart: number, idEnd: number, dateKey: number, groupKey = 0): void {
    const row = this.nextRow;
    if (idBytes !== null) {
      const idHash = hashId(idBytes, idStart, idEnd);
      if (!this.ids.add(idBytes, idStart, idEnd, idHash, pairHash(idHash, dateKey), dateKey, row - this.rowBase)) {
        this.duplicates += 1;
        return;
      }
    }
    if (row >= this.rowLimit) throw new RangeError(`more rows than the ${this.rowLimit - this.rowBase} reserved`);
    if (idBytes === null) this.ids.idless(row - this.rowBase);
    if (this.columns.moneyWidth === 4 && !this.cents.every((value) => value <= MAX_NARROW_CENTS)) this.widen();
    const money = this.money;
    for (let c = 0; c < MONEY_COLUMNS.length; c++) {
      const value = this.cents[c]!;
      money[this.moneyIndex[c]! + row] = value;
      this.totals[c]! += value;
    }
    this.dateColumn[row] = dateKey;
    if (this.groupColumn !== null) this.groupColumn[row] = groupKey;
    this.nextRow = row + 1;
  }

  /** The kept rows. */
  get rows(): number {
    return this.nextRow - this.rowBase;
  }

  /**
   * One past the last row a fast path wrote. Fast paths write a batch of rows before they know which are
   * kept (a duplicate, or a batch handed to the slow path), and may leave cells past the kept rows.
   */
  written = 0;

  /** Clear what fast paths left past the kept rows, so that nothing but kept rows holds data. */
  private clearUnkept(): void {
    const from = this.nextRow;
    const to = Math.min(this.rowLimit, Math.max(this.written, from + 1));
    if (from >= to) return;
    for (let c = 0; c < MONEY_COLUMNS.length; c++) this.money.fill(0, this.moneyIndex[c]! + from, this.moneyIndex[c]! + to);
    this.dateColumn.fill(0, from, to);
    this.groupColumn?.fill(0, from, to);
  }

  /** The tape, or a TapeInputError in strict mode when any row had a problem. */
  finish(file: string): ReadResult {
    this.clearUnkept();
    if (this.problems.total > 0 && !this.lenient) throw this.problems.toError();
    checkTotals(this.totals, file);
    const tape: Tape = {
      memory: this.memory,
      layout: arrangeColumns(this.memory, this.columns, this.rows, this.dates.size, this.largestCents),
      rows: this.rows,
      dates: this.dates.values,
      groupColumn: this.options.groupBy ?? null,
      groups: this.options.groupBy ? this.groups.values : [],
    };
    return {
      tape,
      rowsRead: this.rowsRead,
      dropped: { duplicates: this.duplicates, invalid: this.invalidRows },
      invalidByReason: this.problems.byReason,
      problems: this.problems.listed,
    };
  }

  /** A region's result for the merge; the builder must not be used afterwards (its arrays move). */
  partial(): RangePartial {
    this.clearUnkept();
    return {
      rowBase: this.rowBase,
      rows: this.rows,
      rowsRead: this.rowsRead,
      duplicates: this.duplicates,
      invalidRows: this.invalidRows,
      problemsListed: this.problems.listed,
      problemsByReason: this.problems.byReason,
      problemsTotal: this.problems.total,
      dates: this.dates.values,
      groups: this.groups.values,
      totals: this.totals,
      ids: this.ids.parts(this.rows),
      largestCents: this.largestCents,
    };
  }
}

/**
 * A read tape's columns made ready for the kernels: the money columns narrowed to Uint32 cents when every
 * amount fits (columns.ts, narrowMoney; a `largestCents` within Uint32 says they do without a check), or, when
 * they were written as Uint32 from the start (`layout` a Uint32 reading layout), moved where narrowing puts
 * them (settleUint32Columns); then
 * the rows grouped by date (columns.ts, groupRowsByDate). Both use the wasm loops when the kernels module loads
 * here (at memory speed, several times faster than the JavaScript ways: loops for narrowing, copies for
 * grouping). The module is loaded once per thread, and the thread that reads a tape is the one whose pool then
 * computes with it.
 */
export function arrangeColumns(memory: WebAssembly.Memory, layout: TapeLayout, rows: number, dateCount: number, largestCents = Number.POSITIVE_INFINITY): TapeLayout {
  const { kernels, narrowed } = narrowForGrouping(memory, layout, rows, largestCents);
  return groupRowsByDate(memory, narrowed, rows, dateCount, kernels);
}

/** arrangeColumns with the moves into date order shared with another thread (groupRowsByDateShared). */
export function arrangeColumnsShared(
  memory: WebAssembly.Memory,
  layout: TapeLayout,
  rows: number,
  dateCount: number,
  largestCents: number,
  elsewhere: MovesElsewhere,
): Promise<TapeLayout> {
  const { kernels, narrowed } = narrowForGrouping(memory, layout, rows, largestCents);
  return groupRowsByDateShared(memory, narrowed, rows, dateCount, kernels, elsewhere);
}

/** arrangeColumns up to the grouping: the wasm loops over the memory, and the money narrowed where it fits. */
function narrowForGrouping(memory: WebAssembly.Memory, layout: TapeLayout, rows: number, largestCents: number) {
  const { module } = kernelModule();
  const kernels = module === null || moneyStride(layout) === null ? null : WasmKernels.instantiate(module, memory, layout);
  // Uint32 already (a reading layout): only moved to where narrowing would have put them
  const narrowed = layout.moneyWidth === 4 ? settleUint32Columns(memory, layout, rows) : narrowMoney(memory, layout, rows, kernels, largestCents);
  return { kernels, narrowed };
}

/** The transferable arrays of a partial, for postMessage. */
export function partialTransferList(partial: RangePartial): ArrayBuffer[] {
  return [...deduperTransferList(partial.ids), partial.totals.buffer as ArrayBuffer];
}

export function columnTotals(money: MoneyView, moneyIndex: Int32Array, from: number, to: number): Float64Array {
  const totals = new Float64Array(MONEY_COLUMNS.length);
  for (let c = 0; c < MONEY_COLUMNS.length; c++) {
    const base = moneyIndex[c]!;
    let sum = 0;
    for (let i = base + from; i < base + to; i++) sum += money[i]!;
    totals[c] = sum;
  }
  return totals;
}

/**
 * Reject a tape whose column total would leave exact cent arithmetic. The check does not depend on the order
 * in which the cents were added: while the exact total stays ≤ MAX_EXACT_CENTS every partial sum is an exact
 * integer, and once the exact total passes it, rounding (monotonic, and 2^53 is representable) keeps the
 * float sum ≥ 2^53. So totals summed per column, per region or per row all give the same verdict.
 */
export function checkTotals(totals: Float64Array, file: string): void {
  MONEY_COLUMNS.forEach((name, c) => {
    if (totals[c]! > MAX_EXACT_CENTS) {
      throw new TapeInputError(
        [{ file, line: 0, lineKind: 'row', column: name, value: null, reason: 'column total exceeds 90 trillion dollars, beyond exact cent arithmetic' }],
        1,
      );
    }
  });
}
