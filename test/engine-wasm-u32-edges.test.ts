import { describe, expect, it } from 'vitest';
import { allocateColumns, narrowMoney, viewsOf, type TapeLayout } from '../src/engine/columns.js';
import { sumByDate, sumByDateAndGroup } from '../src/engine/kernels.js';
import { MONEY_COLUMNS, SUMS_PER_KEY } from '../src/engine/schema.js';
import { ScratchSlots, STREAM_ORDERS, WasmKernels } from '../src/engine/wasm-kernels.js';
import { kernelModule } from '../src/workers/kernel-module.js';
import { bitsOf, bitwise } from './support/bits.js';
import { seededRandom } from './support/tapes.js';

/**
 * The Uint32 kernels where their paths meet: accumulators that already hold sums (taken into the kernels'
 * integer form and given back, or left in float when they cannot be: −0, fractions, 2^52 and more), sums
 * that cross 2^52 on the way, key spans that grow too wide halfway through a range, and the roofline probes,
 * which must read exactly the bytes of the rows asked for. Plus how WasmKernels picks the Uint32 exports.
 */

interface NarrowTape {
  readonly memory: WebAssembly.Memory;
  readonly layout: TapeLayout;
  readonly rows: number;
  readonly groups: number;
}

function loadModule(): WebAssembly.Module {
  const { module, reason } = kernelModule();
  if (module === null) throw new Error(reason);
  return module;
}

/** A narrowed tape whose row i has date dateOf(i) and group groupOf(i), with random Uint32 amounts. */
function narrowTape(rows: number, dateOf: (i: number) => number, groups = 0, groupOf: (i: number) => number = () => 0, seed = 1): NarrowTape {
  const random = seededRandom(seed);
  const { memory, layout } = allocateColumns(rows, groups > 0);
  const views = viewsOf(memory.buffer, layout, rows);
  for (let i = 0; i < rows; i++) {
    views.dateKeys[i] = dateOf(i);
    if (views.groupKeys) views.groupKeys[i] = groupOf(i);
    for (const column of views.money) column[i] = random() < 0.2 ? 0xffffffff : Math.floor(random() * 2 ** 32);
  }
  const narrowed = narrowMoney(memory, layout, rows);
  expect(narrowed.moneyWidth).toBe(4);
  return { memory, layout: narrowed, rows, groups };
}

/**
 * The wasm kernel and the JavaScript kernel over rows [start, end), each added into a copy of `initial`:
 * both results, rendered bit for bit.
 */
function bothFrom(tape: NarrowTape, initial: Float64Array, start: number, end: number): { wasm: string; js: string; sums: Float64Array } {
  const views = viewsOf(tape.memory.buffer, tape.layout, tape.rows);
  const js = initial.slice();
  if (views.groupKeys) sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys, tape.groups, start, end, js);
  else sumByDate(views.money, views.dateKeys, start, end, js);
  const kernels = WasmKernels.instantiate(loadModule(), tape.memory, tape.layout);
  const slots = new ScratchSlots(tape.memory.buffer, tape.layout, initial.length / SUMS_PER_KEY);
  const slot = slots.claim();
  try {
    slots.begin(slot).set(initial);
    if (tape.groups > 0) kernels.sumByDateAndGroup(tape.groups, start, end, slots.offset(slot));
    else kernels.sumByDate(start, end, slots.offset(slot));
    const sums = slots.view(slot).slice();
    return { wasm: bitwise(Array.from(sums)), js: bitwise(Array.from(js)), sums };
  } finally {
    slots.release(slot);
  }
}

const DATES = 6;
/** loan-major over dates 0, 1, 2, 4, 5: date 3 lies inside the span of keys but no row has it */
const loanMajorWithoutDate3 = (i: number) => [0, 1, 2, 4, 5][i % 5]!;

describe('the Uint32 kernels’ accumulators', () => {
  const tape = () => narrowTape(1003, loanMajorWithoutDate3);
  const filled = (value: (slot: number) => number) => Float64Array.from({ length: DATES * SUMS_PER_KEY }, (_, slot) => value(slot));

  it('are added to when they hold whole numbers, and a key that no row has keeps its bits', () => {
    const random = seededRandom(7);
    const initial = filled(() => Math.floor(random() * 2 ** 40));
    for (const [start, end] of [[0, 1003], [1, 1002], [5, 300], [0, 64], [3, 70]] as const) {
      const { wasm, js, sums } = bothFrom(tape(), initial, start, end);
      expect(wasm, `rows [${start}, ${end})`).toBe(js);
      expect(bitsOf(sums[3 * SUMS_PER_KEY + 4]!)).toBe(bitsOf(initial[3 * SUMS_PER_KEY + 4]!));
    }
  });

  it('give back sums that cross 2^52 on the way exactly', () => {
    // 2^52 − 2^34 plus ~200 rows of up to 2^32 each: most lanes end above 2^52
    const initial = filled((slot) => 2 ** 52 - 2 ** 34 + slot);
    const { wasm, js, sums } = bothFrom(tape(), initial, 0, 1003);
    expect(wasm).toBe(js);
    expect(sums.filter((s) => s > 2 ** 52).length).toBeGreaterThan(20);
  });

  it('that hold −0, a fraction or 2^52 and more are summed in float, with the JavaScript kernel’s bits', () => {
    const cases: Record<string, Float64Array> = {
      '−0 everywhere': filled(() => -0),
      '−0 in the key no row has': filled((slot) => (Math.floor(slot / SUMS_PER_KEY) === 3 ? -0 : 5)),
      'a fraction': filled((slot) => (slot === 17 ? 0.5 : 0)),
      'at 2^52': filled((slot) => (slot === 2 ? 2 ** 52 : 1)),
      'above 2^52': filled((slot) => 2 ** 52 + 2 * slot),
    };
    for (const [name, initial] of Object.entries(cases)) {
      for (const [start, end] of [[0, 1003], [1, 1002], [2, 70]] as const) {
        const { wasm, js, sums } = bothFrom(tape(), initial, start, end);
        expect(wasm, `${name}, rows [${start}, ${end})`).toBe(js);
        expect(bitsOf(sums[3 * SUMS_PER_KEY]!), name).toBe(bitsOf(initial[3 * SUMS_PER_KEY]!));
      }
    }
  });
});

