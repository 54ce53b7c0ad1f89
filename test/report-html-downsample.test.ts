import { describe, expect, it } from 'vitest';
import { downsampleMinMax } from '../src/report/html/downsample.js';

describe('downsampleMinMax', () => {
  it('leaves a short series as it is', () => {
    const out = downsampleMinMax([0, 1, 2], [[5, null, 7]], 10);
    expect(out).toEqual({ x: [0, 1, 2], ys: [[5, null, 7]], inputPoints: 3, bucketSize: 1, downsampled: false });
  });

  it('keeps each bucket’s minimum and maximum, in the order they occurred, at the bucket’s first and last time', () => {
    // 12 points into at most 4 → 2 buckets of 6
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const y = [3, 9, 1, 4, 4, 4, 5, 5, 0, 5, 8, 5];
    const out = downsampleMinMax(x, [y], 4);
    expect(out.downsampled).toBe(true);
    expect(out.bucketSize).toBe(6);
    expect(out.x).toEqual([0, 5, 6, 11]);
    // bucket 1: max 9 (index 1) before min 1 (index 2); bucket 2: min 0 (index 8) before max 8 (index 10)
    expect(out.ys).toEqual([[9, 1, 0, 8]]);
  });

  it('buckets every series alike, so they stay aligned on one x array', () => {
    const n = 10_000;
    const x = Array.from({ length: n }, (_, i) => i * 5);
    const a = x.map((_, i) => Math.sin(i / 50));
    const b = x.map((_, i) => (i === 7777 ? 1000 : i % 7));
    const out = downsampleMinMax(x, [a, b], 2000);
    expect(out.x.length).toBeLessThanOrEqual(2000);
    expect(out.ys[0]).toHaveLength(out.x.length);
    expect(out.ys[1]).toHaveLength(out.x.length);
    // the single spike and the extremes survive
    expect(Math.max(...(out.ys[1] as number[]))).toBe(1000);
    expect(Math.min(...(out.ys[0] as number[]))).toBe(Math.min(...a));
    expect(Math.max(...(out.ys[0] as number[]))).toBe(Math.max(...a));
    // x stays in order
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]!).toBeGreaterThan(out.x[i - 1]!);
  });

  it('turns a bucket with no value into a gap, and ignores gaps inside a bucket', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7];
    const y = [null, null, null, null, 2, null, 6, null];
    const out = downsampleMinMax(x, [y], 4);
    expect(out.ys).toEqual([[null, null, 2, 6]]);
  });

  it('reaches 2000 points from a 24-hour series of 17,280 samples', () => {
    const n = 17_280;
    const x = Array.from({ length: n }, (_, i) => (i + 1) * 5);
    const out = downsampleMinMax(x, [x.map((v) => v % 97)]);
    expect(out.x.length).toBeLessThanOrEqual(2000);
    expect(out.x.length).toBeGreaterThan(1800);
    expect(out.x[0]).toBe(5);
    expect(out.x.at(-1)).toBe(n * 5);
  });

  it('rejects a budget too small to hold a min and a max', () => {
    expect(() => downsampleMinMax([1], [[1]], 3)).toThrow(RangeError);
  });
});
