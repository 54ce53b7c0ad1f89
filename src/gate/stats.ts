/**
 * The statistics of the performance gate, as pure functions: medians, a seeded bootstrap of a median ratio,
 * and the verdict with its confirmation round. Nothing here reads a clock or the environment, so the same
 * samples and seed always give the same interval and the same decision.
 */

import { median, quantileSorted, type Random } from '../stress/stats.js';

export { median, quantile, quantileSorted, seededRandom, type Random } from '../stress/stats.js';

/** A point estimate with its confidence interval. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

export interface BootstrapOptions {
  /** resamples drawn (default 2000) */
  readonly resamples?: number;
  /** confidence of the interval (default 0.95) */
  readonly confidence?: number;
}

const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_CONFIDENCE = 0.95;

/** n indices drawn uniformly with replacement from [0, n). */
function resample(values: readonly number[], random: Random): number[] {
  const n = values.length;
  const drawn = new Array<number>(n);
  for (let i = 0; i < n; i++) drawn[i] = values[Math.min(n - 1, Math.floor(random() * n))]!;
  return drawn;
}

/** The percentile interval of `statistic` over resamples, drawn by `draw` from one generator in a fixed order. */
function percentileInterval(estimate: number, draw: () => number, options: BootstrapOptions): Interval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a whole number ≥ 1, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be within (0, 1), got ${confidence}`);
  const statistics = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) statistics[i] = draw();
  statistics.sort();
  const tail = (1 - confidence) / 2;
  return { estimate, low: quantileSorted(statistics, tail), high: quantileSorted(statistics, 1 - tail) };
}

/**
 * The median of paired ratios (current block / base block, measured side by side) with its percentile
 * bootstrap interval: the pairs are the independent units, so they are what is resampled.
 */
export function bootstrapMedian(ratios: readonly number[], random: Random, options: BootstrapOptions = {}): Interval {
  if (ratios.length === 0) throw new RangeError('bootstrap of no values');
  return percentileInterval(median(ratios), () => median(resample(ratios, random)), options);
}

/** Samples of a benchmark and of the calibration loop, from one run. */
export interface CalibratedSamples {
  readonly values: readonly number[];
  readonly calibration: readonly number[];
}

/**
 * median(current) / median(base), divided by median(current calibration) / median(base calibration): the
 * ratio of two runs made at different times, with the machine's speed in each taken out. Each of the four
 * sample sets is resampled on its own, in a fixed order, for the interval.
 */
export function bootstrapCalibratedRatio(current: CalibratedSamples, base: CalibratedSamples, random: Random, options: BootstrapOptions = {}): Interval {
  for (const [name, values] of [
    ['current', current.values],
    ['base', base.values],
    ['current calibration', current.calibration],
    ['base calibration', base.calibration],
  ] as const) {
    if (values.length === 0) throw new RangeError(`no ${name} samples`);
  }
  const ratio = (cur: readonly number[], bas: readonly number[], curCal: readonly number[], basCal: readonly number[]) =>
    median(cur) / median(bas) / (median(curCal) / median(basCal));
  return percentileInterval(
    ratio(current.values, base.values, current.calibration, base.calibration),
    () =>
      ratio(
        resample(current.values, random),
        resample(base.values, random),
        resample(current.calibration, random),
        resample(base.calibration, random),
      ),
    options,
  );
}

/** What one round says of one benchmark. */
export type RoundVerdict = 'regression' | 'improvement' | 'no change';

/**
 * A regression when the whole interval lies above 1 + threshold, an improvement when it lies wholly below
 * 1 − threshold; anything touching the band between is no change (the data cannot tell).
 */
export function roundVerdict(ratio: Interval, threshold: number): RoundVerdict {
  if (ratio.low > 1 + threshold) return 'regression';
  if (ratio.high < 1 - threshold) return 'improvement';
  return 'no change';
}

/** The gate's word on one benchmark after the rounds it needed. */
export type Verdict = RoundVerdict | 'not confirmed' | 'not comparable';

/**
 * A regression counts only when a second, independent round (fresh processes, fresh samples) finds it too;
 * a first-round regression that the second round does not repeat is reported as "not confirmed". A
 * regression without its confirming round (null) is not confirmed either.
 */
export function confirmedVerdict(first: RoundVerdict, second: RoundVerdict | null): Verdict {
  if (first !== 'regression') return first;
  return second === 'regression' ? 'regression' : 'not confirmed';
}

/** The gate fails when any benchmark has a confirmed regression. */
export function gateFails(verdicts: readonly Verdict[]): boolean {
  return verdicts.includes('regression');
}
