/**
 * A set of (loan_id bytes, date key) pairs, for dropping duplicate rows while reading.
 *
 * A JS Set of strings costs about 80 bytes a row; this open-addressing table over a byte arena costs about
 * 30, which keeps a 1M-row ingest inside its memory budget. Ids are compared byte for byte, so a hash
 * collision never drops a row.
 *
 * Speed: a probe is one random memory access, because each slot holds the pair's hash next to its entry
 * number (a slot of a table that misses the cache costs one line, not one for the slot and one for a separate
 * hash array). The id's bytes are only compared when the hashes agree, which is when the pair is a duplicate
 * (or, once in four billion, a collision). Readers hash the id while they scan it (`ID_HASH_SEED`, FNV-1a)
 * and pass the hash in, so the bytes are not read twice, and they check rows in batches (`touch`, then
 * `addPaired`), so that the cache misses of a batch overlap.
 *
 * The hash of a pair is the id's hash mixed with the date key at the end (`pairHash`), not seeded with it:
 * a reader may meet the id before the date in a row, and a set built by a parallel reader under its own date
 * keys can be re-probed under merged keys without hashing the bytes again.
 */

/** FNV-1a offset basis: the hash of an empty id. */
export const ID_HASH_SEED = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a of the bytes, as readers compute it while scanning a cell. */
export function hashId(bytes: Uint8Array, start: number, end: number): number {
  let h = ID_HASH_SEED;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h;
}

