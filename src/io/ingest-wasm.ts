/**
 * The Arrow reader's key loops in WebAssembly (src/engine/wasm/ingest.wat), with their JavaScript twins: the
 * reader uses the twins where the module does not load (or when told to: ArrowTuning.kernel 'js'), and the
 * tests check that both give the same answer.
 *
 * The module works on a memory of its own, one per reader, into which the reader reads a batch's day and id
 * columns straight from the file. It is shared only so that growing it never detaches the buffer that a read
 * of the next batch is still filling; no other thread sees it. A thread keeps one such memory between readers
 * (IngestWasm.take, release): a fresh one's pages are faulted in again by every read, about 1,100 of them for
 * the batches of a synthetic tape, and left to the garbage collector.
 */
import { compiledWasm } from '../workers/wasm-file.js';

/** Slots of the day cache: slot s holds a day whose low ten bits are s (DAY_CACHE_SLOTS - 1 is the mask). */
export const DAY_CACHE_SLOTS = 1024;

/** The module's memory may grow to 1 GiB, which keeps every offset sum in its loops below 2^31. */
const MAX_PAGES = 16384;
const PAGE_BYTES = 65536;
/** regions start at this alignment and are followed by this many spare bytes (the loops' wide loads) */
const ALIGN = 16;
/** A memory larger than this (a file of huge batches or ids) is not kept for the thread's next reader. */
const KEEP_BYTES = 32 << 20;

interface IngestExports {
  dateKeys(days: number, from: number, n: number, keys: number, cacheDays: number, cacheKeys: number): number;
  runStarts(offsets: number, bytes: number, limit: number, n: number, out: number): number;
  cleanRuns(starts: number, count: number, keys: number, stamps: number, stamp: number, clean: number): void;
}

let loaded: WebAssembly.Module | null | undefined;

/** The compiled module, once per thread; null when it is missing or does not compile here (no wasm SIMD). */
export function ingestModule(): WebAssembly.Module | null {
  // (null is kept too: a module that is missing is not looked for again)
  if (loaded === undefined) loaded = compiledWasm('ingest.wasm').module;
  return loaded;
}

/** An instance of the module over a memory of its own, in which regions are handed out, and freed all at once. */
export class IngestWasm {
  /** the instance this thread's last reader released, for its next one */
  private static spare: IngestWasm | null = null;
  private used = 0;

  private constructor(
    readonly memory: WebAssembly.Memory,
    private readonly exports: IngestExports,
    private readonly maxPages: number,
  ) {}

  /**
   * null when the module does not load, or its memory cannot be had (the JavaScript twins do without);
   * `maxPages` (at most the default) bounds how far the memory grows.
   */
  static create(module: WebAssembly.Module | null = ingestModule(), maxPages = MAX_PAGES): IngestWasm | null {
    if (module === null) return null;
    const maximum = Math.max(1, Math.min(MAX_PAGES, maxPages));
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum, shared: true });
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      return new IngestWasm(memory, instance.exports as unknown as IngestExports, maximum);
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }

  /**
   * This thread's spare instance (its memory holding whatever its last reader left there) when there is one
   * of the default bound, else a new one (create); `release` gives it back once the reader is done with it.
   */
  static take(maxPages = MAX_PAGES): IngestWasm | null {
    const spare = IngestWasm.spare;
    if (spare === null || maxPages !== MAX_PAGES) return IngestWasm.create(ingestModule(), maxPages);
    IngestWasm.spare = null;
    return spare;
  }

  /**
   * Every region freed, and the instance kept for the thread's next reader unless one is kept already or its
   * memory has grown beyond KEEP_BYTES. Nothing may use the regions handed out before.
   */
  release(): void {
    this.used = 0;
    const kept = IngestWasm.spare === null && this.maxPages === MAX_PAGES && this.memory.buffer.byteLength <= KEEP_BYTES;
    if (kept) IngestWasm.spare = this;
  }

  /**
   * The address of `bytes` new bytes (at a 16-byte boundary, followed by 16 that no region uses), or -1 when
   * the memory cannot grow that far: zeros in a fresh memory, what the last reader left in a reused one. Views
   * made before stay valid: make new ones from `buffer`.
   */
  allocate(bytes: number): number {
    const at = this.used;
    const end = at + Math.ceil(bytes / ALIGN) * ALIGN + ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE_BYTES);
      if (have / PAGE_BYTES + pages > this.maxPages) return -1;
      try {
        this.memory.grow(pages);
      } catch (error) {
        if (error instanceof RangeError) return -1;
        throw error;
      }
    }
    this.used = end;
    return at;
  }

  get buffer(): ArrayBufferLike {
    return this.memory.buffer;
  }

  /** dateKeysJs over the Int32 days at `days` and the Uint16 keys at `keys` (byte addresses). */
  dateKeys(days: number, from: number, n: number, keys: number, cacheDays: number, cacheKeys: number): number {
    return this.exports.dateKeys(days, from, n, keys, cacheDays, cacheKeys);
  }

  /** runStartsJs over byte addresses; the `limit` bytes at `bytes` must be followed by 16 more of the memory. */
  runStarts(offsets: number, bytes: number, limit: number, n: number, out: number): number {
    return this.exports.runStarts(offsets, bytes, limit, n, out);
  }

  /** cleanRunsJs over byte addresses: run starts (Int32), keys (Uint16), stamps (Int32, 65536), flags (bytes). */
  cleanRuns(starts: number, count: number, keys: number, stamps: number, stamp: number, clean: number): void {
    this.exports.cleanRuns(starts, count, keys, stamps, stamp, clean);
  }
}

