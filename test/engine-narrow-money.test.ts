import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allocateColumns, MAX_NARROW_CENTS, narrowMoney, tapeViews, viewsOf, type NarrowingKernels, type TapeLayout } from '../src/engine/columns.js';
import { WasmKernels } from '../src/engine/wasm-kernels.js';
import { kernelModule } from '../src/workers/kernel-module.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { readTape } from '../src/io/read-tape.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows, type TestRow } from './support/tapes.js';

/** A wide (Float64) tape in a memory of its own, filled with `value(c, i)` cents and keys. */
function wideTape(rows: number, withGroup: boolean, value: (c: number, i: number) => number) {
  const { memory, layout } = allocateColumns(rows, withGroup);
  const views = viewsOf(memory.buffer, layout, rows);
  views.money.forEach((column, c) => {
    for (let i = 0; i < rows; i++) column[i] = value(c, i);
  });
  for (let i = 0; i < rows; i++) views.dateKeys[i] = (i * 7) % 13;
  if (views.groupKeys) for (let i = 0; i < rows; i++) views.groupKeys[i] = (i * 3) % 5;
  return { memory, layout, views };
}

/** The two implementations of narrowMoney's loops: the JavaScript ones (null) and the wasm kernels'. */
const LOOPS: readonly [string, (memory: WebAssembly.Memory, layout: TapeLayout) => NarrowingKernels | null][] = [
  ['JavaScript', () => null],
  ['wasm', (memory, layout) => WasmKernels.instantiate(kernelModule().module!, memory, layout)],
];

describe.each(LOOPS)('narrowing money columns to Uint32 cents (%s loops)', (_, loopsFor) => {
  it('moves every value and key in place when all amounts fit, up to 2^32 − 1 cents', () => {
    expect(kernelModule().module, kernelModule().reason).not.toBeNull();
    const random = seededRandom(3);
    for (const rows of [1, 2, 3, 4, 5, 7, 15, 16, 17, 1000, 4099]) {
      for (const withGroup of [false, true]) {
        const values = MONEY_COLUMNS.map(() => Float64Array.from({ length: rows }, () => (random() < 0.1 ? MAX_NARROW_CENTS : Math.floor(random() * 2 ** 32))));
        const { memory, layout, views } = wideTape(rows, withGroup, (c, i) => values[c]![i]!);
        const dateKeys = Uint16Array.from(views.dateKeys);
        const groupKeys = views.groupKeys && Uint16Array.from(views.groupKeys);
        const narrow = narrowMoney(memory, layout, rows, loopsFor(memory, layout));
        expect(narrow.moneyWidth).toBe(4);
        expect(narrow.byteLength).toBe(layout.byteLength);
        expect(narrow.scratchOffset).toBe(layout.scratchOffset);
        const after = viewsOf(memory.buffer, narrow, rows);
        after.money.forEach((column, c) => {
          expect(column).toBeInstanceOf(Uint32Array);
          expect(Float64Array.from(column)).toEqual(values[c]);
        });
        expect(after.dateKeys).toEqual(dateKeys);
        expect(after.groupKeys).toEqual(groupKeys);
      }
    }
  });

  it('leaves the tape wide, untouched, when one amount is 2^32 cents or more', () => {
    const rows = 333;
    // the first and last columns; a row in the four-at-a-time part and rows of the tail (333 = 4 · 83 + 1)
    for (const [column, row] of [[0, rows - 1], [8, rows - 1], [8, 5], [4, 331], [0, 0]] as const) {
      const { memory, layout } = wideTape(rows, true, (c, i) => (c === column && i === row ? MAX_NARROW_CENTS + 1 : c * 1000 + i));
      const before = new Uint8Array(memory.buffer, 0, layout.scratchOffset).slice();
      expect(narrowMoney(memory, layout, rows, loopsFor(memory, layout))).toBe(layout);
      expect(new Uint8Array(memory.buffer, 0, layout.scratchOffset)).toEqual(before);
    }
  });

});

