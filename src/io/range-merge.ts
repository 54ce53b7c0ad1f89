/**
 * Turning the regions that parallel readers filled into the one tape a single reader would have made.
 *
 * Each region was read as if it were a whole file: its own date and group dictionaries, its own duplicate
 * set, its own problems, its rows written from its own first row of the shared memory. Read one after the
 * other, the regions would have shared all of that. So the merge, in file order:
 * - builds the dictionaries in first-seen order (region 1's values, then each later region's values not seen
 *   before, in that region's first-seen order: exactly the order of a single pass) and maps each region's
 *   keys to them;
 * - drops each row of a later region whose (loan_id, date) a kept row of an earlier region has: a single
 *   pass keeps the first occurrence in file order, and the earlier region's row comes first. A row that was
 *   a duplicate inside its own region was dropped there already, rightly, since its first occurrence is
 *   earlier still;
 * - lists problems in line order (each region numbered its lines from its first line, so the lists just
 *   follow each other) and counts them by reason in first-seen order;
 * - moves each later region's kept rows down to follow the previous region's, rewriting their keys.
 * The result has the same columns, dictionaries, counts and messages as a single pass; the capacity of the
 * memory (its layout) may differ, which nothing but the memory's size depends on.
 */
import { MAX_DICTIONARY_SIZE, MONEY_COLUMNS, MAX_EXACT_CENTS } from '../engine/schema.js';
import { moneyOver, type MoneyView, type MovesElsewhere, type Tape, type TapeLayout } from '../engine/columns.js';
import { compareIds, pairsOfRuns, type RunParts } from './dedupe.js';
import { KeySet, pairHash } from './key-set.js';
import { MAX_LISTED_PROBLEMS, TapeInputError, type Problem } from './problems.js';
import { checkTotals, columnTotals, arrangeColumnsShared, type RangePartial, type ReadOptions, type ReadResult } from './tape-builder.js';

/** The merged dictionary of regions, and each region's local → merged key map. */
interface MergedDictionary {
  readonly values: string[];
  /** per region, local key → merged key; null where the map is the identity */
  readonly maps: (Uint16Array | null)[];
  /** per region, merged key → local key, -1 where the region never saw the value */
  readonly inverse: Int32Array[];
}

/** null when the merged dictionary overflows 16-bit keys: the caller must then read in one pass. */
function mergeDictionary(locals: readonly (readonly string[])[]): MergedDictionary | null {
  const values: string[] = [];
  const keys = new Map<string, number>();
  const maps: (Uint16Array | null)[] = [];
  for (const local of locals) {
    const map = new Uint16Array(local.length);
    let identity = true;
    for (let k = 0; k < local.length; k++) {
      const value = local[k]!;
      let key = keys.get(value);
      if (key === undefined) {
        if (values.length >= MAX_DICTIONARY_SIZE) return null;
        key = values.length;
        keys.set(value, key);
        values.push(value);
      }
      map[k] = key;
      if (key !== k) identity = false;
    }
    maps.push(identity ? null : map);
  }
  const inverse = locals.map((local, r) => {
    const back = new Int32Array(values.length).fill(-1);
    const map = maps[r];
    for (let k = 0; k < local.length; k++) back[map ? map[k]! : k] = k;
    return back;
  });
  return { values, maps, inverse };
}

/** Why a merge could not be done; the caller then reads the file in one pass, which gives the exact error. */
export class MergeNotPossible extends Error {}

/**
 * Merge the regions (in file order) of one memory into a tape, its columns' moves into date order shared
 * with another thread (`elsewhere`: tape-builder.ts, arrangeColumnsShared). The first region must start at
 * row 0. `layout`: where the regions' columns are (the memory's, or the Uint32 reading layout they were all
 * written in).
 * Throws what a single pass would throw at its end: the problems in strict mode, or a column total that
 * leaves exact arithmetic; throws MergeNotPossible when a dictionary overflows.
 */
export async function mergeRanges(
  file: string,
  memory: WebAssembly.Memory,
  layout: TapeLayout,
  partials: readonly RangePartial[],
  options: ReadOptions,
  elsewhere: MovesElsewhere,
): Promise<ReadResult> {
  const merged = mergeRegions(file, memory, layout, partials, options);
  return merged.withLayout(await arrangeColumnsShared(memory, layout, merged.rows, merged.dateCount, merged.largestCents, elsewhere));
}

/** The regions merged, all but the columns' arrangement (arrangeColumnsShared), which gives the tape its layout. */
interface MergedRegions {
  readonly rows: number;
  readonly dateCount: number;
  readonly largestCents: number;
  withLayout(arranged: TapeLayout): ReadResult;
}

