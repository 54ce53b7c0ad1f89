/**
 * Latency histograms: microsecond values in an HdrHistogram, summarised in milliseconds.
 *
 * Why these settings:
 * - the highest trackable value is 48 hours, so no single latency of a 24-hour run can fall outside the range
 *   (the JS implementation would write a larger value past its counts without complaint, so it is clamped);
 * - counts are 64-bit floats (exact to 2^53), because 32-bit counts overflow after 4.3e9 recordings, which a
 *   24-hour run of sub-20 µs iterations would reach;
 * - the plain JS implementation: recording costs about 160 ns against about 35 ns for the wasm one, but it
 *   happens outside the timed region, needs no asynchronous initialisation and no explicit `destroy()`, and
 *   works unchanged in worker threads.
 */
import { build, JsHistogram, type Histogram } from 'hdr-histogram-js';

export type { Histogram } from 'hdr-histogram-js';

export const LOWEST_TRACKABLE_US = 1;
/** 48 hours in microseconds */
export const HIGHEST_TRACKABLE_US = 48 * 3600 * 1_000_000;
export const SIGNIFICANT_DIGITS = 3;

export function createLatencyHistogram(): Histogram {
  return build({
    bitBucketSize: 64,
    autoResize: false,
    lowestDiscernibleValue: LOWEST_TRACKABLE_US,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/**
 * Record one latency given in nanoseconds (as from `process.hrtime.bigint()` differences). It is stored in
 * whole microseconds, clamped into the trackable range: below 1 µs counts as 1 µs, the histogram's resolution.
 */
export function recordLatencyNs(histogram: Histogram, nanoseconds: bigint | number): void {
  const us = Math.round(Number(nanoseconds) / 1000);
  histogram.recordValue(Math.min(HIGHEST_TRACKABLE_US, Math.max(LOWEST_TRACKABLE_US, us)));
}

export interface LatencySummaryMs {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  readonly min: number;
  /** standard deviation */
  readonly stddev: number;
}

/**
 * The summary of a microsecond histogram, in milliseconds; an empty histogram gives zeros.
 *
 * Percentiles (and the mean) come from bucket values, which can sit up to 0.1% above the exact min and max
 * the histogram also keeps: they are clamped into [min, max] so that a summary is always ordered
 * min ≤ p50 ≤ p90 ≤ p99 ≤ max.
 */
export function latencySummaryMs(histogram: Histogram): LatencySummaryMs {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, max: 0, mean: 0, min: 0, stddev: 0 };
  const min = histogram.minNonZeroValue;
  const max = histogram.maxValue;
  return {
    p50: latencyPercentileMs(histogram, 50),
    p90: latencyPercentileMs(histogram, 90),
    p99: latencyPercentileMs(histogram, 99),
    max: max / 1000,
    mean: clampedMs(histogram, histogram.mean),
    min: min / 1000,
    stddev: histogram.stdDeviation / 1000,
  };
}

/**
 * One percentile of a non-empty microsecond histogram, in milliseconds, clamped as in latencySummaryMs (which
 * gives the same figure). For the runner's per-sample p99: a percentile walks the buckets only up to its
 * value (about 10 µs), whereas the summary's mean and standard deviation iterate over every recorded bucket
 * three times over (5 to 25 ms each sample, the largest part of the harness's own per-second cost).
 */
export function latencyPercentileMs(histogram: Histogram, percentile: number): number {
  return clampedMs(histogram, histogram.getValueAtPercentile(percentile));
}

/** A bucket value in µs, clamped into the histogram's exact [min, max], in ms. */
function clampedMs(histogram: Histogram, us: number): number {
  return Math.min(histogram.maxValue, Math.max(histogram.minNonZeroValue, us)) / 1000;
}

/**
 * `into.add(from)`, walking `from`'s counts only up to its highest recorded one. The library's add() walks
 * all ~29,700 counts of a 48-hour histogram however few are used, and the runner adds every sample
 * interval into two histograms (the run's and the checkpoint window's). For two histograms of one shape with
 * a unit of 1 µs (createLatencyHistogram's), this is add()'s own same-shape branch, step for step, stopped at
 * the index of `from`'s maximum, past which every count is zero; anything else goes to add() itself.
 */
export function addLatencyHistogram(into: Histogram, from: Histogram): void {
  if (
    !(into instanceof JsHistogram && from instanceof JsHistogram) ||
    into.unitMagnitude !== 0 ||
    into.unitMagnitude !== from.unitMagnitude ||
    into.bucketCount !== from.bucketCount ||
    into.subBucketCount !== from.subBucketCount
  ) {
    into.add(from);
    return;
  }
  const last = from.countsArrayIndex(from.maxValue);
  let added = 0;
  for (let i = 0; i <= last; i++) {
    const count = from.getCountAtIndex(i);
    if (count > 0) {
      into.addToCountAtIndex(i, count);
      added += count;
    }
  }
  into.setTotalCount(into.totalCount + added);
  // add()'s updatedMaxValue and updateMinNonZeroValue, for a unit of 1 (no rounding, no mask; a histogram's
  // minNonZeroValue is never 0, so the latter's test for it has nothing to refuse)
  into.maxValue = Math.max(into.maxValue, from.maxValue);
  into.minNonZeroValue = Math.min(into.minNonZeroValue, from.minNonZeroValue);
  into.startTimeStampMsec = Math.min(into.startTimeStampMsec, from.startTimeStampMsec);
  into.endTimeStampMsec = Math.max(into.endTimeStampMsec, from.endTimeStampMsec);
}
