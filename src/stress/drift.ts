/**
 * Memory-drift detection over a sampled series: a robust trend (Theil–Sen) with a confidence interval, a
 * practical threshold that separates "grows a little" from "grows enough to matter", and the ±10% level
 * check of SPEC §4 (first scaled hour against the last). Pure: the runner measures, this judges.
 */
import { median as medianOf, seededRandom } from './stats.js';

export type DriftVerdict = 'stable' | 'growing' | 'inconclusive';

export interface DriftPoint {
  /** seconds since the start of the run */
  readonly t_s: number;
  readonly value: number;
}

export interface DriftOptions {
  /** Skip at least this share of the series' time span as warm-up (default 0.1). */
  readonly warmupFraction?: number;
  /** Skip at least this many seconds from the first point as warm-up (default 30). */
  readonly warmupSeconds?: number;
  /**
   * The run's duration in seconds, which sets the scaled hour (duration/24) of the level check.
   * Default: the span of the points.
   */
  readonly durationS?: number;
  /** Fewer points than this after warm-up → inconclusive (default 8). */
  readonly minPoints?: number;
  /**
   * The floor of the growth threshold, in percent of the post-warm-up median per hour (default 1). The
   * threshold in force is the larger of this and stableBandPercent / (span of the points in hours): growth
   * that, kept up for the whole span, stays inside the band does not matter. `growing` needs the whole
   * confidence interval above the threshold, `stable` needs it within ±the threshold.
   */
  readonly thresholdPercentPerHour?: number;
  /** The level band of SPEC §4 in percent (default 10). */
  readonly stableBandPercent?: number;
  /** Two-sided confidence of the slope's interval: 0.90, 0.95 (default) or 0.99. */
  readonly confidence?: number;
  /** At most this many pairwise slopes are computed (default 65536); above it, pairs are sampled. */
  readonly maxPairs?: number;
  /** The unit of the values, for messages (default 'MB'). */
  readonly unit?: string;
}

export interface DriftInterval {
  readonly low: number;
  readonly high: number;
}

/**
 * SPEC §4's level check: the median of the first scaled hour after warm-up against the last scaled hour
 * (each window at most a quarter of the analysed span, and holding at least 5 points).
 */
export interface LevelChange {
  /** the window in seconds: the scaled hour (duration/24), at most a quarter of the analysed span */
  readonly window_s: number;
  readonly first_median: number;
  readonly last_median: number;
  /** (last − first) / first × 100; null when the first median is 0 */
  readonly change_percent: number | null;
  /** |change| ≤ 10%, SPEC §4's figure */
  readonly within_10_percent: boolean;
  /** the band in force (options.stableBandPercent) */
  readonly band_percent: number;
  /** |change| ≤ band_percent */
  readonly within_band: boolean;
}

export interface DriftResult {
  readonly verdict: DriftVerdict;
  /** one line: why this verdict */
  readonly reason: string;
  readonly unit: string;
  /** points analysed (after warm-up) */
  readonly n: number;
  /** the analysed window, seconds since start */
  readonly from_s: number;
  readonly to_s: number;
  readonly warmup_s: number;
  /** median value after warm-up */
  readonly median: number | null;
  /** Theil–Sen slope in unit per hour (MB/hour for MB) */
  readonly slope_per_hour: number | null;
  readonly slope_ci_per_hour: DriftInterval | null;
  /** the slope relative to the median, in percent per hour */
  readonly percent_per_hour: number | null;
  readonly percent_per_hour_ci: DriftInterval | null;
  readonly confidence: number;
  /** the growth threshold in force: max(thresholdPercentPerHour, stableBandPercent / span in hours) */
  readonly threshold_percent_per_hour: number;
  /** Theil–Sen slope of the first and of the second half of the window, %/hour: growth must be in both */
  readonly halves_percent_per_hour: readonly [number, number] | null;
  /**
   * The lower confidence limit of the second half's slope on its own, %/hour: `growing` needs it above the
   * threshold too — growth still going on at the end of the window. It is the interval's lower limit, or the
   * smallest pairwise slope when that limit's rank falls below 1 (then only "every pair grows faster"
   * passes); null when even that could not reach the confidence (too few independent points).
   */
  readonly later_half_low_percent_per_hour: number | null;
  /** lag-1 autocorrelation of the residuals, used to widen the interval */
  readonly residual_autocorrelation: number | null;
  /** pairwise slopes used (all pairs, or a deterministic sample of them) */
  readonly pairs: number;
  readonly level: LevelChange | null;
}