/**
 * The date keys of rows [from, n) of `days` into `keys` from index `keysBase`, through the day cache: the day
 * of row i is looked for in slot `day & (DAY_CACHE_SLOTS - 1)` of `cachedDays`, its key in the same slot of
 * `cachedKeys`. Stops at the first row whose day is not there and returns it (the caller looks the day up,
 * puts it in the cache and carries on from that row); returns n when every day was there.
 */
export function dateKeysJs(days: Int32Array, from: number, n: number, keys: Uint16Array, keysBase: number, cachedDays: Int32Array, cachedKeys: Uint16Array): number {
  for (let i = from; i < n; i++) {
    const day = days[i]!;
    const slot = day & (DAY_CACHE_SLOTS - 1);
    if (cachedDays[slot] !== day) return i;
    keys[keysBase + i] = cachedKeys[slot]!;
  }
  return n;
}

/**
 * The runs of one id among the `n` rows of a batch whose ids are [offsets[i], offsets[i + 1]) of the first
 * `limit` bytes of `bytes`: a run starts at every row except one whose id has the same length and bytes as
 * the row before it, which must itself have had an id within the bytes (0 ≤ start < end ≤ limit). Each run's
 * first row goes into `out`, then n after the last; returns the number of runs.
 *
 * On a sorted tape every row but a loan's first repeats the id just before it, adjacent in the batch's bytes,
 * so the reader needs neither a hash nor its copy of the run's id for those rows.
 */
export function runStartsJs(offsets: Int32Array, bytes: Uint8Array, limit: number, n: number, out: Int32Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  let i = 0;
  while (i < n) {
    out[count++] = i;
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    i++;
    if (!(start >= 0 && end > start && end <= limit)) continue;
    const length = end - start;
    for (; i < n; i++) {
      const at = offsets[i]!;
      const next = offsets[i + 1]!;
      if (next !== at + length || next > limit || !repeatsBefore(view, bytes, at, length)) break;
    }
  }
  out[count] = n;
  return count;
}

/**
 * Whether the `length` bytes of `bytes` at `at` equal the `length` bytes just before them (`view` is a
 * DataView of `bytes`; length > 0 and both ranges within it): four bytes a load, the last load overlapping
 * the one before it rather than a tail of single bytes.
 */
function repeatsBefore(view: DataView, bytes: Uint8Array, at: number, length: number): boolean {
  const before = at - length;
  if (length < 4) {
    for (let k = 0; k < length; k++) if (bytes[before + k] !== bytes[at + k]) return false;
    return true;
  }
  for (let k = 0; k + 4 < length; k += 4) if (view.getInt32(before + k) !== view.getInt32(at + k)) return false;
  return view.getInt32(at - 4) === view.getInt32(at + length - 4);
}

/** Entries of the table of stamps of cleanRunsJs (one per 16-bit date key). */
export const STAMP_SLOTS = 65536;

/**
 * Whether the rows of each of `count` runs (runStartsJs's `starts`) have different date keys (`keys` from
 * index `keysBase`): 1 or 0 into `clean`. Each key a run meets is marked in `stamps` with the run's stamp,
 * `stamp` + run, so a table that starts zeroed needs no clearing as long as each call starts its stamps after
 * the last call's (stamp ≥ 1).
 *
 * A run of a loan-sorted tape is one loan's snapshots, one per date: its rows need no check one by one.
 */
export function cleanRunsJs(starts: Int32Array, count: number, keys: Uint16Array, keysBase: number, stamps: Int32Array, stamp: number, clean: Uint8Array): void {
  for (let r = 0; r < count; r++) {
    const end = starts[r + 1]!;
    const mark = stamp + r;
    let ok = 1;
    for (let row = starts[r]!; row < end; row++) {
      const key = keys[keysBase + row]!;
      if (stamps[key] === mark) ok = 0;
      stamps[key] = mark;
    }
    clean[r] = ok;
  }
}
