import { describe, expect, it } from 'vitest';
import { linearFit, logLogFit, logLogSlope, mean } from '../src/stress/stats.js';

describe('linearFit', () => {
  it('gives the least-squares line and r² of a known small set', () => {
    const fit = linearFit([1, 2, 3, 4], [2, 3, 5, 6]);
    expect(fit.slope).toBeCloseTo(1.4, 12);
    expect(fit.intercept).toBeCloseTo(0.5, 12);
    expect(fit.r2).toBeCloseTo(0.98, 12);
    expect(fit.points).toBe(4);
  });

  it('is exact on a line with large, close x values', () => {
    const xs = [1e9 + 1, 1e9 + 2, 1e9 + 3];
    const fit = linearFit(xs, xs.map((x) => 2 * (x - 1e9) + 5));
    expect(fit.slope).toBeCloseTo(2, 9);
    expect(fit.r2).toBe(1);
  });

  it('rejects too few points, duplicate-only x values and mismatched lengths', () => {
    expect(() => linearFit([1], [1])).toThrow(RangeError);
    expect(() => linearFit([2, 2, 2], [1, 2, 3])).toThrow(/distinct/);
    expect(() => linearFit([1, 2], [1])).toThrow(RangeError);
    expect(() => linearFit([1, Number.NaN], [1, 2])).toThrow(/finite/);
  });
});

describe('logLogSlope', () => {
  it('is exactly the power of a power law', () => {
    const xs = [10_000, 100_000, 1_000_000];
    expect(Math.abs(logLogSlope(xs, xs.map((x) => 3 * x ** 2)) - 2)).toBeLessThan(1e-12);
    expect(Math.abs(logLogSlope(xs, xs.map((x) => 0.002 * x)) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(logLogSlope([1, 4, 9, 16, 25], [1, 4, 9, 16, 25].map((x) => 7 * Math.sqrt(x))) - 0.5)).toBeLessThan(1e-12);
  });

  it('gives the constant as the intercept and a perfect fit', () => {
    const xs = [2, 8, 32, 128];
    const fit = logLogFit(xs, xs.map((x) => 3 * x ** 2));
    expect(Math.abs(fit.intercept - Math.log(3))).toBeLessThan(1e-12);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('is 0 for a latency that does not grow', () => {
    expect(logLogSlope([1000, 10_000, 100_000], [0.5, 0.5, 0.5])).toBe(0);
  });

  it('rejects values ≤ 0', () => {
    expect(() => logLogSlope([0, 1], [1, 2])).toThrow(/> 0/);
    expect(() => logLogSlope([1, 2], [1, -2])).toThrow(/> 0/);
  });
});

describe('mean', () => {
  it('averages and rejects an empty list', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(() => mean([])).toThrow(RangeError);
  });
});
