/**
 * The hot loops in JavaScript: per-key sums over a row range of the columns. Nothing else in the engine
 * touches every row except their WebAssembly SIMD twins (wasm-kernels.ts, wasm/kernels.wat), which the pool
 * prefers; these remain the fallback where the wasm module cannot be loaded, and a second, plainer
 * implementation that the wasm kernels are tested against bit for bit.
 *
 * `out` holds SUMS_PER_KEY float64 slots per key (nine money sums in cents, then the row count) and is added
 * to, not overwritten, so a caller can accumulate several ranges. All values are whole cents, so every sum is
 * an exact integer (below 2^53) and the result does not depend on how rows are split into ranges.
 */
import type { MoneyView } from './columns.js';
import { SUMS_PER_KEY } from './schema.js';

/** Sums per measurement-date key over rows [rowStart, rowEnd). */
export function sumByDate(
  money: readonly MoneyView[],
  dateKeys: Uint16Array,
  rowStart: number,
  rowEnd: number,
  out: Float64Array,
): void {
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = money as [MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView];
  for (let i = rowStart; i < rowEnd; i++) {
    const base = dateKeys[i]! * SUMS_PER_KEY;
    out[base]! += m0[i]!;
    out[base + 1]! += m1[i]!;
    out[base + 2]! += m2[i]!;
    out[base + 3]! += m3[i]!;
    out[base + 4]! += m4[i]!;
    out[base + 5]! += m5[i]!;
    out[base + 6]! += m6[i]!;
    out[base + 7]! += m7[i]!;
    out[base + 8]! += m8[i]!;
    out[base + 9]! += 1;
  }
}

/** Sums per (date, group) key, key = dateKey * groupCount + groupKey, over rows [rowStart, rowEnd). */
export function sumByDateAndGroup(
  money: readonly MoneyView[],
  dateKeys: Uint16Array,
  groupKeys: Uint16Array,
  groupCount: number,
  rowStart: number,
  rowEnd: number,
  out: Float64Array,
): void {
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = money as [MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView, MoneyView];
  for (let i = rowStart; i < rowEnd; i++) {
    const base = (dateKeys[i]! * groupCount + groupKeys[i]!) * SUMS_PER_KEY;
    out[base]! += m0[i]!;
    out[base + 1]! += m1[i]!;
    out[base + 2]! += m2[i]!;
    out[base + 3]! += m3[i]!;
    out[base + 4]! += m4[i]!;
    out[base + 5]! += m5[i]!;
    out[base + 6]! += m6[i]!;
    out[base + 7]! += m7[i]!;
    out[base + 8]! += m8[i]!;
    out[base + 9]! += 1;
  }
}
