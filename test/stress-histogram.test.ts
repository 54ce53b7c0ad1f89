import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import {
  addLatencyHistogram,
  createLatencyHistogram,
  HIGHEST_TRACKABLE_US,
  latencyPercentileMs,
  latencySummaryMs,
  recordLatencyNs,
} from '../src/stress/histogram.js';

describe('latency histogram', () => {
  it('summarises 1..10000 µs within the 3-digit resolution', () => {
    const h = createLatencyHistogram();
    for (let us = 1; us <= 10_000; us++) h.recordValue(us);
    const s = latencySummaryMs(h);
    // HdrHistogram reports the highest value equivalent to the one at the rank: at most 0.1% above it
    expect(s.p50).toBeGreaterThanOrEqual(5);
    expect(s.p50).toBeLessThanOrEqual(5.005);
    expect(s.p90).toBeGreaterThanOrEqual(9);
    expect(s.p90).toBeLessThanOrEqual(9.009);
    expect(s.p99).toBeGreaterThanOrEqual(9.9);
    expect(s.p99).toBeLessThanOrEqual(9.91);
    expect(s.max).toBe(10);
    expect(s.min).toBe(0.001);
    expect(Math.abs(s.mean - 5.0005) / 5.0005).toBeLessThan(1e-3);
    expect(s.stddev).toBeGreaterThan(2.8);
    expect(s.stddev).toBeLessThan(2.9);
  });

  it('keeps the summary ordered when every value is the same', () => {
    const h = createLatencyHistogram();
    for (let i = 0; i < 100; i++) h.recordValue(10_000);
    expect(latencySummaryMs(h)).toEqual({ p50: 10, p90: 10, p99: 10, max: 10, mean: 10, min: 10, stddev: 0 });
  });

  it('puts 1% of outliers above p90 and at p99 or beyond', () => {
    const h = createLatencyHistogram();
    for (let i = 0; i < 98; i++) h.recordValue(1000);
    h.recordValue(50_000);
    h.recordValue(80_000);
    const s = latencySummaryMs(h);
    expect(s.p50).toBe(1);
    expect(s.p90).toBe(1);
    expect(s.p99).toBeGreaterThanOrEqual(50);
    expect(s.p99).toBeLessThanOrEqual(50.05);
    expect(s.max).toBe(80);
  });

  it('records nanoseconds as whole microseconds, clamped into the trackable range', () => {
    const h = createLatencyHistogram();
    recordLatencyNs(h, 400n);
    expect(h.maxValue).toBe(1);
    recordLatencyNs(h, 1_500n);
    expect(h.maxValue).toBe(2);
    recordLatencyNs(h, 3 * 86_400 * 1e9);
    expect(h.maxValue).toBe(HIGHEST_TRACKABLE_US);
    expect(h.totalCount).toBe(3);
  });

  it('tracks a whole day without overflow', () => {
    const h = createLatencyHistogram();
    h.recordValue(24 * 3600 * 1e6);
    expect(latencySummaryMs(h).max).toBe(24 * 3600 * 1e3);
  });

  it('gives, for one percentile alone, the figure of the summary (the runner records that one in each sample)', () => {
    const h = createLatencyHistogram();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: HIGHEST_TRACKABLE_US }), { minLength: 1, maxLength: 300 }), (values) => {
        h.reset();
        for (const value of values) h.recordValue(value);
        const sorted = [...values].sort((a, b) => a - b);
        for (const percentile of [50, 99]) {
          // HdrHistogram's rank, and the value at it, reported up to one bucket (0.1%) above it
          const exact = sorted[Math.max(1, Math.floor((percentile / 100) * values.length + 0.5)) - 1]!;
          const us = Math.round(latencyPercentileMs(h, percentile) * 1000);
          expect(us).toBeGreaterThanOrEqual(exact);
          expect(us).toBeLessThanOrEqual(Math.min(sorted.at(-1)!, exact * 1.001));
        }
        const summary = latencySummaryMs(h);
        expect(latencyPercentileMs(h, 50)).toBe(summary.p50);
        expect(latencyPercentileMs(h, 99)).toBe(summary.p99);
      }),
      // a few dozen cases: each summary walks the 48-hour histogram's buckets
      { numRuns: 30 },
    );
  });

  it('adds an interval exactly as the library\'s add() does, walking only up to its maximum', () => {
    /** everything add() changes: the counts (encoded), total, exact min and max, timestamps */
    const state = (h: Histogram) => ({
      counts: encodeIntoCompressedBase64(h),
      total: h.totalCount,
      min: h.minNonZeroValue,
      max: h.maxValue,
      start: h.startTimeStampMsec,
      end: h.endTimeStampMsec,
    });
    const interval = fc.record({
      values: fc.array(fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: HIGHEST_TRACKABLE_US })), { maxLength: 200 }),
      start: fc.integer({ min: 0, max: 1e12 }),
      length: fc.integer({ min: 0, max: 1e6 }),
      // as written to latency.hlog and read back by `stress report` (readHlog)
      decoded: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(interval, { minLength: 1, maxLength: 6 }), (intervals) => {
        const walked = createLatencyHistogram();
        const added = createLatencyHistogram();
        for (const { values, start, length, decoded } of intervals) {
          const recorded = createLatencyHistogram();
          for (const value of values) recorded.recordValue(value);
          recorded.startTimeStampMsec = start;
          recorded.endTimeStampMsec = start + length;
          const from = decoded ? decodeFromCompressedBase64(encodeIntoCompressedBase64(recorded), 64, false, HIGHEST_TRACKABLE_US) : recorded;
          addLatencyHistogram(walked, from);
          added.add(from);
          expect(state(walked)).toEqual(state(added));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('leaves histograms of another shape to add()', () => {
    const coarse = build({ bitBucketSize: 64, lowestDiscernibleValue: 1000, highestTrackableValue: HIGHEST_TRACKABLE_US, numberOfSignificantValueDigits: 2 });
    coarse.recordValue(123_456);
    const walked = createLatencyHistogram();
    const added = createLatencyHistogram();
    addLatencyHistogram(walked, coarse);
    added.add(coarse);
    expect(walked.totalCount).toBe(1);
    expect(encodeIntoCompressedBase64(walked)).toBe(encodeIntoCompressedBase64(added));
    expect([walked.minNonZeroValue, walked.maxValue]).toEqual([added.minNonZeroValue, added.maxValue]);
  });

  it('gives zeros when empty', () => {
    expect(latencySummaryMs(createLatencyHistogram())).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, mean: 0, min: 0, stddev: 0 });
  });
});
