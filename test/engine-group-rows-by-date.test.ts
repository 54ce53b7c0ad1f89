import { describe, expect, it } from 'vitest';
import { allocateColumns, groupRowsByDate, narrowMoney, tapeViews, viewsOf, type GroupingKernels, type TapeLayout } from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { WasmKernels } from '../src/engine/wasm-kernels.js';
import { kernelModule } from '../src/workers/kernel-module.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows } from './support/tapes.js';

/** A tape of random dates in a memory of its own, whose money values name their row and column (row · 16 + column). */
function randomTape(rows: number, dateCount: number, withGroup: boolean, seed: number) {
  const random = seededRandom(seed);
  const { memory, layout } = allocateColumns(rows, withGroup);
  const views = viewsOf(memory.buffer, layout, rows);
  views.money.forEach((column, c) => {
    for (let i = 0; i < rows; i++) column[i] = i * 16 + c;
  });
  for (let i = 0; i < rows; i++) views.dateKeys[i] = Math.floor(random() * dateCount);
  // not already in order: the last date first, the first last
  if (rows >= 2 && dateCount >= 2) [views.dateKeys[0], views.dateKeys[rows - 1]] = [dateCount - 1, 0];
  if (views.groupKeys) for (let i = 0; i < rows; i++) views.groupKeys[i] = Math.floor(random() * 7);
  return { memory, layout };
}

function rowsOf(memory: WebAssembly.Memory, layout: TapeLayout, rows: number) {
  const views = viewsOf(memory.buffer, layout, rows);
  return Array.from({ length: rows }, (_, i) => ({
    date: views.dateKeys[i]!,
    group: views.groupKeys?.[i] ?? null,
    money: views.money.map((column) => column[i]!),
  }));
}

/** The two ways of grouping: moves within the memory by the wasm loops, and without them through copies. */
const LOOPS: readonly [string, (memory: WebAssembly.Memory, layout: TapeLayout) => GroupingKernels | null][] = [
  ['without wasm loops', () => null],
  ['with the wasm loops', (memory, layout) => WasmKernels.instantiate(kernelModule().module!, memory, layout)],
];

describe.each(LOOPS)('grouping a tape’s rows by date (%s)', (_, loopsFor) => {
  it('moves whole rows, stably, into ascending date order: with the loops, narrowed tapes in their own room, others through copies', () => {
    expect(kernelModule().module, kernelModule().reason).not.toBeNull();
    // room: narrowed, with room for the moves in the memory (otherwise a copy of a column at a time)
    for (const [rows, dateCount, withGroup, narrowed, room, seed] of [
      [40, 3, false, true, true, 3],
      [41, 2, true, true, true, 2],
      [1000, 12, true, true, true, 4],
      [4099, 40, false, true, true, 5],
      [20_000, 1000, true, true, true, 6],
      [3, 3, false, true, false, 7],
      [2, 2, true, true, false, 8],
      // Float64 money
      [1000, 12, true, false, false, 9],
      [17, 4, false, false, false, 10],
    ] as const) {
      const { memory, layout: wide } = randomTape(rows, dateCount, withGroup, seed);
      const layout = narrowed ? narrowMoney(memory, wide, rows) : wide;
      expect(layout.moneyWidth).toBe(narrowed ? 4 : 8);
      const before = rowsOf(memory, layout, rows);
      // by date key, then by place in the input (a stable sort)
      const expected = before.map((row, i) => ({ row, i })).sort((a, b) => a.row.date - b.row.date || a.i - b.i).map(({ row }) => row);
      expect(expected, 'the random dates must not ascend already').not.toEqual(before);
      const loops = loopsFor(memory, wide);
      const grouped = groupRowsByDate(memory, layout, rows, dateCount, loops);
      // moved within the memory: each money column one slot up; through copies: where they were
      if (loops !== null && room) expect(grouped.moneyOffsets).toEqual(layout.moneyOffsets.map((offset) => offset + layout.moneyOffsets[1]!));
      else expect(grouped).toBe(layout);
      expect(grouped.scratchOffset).toBe(layout.scratchOffset);
      expect(grouped.byteLength).toBe(layout.byteLength);
      expect(rowsOf(memory, grouped, rows), `${rows} rows, ${dateCount} dates`).toEqual(expected);
    }
  });
});

describe('grouping leaves a tape as it is', () => {
  it('when its dates already ascend', () => {
    const { memory, layout: wide } = randomTape(100, 1, false, 7);
    const layout = narrowMoney(memory, wide, 100);
    const bytes = Uint8Array.from(new Uint8Array(memory.buffer, 0, layout.scratchOffset));
    expect(groupRowsByDate(memory, layout, 100, 1)).toBe(layout);
    expect(new Uint8Array(memory.buffer, 0, layout.scratchOffset)).toEqual(bytes);
  });
});

describe('every read tape', () => {
  it('comes with its rows grouped by date, and the KPIs of the same rows as a tape left in input order', () => {
    const random = seededRandom(10);
    // loan-major rows: a new date on every row
    const testRows = Array.from({ length: 5000 }, (_, i) => ({
      cents: MONEY_COLUMNS.map(() => Math.floor(random() * 1e9)),
      date: `2025-03-${String(1 + (i % 12)).padStart(2, '0')}`,
      group: ['a', 'b', 'c'][i % 3]!,
    }));
    const { tape } = tapeFromRows(testRows, 'segment');
    const keys = tapeViews(tape).dateKeys;
    for (let i = 1; i < tape.rows; i++) expect(keys[i]! >= keys[i - 1]!).toBe(true);
    // the same rows in input order, written straight into columns, with the same dictionaries
    const { memory, layout } = allocateColumns(tape.rows, true);
    const inInputOrder = viewsOf(memory.buffer, layout, tape.rows);
    testRows.forEach((row, i) => {
      row.cents.forEach((cents, c) => (inInputOrder.money[c]![i] = cents));
      inInputOrder.dateKeys[i] = tape.dates.indexOf(row.date);
      inInputOrder.groupKeys![i] = tape.groups.indexOf(row.group);
    });
    expect(bitwise(referenceSnapshots({ ...tape, memory, layout }))).toEqual(bitwise(referenceSnapshots(tape)));
  });
});

describe("the wasm grouping loops' checks", () => {
  it('refuse values beyond the columns, misaligned, or a count that is not whole, before wasm runs', () => {
    // zeroed columns: every destination is place 0
    const { memory, layout } = allocateColumns(100, false);
    const kernels = WasmKernels.instantiate(kernelModule().module!, memory, layout);
    const end = layout.scratchOffset;
    expect(() => kernels.scatterU32(0, 400, end - 396, 100)).toThrow(RangeError);
    expect(() => kernels.scatterU32(2, 400, 800, 100)).toThrow(RangeError);
    expect(() => kernels.scatterU32(0, 400, 800, 99.5)).toThrow(RangeError);
    expect(() => kernels.scatterU16(0, 400, end - 198, 100)).toThrow(RangeError);
    expect(() => kernels.scatterU16(0, 402, 800, 100)).toThrow(RangeError);
    expect(() => kernels.dateDestinations(1, 100, 0, 3, 400)).toThrow(RangeError);
    expect(() => kernels.dateDestinations(0, 100, end - 8, 3, 400)).toThrow(RangeError);
    // the same calls within the columns and aligned pass
    expect(() => kernels.scatterU32(0, 400, end - 400, 100)).not.toThrow();
    expect(() => kernels.scatterU16(0, 400, end - 200, 100)).not.toThrow();
  });
});
