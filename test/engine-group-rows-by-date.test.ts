import { describe, expect, it } from 'vitest';
import {
  allocateColumns,
  groupRowsByDate,
  groupRowsByDateShared,
  narrowMoney,
  settleUint32Columns,
  tapeViews,
  uint32ReadingLayout,
  viewsOf,
  type ColumnMovesTask,
  type GroupingKernels,
  type MovesElsewhere,
  type TapeLayout,
} from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { WasmKernels } from '../src/engine/wasm-kernels.js';
import { ingestWorkers } from '../src/io/ingest-pool.js';
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

/** A tape read with Uint32 money from the start, `rows` of `capacity` kept, settled; and its rows in date order. */
function readUint32Tape(capacity: number, rows: number, dateCount: number, withGroup: boolean, seed: number) {
  const random = seededRandom(seed);
  const { memory, layout: wide } = allocateColumns(capacity, withGroup);
  const reading = uint32ReadingLayout(wide)!.layout;
  const views = viewsOf(memory.buffer, reading, rows);
  views.money.forEach((column, c) => {
    for (let i = 0; i < rows; i++) column[i] = i * 16 + c;
  });
  for (let i = 0; i < rows; i++) views.dateKeys[i] = Math.floor(random() * dateCount);
  if (views.groupKeys) for (let i = 0; i < rows; i++) views.groupKeys[i] = Math.floor(random() * 7);
  const layout = settleUint32Columns(memory, reading, rows);
  const before = rowsOf(memory, layout, rows);
  const expected = before.map((row, i) => ({ row, i })).sort((a, b) => a.row.date - b.row.date || a.i - b.i).map(({ row }) => row);
  return { memory, wide, layout, expected };
}

describe.each(LOOPS)('grouping a tape read with Uint32 money from the start (%s)', (_, loopsFor) => {
  it('moves whole rows, stably, its date keys read where the Float64 layout has them', () => {
    for (const [capacity, rows, dateCount, withGroup, seed] of [
      [1000, 1000, 12, true, 11],
      [1000, 700, 12, false, 12],
      [4099, 4099, 40, false, 13],
      [20_000, 19_000, 1000, true, 14],
    ] as const) {
      const { memory, wide, layout, expected } = readUint32Tape(capacity, rows, dateCount, withGroup, seed);
      expect(expected).not.toEqual(rowsOf(memory, layout, rows));
      const loops = loopsFor(memory, wide);
      const grouped = groupRowsByDate(memory, layout, rows, dateCount, loops);
      // with the loops, moved within the memory: each money column one slot up
      if (loops !== null) expect(grouped.moneyOffsets).toEqual(layout.moneyOffsets.map((offset) => offset + layout.moneyOffsets[1]!));
      else expect(grouped).toBe(layout);
      expect(rowsOf(memory, grouped, rows), `${rows} of ${capacity} rows, ${dateCount} dates`).toEqual(expected);
    }
  });
});