export const DEFAULT_DRIFT_OPTIONS = {
  warmupFraction: 0.1,
  warmupSeconds: 30,
  minPoints: 8,
  thresholdPercentPerHour: 1,
  stableBandPercent: 10,
  confidence: 0.95,
  maxPairs: 65_536,
  unit: 'MB',
} as const;

/** two-sided standard normal quantiles z_{1−α/2} of the supported confidences */
const Z_BY_CONFIDENCE = new Map<number, number>([
  [0.9, 1.6448536269514722],
  [0.95, 1.959963984540054],
  [0.99, 2.5758293035489004],
]);

/** points per level window at least, so that one saw-tooth sample cannot set a window's median */
const MIN_LEVEL_POINTS = 5;

/**
 * The trend of a sampled series after warm-up, and whether it is growing.
 *
 * Method:
 * 1. Warm-up: the points before first_t + min(max(warmupSeconds, warmupFraction × span), span / 2) are
 *    left out — heaps and RSS grow while code is compiled and caches fill, and that is not drift. The
 *    fraction applies to the span of the points given, so a check at hour 1 of 24 skips 6 minutes, not 2.4 h.
 * 2. Slope: Theil–Sen (Theil 1950, Sen 1968), the median of the slopes of all pairs of points. Up to half of
 *    the points can be wild (a GC pause, a sample taken at the top of a saw-tooth) without moving it, and a
 *    one-time step barely does: only the pairs straddling the step see it.
 * 3. Interval: Sen's distribution-free interval from Kendall's S (Sen 1968; Gilbert 1987, "Statistical
 *    Methods for Environmental Pollution Monitoring", §16.5): with N pairwise slopes in order and
 *    C = z·√Var(S), Var(S) = n(n−1)(2n+5)/18, the limits are the ((N−C)/2)-th and ((N+C)/2 + 1)-th slopes.
 *    That variance assumes independent errors, and memory samples are not: a saw-tooth slower than the
 *    sampling makes neighbours alike, and the interval would come out far too narrow. Var(S) is therefore
 *    multiplied by (1+ρ)/(1−ρ), ρ the lag-1 autocorrelation of the residuals when positive — the AR(1)
 *    effective-sample-size correction (Bayley & Hammersley 1946) as used for trend tests on serially
 *    correlated data (Hamed & Rao 1998; Yue & Wang 2004), capped at n/2.
 * 4. Verdict, with the threshold T = max(thresholdPercentPerHour, stableBandPercent / span in hours) of the
 *    median per hour — the slowest growth that, kept up for as long as the series lasts, would carry the
 *    level out of SPEC §4's ±band:
 *    - growing: the whole interval is above T (hence above 0); the Theil–Sen slope of each half of the
 *      window is at least T and at least a quarter of the overall slope — a leak grows all along, while a
 *      one-time step (a cache filled once) shows in one half only; and the second half on its own shows
 *      growth above T at the same confidence (the lower limit of its own interval, as in step 3; when that
 *      limit's rank falls below 1, every pair of points in the half must grow faster than T). A leak keeps
 *      growing at its rate to the end of the window; a rise that flattens does not, and this is what tells
 *      the two apart in RSS. RSS holds capacity that the process sizes to its allocation rate and keeps (the
 *      young generations, allocator arenas holding the peak of short-lived buffers), so on a machine whose
 *      load changes it climbs whenever the run speeds up and levels off at the highest rate seen: a
 *      saturating curve, or steps at random times. Over a short window these fit a line well enough for the
 *      whole-window interval and the halves' slopes to pass, but the later half's own lower limit falls
 *      under T;
 *    - stable: the interval lies within ±T;
 *    - inconclusive: anything else (a wide interval, a level shift, shrinking) and fewer than minPoints points.
 * 5. Level: SPEC §4's ±10% — the median of the first scaled hour (duration/24) after warm-up against the
 *    median of the last scaled hour, each window holding at least 5 points and at most a quarter of the
 *    analysed span (so that a check at hour 1 of 24 still compares a start with an end).
 *
 * Above maxPairs pairs (n > 362 for the default), a deterministic pseudo-random sample of maxPairs pairs
 * stands for all of them: the quantiles of a uniform sample of pairwise slopes estimate those of the full
 * set, and the same series always gives the same answer. The work is then O(maxPairs) whatever n (three
 * fits: the window and its two halves; a few milliseconds for 2048 points), and the scratch buffer (8 bytes
 * a pair, 512 KiB) is allocated once and reused, so the harness does not allocate memory of its own at every
 * checkpoint of the run whose memory it is measuring.
 */