function mergeRegions(file: string, memory: WebAssembly.Memory, layout: TapeLayout, partials: readonly RangePartial[], options: ReadOptions): MergedRegions {
  const dates = mergeDictionary(partials.map((p) => p.dates));
  const groups = mergeDictionary(partials.map((p) => p.groups));
  if (dates === null || groups === null) throw new MergeNotPossible('a dictionary overflows');
  if (partials[0]?.rowBase !== 0) throw new RangeError('the first region must start at row 0');

  // Problems: each region's list is already in line order, and the regions follow each other.
  const listed: Problem[] = [];
  const byReason: Record<string, number> = {};
  let problemsTotal = 0;
  let rowsRead = 0;
  let invalid = 0;
  let duplicates = 0;
  for (const p of partials) {
    for (const problem of p.problemsListed) if (listed.length < MAX_LISTED_PROBLEMS) listed.push(problem);
    for (const [reason, count] of Object.entries(p.problemsByReason)) byReason[reason] = (byReason[reason] ?? 0) + count;
    problemsTotal += p.problemsTotal;
    rowsRead += p.rowsRead;
    invalid += p.invalidRows;
    duplicates += p.duplicates;
  }

  const buffer = memory.buffer;
  const { money, moneyIndex } = moneyOver(buffer, layout);
  const dateColumn = new Uint16Array(buffer, layout.dateKeyOffset, layout.capacity);
  const groupColumn = layout.groupKeyOffset < 0 ? null : new Uint16Array(buffer, layout.groupKeyOffset, layout.capacity);
  // Every region's drops before any row moves: the finders read the regions' date columns as written.
  const findDrops = duplicateFinder(partials, dates, dateColumn);
  const dropsOf = partials.map((_, r) => (r === 0 ? [] : findDrops(r)));

  const totals = new Float64Array(MONEY_COLUMNS.length);
  let exactTotals = true;
  let rows = partials[0]!.rows;
  totals.set(partials[0]!.totals);
  for (let r = 1; r < partials.length; r++) {
    const p = partials[r]!;
    const drops = dropsOf[r]!;
    duplicates += drops.length;
    // The region's total less its dropped rows is exact while the total is (all are whole cents ≤ 2^53).
    const regionTotals = Float64Array.from(p.totals);
    for (let c = 0; c < MONEY_COLUMNS.length; c++) {
      if (regionTotals[c]! > MAX_EXACT_CENTS) exactTotals = false;
      for (const row of drops) regionTotals[c]! -= money[moneyIndex[c]! + p.rowBase + row]!;
      totals[c]! += regionTotals[c]!;
    }
    rows = compact(p, drops, rows, { money, moneyIndex, dateColumn, groupColumn }, dates.maps[r]!, groups.maps[r]!);
  }

  if (problemsTotal > 0 && options.lenient !== true) throw new TapeInputError(listed, problemsTotal);
  checkTotals(exactTotals ? totals : columnTotals(money, moneyIndex, 0, rows), file);
  return {
    rows,
    dateCount: dates.values.length,
    largestCents: Math.max(...partials.map((p) => p.largestCents)),
    withLayout: (arranged) => {
      const tape: Tape = {
        memory,
        layout: arranged,
        rows,
        dates: dates.values,
        groupColumn: options.groupBy ?? null,
        groups: options.groupBy ? groups.values : [],
      };
      return { tape, rowsRead, dropped: { duplicates, invalid }, invalidByReason: byReason, problems: listed };
    },
  };
}

/**
 * How to find, for region r, the rows (from the region's first row, ascending) whose pair a kept row of an
 * earlier region has. When every region was read in run mode (dedupe.ts) the runs answer directly; else
 * every region's pairs are put in a KeySet (runs rebuilt from the date column, so before any row moves).
 */
function duplicateFinder(partials: readonly RangePartial[], dates: MergedDictionary, dateColumn: Uint16Array): (r: number) => number[] {
  const parts = partials.map((p) => p.ids);
  if (parts.every((p) => p.mode === 'runs')) {
    const runs = parts.map((p) => (p as { runs: RunParts }).runs);
    return (r) => crossDuplicateRuns(runs, partials, r, dates, dateColumn);
  }
  const sets = partials.map((p, r) => {
    const ids = p.ids;
    if (ids.mode === 'pairs') return KeySet.fromParts(ids.set);
    return pairsOfRuns(ids.runs, dateColumn, p.rowBase, p.rows, true, r < partials.length - 1);
  });
  return (r) => crossDuplicates(sets, r, dates);
}

/**
 * crossDuplicates for regions read in run mode: their ids ascend, so only the first runs of region r, up to
 * an earlier region's last id, can share an id with it; each such run's dates are checked against the
 * dates of the run with the same id there (found by binary search).
 */
