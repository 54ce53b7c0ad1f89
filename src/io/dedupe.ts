/**
 * Duplicate (loan_id, date) detection for a reader: which rows to keep (the first of each pair, in row order).
 *
 * Two modes, one answer:
 * - Runs. Tapes are very often sorted by loan (every snapshot of a loan together, loans in id order). While
 *   the ids come in non-decreasing byte order, a pair can only repeat inside the current run of one id, so
 *   a row needs no hash table: its id is compared with the run's (a few bytes in cache) and its date is
 *   checked against the dates the run has had (a stamp per date key). Only one id per run is kept.
 * - Pairs. As soon as an id comes out of order (or a row without an id sits between runs), the pairs kept so
 *   far are put into a KeySet, rebuilt from the runs' ids and the dates already in the date column, and every
 *   later row is checked there. From then on it costs what it always cost.
 * The switch happens before the row that caused it is checked, so both modes keep exactly the rows a KeySet
 * alone would have kept.
 *
 * A parallel reader's merge needs each region's pairs: `parts()` gives the runs or the KeySet, and
 * `pairsOf()` turns runs into a KeySet when a merge needs one (range-merge.ts).
 */
import { hashId, KeySet, pairHash, type KeySetParts } from './key-set.js';

/** The runs of a region read in run mode: run i has id bytes [idStarts[i], idStarts[i + 1]) of `ids`. */
export interface RunParts {
  readonly ids: Uint8Array;
  /** count + 1 entries */
  readonly idStarts: Uint32Array;
  /** per run, its first row (from the region's first); a run's rows end where the next run's begin */
  readonly firstRows: Uint32Array;
  readonly count: number;
  /** rows kept in the region (the last run ends there) */
  readonly rows: number;
}

export type DeduperParts = { readonly mode: 'runs'; readonly runs: RunParts } | { readonly mode: 'pairs'; readonly set: KeySetParts };