export function detectDrift(points: readonly DriftPoint[], options: DriftOptions = {}): DriftResult {
  const o = fillOptions(options);
  const z = Z_BY_CONFIDENCE.get(o.confidence)!;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!Number.isFinite(p.t_s) || !Number.isFinite(p.value)) throw new RangeError(`detectDrift needs finite points (point ${i})`);
    if (i > 0 && p.t_s < points[i - 1]!.t_s) throw new RangeError(`detectDrift needs points in time order (point ${i})`);
  }
  const base = {
    unit: o.unit,
    confidence: o.confidence,
    threshold_percent_per_hour: o.thresholdPercentPerHour,
  };
  const empty = (reason: string, from: number, to: number, warmup: number, n: number, median: number | null): DriftResult => ({
    ...base,
    verdict: 'inconclusive',
    reason,
    n,
    from_s: from,
    to_s: to,
    warmup_s: warmup,
    median,
    slope_per_hour: null,
    slope_ci_per_hour: null,
    percent_per_hour: null,
    percent_per_hour_ci: null,
    halves_percent_per_hour: null,
    later_half_low_percent_per_hour: null,
    residual_autocorrelation: null,
    pairs: 0,
    level: null,
  });
  if (points.length === 0) return empty('no samples', 0, 0, 0, 0, null);

  const firstT = points[0]!.t_s;
  const lastT = points[points.length - 1]!.t_s;
  const span = lastT - firstT;
  const warmup = Math.min(Math.max(o.warmupSeconds, o.warmupFraction * span), span / 2);
  const fromT = firstT + warmup;
  const start = points.findIndex((p) => p.t_s >= fromT);
  const ts = points.slice(start).map((p) => p.t_s);
  const vs = points.slice(start).map((p) => p.value);
  const n = ts.length;
  const median = n > 0 ? medianOf(vs) : null;
  if (n < o.minPoints) {
    return empty(`only ${n} sample(s) after ${fmt(warmup)} s of warm-up; at least ${o.minPoints} are needed`, fromT, lastT, warmup, n, median);
  }
  const level = levelChange(ts, vs, o.durationS ?? span, o.stableBandPercent);

  const all = senFit(ts, vs, z, o.maxPairs);
  if (all === null) return { ...empty('all samples were taken at the same time', fromT, lastT, warmup, n, median), level };
  const { slope, low, high, bounded, rho } = all;

  const perHour = (s: number) => s * 3600;
  const pct = (s: number) => (median !== null && median !== 0 ? (s * 3600 * 100) / Math.abs(median) : null);
  // Growth matters when, kept up over the whole series, it would carry the level out of the ±band; a slower
  // rate cannot break SPEC §4's stability even if real, and short runs see slow creep (V8 code and feedback,
  // allocator arenas) that fades with time. Hence the threshold is the larger of the fixed floor and
  // band / span: 200%/h over 3 minutes, 30%/h over 20, 0.42%/h over 24 hours (so the 1%/h floor then).
  const spanHours = span / 3600;
  const thresholdPct = Math.max(o.thresholdPercentPerHour, spanHours > 0 ? o.stableBandPercent / spanHours : 0);
  const threshold = median !== null ? ((thresholdPct / 100) * Math.abs(median)) / 3600 : 0;

  const half = Math.floor(n / 2);
  const firstHalf = theilSen(ts.slice(0, half), vs.slice(0, half), o.maxPairs)?.median ?? null;
  // the second half on its own, with its own lower limit: does the growth go on to the end of the window?
  const later = senFit(ts.slice(half), vs.slice(half), z, o.maxPairs);
  const secondHalf = later?.slope ?? null;

  const slopePct = pct(slope);
  const lowPct = pct(low);
  const highPct = pct(high);
  const show = (s: number | null) => (s === null ? 'n/a' : `${fmt(s)}%/h`);
  const interval = `${Math.round(o.confidence * 100)}% interval ${show(lowPct)} … ${show(highPct)}`;
  const laterLowPct = later === null || !later.lowDefined ? null : pct(later.low);
  const laterLimit =
    laterLowPct === null
      ? `too few independent samples for a lower limit (n=${n - half})`
      : `${show(secondHalf === null ? null : pct(secondHalf))}, lower limit ${show(laterLowPct)}`;

  let verdict: DriftVerdict;
  let reason: string;
  if (median === 0) {
    verdict = 'inconclusive';
    reason = 'the median is 0, so growth relative to it is undefined';
  } else if (!bounded) {
    verdict = 'inconclusive';
    reason = `too few independent samples for a ${Math.round(o.confidence * 100)}% interval (n=${n}, lag-1 autocorrelation ${fmt(rho)})`;
  } else if (low > threshold) {
    const halvesGrow =
      firstHalf !== null && secondHalf !== null && Math.min(firstHalf, secondHalf) >= Math.max(threshold, slope / 4);
    const persists = later !== null && later.lowDefined && later.low > threshold;
    if (halvesGrow && persists) {
      verdict = 'growing';
      reason = `growing ${show(slopePct)} (${interval}, above the ${fmt(thresholdPct)}%/h threshold) in both halves of the window, and in the second half on its own (${laterLimit})`;
    } else if (!halvesGrow) {
      verdict = 'inconclusive';
      reason = `the level rose (${show(slopePct)}, ${interval}) but not in both halves of the window (${show(firstHalf === null ? null : pct(firstHalf))}, ${show(secondHalf === null ? null : pct(secondHalf))}): a one-time step rather than steady growth`;
    } else {
      verdict = 'inconclusive';
      reason = `the level rose (${show(slopePct)}, ${interval}) but the second half of the window on its own does not show growth above the ${fmt(thresholdPct)}%/h threshold (${laterLimit}): a rise that flattens (a warm-up, capacity that follows the load), or growth too close to the threshold to tell in half the window`;
    }
  } else if (low >= -threshold && high <= threshold) {
    verdict = 'stable';
    reason = `stable: ${show(slopePct)}, ${interval} within ±${fmt(thresholdPct)}%/h`;
  } else if (high < -threshold) {
    verdict = 'inconclusive';
    reason = `shrinking ${show(slopePct)} (${interval})`;
  } else {
    verdict = 'inconclusive';
    reason = `${show(slopePct)}, ${interval}: too wide to tell growth from noise over ${fmt(lastT - fromT)} s`;
  }

  return {
    ...base,
    threshold_percent_per_hour: thresholdPct,
    verdict,
    reason,
    n,
    from_s: fromT,
    to_s: lastT,
    warmup_s: warmup,
    median,
    slope_per_hour: perHour(slope),
    slope_ci_per_hour: { low: perHour(low), high: perHour(high) },
    percent_per_hour: slopePct,
    percent_per_hour_ci: lowPct === null || highPct === null ? null : { low: lowPct, high: highPct },
    halves_percent_per_hour: firstHalf === null || secondHalf === null || median === 0 ? null : [pct(firstHalf)!, pct(secondHalf)!],
    later_half_low_percent_per_hour: laterLowPct,
    residual_autocorrelation: rho,
    pairs: all.count,
    level,
  };
}

