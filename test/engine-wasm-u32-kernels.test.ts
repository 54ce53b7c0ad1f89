import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateColumns, narrowMoney, viewsOf, type Tape } from '../src/engine/columns.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { bitwise } from './support/bits.js';
import { jsSums, naiveSums, wasmSums } from './support/kernel-sums.js';
import { seededRandom } from './support/tapes.js';

/**
 * The wasm kernels over Uint32 money columns (a tape narrowed by narrowMoney) against the JavaScript kernels
 * over the same Uint32 views and against the Float64 wasm kernels over a wide copy of the same tape, bit for
 * bit. The amounts span the whole Uint32 range, 0 and 0xFFFFFFFF included, many of them zero; the keys come
 * loan-major (a new date at every row), sorted by date, at random, or in runs; the ranges are often empty or
 * one to nine rows long, start on odd rows and end near the end of the tape, which is where the kernels'
 * seams are (rows taken one by one before and after the blocks of eight, short ranges summed in float, long
 * ones in the integer form).
 */

type Order = 'loan' | 'date' | 'random' | 'runs';

interface Shape {
  rows: number;
  dates: number;
  /** 0: no group keys */
  groups: number;
  order: Order;
  /** mean length of a run of one key, for 'runs' */
  run: number;
  seed: number;
}

/** A whole number of cents that fits a Uint32: often 0, sometimes the largest, else anywhere in the range. */
function amount(random: () => number): number {
  const u = random();
  if (u < 0.3) return 0;
  if (u < 0.36) return 0xffffffff;
  if (u < 0.5) return Math.floor(random() * 1000);
  return Math.floor(random() * 2 ** 32);
}

/** The same random rows twice: as read (Float64 columns) and narrowed to Uint32 cents. */
function randomTapes(shape: Shape): { wide: Tape; narrow: Tape } {
  const random = seededRandom(shape.seed);
  const withGroup = shape.groups > 0;
  const wide = allocateColumns(shape.rows, withGroup);
  const copy = allocateColumns(shape.rows, withGroup);
  const views = [viewsOf(wide.memory.buffer, wide.layout, shape.rows), viewsOf(copy.memory.buffer, copy.layout, shape.rows)];
  let date = 0;
  let group = 0;
  for (let i = 0; i < shape.rows; i++) {
    switch (shape.order) {
      case 'loan':
        date = i % shape.dates;
        group = Math.floor(i / shape.dates) % Math.max(1, shape.groups);
        break;
      case 'date':
        date = Math.floor((i * shape.dates) / shape.rows);
        group = Math.floor(random() * Math.max(1, shape.groups));
        break;
      case 'random':
        date = Math.floor(random() * shape.dates);
        group = Math.floor(random() * Math.max(1, shape.groups));
        break;
      case 'runs':
        if (i === 0 || random() * shape.run < 1) {
          date = Math.floor(random() * shape.dates);
          group = Math.floor(random() * Math.max(1, shape.groups));
        }
        break;
    }
    const cents = MONEY_COLUMNS.map(() => amount(random));
    for (const v of views) {
      v.dateKeys[i] = date;
      if (v.groupKeys) v.groupKeys[i] = group;
      cents.forEach((value, c) => (v.money[c]![i] = value));
    }
  }
  const layout = narrowMoney(copy.memory, copy.layout, shape.rows);
  expect(layout.moneyWidth).toBe(4);
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, k) => `${prefix}${String(k).padStart(5, '0')}`);
  const dictionaries = {
    rows: shape.rows,
    dates: names(shape.dates, '2025-'),
    groupColumn: withGroup ? 'segment' : null,
    groups: withGroup ? names(shape.groups, 'g') : [],
  };
  return { wide: { memory: wide.memory, layout: wide.layout, ...dictionaries }, narrow: { memory: copy.memory, layout, ...dictionaries } };
}

const shapes = fc.record({
  rows: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 6000 }).map((n) => 2 * n + 1)),
  dates: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 41, max: 3000 })),
  groups: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7 })),
  order: fc.constantFrom<Order>('loan', 'date', 'random', 'runs'),
  run: fc.oneof(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 10, max: 500 })),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/**
 * A range inside a tape of `rows` rows, from three draws in [0, 1): anywhere, one to nine rows (or none)
 * from anywhere, or ending within nine rows of the end.
 */
function rangeOf(rows: number, kind: number, a: number, b: number): [number, number] {
  if (kind < 1 / 3) {
    const start = Math.min(rows, Math.floor(a * rows));
    return [start, Math.max(start, Math.min(rows, rows - Math.floor(b * (rows - start))))];
  }
  const length = Math.floor(b * 10);
  if (kind < 2 / 3) {
    const start = Math.floor(a * (rows + 1));
    return [start, Math.min(rows, start + length)];
  }
  const end = Math.max(0, rows - Math.floor(a * 10));
  return [Math.max(0, end - (b < 0.5 ? length : Math.floor(b * end))), end];
}

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('the wasm kernels over Uint32 money columns', () => {
  it('equal the JavaScript kernel on the same Uint32 columns and the Float64 wasm kernels on a wide copy, bit for bit', () => {
    fc.assert(
      fc.property(shapes, unit, unit, unit, (shape, kind, a, b) => {
        const { wide, narrow } = randomTapes(shape);
        const [start, end] = rangeOf(shape.rows, kind, a, b);
        const u32 = bitwise(Array.from(wasmSums(narrow, start, end)));
        expect(u32).toBe(bitwise(Array.from(jsSums(narrow, start, end))));
        expect(u32).toBe(bitwise(Array.from(wasmSums(wide, start, end))));
      }),
      { numRuns: 200, seed: 20251201 },
    );
  });

  it('equal a row-by-row loop over whole tapes', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const { narrow } = randomTapes(shape);
        expect(bitwise(Array.from(wasmSums(narrow, 0, shape.rows)))).toBe(bitwise(Array.from(naiveSums(narrow, 0, shape.rows))));
      }),
      { numRuns: 60, seed: 20251202 },
    );
  });

  it('add into their accumulators: a range summed in pieces at odd cuts equals the range at once', () => {
    fc.assert(
      fc.property(shapes, fc.array(fc.integer({ min: 0, max: 13_000 }), { maxLength: 6 }), (shape, cuts) => {
        const { narrow } = randomTapes(shape);
        expect(bitwise(Array.from(wasmSums(narrow, 0, shape.rows, cuts)))).toBe(bitwise(Array.from(wasmSums(narrow, 0, shape.rows))));
      }),
      { numRuns: 60, seed: 20251203 },
    );
  });

  it('handle every start and end around the blocks of eight and the 64 rows where the integer form begins', () => {
    for (const order of ['loan', 'runs', 'date'] as const) {
      for (const groups of [0, 3]) {
        const { wide, narrow } = randomTapes({ rows: 97, dates: 5, groups, order, run: 6, seed: groups * 11 + order.length });
        for (let start = 0; start <= 17; start++) {
          for (let end = start; end <= 97; end += end < start + 10 || end > 85 || (end >= 60 && end <= 84) ? 1 : 7) {
            const u32 = bitwise(Array.from(wasmSums(narrow, start, end)));
            expect(u32, `rows [${start}, ${end}), ${order}, ${groups} groups`).toBe(bitwise(Array.from(naiveSums(narrow, start, end))));
            expect(u32, `rows [${start}, ${end}), ${order}, ${groups} groups`).toBe(bitwise(Array.from(wasmSums(wide, start, end))));
          }
        }
      }
    }
  });
});
