import { describe, expect, it } from 'vitest';
import { BoundedSeries } from '../src/stress/series.js';

describe('BoundedSeries', () => {
  it('keeps every sample until it is full', () => {
    const s = new BoundedSeries({ capacity: 8 });
    for (let i = 0; i < 7; i++) s.append(i, 10 + i);
    expect(s.stride).toBe(1);
    expect(s.toArray()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => ({ t_s: i, value: 10 + i })));
  });

  it('merges adjacent pairs when full: min of each pair, mean time, stride doubled', () => {
    const s = new BoundedSeries({ capacity: 8, reduce: 'min' });
    const values = [5, 3, 8, 9, 1, 4, 7, 6];
    values.forEach((v, i) => s.append(i, v));
    expect(s.stride).toBe(2);
    expect(s.toArray()).toEqual([
      { t_s: 0.5, value: 3 },
      { t_s: 2.5, value: 8 },
      { t_s: 4.5, value: 1 },
      { t_s: 6.5, value: 6 },
    ]);
    // the next sample waits for its pair, shown meanwhile as a point of its own
    s.append(8, 2);
    expect(s.length).toBe(5);
    expect(s.toArray().at(-1)).toEqual({ t_s: 8, value: 2 });
    s.append(9, 0.5);
    expect(s.toArray().at(-1)).toEqual({ t_s: 8.5, value: 0.5 });
    expect(s.length).toBe(5);
  });

  it('reduces with max and mean as asked, exactly', () => {
    const max = new BoundedSeries({ capacity: 4, reduce: 'max' });
    const mean = new BoundedSeries({ capacity: 4, reduce: 'mean' });
    [1, 5, 2, 4, 3, 9, 0, 8].forEach((v, i) => {
      max.append(i, v);
      mean.append(i, v);
    });
    // 8 samples into 4 slots: two halvings, 4 samples per point
    expect(max.stride).toBe(4);
    expect(max.toArray()).toEqual([
      { t_s: 1.5, value: 5 },
      { t_s: 5.5, value: 9 },
    ]);
    expect(mean.toArray()).toEqual([
      { t_s: 1.5, value: 3 },
      { t_s: 5.5, value: 5 },
    ]);
  });

  it('has a point of the min of every stride samples: the same as grouping the raw samples', () => {
    const capacity = 16;
    const s = new BoundedSeries({ capacity });
    const raw: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const v = Math.sin(i * 0.7) * 100 + i;
      raw.push(v);
      s.append(i * 5, v);
    }
    const stride = s.stride;
    const points = s.toArray();
    const full = Math.floor(raw.length / stride);
    for (let k = 0; k < full; k++) {
      const group = raw.slice(k * stride, (k + 1) * stride);
      expect(points[k]!.value).toBe(Math.min(...group));
      expect(points[k]!.t_s).toBeCloseTo((k * stride + (stride - 1) / 2) * 5, 9);
    }
    expect(points.length).toBe(full + (raw.length % stride > 0 ? 1 : 0));
  });

  it('stays within its capacity over a 24-hour run sampled every 5 s', () => {
    const s = new BoundedSeries({ capacity: 2048 });
    for (let i = 0; i < 17_280; i++) s.append(i * 5, 100 + (i % 7));
    expect(s.appended).toBe(17_280);
    expect(s.length).toBeLessThanOrEqual(2048);
    expect(s.length).toBeGreaterThanOrEqual(1024);
    expect(s.stride).toBe(16);
    const points = s.toArray();
    for (let i = 1; i < points.length; i++) expect(points[i]!.t_s).toBeGreaterThan(points[i - 1]!.t_s);
    expect(s.max).toBe(106);
    expect(s.min).toBe(100);
    expect(s.lastT).toBe(17_279 * 5);
  });

  it('never holds more than capacity points whatever the count', () => {
    const s = new BoundedSeries({ capacity: 6 });
    for (let i = 0; i < 500; i++) {
      s.append(i, i);
      expect(s.length).toBeLessThanOrEqual(6);
    }
  });

  it('refuses bad capacities, non-finite numbers and time going backwards', () => {
    expect(() => new BoundedSeries({ capacity: 5 })).toThrow(RangeError);
    expect(() => new BoundedSeries({ capacity: 2 })).toThrow(RangeError);
    const s = new BoundedSeries();
    expect(s.toArray()).toEqual([]);
    expect(s.max).toBeNull();
    s.append(1, 1);
    expect(() => s.append(0.5, 1)).toThrow(/backwards/);
    expect(() => s.append(2, Number.NaN)).toThrow(/finite/);
    s.append(1, 2); // equal times are allowed
    expect(s.length).toBe(2);
  });
});