interface FilledDriftOptions {
  readonly warmupFraction: number;
  readonly warmupSeconds: number;
  readonly durationS: number | undefined;
  readonly minPoints: number;
  readonly thresholdPercentPerHour: number;
  readonly stableBandPercent: number;
  readonly confidence: number;
  readonly maxPairs: number;
  readonly unit: string;
}

function fillOptions(options: DriftOptions): FilledDriftOptions {
  const d = DEFAULT_DRIFT_OPTIONS;
  const o: FilledDriftOptions = {
    warmupFraction: options.warmupFraction ?? d.warmupFraction,
    warmupSeconds: options.warmupSeconds ?? d.warmupSeconds,
    durationS: options.durationS,
    minPoints: options.minPoints ?? d.minPoints,
    thresholdPercentPerHour: options.thresholdPercentPerHour ?? d.thresholdPercentPerHour,
    stableBandPercent: options.stableBandPercent ?? d.stableBandPercent,
    confidence: options.confidence ?? d.confidence,
    maxPairs: options.maxPairs ?? d.maxPairs,
    unit: options.unit ?? d.unit,
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`detectDrift: ${what}`);
  };
  check(o.warmupFraction >= 0 && o.warmupFraction < 1, `warmupFraction must be in [0, 1), got ${o.warmupFraction}`);
  check(o.warmupSeconds >= 0 && Number.isFinite(o.warmupSeconds), `warmupSeconds must be ≥ 0, got ${o.warmupSeconds}`);
  check(o.durationS === undefined || (o.durationS > 0 && Number.isFinite(o.durationS)), `durationS must be > 0, got ${o.durationS}`);
  check(Number.isInteger(o.minPoints) && o.minPoints >= 4, `minPoints must be an integer ≥ 4, got ${o.minPoints}`);
  check(o.thresholdPercentPerHour >= 0 && Number.isFinite(o.thresholdPercentPerHour), `thresholdPercentPerHour must be ≥ 0, got ${o.thresholdPercentPerHour}`);
  check(o.stableBandPercent >= 0 && Number.isFinite(o.stableBandPercent), `stableBandPercent must be ≥ 0, got ${o.stableBandPercent}`);
  check(Z_BY_CONFIDENCE.has(o.confidence), `confidence must be 0.9, 0.95 or 0.99, got ${o.confidence}`);
  check(Number.isInteger(o.maxPairs) && o.maxPairs >= 64, `maxPairs must be an integer ≥ 64, got ${o.maxPairs}`);
  return o;
}