describe('grouping shared with another thread', () => {
  const CASES = [
    [1000, 1000, 12, true, 21],
    [1000, 700, 12, false, 22],
    [4099, 4099, 40, false, 23],
    [20_000, 19_000, 1000, true, 24],
  ] as const;
  const loops = (memory: WebAssembly.Memory, layout: TapeLayout) => WasmKernels.instantiate(kernelModule().module!, memory, layout);

  it('moves the first half of every column here and the rest on an ingest worker: the rows and layout of one thread', async () => {
    const worker = ingestWorkers(1)[0]!;
    for (const [capacity, rows, dateCount, withGroup, seed] of CASES) {
      const alone = readUint32Tape(capacity, rows, dateCount, withGroup, seed);
      const oneThread = groupRowsByDate(alone.memory, alone.layout, rows, dateCount, loops(alone.memory, alone.wide));
      const shared = readUint32Tape(capacity, rows, dateCount, withGroup, seed);
      const sent: ColumnMovesTask[] = [];
      const elsewhere: MovesElsewhere = (task) => {
        sent.push(task);
        return worker.run({ kind: 'column-moves', ...task });
      };
      // time enough for the worker to start, however busy the machine
      const grouped = await groupRowsByDateShared(shared.memory, shared.layout, rows, dateCount, loops(shared.memory, shared.wide), elsewhere, 30_000);
      expect(sent.map((task) => [task.moves.length, task.firstRow]), `${rows} rows`).toEqual([[9, rows >>> 1]]);
      // where the two threads met: nine columns moved by each, the worker's rows by the worker
      expect([...new Int32Array(shared.memory.buffer, sent[0]!.meetingAt, 4)]).toEqual([9, 9, 1, 0]);
      expect(grouped).toEqual(oneThread);
      expect(rowsOf(shared.memory, grouped, rows), `${rows} of ${capacity} rows, ${dateCount} dates`).toEqual(shared.expected);
    }
  });

  it('moves every column here when no other thread takes them, or none starts in time', async () => {
    const [capacity, rows, dateCount, withGroup, seed] = CASES[0];
    for (const elsewhere of [() => null, () => new Promise<never>(() => {})]) {
      const tape = readUint32Tape(capacity, rows, dateCount, withGroup, seed);
      const grouped = await groupRowsByDateShared(tape.memory, tape.layout, rows, dateCount, loops(tape.memory, tape.wide), elsewhere);
      expect(rowsOf(tape.memory, grouped, rows)).toEqual(tape.expected);
    }
  });

  it('throws what the other thread failed with, once it has started', async () => {
    const worker = ingestWorkers(1)[0]!;
    const [capacity, rows, dateCount, withGroup, seed] = CASES[1];
    const tape = readUint32Tape(capacity, rows, dateCount, withGroup, seed);
    // date keys the worker's loops refuse (not on a 2-byte boundary), found after it has claimed its rows
    const failing: MovesElsewhere = (task) => worker.run({ kind: 'column-moves', ...task, keysAt: task.keysAt + 1 });
    await expect(groupRowsByDateShared(tape.memory, tape.layout, rows, dateCount, loops(tape.memory, tape.wide), failing, 30_000)).rejects.toThrow(
      /values of 2 bytes at byte \d+ are not within the columns/,
    );
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
    // zeroed columns: every key is 0, and its cursor (at byte 800) starts at place 0
    const { memory, layout } = allocateColumns(100, false);
    const kernels = WasmKernels.instantiate(kernelModule().module!, memory, layout);
    const end = layout.scratchOffset;
    const cursor = new Uint32Array(memory.buffer, 800, 1);
    expect(() => kernels.scatterByKeyU32(0, 400, 800, 1, end - 396, 100)).toThrow(RangeError);
    expect(() => kernels.scatterByKeyU32(2, 400, 800, 1, 1000, 100)).toThrow(RangeError);
    expect(() => kernels.scatterByKeyU32(0, 401, 800, 1, 1000, 100)).toThrow(RangeError);
    expect(() => kernels.scatterByKeyU32(0, 400, end - 2, 1, 1000, 100)).toThrow(RangeError);
    expect(() => kernels.scatterByKeyU32(0, 400, 800, 1, 1000, 99.5)).toThrow(RangeError);
    expect(() => kernels.scatterByKeyU16(0, 400, 800, 1, end - 198, 100)).toThrow(RangeError);
    expect(() => kernels.scatterByKeyU16(0, 402, 800, 1, 1000, 99.5)).toThrow(RangeError);
    expect(() => kernels.countKeys(1, 100, 800, 3)).toThrow(RangeError);
    expect(() => kernels.countKeys(400, 100, end - 8, 3)).toThrow(RangeError);
    expect(cursor[0]).toBe(0);
    // the same calls within the columns and aligned pass
    expect(() => kernels.scatterByKeyU32(0, 400, 800, 1, end - 400, 100)).not.toThrow();
    cursor[0] = 0;
    expect(() => kernels.scatterByKeyU16(0, 400, 800, 1, end - 200, 100)).not.toThrow();
    expect(kernels.countKeys(400, 100, 800, 1)).toBe(true);
  });
});
