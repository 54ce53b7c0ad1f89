import { describe, expect, it } from 'vitest';
import { allocateColumns, groupRowsByDate, narrowMoney, tapeViews, viewsOf, type GroupingKernels, type TapeLayout } from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { WasmKernels } from '../src/engine/wasm-kernels.js';
import { syntheticTape } from '../src/io/synthetic.js';
import { kernelModule } from '../src/workers/kernel-module.js';
import { bitwise } from './support/bits.js';
import { seededRandom } from './support/tapes.js';

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

/** The two implementations of the grouping loops: the JavaScript ones (null) and the wasm kernels'. */
const LOOPS: readonly [string, (memory: WebAssembly.Memory, layout: TapeLayout) => GroupingKernels | null][] = [
  ['JavaScript', () => null],
  ['wasm', (memory, layout) => WasmKernels.instantiate(kernelModule().module!, memory, layout)],
];

describe.each(LOOPS)('grouping a tape’s rows by date (%s loops)', (_, loopsFor) => {
  it('moves whole rows, stably, into ascending date order: narrowed tapes in their own room, others through copies', () => {
    expect(kernelModule().module, kernelModule().reason).not.toBeNull();
    for (const [rows, dateCount, withGroup, narrowed, seed] of [
      [40, 3, false, true, 3],
      [41, 2, true, true, 2],
      [1000, 12, true, true, 4],
      [4099, 40, false, true, 5],
      [20_000, 1000, true, true, 6],
      // no room for the moves in the memory: a copy of a column at a time
      [3, 3, false, true, 7],
      [2, 2, true, true, 8],
      // Float64 money
      [1000, 12, true, false, 9],
      [17, 4, false, false, 10],
    ] as const) {
      const { memory, layout: wide } = randomTape(rows, dateCount, withGroup, seed);
      const layout = narrowed ? narrowMoney(memory, wide, rows) : wide;
      expect(layout.moneyWidth).toBe(narrowed ? 4 : 8);
      const before = rowsOf(memory, layout, rows);
      // by date key, then by place in the input (a stable sort)
      const expected = before.map((row, i) => ({ row, i })).sort((a, b) => a.row.date - b.row.date || a.i - b.i).map(({ row }) => row);
      expect(expected, 'the random dates must not ascend already').not.toEqual(before);
      const grouped = groupRowsByDate(memory, layout, rows, dateCount, loopsFor(memory, wide));
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
  it('comes with its rows grouped by date, and the same KPIs, bit for bit, as its rows in any order', () => {
    // A synthetic tape comes loan by loan: the date changes on every row until the builder groups the rows.
    const { tape } = syntheticTape({ rows: 5000, dates: 12, seed: 9 }, { groupBy: 'segment' });
    const views = tapeViews(tape);
    for (let i = 1; i < tape.rows; i++) expect(views.dateKeys[i]! >= views.dateKeys[i - 1]!).toBe(true);
    const { memory, layout } = allocateColumns(tape.rows, true);
    const shuffled = viewsOf(memory.buffer, layout, tape.rows);
    const order = Array.from({ length: tape.rows }, (_, i) => i);
    const random = seededRandom(10);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    order.forEach((from, to) => {
      MONEY_COLUMNS.forEach((_, c) => (shuffled.money[c]![to] = views.money[c]![from]!));
      shuffled.dateKeys[to] = views.dateKeys[from]!;
      shuffled.groupKeys![to] = views.groupKeys![from]!;
    });
    expect(bitwise(referenceSnapshots({ ...tape, memory, layout }))).toEqual(bitwise(referenceSnapshots(tape)));
  });
});