/** SPEC §4's level check over the post-warm-up points. */
function levelChange(ts: readonly number[], vs: readonly number[], durationS: number, bandPercent: number): LevelChange {
  const n = ts.length;
  // a check in the middle of a long run (hour 1 of 24) has seen less than a few scaled hours: the windows
  // are then capped at a quarter of what was seen, so that first and last never overlap
  const window = Math.min(durationS / 24, (ts[n - 1]! - ts[0]!) / 4);
  const minPoints = Math.min(MIN_LEVEL_POINTS, Math.floor(n / 2));
  const from = ts[0]!;
  const to = ts[n - 1]!;
  let firstEnd = 0;
  while (firstEnd < n && ts[firstEnd]! <= from + window) firstEnd++;
  firstEnd = Math.max(firstEnd, minPoints);
  let lastStart = n;
  while (lastStart > 0 && ts[lastStart - 1]! >= to - window) lastStart--;
  lastStart = Math.min(lastStart, n - minPoints);
  const first = medianOf(vs.slice(0, firstEnd));
  const last = medianOf(vs.slice(lastStart));
  const change = first === 0 ? (last === 0 ? 0 : null) : ((last - first) / Math.abs(first)) * 100;
  return {
    window_s: window,
    first_median: first,
    last_median: last,
    change_percent: change,
    within_10_percent: change !== null && Math.abs(change) <= 10,
    band_percent: bandPercent,
    within_band: change !== null && Math.abs(change) <= bandPercent,
  };
}

interface SenFit {
  readonly slope: number;
  /** the limits of the slope's confidence interval (clamped to the extreme slopes when not bounded) */
  readonly low: number;
  readonly high: number;
  /** the interval's ranks fall within the pairwise slopes: enough independent samples for it */
  readonly bounded: boolean;
  /**
   * The lower limit's rank is above 0, so `low > x` is a one-sided Kendall test of growth faster than x at
   * the interval's level: with rank L, fewer than L slopes ≤ x means S of (v − x·t) exceeds C. For 0 < L < 1
   * `low` is the smallest slope and the test asks that every pair grow faster than x.
   */
  readonly lowDefined: boolean;
  /** lag-1 autocorrelation of the residuals */
  readonly rho: number;
  /** pairwise slopes computed */
  readonly count: number;
}

/**
 * Theil–Sen slope and Sen's interval from Kendall's S, widened for serially correlated residuals (steps 2
 * and 3 of detectDrift); null without two distinct times.
 */
function senFit(ts: readonly number[], vs: readonly number[], z: number, maxPairs: number): SenFit | null {
  const n = ts.length;
  const fit = theilSen(ts, vs, maxPairs);
  if (fit === null) return null;
  const slope = fit.median;
  const total = fit.validPairs;
  const rho = residualAutocorrelation(ts, vs, slope);
  const inflation = rho > 0 ? Math.min((1 + rho) / (1 - rho), n / 2) : 1;
  const varS = ((n * (n - 1) * (2 * n + 5)) / 18) * inflation;
  const c = z * Math.sqrt(varS);
  const lowRank = (total - c) / 2; // 1-based rank of the lower limit
  const highRank = (total + c) / 2 + 1; // 1-based rank of the upper limit
  const bounded = lowRank >= 1 && highRank <= total;
  const [low, high] = fit.atRanks([Math.max(1, lowRank), Math.min(total, highRank)]) as [number, number];
  return { slope, low, high, bounded, lowDefined: lowRank > 0, rho, count: fit.count };
}

