import { afterAll, describe, expect, it } from 'vitest';
import { allocateColumns, SCRATCH_BYTES } from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS, SUMS_PER_KEY } from '../src/engine/schema.js';
import { BYTES_PER_KEY, MAX_SCRATCH_SLOTS, ScratchSlots, SLOT_ALIGN } from '../src/engine/wasm-kernels.js';
import { KpiPool } from '../src/workers/kpi-pool.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows, type TestRow } from './support/tapes.js';

/** The scratch slots where kernels leave partial sums in the tape's own memory, and the pool's use of them. */

function rows(count: number, dates: number, seed: number): TestRow[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    cents: MONEY_COLUMNS.map(() => Math.floor(random() * 1e9)),
    date: `2025-01-${String(1 + (i % dates)).padStart(2, '0')}`,
    group: `g${i % 3}`,
  }));
}

const open: KpiPool[] = [];
afterAll(async () => Promise.all(open.map((pool) => pool.close())));

describe('scratch slots', () => {
  it('are claimed by one owner at a time, across every view of the memory', () => {
    const { memory, layout } = allocateColumns(100, false);
    const a = new ScratchSlots(memory.buffer, layout, 12);
    const b = new ScratchSlots(memory.buffer, layout, 12);
    expect(a.count).toBe(MAX_SCRATCH_SLOTS);
    const taken = new Set<number>();
    for (let i = 0; i < MAX_SCRATCH_SLOTS; i++) taken.add(i % 2 === 0 ? a.claim() : b.claim());
    expect(taken.size).toBe(MAX_SCRATCH_SLOTS);
    expect(taken.has(-1)).toBe(false);
    expect(a.claim()).toBe(-1);
    b.release(5);
    expect(a.claim()).toBe(5);
  });

  it('lie within the scratch area, each on pages of its own, one key space each', () => {
    for (const keys of [1, 12, 777]) {
      const { memory, layout } = allocateColumns(1001, true);
      const slots = new ScratchSlots(memory.buffer, layout, keys);
      expect(slots.length).toBe(keys * SUMS_PER_KEY);
      // a few pages are lost to the state words and to page alignment
      expect(slots.count).toBe(Math.min(MAX_SCRATCH_SLOTS, Math.floor(SCRATCH_BYTES / slots.slotBytes) - 1));
      for (let slot = 0; slot < slots.count; slot++) {
        const offset = slots.offset(slot);
        expect(offset % SLOT_ALIGN).toBe(0);
        expect(offset).toBeGreaterThanOrEqual(layout.scratchOffset + MAX_SCRATCH_SLOTS * 4);
        expect(offset + keys * BYTES_PER_KEY).toBeLessThanOrEqual(layout.scratchOffset + SCRATCH_BYTES);
        if (slot > 0) expect(offset - slots.offset(slot - 1)).toBeGreaterThanOrEqual(Math.max(SLOT_ALIGN, keys * BYTES_PER_KEY));
      }
      expect(layout.scratchOffset + SCRATCH_BYTES).toBeLessThanOrEqual(memory.buffer.byteLength);
    }
  });

  it('hand sums over only when they were published, once', () => {
    const { memory, layout } = allocateColumns(10, false);
    const slots = new ScratchSlots(memory.buffer, layout, 2);
    const slot = slots.claim();
    expect(() => slots.collect(slot)).toThrow(/no published sums/);
    slots.begin(slot)[3] = 42;
    slots.publish(slot);
    expect(slots.collect(slot)[3]).toBe(42);
    expect(() => slots.collect(slot)).toThrow(/no published sums/);
    expect(() => slots.offset(slots.count)).toThrow(RangeError);
  });

  it('a key space larger than the scratch area leaves no slot, and the pool still computes exactly', async () => {
    const { memory, layout } = allocateColumns(10, false);
    expect(new ScratchSlots(memory.buffer, layout, Math.ceil(SCRATCH_BYTES / BYTES_PER_KEY)).count).toBe(0);

    const { tape } = tapeFromRows(rows(257, 7, 3));
    const reference = bitwise(referenceSnapshots(tape));
    // take every slot first, as if other pools held them: the workers then return their sums instead
    const hog = new ScratchSlots(tape.memory.buffer, tape.layout, tape.dates.length);
    while (hog.claim() >= 0);
    const pool = await KpiPool.open(tape, { threads: 2, crossoverRows: 0 });
    open.push(pool);
    expect(bitwise(await pool.snapshots())).toBe(reference);
    const here = await KpiPool.open(tape, { threads: 1, crossoverRows: 1000 });
    open.push(here);
    expect(bitwise(await here.snapshots())).toBe(reference);
  });

  it('let several pools over one tape compute at the same time, and are given back on close', async () => {
    const { tape } = tapeFromRows(rows(3001, 5, 4), 'segment');
    const reference = bitwise(referenceSnapshots(tape));
    const pools = await Promise.all([1, 2, 3].map((threads) => KpiPool.open(tape, { threads, crossoverRows: 0 })));
    open.push(...pools);
    const results = await Promise.all(pools.flatMap((pool) => [pool.snapshots(), pool.snapshots(), pool.snapshots()]));
    for (const result of results) expect(bitwise(result)).toBe(reference);
    await Promise.all(pools.map((pool) => pool.close()));
    const slots = new ScratchSlots(tape.memory.buffer, tape.layout, tape.dates.length * tape.groups.length);
    const free: number[] = [];
    for (let slot = slots.claim(); slot >= 0; slot = slots.claim()) free.push(slot);
    expect(free.length).toBe(slots.count);
  });
});