describe('narrowing with a bound of the amounts from the reader', () => {
  /** The wasm loops, counting the columns fitsUint32 is asked about. */
  function countingLoops(memory: WebAssembly.Memory, layout: TapeLayout) {
    const wasm = WasmKernels.instantiate(kernelModule().module!, memory, layout);
    const loops = {
      checked: 0,
      fitsUint32: (at: number, count: number) => {
        loops.checked++;
        return wasm.fitsUint32(at, count);
      },
      narrowMoney: (from: number, to: number, count: number) => wasm.narrowMoney(from, to, count),
    };
    return loops;
  }

  it('skips the check when the bound is within Uint32, and checks when it is beyond or unknown', () => {
    const rows = 101;
    const top = (c: number, i: number) => (c === 3 && i === 50 ? MAX_NARROW_CENTS : c + i);
    for (const [largest, checked] of [[MAX_NARROW_CENTS, 0], [MAX_NARROW_CENTS + 1, MONEY_COLUMNS.length], [Number.POSITIVE_INFINITY, MONEY_COLUMNS.length], [Number.NaN, MONEY_COLUMNS.length]] as const) {
      const { memory, layout } = wideTape(rows, false, top);
      const loops = countingLoops(memory, layout);
      const narrow = narrowMoney(memory, layout, rows, loops, largest);
      expect(loops.checked, `bound ${largest}`).toBe(checked);
      expect(narrow.moneyWidth).toBe(4);
      expect(viewsOf(memory.buffer, narrow, rows).money[3]![50]).toBe(MAX_NARROW_CENTS);
    }
    // a bound beyond Uint32 is only a reason to check: a tape that does not fit stays wide
    const { memory, layout } = wideTape(rows, false, (c, i) => (c === 8 && i === rows - 1 ? MAX_NARROW_CENTS + 1 : c + i));
    expect(narrowMoney(memory, layout, rows, countingLoops(memory, layout), MAX_NARROW_CENTS + 1)).toBe(layout);
  });
});

describe('a narrowed tape', () => {
  it('gives the same snapshots, bit for bit, as the same tape kept wide', () => {
    const random = seededRandom(9);
    const rows: TestRow[] = Array.from({ length: 2001 }, (_, i) => ({
      cents: MONEY_COLUMNS.map(() => Math.floor(random() * 2 ** 32)),
      date: `2025-0${1 + (i % 9)}-28`,
      group: `g${i % 4}`,
    }));
    const narrow = tapeFromRows(rows, 'segment').tape;
    // one amount of 2^32 cents keeps the second tape wide; the row is otherwise the same
    const widened = tapeFromRows([...rows, { ...rows[0]!, cents: [MAX_NARROW_CENTS + 1, 0, 0, 0, 0, 0, 0, 0, 0], date: '2030-01-31' }], 'segment').tape;
    expect(narrow.layout.moneyWidth).toBe(4);
    expect(widened.layout.moneyWidth).toBe(8);
    const withoutExtra = referenceSnapshots(widened).filter((s) => s.measurement_date !== '2030-01-31');
    expect(bitwise(referenceSnapshots(narrow))).toBe(bitwise(withoutExtra));
  });
});

describe('a read tape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narrow-money-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const header = `loan_id,measurement_date,${MONEY_COLUMNS.join(',')}`;

  it('is narrowed when every amount is at most $42,949,672.95, and kept wide from $42,949,672.96', async () => {
    for (const [amount, width] of [['42949672.95', 4], ['42949672.96', 8]] as const) {
      const path = join(dir, `tape-${width}.csv`);
      writeFileSync(path, `${header}\nL1,2025-01-31,${amount},1,1,0,${amount},0,0,0,0\nL2,2025-01-31,5.00,5,5,0,5,0,0,0,0\n`);
      const { tape } = await readTape(path);
      expect(tape.layout.moneyWidth).toBe(width);
      expect(tapeViews(tape).money[0]![0]).toBe(Math.round(Number(amount) * 100));
      const [snapshot] = referenceSnapshots(tape);
      expect(snapshot!.total_receivable_usd).toBe(Number(amount) + 5);
    }
  });
});