describe('the Uint32 kernels over key spans', () => {
  it('sum the rest of a range in float when its keys spread wider than it pays to take in', () => {
    // 6000 rows of dates 0-9 in runs, then loan-major over 3000 dates: too many keys for 10,000 rows
    const dateOf = (i: number) => (i < 6000 ? Math.floor(i / 37) % 10 : i % 3000);
    const tape = narrowTape(10_000, dateOf);
    const grouped = narrowTape(10_000, dateOf, 3, (i) => (i >> 4) % 3, 2);
    for (const [start, end] of [[0, 10_000], [1, 9_999], [5_990, 6_100], [3, 6_011]] as const) {
      const a = bothFrom(tape, new Float64Array(3000 * SUMS_PER_KEY), start, end);
      expect(a.wasm, `rows [${start}, ${end})`).toBe(a.js);
      const b = bothFrom(grouped, new Float64Array(9000 * SUMS_PER_KEY), start, end);
      expect(b.wasm, `grouped rows [${start}, ${end})`).toBe(b.js);
    }
  });

  it('take in keys met in any order: rising, falling, and a span that widens at both ends', () => {
    const rows = 20_000;
    const shapes: Record<string, (i: number) => number> = {
      rising: (i) => Math.floor(i / 100),
      falling: (i) => 199 - Math.floor(i / 100),
      outwards: (i) => (i % 2 === 0 ? 100 + Math.floor(i / 200) : 99 - Math.floor(i / 200)),
    };
    for (const [name, dateOf] of Object.entries(shapes)) {
      const tape = narrowTape(rows, dateOf);
      for (const [start, end] of [[0, rows], [7, rows - 3], [4_321, 12_345]] as const) {
        const { wasm, js } = bothFrom(tape, new Float64Array(200 * SUMS_PER_KEY), start, end);
        expect(wasm, `${name}, rows [${start}, ${end})`).toBe(js);
      }
    }
  });

  it('sum in float when one date’s groups alone are more keys than the range pays to take in', () => {
    const tape = narrowTape(200, (i) => i % 4, 40, (i) => (i * 7) % 40, 3);
    for (const [start, end] of [[0, 200], [1, 120], [9, 199]] as const) {
      const { wasm, js } = bothFrom(tape, new Float64Array(160 * SUMS_PER_KEY), start, end);
      expect(wasm, `rows [${start}, ${end})`).toBe(js);
    }
  });
});

