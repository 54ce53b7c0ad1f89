/**
 * Where every reader puts its validated rows: the shared columns, the date and group dictionaries, duplicate
 * detection, and the problem log. Readers parse and validate cells; the builder owns what happens to a row.
 */
import { allocateColumns, Dictionary16, viewsOf, type ColumnViews, type Tape, type TapeLayout } from '../engine/columns.js';
import { MAX_EXACT_CENTS, MONEY_COLUMNS } from '../engine/schema.js';
import { KeySet } from './key-set.js';
import { ProblemLog, TapeInputError, type Problem } from './problems.js';

export interface ReadOptions {
  /** drop bad rows and report them, instead of rejecting the whole input */
  readonly lenient?: boolean;
  /** keep this extra column (normalised header name) as a group key */
  readonly groupBy?: string | null;
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

export class TapeBuilder {
  /** the reader fills this with the current row's amounts, in MONEY_COLUMNS order, before commit() */
  readonly cents = new Float64Array(MONEY_COLUMNS.length);
  readonly dates = new Dictionary16('measurement_date');
  readonly groups = new Dictionary16('group-by');
  readonly problems = new ProblemLog();
  rowsRead = 0;
  private rows = 0;
  private duplicates = 0;
  private invalidRows = 0;
  private readonly ids = new KeySet();
  private readonly totals = new Float64Array(MONEY_COLUMNS.length);
  private readonly memory: WebAssembly.Memory;
  private readonly layout: TapeLayout;
  private readonly views: ColumnViews;

  constructor(
    capacity: number,
    private readonly options: ReadOptions = {},
  ) {
    ({ memory: this.memory, layout: this.layout } = allocateColumns(capacity, Boolean(options.groupBy)));
    this.views = viewsOf(this.memory.buffer, this.layout, capacity);
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
    if (idBytes !== null && !this.ids.add(idBytes, idStart, idEnd, dateKey)) {
      this.duplicates += 1;
      return;
    }
    const row = this.rows;
    if (row >= this.layout.capacity) throw new RangeError(`more rows than the ${this.layout.capacity} reserved`);
    for (let c = 0; c < MONEY_COLUMNS.length; c++) {
      const value = this.cents[c]!;
      this.views.money[c]![row] = value;
      this.totals[c]! += value;
    }
    this.views.dateKeys[row] = dateKey;
    if (this.views.groupKeys) this.views.groupKeys[row] = groupKey;
    this.rows = row + 1;
  }

  /** The tape, or a TapeInputError in strict mode when any row had a problem. */
  finish(file: string): ReadResult {
    if (this.problems.total > 0 && !this.lenient) throw this.problems.toError();
    MONEY_COLUMNS.forEach((name, c) => {
      if (this.totals[c]! > MAX_EXACT_CENTS) {
        throw new TapeInputError(
          [{ file, line: 0, lineKind: 'row', column: name, value: null, reason: 'column total exceeds 90 trillion dollars, beyond exact cent arithmetic' }],
          1,
        );
      }
    });
    const tape: Tape = {
      memory: this.memory,
      layout: this.layout,
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
}
