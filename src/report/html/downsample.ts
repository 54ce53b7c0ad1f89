/**
 * Downsampling of long series for plotting, preserving extremes.
 *
 * A 24-hour run sampled every 5 s has 17,280 points per series, far more than a chart is pixels wide: drawn
 * as they are, they make the file large and the page slow, and most of them land on the same pixel column.
 * Averaging would hide exactly what a soak report is for — a latency spike, a memory peak — so each bucket of
 * consecutive points keeps its minimum and its maximum, in the order they occurred (the "min/max" or M4
 * family of plotting reductions). The drawn envelope is then the same as the full series' at the chart's
 * resolution.
 *
 * uPlot draws all series of a chart against one shared x array, so the buckets are the same for every
 * series: a bucket contributes two x positions (the times of its first and last points), and each series
 * puts its earlier extreme at the first and its later extreme at the second.
 */

export type MaybeNumber = number | null;

export interface Downsampled {
  readonly x: number[];
  readonly ys: MaybeNumber[][];
  /** points before downsampling */
  readonly inputPoints: number;
  /** input points per bucket (1 when not downsampled) */
  readonly bucketSize: number;
  readonly downsampled: boolean;
}

/** Default number of points a downsampled chart gets: about the width of a wide chart in pixels. */
export const DEFAULT_MAX_POINTS = 2000;

/**
 * Reduce `x` and the aligned series `ys` to at most `maxPoints` points (≥ 4), keeping each bucket's min and
 * max of every series. Nulls (gaps) are ignored within a bucket; a bucket with no value of a series gives
 * that series two nulls. Series shorter than `x` count as null past their end. Unchanged when short enough.
 */
export function downsampleMinMax(x: readonly number[], ys: readonly (readonly MaybeNumber[])[], maxPoints = DEFAULT_MAX_POINTS): Downsampled {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) throw new RangeError(`maxPoints must be a whole number ≥ 4, got ${maxPoints}`);
  const n = x.length;
  if (n <= maxPoints) {
    return { x: [...x], ys: ys.map((y) => Array.from({ length: n }, (_, i) => y[i] ?? null)), inputPoints: n, bucketSize: 1, downsampled: false };
  }
  const bucketSize = Math.ceil(n / Math.floor(maxPoints / 2));
  const outX: number[] = [];
  const outYs: MaybeNumber[][] = ys.map(() => []);
  for (let start = 0; start < n; start += bucketSize) {
    const end = Math.min(n, start + bucketSize);
    const single = end - start === 1;
    outX.push(x[start]!);
    if (!single) outX.push(x[end - 1]!);
    ys.forEach((y, s) => {
      let minI = -1;
      let maxI = -1;
      for (let i = start; i < end; i++) {
        const v = y[i];
        if (v === null || v === undefined || Number.isNaN(v)) continue;
        if (minI < 0 || v < y[minI]!) minI = i;
        if (maxI < 0 || v > y[maxI]!) maxI = i;
      }
      const out = outYs[s]!;
      if (minI < 0) {
        out.push(null);
        if (!single) out.push(null);
        return;
      }
      if (single) {
        out.push(y[minI]!);
        return;
      }
      const first = Math.min(minI, maxI);
      const second = Math.max(minI, maxI);
      out.push(y[first]!, y[second]!);
    });
  }
  return { x: outX, ys: outYs, inputPoints: n, bucketSize, downsampled: true };
}
