import { describe, expect, it } from 'vitest';
import {
  allocateColumns,
  narrowLayout,
  settleUint32Columns,
  uint32ReadingLayout,
  viewsOf,
  widenMoney,
  type TapeLayout,
} from '../src/engine/columns.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { seededRandom } from './support/tapes.js';

/**
 * The Uint32 reading layout (a reader writes Uint32 cents from the start), and its two ways out: settled where
 * narrowing leaves a tape, or widened back to Float64 cents when an amount beyond Uint32 comes.
 */

/** A memory in the reading layout, `rows` of its rows filled from `random`; the values written, per column. */
function readingTape(capacity: number, rows: number, withGroup: boolean, random: () => number) {
  const { memory, layout } = allocateColumns(capacity, withGroup);
  const reading = uint32ReadingLayout(layout)!;
  const views = viewsOf(memory.buffer, reading.layout, rows);
  const money = MONEY_COLUMNS.map(() => Uint32Array.from({ length: rows }, () => Math.floor(random() * 2 ** 32)));
  views.money.forEach((column, c) => column.set(money[c]!));
  const dateKeys = Uint16Array.from({ length: rows }, () => Math.floor(random() * 12));
  views.dateKeys.set(dateKeys);
  const groupKeys = withGroup ? Uint16Array.from({ length: rows }, () => Math.floor(random() * 5)) : null;
  if (groupKeys !== null) views.groupKeys!.set(groupKeys);
  return { memory, layout, reading, money, dateKeys, groupKeys };
}

/** The columns a layout describes, as plain arrays (money as numbers whatever its width). */
function columnsAt(memory: WebAssembly.Memory, layout: TapeLayout, rows: number) {
  const views = viewsOf(memory.buffer, layout, rows);
  return {
    money: views.money.map((column) => Array.from(column)),
    dateKeys: Array.from(views.dateKeys),
    groupKeys: views.groupKeys === null ? null : Array.from(views.groupKeys),
  };
}

const SIZES: readonly (readonly [number, number])[] = [
  [40, 40],
  [40, 17],
  [1000, 1000],
  [1000, 999],
  [4099, 2048],
  [4099, 0],
];

describe('the Uint32 reading layout', () => {
  it('keeps the key columns where the Float64 layout has them, with room for 8 bytes a row behind the money', () => {
    for (const withGroup of [false, true]) {
      const { layout } = allocateColumns(1000, withGroup);
      const reading = uint32ReadingLayout(layout)!;
      expect(reading.layout.moneyWidth).toBe(4);
      expect(reading.layout.dateKeyOffset).toBe(layout.dateKeyOffset);
      expect(reading.layout.groupKeyOffset).toBe(layout.groupKeyOffset);
      const lastMoneyEnd = reading.layout.moneyOffsets[MONEY_COLUMNS.length - 1]! + 1000 * 4;
      expect(reading.stagingOffset).toBeGreaterThanOrEqual(lastMoneyEnd);
      expect(reading.stagingOffset % 8).toBe(0);
      expect(reading.stagingOffset + 1000 * 8).toBeLessThanOrEqual(layout.dateKeyOffset);
    }
  });

  it('is not offered where the memory leaves no such room (a few rows), nor over Uint32 columns', () => {
    expect(uint32ReadingLayout(allocateColumns(4, false).layout)).toBeNull();
    const { layout } = allocateColumns(1000, false);
    expect(uint32ReadingLayout(uint32ReadingLayout(layout)!.layout)).toBeNull();
  });

  it('settles its money where narrowing puts it, packed for the rows kept, and leaves the keys where they are', () => {
    const random = seededRandom(11);
    for (const [capacity, rows] of SIZES) {
      for (const withGroup of [false, true]) {
        const tape = readingTape(capacity, rows, withGroup, random);
        const settled = settleUint32Columns(tape.memory, tape.reading.layout, rows);
        const narrow = narrowLayout(tape.layout, rows);
        expect(settled.moneyOffsets).toEqual(narrow.moneyOffsets);
        expect(settled.moneyWidth).toBe(4);
        expect([settled.dateKeyOffset, settled.groupKeyOffset]).toEqual([tape.layout.dateKeyOffset, tape.layout.groupKeyOffset]);
        const columns = columnsAt(tape.memory, settled, rows);
        expect(columns.money).toEqual(tape.money.map((column) => Array.from(column)));
        expect(columns.dateKeys).toEqual(Array.from(tape.dateKeys));
        expect(columns.groupKeys).toEqual(tape.groupKeys === null ? null : Array.from(tape.groupKeys));
      }
    }
  });

  it('widens back to Float64 cents where the allocation has them, keys untouched', () => {
    const random = seededRandom(12);
    for (const [capacity, rows] of SIZES) {
      for (const withGroup of [false, true]) {
        const tape = readingTape(capacity, rows, withGroup, random);
        widenMoney(tape.memory, tape.reading.layout, tape.layout, rows);
        const columns = columnsAt(tape.memory, tape.layout, rows);
        expect(columns.money).toEqual(tape.money.map((column) => Array.from(column)));
        expect(columns.dateKeys).toEqual(Array.from(tape.dateKeys));
        expect(columns.groupKeys).toEqual(tape.groupKeys === null ? null : Array.from(tape.groupKeys));
      }
    }
  });
});