/** Byte order of two ids: negative, zero or positive. */
export function compareIds(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

export class PairDeduper {
  private set: KeySet | null = null;
  // run mode
  private runIds = new Uint8Array(1 << 12);
  private runIdsUsed = 0;
  private idStarts = new Uint32Array(1 << 10);
  private firstRows = new Uint32Array(1 << 10);
  private runs = 0;
  /** the current run's id hash, and its bytes' place in runIds */
  private runHash = 0;
  private runStart = 0;
  /** the id hash given to the last add(), for addRepeat in pair mode */
  private lastHash = 0;
  /** date key → number of the last run that had it (runs count from 1) */
  private readonly stamps = new Int32Array(65536);

  /**
   * `capacity`: the region's rows (sizes the KeySet if one is needed); `dateColumn` and `rowBase`: where the
   * kept rows' date keys are, to rebuild the pairs from; `tracked`/`filtered`: see KeySet.
   */
  constructor(
    private readonly capacity: number,
    private readonly dateColumn: Uint16Array,
    private readonly rowBase: number,
    private readonly tracked: boolean,
    private readonly filtered: boolean,
  ) {}

  /** The KeySet while in pair mode, for readers that batch their probes (KeySet.touch); null in run mode. */
  get pairs(): KeySet | null {
    return this.set;
  }

  /** The runs so far (run mode): a reader sees by it whether a row started a new run or joined the current one. */
  get runCount(): number {
    return this.runs;
  }

  /**
   * Keep or drop the row (`row`: its place from the region's first row, if kept) with this id and date key.
   * Returns false for a duplicate.
   */
  add(bytes: Uint8Array, start: number, end: number, idHash: number, pair: number, dateKey: number, row: number): boolean {
    this.lastHash = idHash;
    const set = this.set;
    if (set !== null) return set.addPaired(bytes, start, end, idHash, pair, dateKey, row);
    const runs = this.runs;
    if (runs > 0 && idHash === this.runHash && this.sameAsRun(bytes, start, end)) {
      if (this.stamps[dateKey] === runs) return false;
      this.stamps[dateKey] = runs;
      return true;
    }
    if (runs > 0 && this.belowRun(bytes, start, end)) {
      this.toPairs(row);
      return this.set!.addPaired(bytes, start, end, idHash, pair, dateKey, row);
    }
    this.startRun(bytes, start, end, idHash, row);
    this.stamps[dateKey] = this.runs;
    return true;
  }

  /**
   * add() for a reader that has not hashed the id: in run mode a row of the current run is recognised by its
   * bytes alone, and only an id that starts a run (or any id in pair mode) is hashed.
   */
  addBytes(bytes: Uint8Array, start: number, end: number, dateKey: number, row: number): boolean {
    const runs = this.runs;
    if (this.set === null && runs > 0 && this.sameAsRun(bytes, start, end)) {
      if (this.stamps[dateKey] === runs) return false;
      this.stamps[dateKey] = runs;
      return true;
    }
    const idHash = hashId(bytes, start, end);
    return this.add(bytes, start, end, idHash, pairHash(idHash, dateKey), dateKey, row);
  }

  /**
   * addBytes() for a row whose id has the same bytes as the id of the row given to add() or addBytes() just
   * before (a reader that found a run of one id itself, e.g. by comparing each id with the one before it):
   * in run mode only its date is checked, and in pair mode its id is not hashed again.
   */
  addRepeat(bytes: Uint8Array, start: number, end: number, dateKey: number, row: number): boolean {
    const set = this.set;
    if (set === null) {
      // the row before either joined or started the current run, or switched to pairs
      if (this.stamps[dateKey] === this.runs) return false;
      this.stamps[dateKey] = this.runs;
      return true;
    }
    // the row before went through add() in pair mode, which kept its hash
    const idHash = this.lastHash;
    return set.addPaired(bytes, start, end, idHash, pairHash(idHash, dateKey), dateKey, row);
  }

  /** A kept row without an id: the current run cannot continue past it (its rows would not be contiguous). */
  idless(row: number): void {
    if (this.set === null && this.runs > 0) this.toPairs(row);
  }

  private sameAsRun(bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.runStart;
    const length = end - start;
    if (length !== this.runIdsUsed - from) return false;
    const ids = this.runIds;
    // Four bytes at a time through DataViews (unaligned loads): a reader that compares every row's id with
    // its run's compares every byte of it, on every row.
    let i = 0;
    if (length >= 4) {
      const a = this.runView;
      const b = this.viewOf(bytes);
      for (; i + 4 <= length; i += 4) if (a.getInt32(from + i) !== b.getInt32(start + i)) return false;
    }
    for (; i < length; i++) if (ids[from + i] !== bytes[start + i]) return false;
    return true;
  }

  /**
   * Whether the id comes before the current run's in byte order (compareIds < 0): four bytes at a time, as
   * big-endian unsigned words, whose order is that of their bytes.
   */
  private belowRun(bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.runStart;
    const length = end - start;
    const runLength = this.runIdsUsed - from;
    const n = Math.min(length, runLength);
    let i = 0;
    // (an id outside its array, from a broken file, goes byte by byte, reading undefined as before)
    if (n >= 4 && start >= 0 && end <= bytes.length) {
      const a = this.viewOf(bytes);
      const b = this.runView;
      for (; i + 4 <= n; i += 4) {
        const x = a.getUint32(start + i);
        const y = b.getUint32(from + i);
        if (x !== y) return x < y;
      }
    }
    // the rest (and an id that differs only there or in length) byte by byte
    return compareIds(bytes, start + i, end, this.runIds, from + i, this.runIdsUsed) < 0;
  }

  /** A DataView of `bytes`, kept while the same array comes again (a reader's batch after batch). */
  private viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
    if (bytes !== this.viewed) {
      this.viewed = bytes;
      this.bytesView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.bytesView;
  }

  /** DataViews for sameAsRun: of the run ids (remade when they grow) and of the last array of ids compared */
  private runView = new DataView(this.runIds.buffer);
  private viewed: Uint8Array | null = null;
  private bytesView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  private startRun(bytes: Uint8Array, start: number, end: number, idHash: number, row: number): void {
    const length = end - start;
    if (this.runIdsUsed + length > this.runIds.length) {
      this.runIds = grown(this.runIds, Math.max(this.runIds.length * 2, this.runIdsUsed + length));
      this.runView = new DataView(this.runIds.buffer);
    }
    if (this.runs + 2 > this.idStarts.length) {
      this.idStarts = grown(this.idStarts, this.idStarts.length * 2);
      this.firstRows = grown(this.firstRows, this.firstRows.length * 2);
    }
    const ids = this.runIds;
    let at = this.runIdsUsed;
    this.runStart = at;
    if (length >= 4 && start >= 0 && end <= bytes.length) {
      // four bytes a store, the last one overlapping the one before rather than a tail of single bytes
      const from = this.viewOf(bytes);
      const to = this.runView;
      for (let i = 0; i + 4 < length; i += 4) to.setInt32(at + i, from.getInt32(start + i));
      to.setInt32(at + length - 4, from.getInt32(end - 4));
      at += length;
    } else {
      for (let i = start; i < end; i++) ids[at++] = bytes[i]!;
    }
    this.runIdsUsed = at;
    this.idStarts[this.runs] = this.runStart;
    this.firstRows[this.runs] = row;
    this.runs++;
    this.idStarts[this.runs] = at;
    this.runHash = idHash;
  }

  /**
   * Switch to pair mode: the pairs of the kept rows before `row`, rebuilt into a KeySet whose table starts
   * at twice as many (the capacity can be a loose bound: see csv.ts rowBound) and doubles as it fills.
   */
  private toPairs(row: number): void {
    this.set = pairsOfRuns(this.runParts(row), this.dateColumn, this.rowBase, this.capacity, this.tracked, this.filtered, Math.max(1 << 12, 2 * row));
  }

  private runParts(rows: number): RunParts {
    this.idStarts[this.runs] = this.runIdsUsed;
    return { ids: this.runIds, idStarts: this.idStarts, firstRows: this.firstRows, count: this.runs, rows };
  }

  /** For the merge: the runs (ending at `rows` kept rows) or the KeySet. The deduper must not be used afterwards. */
  parts(rows: number): DeduperParts {
    return this.set === null ? { mode: 'runs', runs: this.runParts(rows) } : { mode: 'pairs', set: this.set.parts() };
  }
}

/** The KeySet of the pairs of some runs, whose rows' date keys are in `dateColumn` from `rowBase`. */
export function pairsOfRuns(runs: RunParts, dateColumn: Uint16Array, rowBase: number, capacity: number, tracked: boolean, filtered: boolean, likely = capacity): KeySet {
  const set = new KeySet(capacity, tracked, filtered, likely);
  const { ids, idStarts, firstRows } = runs;
  for (let r = 0; r < runs.count; r++) {
    const start = idStarts[r]!;
    const end = idStarts[r + 1]!;
    const idHash = hashId(ids, start, end);
    const last = r + 1 < runs.count ? firstRows[r + 1]! : runs.rows;
    for (let row = firstRows[r]!; row < last; row++) {
      const dateKey = dateColumn[rowBase + row]!;
      set.addPaired(ids, start, end, idHash, pairHash(idHash, dateKey), dateKey, row);
    }
  }
  return set;
}

/** The transferable arrays of deduper parts, for postMessage. */
export function deduperTransferList(parts: DeduperParts): ArrayBuffer[] {
  if (parts.mode === 'runs') return [parts.runs.ids.buffer, parts.runs.idStarts.buffer, parts.runs.firstRows.buffer] as ArrayBuffer[];
  const set = parts.set;
  const list = [set.slots.buffer, set.starts.buffer, set.dateKeys.buffer, set.arena.buffer];
  if (set.tracked !== null) list.push(set.tracked.rows.buffer, set.tracked.idHashes.buffer, set.tracked.filter.buffer);
  return list as ArrayBuffer[];
}

function grown<T extends Uint8Array | Uint32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}