/** The id hash mixed with the date key, finished murmur-style so that the low bits (the slot) spread. */
export function pairHash(idHash: number, dateKey: number): number {
  let h = Math.imul(idHash ^ dateKey, FNV_PRIME);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** The arrays of a KeySet, to move one between threads (transferable) and rebuild it on the other side. */
export interface KeySetParts {
  readonly slots: Int32Array;
  readonly starts: Uint32Array;
  readonly dateKeys: Uint16Array;
  readonly arena: Uint8Array;
  readonly tracked: TrackedArrays | null;
  readonly entries: number;
  readonly arenaUsed: number;
}

/** What a set of a parallel reader's region keeps for the merge. */
export interface TrackedArrays {
  /** per entry: the row (from the region's first) that added it */
  readonly rows: Uint32Array;
  /** per entry: the id's hash, so the merge can re-key the pair without reading its bytes */
  readonly idHashes: Int32Array;
  /**
   * Two bits per id in a bit array of about a byte per expected pair, set from the id hash: a Bloom filter
   * that tells a merge "no pair with this id here" from a table that fits in cache, for all but about 5% of
   * the ids that are not there. Only in sets that later sets are checked against; else empty.
   */
  readonly filter: Int32Array;
}

const MIN_SLOTS = 1 << 10;

function slotsFor(entries: number): number {
  let slots = MIN_SLOTS;
  while (slots < entries * 2) slots *= 2;
  return slots;
}

export class KeySet {
  /** slot i: [2i] the pair's hash, [2i + 1] its entry index + 1 (0 = empty); at most half the slots are used */
  private slots: Int32Array;
  private mask: number;
  private arena: Uint8Array;
  private arenaUsed = 0;
  /** per entry: start in the arena (entry i ends where entry i + 1 starts) */
  private starts: Uint32Array;
  private dateKeys: Uint16Array;
  private entries = 0;
  private tracked: { rows: Uint32Array; idHashes: Int32Array; filter: Int32Array } | null = null;
  private filterShift = 32;

  /**
   * `expected`: how many pairs the reader may add at most (its row capacity). The entry arrays are sized for
   * it up front: zeroed memory that is never written is never made resident. The table of slots, which is
   * touched all over, is sized for `likely` pairs (at most `expected`) and doubles when they are more.
   * `tracked` keeps what a merge needs (TrackedArrays), with a filter when `filtered`.
   */
  constructor(expected = 0, tracked = false, filtered = false, likely = expected) {
    const capacity = Math.max(16, expected);
    this.slots = new Int32Array(2 * slotsFor(Math.min(capacity, likely)));
    this.mask = this.slots.length - 1;
    this.starts = new Uint32Array(capacity + 1);
    this.dateKeys = new Uint16Array(capacity);
    this.arena = new Uint8Array(1 << 16);
    if (tracked) {
      let words = 64;
      while (filtered && words * 4 < capacity) words *= 2;
      this.tracked = { rows: new Uint32Array(capacity), idHashes: new Int32Array(capacity), filter: new Int32Array(filtered ? words : 0) };
      this.filterShift = 32 - Math.log2(words);
    }
  }

  static fromParts(parts: KeySetParts): KeySet {
    const set = new KeySet(0, false);
    set.slots = parts.slots;
    set.mask = parts.slots.length - 1;
    set.starts = parts.starts;
    set.dateKeys = parts.dateKeys;
    set.arena = parts.arena;
    set.entries = parts.entries;
    set.arenaUsed = parts.arenaUsed;
    if (parts.tracked !== null) {
      const { rows, idHashes, filter } = parts.tracked;
      set.tracked = { rows, idHashes, filter };
      set.filterShift = filter.length > 0 ? 32 - Math.log2(filter.length) : 32;
    }
    return set;
  }

  /** The arrays (not copies): the set must not be used after they were transferred away. */
  parts(): KeySetParts {
    this.starts[this.entries] = this.arenaUsed;
    return { slots: this.slots, starts: this.starts, dateKeys: this.dateKeys, arena: this.arena, tracked: this.tracked, entries: this.entries, arenaUsed: this.arenaUsed };
  }

  get size(): number {
    return this.entries;
  }

  /** Adds the pair; returns false when it was already there. `row` is kept when the set is tracked. */
  add(bytes: Uint8Array, start: number, end: number, dateKey: number, row = 0): boolean {
    const idHash = hashId(bytes, start, end);
    return this.addPaired(bytes, start, end, idHash, pairHash(idHash, dateKey), dateKey, row);
  }

  /**
   * Load the slot where each of `count` pair hashes starts its probe, and return something of them so that
   * the loads are not optimised away. The loads are independent of each other, so the processor overlaps
   * their cache misses; the inserts that follow (addPaired, in row order) then find their slots in cache.
   * Without this, a 1M-row table spends more time waiting for memory, one miss after another, than parsing.
   */
  touch(pairHashes: Int32Array, count: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let any = 0;
    for (let k = 0; k < count; k++) any |= slots[((pairHashes[k]! << 1) & mask) + 1]!;
    return any;
  }

  /** add() with the id hash (hashId) and the pair hash (pairHash of it and the date key) given. */
  addPaired(bytes: Uint8Array, start: number, end: number, idHash: number, hash: number, dateKey: number, row: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let i = (hash << 1) & mask;
    for (;;) {
      const entry = slots[i + 1]!;
      if (entry === 0) break;
      if (slots[i] === hash && this.equals(entry - 1, bytes, start, end, dateKey)) return false;
      i = (i + 2) & mask;
    }
    const entry = this.entries;
    if (entry + 1 >= this.starts.length) this.growEntries();
    this.append(bytes, start, end);
    this.dateKeys[entry] = dateKey;
    const tracked = this.tracked;
    if (tracked !== null) {
      tracked.rows[entry] = row;
      tracked.idHashes[entry] = idHash;
      if (tracked.filter.length > 0) {
        const f = Math.imul(idHash, 0x9e3779b1);
        tracked.filter[f >>> this.filterShift]! |= (1 << (f & 31)) | (1 << ((f >>> 5) & 31));
      }
    }
    this.entries = entry + 1;
    slots[i] = hash;
    slots[i + 1] = entry + 1;
    if (this.entries * 4 > slots.length) this.rehash();
    return true;
  }

  /** Whether the pair is in the set (its pair hash given). */
  hasPaired(bytes: Uint8Array, start: number, end: number, hash: number, dateKey: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let i = (hash << 1) & mask;
    for (;;) {
      const entry = slots[i + 1]!;
      if (entry === 0) return false;
      if (slots[i] === hash && this.equals(entry - 1, bytes, start, end, dateKey)) return true;
      i = (i + 2) & mask;
    }
  }

  /** False when no pair with this id hash is in the set; true when one may be (always true without a filter). */
  mayHaveId(idHash: number): boolean {
    const filter = this.tracked?.filter;
    if (filter === undefined || filter.length === 0) return true;
    const f = Math.imul(idHash, 0x9e3779b1);
    const bits = (1 << (f & 31)) | (1 << ((f >>> 5) & 31));
    return (filter[f >>> this.filterShift]! & bits) === bits;
  }

  /** For a merge: entry `entry`'s bytes lie in `arenaBytes()` between entryStart and entryEnd. */
  arenaBytes(): Uint8Array {
    return this.arena;
  }
  entryStart(entry: number): number {
    return this.starts[entry]!;
  }
  entryEnd(entry: number): number {
    return entry + 1 < this.entries ? this.starts[entry + 1]! : this.arenaUsed;
  }
  entryDateKey(entry: number): number {
    return this.dateKeys[entry]!;
  }
  /** The row that added the entry (tracked sets), else the entry's index. */
  entryRow(entry: number): number {
    return this.tracked === null ? entry : this.tracked.rows[entry]!;
  }
  entryIdHash(entry: number): number {
    return this.tracked === null ? hashId(this.arena, this.entryStart(entry), this.entryEnd(entry)) : this.tracked.idHashes[entry]!;
  }

  private equals(entry: number, bytes: Uint8Array, start: number, end: number, dateKey: number): boolean {
    if (this.dateKeys[entry] !== dateKey) return false;
    const from = this.starts[entry]!;
    const to = this.entryEnd(entry);
    if (to - from !== end - start) return false;
    const arena = this.arena;
    for (let i = 0; i < end - start; i++) if (arena[from + i] !== bytes[start + i]) return false;
    return true;
  }

  private append(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    let at = this.arenaUsed;
    if (at + length > this.arena.length) this.arena = grow(this.arena, Math.max(this.arena.length * 2, at + length));
    const arena = this.arena;
    // ids are short: a byte loop beats making a subarray for set()
    if (length <= 32) for (let i = start; i < end; i++) arena[at++] = bytes[i]!;
    else arena.set(bytes.subarray(start, end), at);
    this.starts[this.entries] = this.arenaUsed;
    this.arenaUsed += length;
  }

  private growEntries(): void {
    const capacity = this.starts.length * 2;
    this.starts = grow(this.starts, capacity + 1);
    this.dateKeys = grow(this.dateKeys, capacity);
    const tracked = this.tracked;
    if (tracked !== null) {
      tracked.rows = grow(tracked.rows, capacity);
      tracked.idHashes = grow(tracked.idHashes, capacity);
    }
  }

  /** Twice the slots: stored hashes place every entry again without touching its bytes. */
  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length - 1;
    for (let j = 0; j < old.length; j += 2) {
      const entry = old[j + 1]!;
      if (entry === 0) continue;
      const hash = old[j]!;
      let i = (hash << 1) & mask;
      while (slots[i + 1] !== 0) i = (i + 2) & mask;
      slots[i] = hash;
      slots[i + 1] = entry;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}
