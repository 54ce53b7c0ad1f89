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

describe('the wasm dollars-to-cents conversion', () => {
  it('writes the JavaScript loop’s cents and returns its sum, or -1 when it would refuse the column', () => {
    const module = kernelModule().module;
    expect(module, kernelModule().reason).not.toBeNull();
    const capacity = 256;
    const { memory, layout } = allocateColumns(capacity, false);
    const kernels = WasmKernels.instantiate(module!, memory, layout);
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

  it('refuses values outside the columns', () => {
    const { memory, layout } = allocateColumns(16, false);
    const kernels = WasmKernels.instantiate(kernelModule().module!, memory, layout);
    expect(() => kernels.centsFromDollars(layout.scratchOffset - 8, 2)).toThrow(RangeError);
    expect(() => kernels.centsFromDollars(4, 1)).toThrow(RangeError);
  });
});