function crossDuplicateRuns(runs: readonly RunParts[], partials: readonly RangePartial[], r: number, dates: MergedDictionary, dateColumn: Uint16Array): number[] {
  const later = runs[r]!;
  const base = partials[r]!.rowBase;
  const toMerged = dates.maps[r];
  const drops: number[] = [];
  const seen = new Int32Array(dates.values.length);
  let mark = 0;
  for (let i = 0; i < later.count; i++) {
    const start = later.idStarts[i]!;
    const end = later.idStarts[i + 1]!;
    const from = later.firstRows[i]!;
    const to = i + 1 < later.count ? later.firstRows[i + 1]! : later.rows;
    let below = false;
    mark++;
    for (let j = 0; j < r; j++) {
      const earlier = runs[j]!;
      if (earlier.count === 0) continue;
      const last = earlier.count - 1;
      if (compareIds(later.ids, start, end, earlier.ids, earlier.idStarts[last]!, earlier.idStarts[last + 1]!) > 0) continue;
      below = true;
      const m = findRun(earlier, later.ids, start, end);
      if (m < 0) continue;
      // the merged keys of the dates of run m of region j
      const jBase = partials[j]!.rowBase;
      const jMap = dates.maps[j];
      const jTo = m + 1 < earlier.count ? earlier.firstRows[m + 1]! : earlier.rows;
      for (let row = earlier.firstRows[m]!; row < jTo; row++) {
        const local = dateColumn[jBase + row]!;
        seen[jMap ? jMap[local]! : local] = mark;
      }
    }
    // Ids ascend: once a run is above every earlier region's last id, so are all the runs after it.
    if (!below) break;
    for (let row = from; row < to; row++) {
      const local = dateColumn[base + row]!;
      if (seen[toMerged ? toMerged[local]! : local] === mark) drops.push(row);
    }
  }
  return drops;
}

/** The run of `runs` whose id is bytes[start, end), or -1 (the runs' ids ascend strictly). */
function findRun(runs: RunParts, bytes: Uint8Array, start: number, end: number): number {
  let low = 0;
  let high = runs.count - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = compareIds(runs.ids, runs.idStarts[mid]!, runs.idStarts[mid + 1]!, bytes, start, end);
    if (order === 0) return mid;
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

/**
 * The rows (from the region's first row, ascending) of region `r` whose pair a kept row of an earlier region
 * has. Each region's set holds its kept pairs in row order with region-local date keys and the hash of each
 * id, so a pair of region r is looked up in region j under j's key for the same date (a date absent from j's
 * dictionary cannot be in j) without reading its bytes again; and j's filter turns away nearly every id that
 * j does not have without touching j's table.
 */
function crossDuplicates(sets: readonly KeySet[], r: number, dates: MergedDictionary): number[] {
  const set = sets[r]!;
  const toMerged = dates.maps[r];
  const drops: number[] = [];
  for (let e = 0; e < set.size; e++) {
    const idHash = set.entryIdHash(e);
    for (let j = 0; j < r; j++) {
      const earlier = sets[j]!;
      if (!earlier.mayHaveId(idHash)) continue;
      const local = set.entryDateKey(e);
      const dateKey = dates.inverse[j]![toMerged ? toMerged[local]! : local]!;
      if (dateKey < 0) continue;
      if (earlier.hasPaired(set.arenaBytes(), set.entryStart(e), set.entryEnd(e), pairHash(idHash, dateKey), dateKey)) {
        drops.push(set.entryRow(e));
        break;
      }
    }
  }
  return drops;
}

interface Columns {
  readonly money: MoneyView;
  readonly moneyIndex: Int32Array;
  readonly dateColumn: Uint16Array;
  readonly groupColumn: Uint16Array | null;
}

/**
 * Move region `p`'s kept rows, less `drops`, to start at row `to`, and rewrite their keys to the merged
 * dictionaries. Returns the row after the last one moved. Moves go downwards (`to` ≤ the region's first row,
 * as regions follow each other), so copyWithin, which copies as if through a temporary, is safe even where
 * source and target overlap.
 */
function compact(p: RangePartial, drops: readonly number[], to: number, columns: Columns, dateMap: Uint16Array | null, groupMap: Uint16Array | null): number {
  const { money, moneyIndex, dateColumn, groupColumn } = columns;
  const first = to;
  let from = 0;
  const segments = [...drops, p.rows];
  for (const stop of segments) {
    const count = stop - from;
    if (count > 0 && p.rowBase + from !== to) {
      for (let c = 0; c < moneyIndex.length; c++) {
        const base = moneyIndex[c]!;
        money.copyWithin(base + to, base + p.rowBase + from, base + p.rowBase + stop);
      }
      dateColumn.copyWithin(to, p.rowBase + from, p.rowBase + stop);
      groupColumn?.copyWithin(to, p.rowBase + from, p.rowBase + stop);
    }
    to += Math.max(0, count);
    from = stop + 1;
  }
  if (dateMap !== null) for (let row = first; row < to; row++) dateColumn[row] = dateMap[dateColumn[row]!]!;
  if (groupMap !== null && groupColumn !== null) for (let row = first; row < to; row++) groupColumn[row] = groupMap[groupColumn[row]!]!;
  // Rows left behind past the end were written by a region; clear them, so that only kept rows hold data.
  const end = p.rowBase + p.rows;
  if (to < end) {
    const clearFrom = Math.max(to, p.rowBase);
    for (let c = 0; c < moneyIndex.length; c++) money.fill(0, moneyIndex[c]! + clearFrom, moneyIndex[c]! + end);
    dateColumn.fill(0, clearFrom, end);
    groupColumn?.fill(0, clearFrom, end);
  }
  return to;
}
