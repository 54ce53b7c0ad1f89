/**
 * A set of (loan_id bytes, date key) pairs, for dropping duplicate rows while reading.
 *
 * A JS Set of strings costs about 80 bytes a row; this open-addressing table over a byte arena costs about 20,
 * which keeps a 1M-row ingest well inside its memory budget. Ids are compared byte for byte, so a hash
 * collision never drops a row.
 */
export class KeySet {
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  /** per entry: start in the arena (entry i ends where entry i+1 starts) */
  private starts = new Uint32Array(1 << 12);
  private dateKeys = new Uint16Array(1 << 12);
  private hashes = new Uint32Array(1 << 12);
  private entries = 0;
  /** slot → entry index + 1 (0 = empty) */
  private slots = new Uint32Array(1 << 13);

  get size(): number {
    return this.entries;
  }

  /** Adds the pair; returns false when it was already there. */
  add(bytes: Uint8Array, start: number, end: number, dateKey: number): boolean {
    const hash = hashBytes(bytes, start, end, dateKey);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) break;
      if (this.hashes[entry - 1] === hash && this.equals(entry - 1, bytes, start, end, dateKey)) return false;
      slot = (slot + 1) & mask;
    }
    this.append(bytes, start, end, dateKey, hash);
    this.slots[slot] = this.entries;
    if (this.entries * 2 > this.slots.length) this.rehash();
    return true;
  }

  private equals(entry: number, bytes: Uint8Array, start: number, end: number, dateKey: number): boolean {
    if (this.dateKeys[entry] !== dateKey) return false;
    const from = this.starts[entry]!;
    const to = entry + 1 < this.entries ? this.starts[entry + 1]! : this.arenaUsed;
    if (to - from !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (this.arena[from + i] !== bytes[start + i]) return false;
    return true;
  }

  private append(bytes: Uint8Array, start: number, end: number, dateKey: number, hash: number): void {
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      this.arena = grow(this.arena, Math.max(this.arena.length * 2, this.arenaUsed + length));
    }
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    if (this.entries === this.starts.length) {
      const capacity = this.starts.length * 2;
      this.starts = grow(this.starts, capacity);
      this.dateKeys = grow(this.dateKeys, capacity);
      this.hashes = grow(this.hashes, capacity);
    }
    this.starts[this.entries] = this.arenaUsed;
    this.dateKeys[this.entries] = dateKey;
    this.hashes[this.entries] = hash;
    this.arenaUsed += length;
    this.entries += 1;
  }

  private rehash(): void {
    this.slots = new Uint32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let entry = 0; entry < this.entries; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry + 1;
    }
  }
}

/** FNV-1a over the bytes and the date key, finished with a murmur-style mix so that low bits spread. */
function hashBytes(bytes: Uint8Array, start: number, end: number, dateKey: number): number {
  let h = 0x811c9dc5 ^ dateKey;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}