interface TheilSen {
  readonly median: number;
  /** pairwise slopes computed (all pairs, or the sample) */
  readonly count: number;
  /** pairs with distinct times in the full set */
  readonly validPairs: number;
  /**
   * The slopes at 1-based ranks of the full set of validPairs slopes (fractional ranks interpolate), in
   * ascending order of rank. Valid only until the next theilSen call, which reuses the buffer.
   */
  atRanks(ranks: readonly number[]): number[];
}

let scratch = new Float64Array(0);

/**
 * Pairwise slopes (all, or a deterministic sample) in the shared scratch buffer, and their median; null
 * without two distinct times. Order statistics are found by selection, not sorting: three of them are needed,
 * and selection is linear where a sort of 65,536 numbers takes about 10 ms on a busy core — time the runner's
 * event loop would otherwise spend away from the iterations it is timing.
 */
function theilSen(ts: readonly number[], vs: readonly number[], maxPairs: number): TheilSen | null {
  const n = ts.length;
  // pairs sharing a time have no slope; times are ordered, so equal times form runs
  let tiedPairs = 0;
  for (let i = 0, run = 1; i < n; i++) {
    if (i + 1 < n && ts[i + 1] === ts[i]) run++;
    else {
      tiedPairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const validPairs = (n * (n - 1)) / 2 - tiedPairs;
  if (validPairs < 1) return null;
  const size = Math.min(validPairs, maxPairs);
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, Math.min(maxPairs, 2 * scratch.length)));
  const a = scratch;
  let count = 0;
  if (validPairs <= maxPairs) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dt = ts[j]! - ts[i]!;
        if (dt > 0) a[count++] = (vs[j]! - vs[i]!) / dt;
      }
    }
  } else {
    const random = seededRandom(0x5eed);
    while (count < size) {
      const x = Math.floor(random() * n);
      let y = Math.floor(random() * (n - 1));
      if (y >= x) y++;
      const i = Math.min(x, y);
      const j = Math.max(x, y);
      const dt = ts[j]! - ts[i]!;
      if (dt > 0) a[count++] = (vs[j]! - vs[i]!) / dt;
    }
  }
  // fractional 0-based positions in the computed slopes, ascending; a rank r of the full set sits at the
  // same relative position in a sample of it
  const atPositions = (positions: readonly number[]): number[] => {
    const out: number[] = [];
    let from = 0;
    for (const position of positions) {
      const k = Math.min(count - 1, Math.max(from, Math.floor(position)));
      select(a, from, count - 1, k);
      const f = position - k;
      let value = a[k]!;
      if (f > 0 && k + 1 < count) {
        let next = Number.POSITIVE_INFINITY;
        for (let i = k + 1; i < count; i++) if (a[i]! < next) next = a[i]!;
        value += (next - value) * f;
      }
      out.push(value);
      from = k;
    }
    return out;
  };
  const median = atPositions([(count - 1) / 2])[0]!;
  return {
    median,
    count,
    validPairs,
    atRanks: (ranks) => atPositions(ranks.map((rank) => (validPairs <= 1 ? 0 : ((rank - 1) / (validPairs - 1)) * (count - 1)))),
  };
}

/**
 * Rearrange a[lo..hi] so that a[k] holds the value it would have if sorted, with nothing larger before it
 * and nothing smaller after it (Hoare's selection, median-of-three pivot; equal values split evenly).
 */
function select(a: Float64Array, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const x = a[lo]!;
    const y = a[(lo + hi) >>> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** lag-1 autocorrelation of the residuals about the line of the given slope (intercept: median of v − slope·t, Conover's choice) */
function residualAutocorrelation(ts: readonly number[], vs: readonly number[], slope: number): number {
  const intercept = medianOf(vs.map((v, i) => v - slope * ts[i]!));
  return lag1Autocorrelation(vs.map((v, i) => v - slope * ts[i]! - intercept));
}

function lag1Autocorrelation(values: readonly number[]): number {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const m = sum / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - m;
    den += d * d;
    if (i + 1 < n) num += d * (values[i + 1]! - m);
  }
  return den === 0 ? 0 : num / den;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
}
