import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSparse, HistogramSum, intervalPercentiles, readIntervalsSparse } from '../src/report/html/hdr-sparse.js';
import { createLatencyHistogram, latencySummaryMs } from '../src/stress/histogram.js';
import { HlogFile } from '../src/stress/hlog.js';

const dir = mkdtempSync(join(tmpdir(), 'hdr-sparse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a seeded generator, so a failure names a reproducible case */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function randomHistogram(seed: number, values: number) {
  const random = generator(seed);
  const histogram = createLatencyHistogram();
  for (let i = 0; i < values; i++) {
    // from 1 µs to about an hour, spread over every bucket magnitude, with repeats
    const us = Math.max(1, Math.round(Math.exp(random() * Math.log(3.6e9))));
    histogram.recordValueWithCount(us, 1 + Math.floor(random() * 3));
  }
  return histogram;
}

describe('sparse reading of encoded HdrHistograms', () => {
  it('gives the same p50, p90, p99, min and max as hdr-histogram-js on the same histogram', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const histogram = randomHistogram(seed, 1 + (seed * 37) % 500);
      const sparse = decodeSparse(encodeIntoCompressedBase64(histogram));
      expect(sparse.totalCount).toBe(histogram.totalCount);
      // the exact maximum travels beside the counts, as in the interval log's max column
      const p = intervalPercentiles(sparse, histogram.maxValue)!;
      const expected = latencySummaryMs(histogram);
      expect({ p50: p.p50 / 1000, p90: p.p90 / 1000, p99: p.p99 / 1000, max: p.max / 1000, min: p.min / 1000 }).toEqual({
        p50: expected.p50,
        p90: expected.p90,
        p99: expected.p99,
        max: expected.max,
        min: expected.min,
      });
    }
  });

  it('returns null for an empty histogram', () => {
    expect(intervalPercentiles(decodeSparse(encodeIntoCompressedBase64(createLatencyHistogram())))).toBeNull();
  });

  it('adds intervals up to the same percentiles as one histogram of all their values', () => {
    const all = createLatencyHistogram();
    const sum = new HistogramSum();
    for (let seed = 100; seed < 130; seed++) {
      const histogram = randomHistogram(seed, 200);
      all.add(histogram);
      sum.add(decodeSparse(encodeIntoCompressedBase64(histogram)), histogram.maxValue);
    }
    const percentiles = [0, 10, 50, 90, 99, 99.9, 99.99, 99.999, 100];
    const clamp = (us: number) => Math.min(all.maxValue, Math.max(all.minNonZeroValue, us));
    expect(sum.totalCount).toBe(all.totalCount);
    expect(sum.valuesAtPercentiles(percentiles)).toEqual(percentiles.map((p) => clamp(all.getValueAtPercentile(p))));
    expect(sum.max).toBe(all.maxValue);
  });

  it('reads the intervals of a latency.hlog written by the runner’s HlogFile, skipping a torn last line', () => {
    const path = join(dir, 'latency.hlog');
    const log = new HlogFile(path, Date.UTC(2026, 0, 1));
    const histogram = createLatencyHistogram();
    for (let i = 0; i < 3; i++) {
      for (const us of [100, 200, 300 * (i + 1), 50_000]) histogram.recordValue(us);
      log.append(histogram, i * 5, (i + 1) * 5);
      histogram.reset();
    }
    log.close();
    const text = `${readFileSync(path, 'utf8')}15.000,5.000,1.000,HISTFAAAAB`;
    const { intervals, skipped } = readIntervalsSparse(text);
    expect(skipped).toBe(1);
    expect(intervals.map((i) => [i.start_s, i.length_s, i.histogram.totalCount])).toEqual([
      [0, 5, 4],
      [5, 5, 4],
      [10, 5, 4],
    ]);
    expect(intervals.map((i) => i.max)).toEqual([50_000, 50_000, 50_000]);
    expect(intervalPercentiles(intervals[2]!.histogram, intervals[2]!.max)!.max).toBe(50_000);
    // without the column, the top of the maximum's bucket
    const layout = createLatencyHistogram() as unknown as { highestEquivalentValue(value: number): number };
    expect(intervalPercentiles(intervals[2]!.histogram)!.max).toBe(layout.highestEquivalentValue(50_000));
  });
});
