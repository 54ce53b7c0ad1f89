import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateColumns } from '../src/engine/columns.js';
import { WasmKernels } from '../src/engine/wasm-kernels.js';
import { centsFromDollarsJs } from '../src/io/arrow.js';
import { kernelModule } from '../src/workers/kernel-module.js';

/**
 * The wasm conversion of Float64 dollars into whole cents (centsFromDollars, used by the Arrow reader on money
 * read straight into the tape) against the JavaScript loop, bit for bit: the cents written, and the sum or
 * the refusal. The values aim at its seams: -0, half-cent ties at sizes where they are within tolerance, a
 * third decimal, NaN, infinities, negatives, sums past 2^53 cents, odd counts and odd starts.
 */

const EDGES = [
  0, -0, 0.01, 0.005, 0.015, 1.005, 12.345, 0.1, 0.2, 0.3, 1e-300, Number.MIN_VALUE, 5497558138.885, 1e13, 9.007199254740991e13,
  9.007199254740992e13, 1e300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -1, -0.01, 0.49999999999999994,
];

const dollars = fc.oneof(
  fc.constantFrom(...EDGES),
  fc.integer({ min: 0, max: 1e11 }).map((cents) => cents / 100),
  fc.integer({ min: 0, max: 2 ** 52 }).map((cents) => cents / 100),
  fc.double({ noNaN: false }),
);

/** amounts a Uint32 column holds, so that whole arrays of them are common, and the first one beyond (2^32 cents) */
const withinUint32 = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((cents) => cents / 100), fc.constantFrom(42949672.95, 42949672.96, 0, -0, 0.01));

/** The wasm kernels over a memory of 256 rows' columns of their own. */
function kernelsOverColumns() {
  const module = kernelModule().module;
  expect(module, kernelModule().reason).not.toBeNull();
  const capacity = 256;
  const { memory, layout } = allocateColumns(capacity, false);
  return { capacity, memory, layout, kernels: WasmKernels.instantiate(module!, memory, layout) };
}

describe('the wasm dollars-to-cents conversion', () => {
  it('writes the JavaScript loop’s cents and returns its sum, or -1 when it would refuse the column', () => {
    const { capacity, memory, layout, kernels } = kernelsOverColumns();
    const column = new Float64Array(memory.buffer, layout.moneyOffsets[0]!, capacity);
    const expected = new Float64Array(capacity);
    fc.assert(
      fc.property(fc.array(dollars, { maxLength: 200 }), fc.integer({ min: 0, max: 40 }), (values, start) => {
        column.set(values, start);
        const js = centsFromDollarsJs(Float64Array.from(values), expected, 0, values.length);
        const wasm = kernels.centsFromDollars(layout.moneyOffsets[0]! + start * 8, values.length);
        // a sum past 2^53 cents may round differently in another order; it is refused by its size either way
        if (js > Number.MAX_SAFE_INTEGER) expect(wasm).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
        else expect(wasm).toBe(js);
        for (let i = 0; i < values.length; i++) expect(Object.is(column[start + i], expected[i]), `value ${values[i]}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the largest cents it has written, across calls, while every call returns a sum', () => {
    const module = kernelModule().module;
    expect(module, kernelModule().reason).not.toBeNull();
    const capacity = 256;
    const { memory, layout } = allocateColumns(capacity, false);
    const column = new Float64Array(memory.buffer, layout.moneyOffsets[0]!, capacity);
    const cents = new Float64Array(capacity);
    const valid = fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER)).map((c) => c / 100);
    fc.assert(
      fc.property(fc.array(fc.array(valid, { maxLength: 50 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 40 }), (calls, start) => {
        // a fresh instance starts at 0; each call's largest joins the ones before, whichever lane or tail holds it
        const kernels = WasmKernels.instantiate(module!, memory, layout);
        expect(kernels.largestCents()).toBe(0);
        let largest = 0;
        for (const values of calls) {
          column.set(values, start);
          const sum = centsFromDollarsJs(Float64Array.from(values), cents, 0, values.length);
          if (kernels.centsFromDollars(layout.moneyOffsets[0]! + start * 8, values.length) < 0) return;
          expect(sum).toBeGreaterThanOrEqual(0);
          for (let i = 0; i < values.length; i++) largest = Math.max(largest, cents[i]!);
          expect(kernels.largestCents()).toBe(largest);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('writes the same cents as Uint32 elsewhere, or -1 when it would refuse the values, or -2 when one is beyond Uint32', () => {
    const { capacity, memory, layout, kernels } = kernelsOverColumns();
    const dollarsAt = layout.moneyOffsets[0]!;
    const dollarsColumn = new Float64Array(memory.buffer, dollarsAt, capacity);
    const centsAt = layout.moneyOffsets[1]!;
    const centsColumn = new Uint32Array(memory.buffer, centsAt, capacity);
    const expected = new Float64Array(capacity);
    fc.assert(
      fc.property(fc.array(fc.oneof(withinUint32, withinUint32, dollars), { maxLength: 200 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (values, from, to) => {
        dollarsColumn.set(values, from);
        const js = centsFromDollarsJs(Float64Array.from(values), expected, 0, values.length);
        const largest = expected.subarray(0, values.length).reduce((a, b) => Math.max(a, b), 0);
        const sum = kernels.centsFromDollarsNarrow(dollarsAt + from * 8, centsAt + to * 4, values.length);
        if (js < 0) expect(sum).toBe(-1);
        else if (largest > 0xffffffff) expect(sum).toBe(-2);
        else {
          expect(sum).toBe(js);
          for (let i = 0; i < values.length; i++) expect(centsColumn[to + i], `value ${values[i]}`).toBe(expected[i]);
        }
        // the dollars are only read
        for (let i = 0; i < values.length; i++) expect(Object.is(dollarsColumn[from + i], values[i])).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('converts into Uint32 cents at or before the dollars, as in place, and refuses a place within the dollars ahead', () => {
    const { memory, layout } = allocateColumns(64, false);
    const kernels = WasmKernels.instantiate(kernelModule().module!, memory, layout);
    const at = layout.moneyOffsets[1]!;
    const values = Array.from({ length: 37 }, (_, i) => (i * 1234567) / 100);
    for (const to of [at, at - 40]) {
      new Float64Array(memory.buffer, at, values.length).set(values);
      expect(kernels.centsFromDollarsNarrow(at, to, values.length)).toBe(values.reduce((sum, v) => sum + Math.round(v * 100), 0));
      expect(Array.from(new Uint32Array(memory.buffer, to, values.length))).toEqual(values.map((v) => Math.round(v * 100)));
    }
    expect(() => kernels.centsFromDollarsNarrow(at, at + 4, 2)).toThrow(/within the dollars/);
    expect(() => kernels.centsFromDollarsNarrow(at, layout.scratchOffset - 4, 2)).toThrow(RangeError);
    expect(() => kernels.centsFromDollarsNarrow(at, 2, 2)).toThrow(RangeError);
  });

  it('refuses values outside the columns', () => {
    const { memory, layout } = allocateColumns(16, false);
    const kernels = WasmKernels.instantiate(kernelModule().module!, memory, layout);
    expect(() => kernels.centsFromDollars(layout.scratchOffset - 8, 2)).toThrow(RangeError);
    expect(() => kernels.centsFromDollars(4, 1)).toThrow(RangeError);
  });
});
