/** Pure statistics over plain numbers; no measurement, no I/O. */

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** coefficient of determination: 1 when the points lie on the line (also when y is constant) */
  readonly r2: number;
  readonly points: number;
}

/**
 * Ordinary least squares y ≈ intercept + slope·x. The sums are taken about the means (two passes), because
 * the one-pass formula Σxy − n·x̄·ȳ cancels catastrophically when the x values are large and close together.
 */
export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  const n = xs.length;
  if (n !== ys.length) throw new RangeError(`linearFit needs as many y values as x values, got ${n} and ${ys.length}`);
  if (n < 2) throw new RangeError(`linearFit needs at least 2 points, got ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) throw new RangeError(`linearFit needs finite values (point ${i})`);
  }
  const meanX = mean(xs);
  const meanY = mean(ys);
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - meanX;
    const dy = ys[i]! - meanY;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx === 0) throw new RangeError('linearFit needs at least 2 distinct x values');
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residual = 0;
  for (let i = 0; i < n; i++) {
    const r = ys[i]! - (intercept + slope * xs[i]!);
    residual += r * r;
  }
  const r2 = syy === 0 ? 1 : Math.max(0, 1 - residual / syy);
  return { slope, intercept, r2, points: n };
}

/**
 * Least squares on (ln x, ln y): for y = c·x^k the slope is k, so a latency that grows linearly with the
 * rows gives 1, quadratically 2. All values must be > 0.
 */
export function logLogFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  const ln = (values: readonly number[], name: string) =>
    values.map((v, i) => {
      if (!(v > 0)) throw new RangeError(`logLogFit needs values > 0, got ${name}[${i}] = ${v}`);
      return Math.log(v);
    });
  return linearFit(ln(xs, 'x'), ln(ys, 'y'));
}

/** The growth exponent k of y ≈ c·x^k: the slope of the log-log least-squares line. */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  return logLogFit(xs, ys).slope;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** A small seeded generator (mulberry32): the same seed always draws the same resamples. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The q-quantile of ascending `sorted` values, interpolating linearly between the two nearest ranks
 * (Hyndman & Fan type 7, the default of R and NumPy), so that the median of an even count is the mean of the
 * middle two.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const position = (n - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(n - 1, below + 1);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/** The middle value, or the mean of the middle two. */
export function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) throw new RangeError('median of no values');
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
