/** The per-key sums of a tape's rows by each kernel, for tests that hold the kernels to each other bit for bit. */
import { expect } from 'vitest';
import { viewsOf, type Tape } from '../../src/engine/columns.js';
import { sumByDate, sumByDateAndGroup } from '../../src/engine/kernels.js';
import { keyCount } from '../../src/engine/kpis.js';
import { MONEY_COLUMNS, SUMS_PER_KEY } from '../../src/engine/schema.js';
import { ScratchSlots, WasmKernels } from '../../src/engine/wasm-kernels.js';
import { kernelModule } from '../../src/workers/kernel-module.js';

export function loadModule(): WebAssembly.Module {
  const { module, reason } = kernelModule();
  // The build makes the module; a missing one must fail here, not silently test the JavaScript kernels twice.
  if (module === null) throw new Error(reason);
  return module;
}

/** The obvious loop: one row at a time, one column at a time. */
export function naiveSums(tape: Tape, rowStart: number, rowEnd: number): Float64Array {
  const views = viewsOf(tape.memory.buffer, tape.layout, tape.rows);
  const groupCount = tape.groups.length;
  const out = new Float64Array(keyCount(tape) * SUMS_PER_KEY);
  for (let i = rowStart; i < rowEnd; i++) {
    const key = views.groupKeys ? views.dateKeys[i]! * groupCount + views.groupKeys[i]! : views.dateKeys[i]!;
    for (let c = 0; c < MONEY_COLUMNS.length; c++) out[key * SUMS_PER_KEY + c]! += views.money[c]![i]!;
    out[key * SUMS_PER_KEY + MONEY_COLUMNS.length]! += 1;
  }
  return out;
}

/** The JavaScript kernel over the tape's own views (Uint32 for a narrowed tape). */
export function jsSums(tape: Tape, rowStart: number, rowEnd: number): Float64Array {
  const views = viewsOf(tape.memory.buffer, tape.layout, tape.rows);
  const out = new Float64Array(keyCount(tape) * SUMS_PER_KEY);
  if (views.groupKeys) sumByDateAndGroup(views.money, views.dateKeys, views.groupKeys, tape.groups.length, rowStart, rowEnd, out);
  else sumByDate(views.money, views.dateKeys, rowStart, rowEnd, out);
  return out;
}

/** The wasm kernel for the tape's money width over [rowStart, rowEnd), in pieces cut at `cuts` (it adds into its accumulators). */
export function wasmSums(tape: Tape, rowStart: number, rowEnd: number, cuts: readonly number[] = []): Float64Array {
  const kernels = WasmKernels.instantiate(loadModule(), tape.memory, tape.layout);
  const slots = new ScratchSlots(tape.memory.buffer, tape.layout, keyCount(tape));
  const slot = slots.claim();
  expect(slot).toBeGreaterThanOrEqual(0);
  try {
    slots.begin(slot);
    const bounds = [rowStart, ...cuts.filter((c) => c > rowStart && c < rowEnd).sort((a, b) => a - b), rowEnd];
    for (let i = 0; i + 1 < bounds.length; i++) {
      if (tape.groups.length > 0) kernels.sumByDateAndGroup(tape.groups.length, bounds[i]!, bounds[i + 1]!, slots.offset(slot));
      else kernels.sumByDate(bounds[i]!, bounds[i + 1]!, slots.offset(slot));
    }
    return slots.view(slot).slice();
  } finally {
    slots.release(slot);
  }
}