describe('the Uint32 roofline probes', () => {
  const rows = 70;
  const PROBES = ['streamU32', 'streamColumnsU32', 'streamLinesU32'] as const;
  type Probe = (money: number, stride: number, dateKeys: number, rowStart: number, rowEnd: number) => number;

  /** A zeroed narrowed tape with group keys, and the probes' exports over its memory. */
  function zeroTape() {
    const { memory, layout: wide } = allocateColumns(rows, true);
    const layout = narrowMoney(memory, wide, rows);
    const exports = new WebAssembly.Instance(loadModule(), { env: { memory } }).exports as unknown as Record<(typeof PROBES)[number], Probe>;
    const bytes = new Uint8Array(memory.buffer);
    const stride = layout.moneyOffsets[1]! - layout.moneyOffsets[0]!;
    const read = (probe: (typeof PROBES)[number], start: number, end: number) => exports[probe](layout.moneyOffsets[0]!, stride, layout.dateKeyOffset, start, end);
    /** byte offsets of one row: each money value's 4 bytes, the date key's 2, the group key's 2 */
    const rowBytes = (i: number) => [
      ...layout.moneyOffsets.flatMap((offset) => [0, 1, 2, 3].map((b) => offset + 4 * i + b)),
      layout.dateKeyOffset + 2 * i,
      layout.dateKeyOffset + 2 * i + 1,
      layout.groupKeyOffset + 2 * i,
      layout.groupKeyOffset + 2 * i + 1,
    ];
    return { memory, layout, bytes, read, rowBytes };
  }

  it('read every byte of the rows asked for (nine Uint32 columns and the date keys), in every order', () => {
    const { bytes, read, rowBytes } = zeroTape();
    for (const [start, end] of [[0, 70], [1, 2], [3, 12], [8, 24], [5, 69], [13, 45], [16, 49]] as const) {
      for (const i of [start, start + 1, start + 3, end - 1]) {
        if (i >= end) continue;
        // the group keys are not the per-date kernel's to read
        for (const at of rowBytes(i).slice(0, -2)) {
          bytes[at] = 1 + (at % 7);
          for (const probe of PROBES) {
            // One word of every 64-byte line: in a block of sixteen rows, a column's word holds its first two
            // rows, the keys' word the first four. The rows after the last block are read whole.
            const atKey = at >= rowBytes(i).at(-4)!;
            const inBlock = i - start < ((end - start) & ~15);
            const skipped = probe === 'streamLinesU32' && inBlock && (i - start) % 16 >= (atKey ? 4 : 2);
            if (!skipped) expect(read(probe, start, end), `${probe} [${start}, ${end}) byte ${at} of row ${i}`).not.toBe(0);
          }
          bytes[at] = 0;
        }
      }
    }
  });

  it('read nothing outside them', () => {
    const { bytes, read, rowBytes } = zeroTape();
    for (const [start, end] of [[1, 2], [3, 12], [8, 24], [5, 69], [13, 45], [0, 0], [9, 9]] as const) {
      const outside = [...(start > 0 ? rowBytes(start - 1) : []), ...(end < rows ? rowBytes(end) : []), ...rowBytes(start).slice(-2)];
      for (const at of outside) bytes[at] = 0xff;
      for (const probe of PROBES) expect(read(probe, start, end), `${probe} [${start}, ${end})`).toBe(0);
      for (const at of outside) bytes[at] = 0;
    }
  });

  it('are what WasmKernels.stream calls on a narrowed tape', () => {
    const { memory, layout, bytes, read } = zeroTape();
    const random = seededRandom(5);
    for (let at = 0; at < layout.scratchOffset; at++) bytes[at] = Math.floor(random() * 256);
    const kernels = WasmKernels.instantiate(loadModule(), memory, layout);
    const probeOf = { blocks: 'streamU32', columns: 'streamColumnsU32', lines: 'streamLinesU32' } as const;
    for (const order of STREAM_ORDERS) {
      for (const [start, end] of [[0, 70], [3, 61]] as const) expect(kernels.stream(start, end, order)).toBe(read(probeOf[order], start, end));
    }
  });
});

describe('WasmKernels over a narrowed tape', () => {
  it('refuses the dollars-to-cents conversion, which is for Float64 columns being read', () => {
    const tape = narrowTape(16, () => 0);
    const kernels = WasmKernels.instantiate(loadModule(), tape.memory, tape.layout);
    expect(() => kernels.centsFromDollars(tape.layout.moneyOffsets[0]!, 2)).toThrow(/Float64 money columns.*narrowed/);
    // nor can it be narrowed again
    expect(() => kernels.fitsUint32(tape.layout.moneyOffsets[0]!, 2)).toThrow(/Float64 money columns.*narrowed/);
    expect(() => kernels.narrowMoney(tape.layout.moneyOffsets[1]!, tape.layout.moneyOffsets[0]!, 2)).toThrow(/Float64 money columns.*narrowed/);
  });

  it('refuses rows outside the tape and accumulators outside the scratch area', () => {
    const tape = narrowTape(11, (i) => i % 2);
    const kernels = WasmKernels.instantiate(loadModule(), tape.memory, tape.layout);
    const acc = tape.layout.scratchOffset + 1024;
    expect(() => kernels.sumByDate(0, tape.layout.capacity + 1, acc)).toThrow(RangeError);
    expect(() => kernels.sumByDate(5, 4, acc)).toThrow(RangeError);
    expect(() => kernels.sumByDate(0, 11, 0)).toThrow(RangeError);
    expect(() => kernels.stream(0, 12)).toThrow(RangeError);
    expect(() => kernels.sumByDateAndGroup(1, 0, 11, acc)).toThrow(/no group keys/);
  });

  it('sums Uint32 cents with the Uint32 kernels, not as Float64 bits', () => {
    const tape = narrowTape(100, (i) => i % 3);
    const views = viewsOf(tape.memory.buffer, tape.layout, tape.rows);
    expect(views.money[0]).toBeInstanceOf(Uint32Array);
    const { sums } = bothFrom(tape, new Float64Array(3 * SUMS_PER_KEY), 0, 100);
    let expected = 0;
    for (let i = 0; i < 100; i += 3) expected += views.money[MONEY_COLUMNS.length - 1]![i]!;
    expect(sums[MONEY_COLUMNS.length - 1]).toBe(expected);
    expect(sums[MONEY_COLUMNS.length]).toBe(34);
  });
});
