import { describe, expect, it } from 'vitest';
import { compactCount, crossingPoint, fixed, parseSizes, quantileSorted, renderTable, roundOrder, summarise } from '../bench/lib.js';

describe('bench summarise', () => {
  it('gives exact order statistics, interpolating between ranks', () => {
    const s = summarise([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ n: 5, min: 1, median: 3, max: 5 });
    expect(s.p10).toBeCloseTo(1.4, 12);
    expect(s.p90).toBeCloseTo(4.6, 12);
    expect(summarise([4, 1, 3, 2]).median).toBe(2.5);
    expect(summarise([7]).p99).toBe(7);
  });

  it('sorts numerically, not as text', () => {
    expect(summarise([10, 9, 100]).median).toBe(10);
  });

  it('rejects an empty sample and a quantile outside [0, 1]', () => {
    expect(() => summarise([])).toThrow(RangeError);
    expect(() => quantileSorted([1], 1.5)).toThrow(RangeError);
  });
});

describe('bench crossingPoint', () => {
  it('interpolates linearly where the difference reaches zero', () => {
    expect(crossingPoint([10, 20, 30], [4, 2, -2])).toBe(25);
    expect(crossingPoint([10, 20], [-1, -2])).toBe(10);
    expect(crossingPoint([10, 20], [1, 2])).toBeNull();
    expect(crossingPoint([10, 20], [3, 0])).toBe(20);
  });
});

describe('bench parseSizes and formatting', () => {
  it('reads plain counts and k / M suffixes', () => {
    expect(parseSizes('1000,5k,2.5M')).toEqual([1000, 5000, 2_500_000]);
    expect(() => parseSizes('0')).toThrow(RangeError);
    expect(() => parseSizes('1.5')).toThrow(RangeError);
    expect(() => parseSizes('ten')).toThrow(RangeError);
  });

  it('prints significant figures without exponents and compact counts', () => {
    expect(fixed(0.012345)).toBe('0.0123');
    expect(fixed(4567.8)).toBe('4568');
    expect(fixed(0)).toBe('0');
    expect(compactCount(50_000)).toBe('50k');
    expect(compactCount(1_000_000)).toBe('1M');
    expect(compactCount(24_812_345)).toBe('24.8M');
    expect(compactCount(999)).toBe('999');
  });

  it('aligns a table: first column left, the others right', () => {
    expect(renderTable([['a', 'bb'], ['ccc', '1']])).toBe('a    bb\n---  --\nccc   1');
  });
});

describe('bench roundOrder', () => {
  const methods = ['a', 'b', 'c', 'd', 'e'];

  it('gives every method once a round, the same order for the same round', () => {
    for (let round = 0; round < 50; round++) {
      expect([...roundOrder(methods, round)].sort()).toEqual(methods);
      expect(roundOrder(methods, round)).toEqual(roundOrder(methods, round));
    }
    expect(methods).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('puts each method after every other one over 50 rounds, and first about as often as any', () => {
    const before = new Map(methods.map((m) => [m, new Set<string>()]));
    const firsts = new Map(methods.map((m) => [m, 0]));
    for (let round = 0; round < 50; round++) {
      const order = roundOrder(methods, round);
      order.forEach((method, i) => {
        if (i > 0) before.get(method)!.add(order[i - 1]!);
      });
      firsts.set(order[0]!, firsts.get(order[0]!)! + 1);
    }
    for (const method of methods) expect(before.get(method)!.size, method).toBe(methods.length - 1);
    for (const method of methods) expect(firsts.get(method)!, method).toBeGreaterThanOrEqual(3);
  });
});
