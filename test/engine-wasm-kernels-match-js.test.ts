import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateColumns, viewsOf, type Tape } from '../src/engine/columns.js';
import { sumByDate, sumByDateAndGroup } from '../src/engine/kernels.js';
import { snapshotsFromSums } from '../src/engine/kpis.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { WasmKernels } from '../src/engine/wasm-kernels.js';
import { bitwise } from './support/bits.js';
import { jsSums, loadModule, naiveSums, wasmSums } from './support/kernel-sums.js';
import { seededRandom } from './support/tapes.js';

/**
 * The wasm SIMD kernels against the JavaScript kernels, a row-by-row loop written here, and the serial
 * reference, bit for bit. The shapes aim at the kernels' seams: odd range starts (a lone first row), range
 * ends that leave 1-7 rows after the last block of eight, blocks where all eight keys are equal (summed at
 * once) next to blocks where they change at every row (summed in pairs, sometimes two equal keys in one
 * pair), and key spaces from one key to thousands.
 */

interface Shape {
  rows: number;
  dates: number;
  /** 0: no group keys */
  groups: number;
  /** mean length of a run of one key (1: a new key at almost every row) */
  run: number;
  seed: number;
}

function randomTape(shape: Shape): Tape {
  const random = seededRandom(shape.seed);
  const { memory, layout } = allocateColumns(shape.rows, shape.groups > 0);
  const views = viewsOf(memory.buffer, layout, shape.rows);
  let date = 0;
  let group = 0;
  for (let i = 0; i < shape.rows; i++) {
    if (i === 0 || random() * shape.run < 1) {
      date = Math.floor(random() * shape.dates);
      group = Math.floor(random() * Math.max(1, shape.groups));
    }
    views.dateKeys[i] = date;
    if (views.groupKeys) views.groupKeys[i] = group;
    // whole cents up to $1e9 a value, many of them zero, as in sparse dpd buckets
    for (let c = 0; c < MONEY_COLUMNS.length; c++) views.money[c]![i] = random() < 0.3 ? 0 : Math.floor(random() * 1e11);
  }
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, k) => `${prefix}${String(k).padStart(5, '0')}`);
  return {
    memory,
    layout,
    rows: shape.rows,
    dates: names(shape.dates, '2025-'),
    groupColumn: shape.groups > 0 ? 'segment' : null,
    groups: shape.groups > 0 ? names(shape.groups, 'g') : [],
  };
}

const shapes = fc.record({
  rows: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6000 }).map((n) => 2 * n + 1)),
  dates: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 41, max: 3000 })),
  groups: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7 })),
  run: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 10, max: 500 })),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** A range [start, end) inside the tape, with start and end often odd and close to the edges. */
function rangeOf(rows: number, a: number, b: number): [number, number] {
  const start = Math.min(rows, Math.floor(a * rows));
  const end = Math.max(start, Math.min(rows, rows - Math.floor(b * (rows - start))));
  return [start, end];
}

describe('the wasm SIMD kernels', () => {
  it('equal the JavaScript kernel and a row-by-row loop bit for bit, on any range of random tapes', () => {
    fc.assert(
      fc.property(shapes, fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.5, noNaN: true }), (shape, a, b) => {
        const tape = randomTape(shape);
        const [start, end] = rangeOf(tape.rows, a, b);
        const wasm = bitwise(Array.from(wasmSums(tape, start, end)));
        expect(wasm).toBe(bitwise(Array.from(jsSums(tape, start, end))));
        expect(wasm).toBe(bitwise(Array.from(naiveSums(tape, start, end))));
      }),
      { numRuns: 150, seed: 20251122 },
    );
  });

  it('give the serial reference snapshots over whole tapes, with and without group keys', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const tape = randomTape(shape);
        const snapshots = snapshotsFromSums(wasmSums(tape, 0, tape.rows), tape);
        expect(bitwise(snapshots)).toBe(bitwise(referenceSnapshots(tape)));
      }),
      { numRuns: 40, seed: 20251123 },
    );
  });

  it('add into their accumulators: a range summed in pieces at odd cuts equals the range at once', () => {
    fc.assert(
      fc.property(shapes, fc.array(fc.integer({ min: 0, max: 13_000 }), { maxLength: 6 }), (shape, cuts) => {
        const tape = randomTape(shape);
        expect(bitwise(Array.from(wasmSums(tape, 0, tape.rows, cuts)))).toBe(bitwise(Array.from(wasmSums(tape, 0, tape.rows))));
      }),
      { numRuns: 40, seed: 20251124 },
    );
  });

  it('handle every start and end around a block of eight, for each key pattern', () => {
    for (const run of [1, 2, 3, 8, 1000]) {
      for (const groups of [0, 3]) {
        const tape = randomTape({ rows: 41, dates: 5, groups, run, seed: run * 7 + groups });
        for (let start = 0; start <= 18; start++) {
          for (let end = start; end <= 41; end += start % 2 === 0 ? 1 : 3) {
            expect(bitwise(Array.from(wasmSums(tape, start, end)))).toBe(bitwise(Array.from(naiveSums(tape, start, end))));
          }
        }
      }
    }
  });

  it('refuse rows outside the tape and accumulators outside the scratch area', () => {
    const tape = randomTape({ rows: 11, dates: 2, groups: 0, run: 1, seed: 1 });
    const kernels = WasmKernels.instantiate(loadModule(), tape.memory, tape.layout);
    const acc = tape.layout.scratchOffset + 1024;
    expect(() => kernels.sumByDate(0, tape.layout.capacity + 1, acc)).toThrow(RangeError);
    expect(() => kernels.sumByDate(5, 4, acc)).toThrow(RangeError);
    expect(() => kernels.sumByDate(0, 11, 0)).toThrow(RangeError);
    expect(() => kernels.sumByDate(0, 11, acc + 8)).toThrow(RangeError);
    expect(() => kernels.sumByDateAndGroup(1, 0, 11, acc)).toThrow(/no group keys/);
  });
});
