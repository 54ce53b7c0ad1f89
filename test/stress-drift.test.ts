import { describe, expect, it } from 'vitest';
import { detectDrift, type DriftPoint } from '../src/stress/drift.js';

/** a deterministic generator, so every run of the tests sees the same noise */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** samples every `step` seconds (±10% jitter when `jitter`) from 0 to `duration` */
function sampled(duration: number, step: number, f: (t: number) => number, random?: () => number): DriftPoint[] {
  const points: DriftPoint[] = [];
  for (let t = 0; t <= duration; t += random ? step * (0.9 + 0.2 * random()) : step) points.push({ t_s: t, value: f(t) });
  return points;
}

const KIB_PER_S_AS_MB_PER_H = 3600 / 1024;

describe('detectDrift on exact series', () => {
  it('gives the exact slope, interval and percentages of a perfectly linear series', () => {
    // 0.25 MB/s and whole-second times: every pairwise slope is exactly 0.25
    const points = sampled(600, 5, (t) => 100 + 0.25 * t);
    const d = detectDrift(points);
    expect(d.warmup_s).toBe(60); // 10% of 600 s beats the 30 s minimum
    expect(d.from_s).toBe(60);
    expect(d.to_s).toBe(600);
    expect(d.n).toBe(109);
    expect(d.pairs).toBe((109 * 108) / 2);
    expect(d.median).toBe(182.5);
    expect(d.slope_per_hour).toBe(900);
    expect(d.slope_ci_per_hour).toEqual({ low: 900, high: 900 });
    expect(d.percent_per_hour).toBe((0.25 * 3600 * 100) / 182.5);
    expect(d.halves_percent_per_hour).toEqual([(0.25 * 3600 * 100) / 182.5, (0.25 * 3600 * 100) / 182.5]);
    expect(d.later_half_low_percent_per_hour).toBe((0.25 * 3600 * 100) / 182.5);
    expect(d.residual_autocorrelation).toBe(0);
    // 10% band over a 600 s span: growth below 60%/h could not leave the band
    expect(d.threshold_percent_per_hour).toBe(60);
    expect(d.verdict).toBe('growing');
    // level: scaled hour 25 s; first window 60..85 s (median at 72.5 s), last 575..600 s (at 587.5 s)
    expect(d.level).toEqual({
      window_s: 25,
      first_median: 118.125,
      last_median: 246.875,
      change_percent: ((246.875 - 118.125) / 118.125) * 100,
      within_10_percent: false,
      band_percent: 10,
      within_band: false,
    });
  });

  it('gives a zero slope and a stable verdict on a constant series', () => {
    const d = detectDrift(sampled(1200, 2, () => 64));
    expect(d.slope_per_hour).toBe(0);
    expect(d.slope_ci_per_hour).toEqual({ low: 0, high: 0 });
    expect(d.verdict).toBe('stable');
    expect(d.level?.change_percent).toBe(0);
    expect(d.level?.within_10_percent).toBe(true);
  });

  it('reports a falling series as shrinking, not growing and not stable', () => {
    const d = detectDrift(sampled(600, 5, (t) => 400 - 0.25 * t));
    expect(d.slope_per_hour).toBe(-900);
    expect(d.verdict).toBe('inconclusive');
    expect(d.reason).toMatch(/^shrinking/);
  });

  it('uses the given duration for the scaled hour, and its own warm-up rules', () => {
    const points = sampled(2400, 10, (t) => (t < 1200 ? 100 : 108));
    const d = detectDrift(points, { durationS: 24 * 100, warmupSeconds: 0, warmupFraction: 0 });
    expect(d.warmup_s).toBe(0);
    expect(d.level?.window_s).toBe(100);
    expect(d.level?.first_median).toBe(100);
    expect(d.level?.last_median).toBe(108);
    expect(d.level?.change_percent).toBeCloseTo(8, 12);
    expect(d.level?.within_10_percent).toBe(true);
    const strict = detectDrift(points, { durationS: 2400, stableBandPercent: 5 });
    expect(strict.level?.within_band).toBe(false);
    expect(strict.level?.within_10_percent).toBe(true);
  });

  it('caps the warm-up at half the span', () => {
    const d = detectDrift(sampled(40, 1, (t) => t), { warmupSeconds: 100 });
    expect(d.warmup_s).toBe(20);
    expect(d.n).toBe(21);
  });

  it('samples pairs deterministically above maxPairs and stays exact on a line', () => {
    const points = sampled(3000, 1, (t) => 50 + 0.5 * t);
    const a = detectDrift(points, { maxPairs: 10_000 });
    expect(a.pairs).toBe(10_000);
    expect(a.slope_per_hour).toBe(1800);
    const noisy = sampled(3000, 1, (t) => 50 + 0.001 * t + ((t * 7919) % 13));
    const b1 = detectDrift(noisy, { maxPairs: 10_000 });
    const b2 = detectDrift(noisy, { maxPairs: 10_000 });
    expect(b1).toEqual(b2);
    // the sample's median is close to the full set's
    const full = detectDrift(noisy, { maxPairs: 5_000_000 });
    expect(full.pairs).toBe(((noisy.length - 300) * (noisy.length - 301)) / 2);
    expect(Math.abs(b1.slope_per_hour! - full.slope_per_hour!)).toBeLessThan(0.05 * Math.abs(full.slope_ci_per_hour!.high - full.slope_ci_per_hour!.low) + 0.5);
  });
});

describe('detectDrift: too little to judge', () => {
  it('is inconclusive with fewer than 8 points after warm-up', () => {
    const d = detectDrift(sampled(36, 5, (t) => t)); // 0..35 s: warm-up 18 s leaves 4 points
    expect(d.verdict).toBe('inconclusive');
    expect(d.n).toBe(4);
    expect(d.reason).toMatch(/only 4 sample\(s\)/);
    expect(d.slope_per_hour).toBeNull();
    expect(d.level).toBeNull();
  });

  it('is inconclusive with no points, and with all points at one time', () => {
    expect(detectDrift([]).verdict).toBe('inconclusive');
    const same = Array.from({ length: 20 }, () => ({ t_s: 5, value: 1 }));
    const d = detectDrift(same);
    expect(d.verdict).toBe('inconclusive');
    expect(d.reason).toMatch(/same time/);
  });

  it('refuses points out of time order, non-finite values and bad options', () => {
    expect(() => detectDrift([{ t_s: 2, value: 1 }, { t_s: 1, value: 1 }])).toThrow(/time order/);
    expect(() => detectDrift([{ t_s: 1, value: Number.NaN }])).toThrow(/finite/);
    expect(() => detectDrift([], { confidence: 0.8 })).toThrow(/confidence/);
    expect(() => detectDrift([], { warmupFraction: 1 })).toThrow(/warmupFraction/);
    expect(() => detectDrift([], { minPoints: 2 })).toThrow(/minPoints/);
  });
});

describe('detectDrift: leaks come out growing', () => {
  it('finds 1 KiB per iteration at 50 iterations/s within a 3-minute run sampled every 1.5 s', () => {
    const random = lcg(7);
    const rate = 50 / 1024; // MB/s
    for (const base of [6, 20, 60]) {
      // heap after GC: the leak, plus what a collection does not get back at once (±0.5 MB)
      const points = sampled(180, 1.5, (t) => base + rate * t + 0.5 * gaussian(random), random);
      const d = detectDrift(points);
      expect(d.verdict).toBe('growing');
      expect(d.slope_per_hour! / (50 * KIB_PER_S_AS_MB_PER_H)).toBeGreaterThan(0.9);
      expect(d.slope_per_hour! / (50 * KIB_PER_S_AS_MB_PER_H)).toBeLessThan(1.1);
      expect(d.slope_ci_per_hour!.low).toBeLessThan(50 * KIB_PER_S_AS_MB_PER_H);
      expect(d.slope_ci_per_hour!.high).toBeGreaterThan(50 * KIB_PER_S_AS_MB_PER_H);
    }
  });

  it('finds the same leak under a GC saw-tooth, at 1 s and 2 s sampling, in 3 and 20 minutes', () => {
    const random = lcg(11);
    for (const duration of [180, 1200]) {
      for (const step of [1, 2]) {
        const phase = random() * 7;
        const points = sampled(duration, step, (t) => 8 + (50 / 1024) * t + 3 * (((t + phase) % 7) / 7), random);
        const d = detectDrift(points);
        expect(d.verdict, `${duration} s every ${step} s`).toBe('growing');
        expect(d.slope_per_hour! / (50 * KIB_PER_S_AS_MB_PER_H)).toBeGreaterThan(0.85);
        expect(d.slope_per_hour! / (50 * KIB_PER_S_AS_MB_PER_H)).toBeLessThan(1.15);
      }
    }
  });

  it('recovers the slope of a ramp with noise and outliers', () => {
    const random = lcg(3);
    const points = sampled(3600, 5, (t) => 200 + 0.01 * t + gaussian(random) + (random() < 0.05 ? 40 : 0));
    const d = detectDrift(points);
    expect(d.verdict).toBe('growing');
    expect(d.slope_per_hour!).toBeGreaterThan(36 * 0.95);
    expect(d.slope_per_hour!).toBeLessThan(36 * 1.05);
  });
});

describe('detectDrift: healthy memory is never growing', () => {
  it('a flat heap with a heavy saw-tooth and outliers, over many periods and phases, in 3 and 20 minutes', () => {
    const random = lcg(42);
    const verdicts = new Map<string, number>();
    for (const duration of [180, 1200]) {
      for (const step of [1, 1.5, 2]) {
        for (const period of [3, 5, 7, 11, 20, 45]) {
          for (let trial = 0; trial < 6; trial++) {
            const phase = random() * period;
            const points = sampled(duration, step, (t) => 10 + 10 * (((t + phase) % period) / period) + (random() < 0.03 ? 30 : 0), random);
            const d = detectDrift(points);
            verdicts.set(d.verdict, (verdicts.get(d.verdict) ?? 0) + 1);
            expect(d.verdict, `${duration} s, every ${step} s, period ${period} s: ${d.reason}`).not.toBe('growing');
          }
        }
      }
    }
    expect(verdicts.get('stable')).toBeGreaterThan(0);
  });

  it('a steady level with noise: stable', () => {
    const random = lcg(5);
    for (const duration of [180, 1200]) {
      for (let trial = 0; trial < 20; trial++) {
        const d = detectDrift(sampled(duration, 1, () => 80 + 0.5 * gaussian(random), random));
        expect(d.verdict, d.reason).toBe('stable');
      }
    }
  });

  it('a one-time step then flat is not growing, wherever the step falls', () => {
    const random = lcg(9);
    for (const duration of [180, 1200]) {
      for (const at of [0.3, 0.4, 0.5, 0.55, 0.6, 0.75, 0.9]) {
        for (const noise of [0, 0.5]) {
          const d = detectDrift(sampled(duration, 1, (t) => 50 + (t > at * duration ? 10 : 0) + noise * gaussian(random), random));
          expect(d.verdict, `${duration} s, step at ${at}, noise ${noise}: ${d.reason}`).not.toBe('growing');
        }
      }
    }
  });

  it('a step of 20% in a two-hour run is not growing, and fails the level check', () => {
    const random = lcg(13);
    const d = detectDrift(sampled(7200, 5, (t) => 50 + (t > 4000 ? 10 : 0) + 0.2 * gaussian(random)));
    expect(d.verdict).toBe('inconclusive');
    expect(d.level?.change_percent).toBeCloseTo(20, 0);
    expect(d.level?.within_10_percent).toBe(false);
  });

  it('names a step as a step when the rise is clear but in one half only', () => {
    // +60% at 700 s of 1200 under heavy white noise: the interval is well above the threshold (30%/h over
    // 20 minutes), but neither half on its own grows like that
    const random = lcg(21);
    const d = detectDrift(sampled(1200, 2, (t) => 100 + (t > 700 ? 60 : 0) + 6 * gaussian(random)));
    expect(d.percent_per_hour_ci!.low).toBeGreaterThan(d.threshold_percent_per_hour);
    expect(d.verdict).toBe('inconclusive');
    expect(d.reason).toMatch(/one-time step rather than steady growth/);
    expect(Math.min(...d.halves_percent_per_hour!)).toBeLessThan(d.threshold_percent_per_hour);
  });

  it('widens the interval for serially correlated noise (a slow wave) instead of calling it growth', () => {
    const d = detectDrift(sampled(1200, 1, (t) => 100 + 3 * Math.sin((2 * Math.PI * t) / 400)));
    expect(d.residual_autocorrelation!).toBeGreaterThan(0.9);
    expect(d.verdict).not.toBe('growing');
  });
});

/**
 * RSS as a 3-minute churn run (alloc-no-retain.mjs, two workers, samples every 3 s) shows it: about 150 MB,
 * a saw-tooth of 20–45 MB on top (the heaps' garbage between collections: the main thread's heap alone swings
 * between 12 and 58 MB), and capacity that the process sizes to its allocation rate and keeps (young
 * generations, allocator arenas holding the peak of short-lived buffers): after a stall, or when other work on
 * the machine lets up and the run speeds up, RSS less the main thread's heap climbs by some 20 MB and then
 * holds. The runner judges RSS with a 120 s warm-up (90 s in a 3-minute run).
 */
const RSS_OPTIONS = { durationS: 180, warmupSeconds: 120 } as const;

/** the heaps' garbage as a 3 s sampler sees it: a saw-tooth of random period and height, at a random phase */
function heapSawtooth(random: () => number): (t: number) => number {
  const period = 8 + 17 * random();
  const phase = random() * period;
  const height = 20 + 25 * random();
  return (t) => height * (((t + phase) % period) / period);
}

describe('detectDrift: a rise that flattens is not a leak', () => {
  it('RSS that climbs to a new level and levels off (a warm-up, capacity following the load) is never growing in 3 minutes', () => {
    const random = lcg(1009);
    const flattening = new Map<string, number>();
    // rises of 50-75 MB, 45-60 s time constants, starting anywhere in the first minute: by the end of the run
    // the climb has slowed to the threshold or below, as a warm-up does
    for (const [rise, tau] of [[50, 60], [75, 45], [75, 60]] as const) {
      for (let trial = 0; trial < 40; trial++) {
        const start = 60 * random();
        const saw = heapSawtooth(random);
        const points = sampled(180, 3, (t) => 150 + (t < start ? 0 : rise * (1 - Math.exp(-(t - start) / tau))) + saw(t) + 2 * gaussian(random), random);
        const d = detectDrift(points, RSS_OPTIONS);
        expect(d.verdict, `+${rise} MB, τ ${tau} s from ${start.toFixed(0)} s: ${d.reason}`).not.toBe('growing');
        if (/second half of the window on its own/.test(d.reason)) flattening.set(`${rise}/${tau}`, (flattening.get(`${rise}/${tau}`) ?? 0) + 1);
      }
    }
    // some of these rises are steep enough that the whole window's interval lies above the threshold in both
    // halves: only the second half's own lower limit tells them from a leak
    expect([...flattening.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('RSS that holds the highest demand seen so far (a high-water mark: records grow rarer) is never growing', () => {
    const random = lcg(2003);
    for (const spread of [10, 20]) {
      for (let trial = 0; trial < 60; trial++) {
        let highest = Number.NEGATIVE_INFINITY;
        const saw = heapSawtooth(random);
        const points = sampled(180, 3, (t) => {
          highest = Math.max(highest, spread * gaussian(random));
          return 150 + highest + saw(t);
        }, random);
        const d = detectDrift(points, RSS_OPTIONS);
        expect(d.verdict, `spread ${spread} MB: ${d.reason}`).not.toBe('growing');
      }
    }
  });

  it('a flat RSS with the saw-tooth, and serially correlated noise, are never growing', () => {
    const random = lcg(3001);
    for (let trial = 0; trial < 100; trial++) {
      const saw = heapSawtooth(random);
      expect(detectDrift(sampled(180, 3, (t) => 150 + saw(t) + 2 * gaussian(random), random), RSS_OPTIONS).verdict).not.toBe('growing');
      // AR(1), ρ = 0.7 between 3 s samples, 5 MB standard deviation: excursions that last several samples
      let e = 0;
      const wander = sampled(180, 3, () => (e = 0.7 * e + 5 * Math.sqrt(1 - 0.49) * gaussian(random)) + 150, random);
      expect(detectDrift(wander, RSS_OPTIONS).verdict).not.toBe('growing');
    }
  });

  it('a leak of the 3-minute test\'s size (1 KiB × 50/s) in heap after GC is growing, from 17 to 22 points, and persists in the second half', () => {
    const random = lcg(4007);
    // 50 KiB/s, and the 61 KiB/s that the runner measures for it (the buffers' headers and the array holding them)
    for (const mbPerS of [50 / 1024, 0.061]) {
      for (const step of [8, 8.5, 10]) {
        for (let trial = 0; trial < 40; trial++) {
          // 0.15 MB of noise: measured runs of the leak scatter 0.08-0.13 MB about their line
          const points = sampled(180, step, (t) => 29 + mbPerS * t + 0.15 * gaussian(random), random).filter((p) => p.t_s >= 3);
          const d = detectDrift(points, { durationS: 180 });
          expect(d.verdict, `${mbPerS} MB/s every ${step} s: ${d.reason}`).toBe('growing');
          expect(d.later_half_low_percent_per_hour!).toBeGreaterThan(d.threshold_percent_per_hour);
        }
      }
    }
  });

  it('the same leak is growing in RSS over 20 minutes, under the saw-tooth', () => {
    const random = lcg(5003);
    for (let trial = 0; trial < 20; trial++) {
      const saw = heapSawtooth(random);
      const points = sampled(1200, 5, (t) => 100 + (50 / 1024) * t + saw(t) + 2 * gaussian(random), random);
      const d = detectDrift(points, { durationS: 1200, warmupSeconds: 120 });
      expect(d.verdict, d.reason).toBe('growing');
    }
  });
});

/**
 * Series measured on a 2-core machine with a worker thread at 50 iterations/s and a full GC before each
 * 1 s sample (the runner's method), first 3 minutes, MB, rounded to 3 decimals. Leak: 1 KiB retained per
 * iteration; alloc-free: the same allocations, nothing retained.
 */
describe('detectDrift on measured 3-minute series', () => {
  const series = (mode: keyof typeof MEASURED, which: 'heap_after_gc' | 'rss'): DriftPoint[] =>
    MEASURED[mode].t.map((t_s, i) => ({ t_s, value: MEASURED[mode][which][i]! }));

  it('calls the leak growing, in heap after GC and in RSS, at about 1 KiB × 50/s', () => {
    const heap = detectDrift(series('retain', 'heap_after_gc'), { durationS: 180 });
    expect(heap.verdict).toBe('growing');
    // 50 KiB/s is 175.8 MB/h; the measured retention includes the array headers, a little more
    expect(heap.slope_per_hour!).toBeGreaterThan(140);
    expect(heap.slope_per_hour!).toBeLessThan(230);
    expect(detectDrift(series('retain', 'rss'), { durationS: 180 }).verdict).toBe('growing');
  });

  it('never calls the alloc-free or the KPI workload growing', () => {
    for (const mode of ['allocfree', 'kpi'] as const) {
      for (const which of ['heap_after_gc', 'rss'] as const) {
        const d = detectDrift(series(mode, which), { durationS: 180 });
        expect(d.verdict, `${mode} ${which}: ${d.reason}`).not.toBe('growing');
      }
    }
  });
});

const MEASURED: Record<'retain' | 'allocfree' | 'kpi', { t: number[]; heap_after_gc: number[]; rss: number[] }> = {
  "retain": {
    t: [2.02,3.03,4.03,5.02,6.03,7.03,8.03,9.03,10.03,11.03,12.03,13.03,14.03,15.03,16.03,17.03,18.04,19.04,20.04,21.04,22.04,23.04,24.07,25.06,26.06,27.07,28.07,29.07,30.08,31.07,32.08,33.07,34.07,35.07,36.08,37.08,38.08,39.16,40.08,41.09,42.09,43.09,44.09,45.09,46.09,47.09,48.09,49.09,50.09,51.09,52.1,53.1,54.09,55.1,56.1,57.1,58.1,59.11,60.1,61.12,62.13,63.13,64.12,65.13,66.41,67.14,68.13,69.24,70.18,71.18,72.28,73.22,74.22,75.22,76.23,77.25,78.27,79.27,80.27,81.27,82.27,83.27,84.27,85.28,86.28,87.28,88.27,89.28,90.28,91.28,92.28,93.28,94.29,95.3,96.29,97.3,98.3,99.3,100.29,101.3,102.3,103.31,104.35,105.32,106.32,107.36,108.41,109.38,110.38,111.38,112.38,113.4,114.49,115.39,116.39,117.39,118.39,119.39,120.39,121.39,122.39,123.4,124.4,125.41,126.41,127.41,128.41,129.41,130.42,131.42,132.44,133.42,134.42,135.42,136.42,137.42,138.42,139.43,140.47,141.44,142.45,143.44,144.44,145.44,146.44,147.45,148.44,149.44,150.44,151.44,152.45,153.44,154.47,155.5,156.47,157.46,158.48,159.47,160.48,161.5,162.48,163.48,164.49,165.48,166.49,167.49,168.49,169.51,170.49,171.5,172.51,173.51,174.52,175.51,176.51,177.51,178.52,179.51],
    heap_after_gc: [7.155,7.168,7.197,7.183,7.294,7.331,7.37,7.613,7.643,7.664,7.671,7.626,7.915,7.92,7.92,7.933,7.943,8.009,8.159,8.159,8.159,8.366,8.365,8.365,8.372,8.581,8.572,8.572,8.572,8.606,8.846,8.845,8.846,8.853,9.051,9.051,9.051,9.051,9.252,9.236,9.236,9.236,9.458,9.457,9.457,9.457,9.655,9.654,9.654,9.654,9.849,9.848,9.99,9.989,9.923,10.009,9.999,10.03,10.049,10.284,10.382,10.381,10.38,10.379,10.41,10.425,10.455,10.643,10.642,10.641,10.812,10.68,10.826,10.735,10.839,10.838,10.837,10.873,11.144,11.143,11.147,11.192,11.197,11.243,11.247,11.292,11.492,11.492,11.637,11.522,11.545,11.68,11.624,11.664,11.717,11.936,12.042,12.041,12.041,12.04,12.083,12.084,12.126,12.128,12.356,12.435,12.434,12.416,12.449,12.455,12.497,12.502,12.547,12.731,12.73,12.729,12.728,12.728,12.772,12.819,13.058,13.057,13.204,13.203,13.202,13.201,13.2,13.226,13.247,13.271,13.51,13.509,13.645,13.644,13.589,13.613,13.636,13.884,13.883,13.883,13.882,13.881,13.884,13.945,14.081,14.08,14.086,14.125,14.363,14.362,14.361,14.36,14.395,14.561,14.648,14.603,14.627,14.687,14.696,14.709,14.738,14.765,14.814,15.083,15.082,15.103,15.124,15.148,15.147,15.172,15.219,15.457,15.439,15.476,15.477,15.52,15.526,15.569],
    rss: [59.87,59.21,59.21,59.21,59.21,59.34,59.34,59.46,59.59,61.21,61.21,61.21,61.34,61.34,61.46,61.59,61.59,61.58,61.7,61.7,61.83,61.95,61.82,62.25,62.25,62.63,62.63,62.75,62.88,63,63.13,63.13,63.25,63.38,63.38,63.5,63.63,63.5,63.63,63.63,63.63,63.75,63.75,63.75,63.88,64,64,64.13,64.13,64.13,64.38,65.13,67.5,67.63,67.63,67.75,67.88,68,68,68,68.13,68.25,68.25,68.25,68.38,68.38,68.38,68.5,68.5,68.63,68.63,68.63,68.75,68.75,68.75,68.88,68.88,69,69,69,69.13,69.25,69.25,69.38,69.38,69.5,69.5,69.5,69.63,69.63,69.75,69.75,69.88,69.88,69.88,70,70.13,70.13,70.13,70.25,70.25,70.38,70.38,70.5,70.5,70.5,70.5,70.5,70.63,70.63,70.63,70.75,70.75,70.88,70.88,70.88,71,71,71,71.13,71.13,71.25,71.25,71.25,71.38,71.38,71.5,71.5,71.5,71.5,71.63,71.63,71.75,71.88,71.88,71.88,72,72,72.13,72.13,72.13,72.25,72.25,72.38,72.38,72.5,72.5,72.5,72.63,72.63,72.63,72.75,72.75,72.88,72.88,72.88,73,73,73,73.13,73.25,73.25,73.25,73.38,73.38,73.5,73.5,73.5,73.63,73.63,73.75,73.75,73.88,73.88,74,74,74,74.13],
  },
  "allocfree": {
    t: [2.03,3.02,4.03,5.03,6.03,7.03,8.03,9.03,10.03,11.03,12.03,13.04,14.04,15.04,16.04,17.04,18.04,19.04,20.04,21.04,22.05,23.05,24.05,25.05,26.05,27.05,28.05,29.05,30.05,31.06,32.05,33.05,34.06,35.06,36.06,37.06,38.06,39.11,40.06,41.07,42.07,43.08,44.07,45.06,46.07,47.07,48.07,49.07,50.07,51.07,52.08,53.08,54.08,55.09,56.08,57.08,58.08,59.09,60.09,61.09,62.14,63.11,64.09,65.14,66.34,67.21,68.14,69.14,70.14,71.15,72.21,73.21,74.19,75.17,76.19,77.33,78.22,79.22,80.22,81.22,82.22,83.22,84.23,85.23,86.23,87.24,88.23,89.23,90.24,91.23,92.23,93.24,94.24,95.23,96.24,97.24,98.24,99.24,100.24,101.24,102.25,103.31,104.41,105.29,106.4,107.29,108.45,109.31,110.28,111.28,112.28,113.31,114.31,115.29,116.29,117.29,118.29,119.3,120.3,121.3,122.3,123.31,124.31,125.31,126.32,127.32,128.33,129.48,130.41,131.42,132.44,133.41,134.41,135.41,136.42,137.41,138.42,139.42,140.43,141.43,142.43,143.42,144.43,145.45,146.43,147.44,148.43,149.43,150.43,151.44,152.44,153.45,154.45,155.45,156.45,157.46,158.45,159.46,160.46,161.47,162.47,163.47,164.47,165.47,166.47,167.47,168.48,169.48,170.48,171.48,172.48,173.5,174.51,175.49,176.48,177.48,178.48,179.57],
    heap_after_gc: [7.161,6.994,7.001,6.997,7.005,7.008,7.008,7.016,7.178,7.029,7.035,7.187,7.194,7.2,7.199,7.212,7.221,7.22,7.22,7.076,7.222,7.227,7.227,7.226,7.1,7.099,7.236,7.236,7.235,7.242,7.242,7.111,7.244,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.25,7.25,7.249,7.12,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121,7.251,7.251,7.25,7.249,7.121],
    rss: [59.77,59.77,59.17,59.17,59.17,59.17,59.29,59.29,59.29,59.42,59.42,59.29,59.41,59.41,59.41,59.41,59.41,59.41,59.41,59.41,59.41,59.41,59.41,59.57,59.57,59.7,59.7,59.7,59.7,59.95,59.95,59.95,60.07,60.07,60.07,60.2,60.2,60.07,60.07,60.07,60.07,60.07,60.07,60.19,60.07,60.07,60.19,60.19,60.06,60.06,60.19,60.19,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.19,60.19,60.19,60.19,60.19,60.19,60.19,60.19,60.19,60.19,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.06,60.18,60.18,60.06,60.06,60.31,61.81,61.68,61.68,61.68,61.81,61.81,61.68,61.68,61.68,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.18,63.3,63.3,63.3,63.3,63.3,63.3,63.3,63.3,63.3,63.3,63.18,63.3,63.3,63.17,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.29,63.16,63.29,63.29,63.29,63.16,63.29,63.29,63.16,63.28,63.28,63.28,63.15,63.28,63.28,63.28,63.28,63.27,63.27,63.27,63.15,63.27,63.27,63.27,63.27,63.27,63.27],
  },
  "kpi": {
    t: [1.58,2.59,3.61,4.58,5.58,6.58,7.59,8.59,9.58,10.59,11.6,12.58,13.58,14.58,15.58,16.58,17.58,18.58,19.58,20.61,21.6,22.58,23.61,24.59,25.58,26.58,27.59,28.58,29.59,30.59,31.59,32.59,33.59,34.59,35.58,36.58,37.59,38.63,39.59,40.59,41.6,42.59,43.6,44.59,45.59,46.59,47.6,48.59,49.66,50.7,51.61,52.6,53.59,54.59,55.59,56.6,57.6,58.6,59.61,60.61,61.64,62.6,63.61,64.64,65.69,66.66,67.64,68.65,69.61,70.78,71.7,72.68,73.68,74.7,75.69,76.7,77.9,78.69,79.69,80.69,81.69,82.69,83.69,84.69,85.69,86.69,87.69,88.69,89.69,90.68,91.68,92.69,93.69,94.68,95.69,96.69,97.69,98.69,99.69,100.71,101.69,102.69,103.72,104.87,105.81,106.88,107.77,108.83,109.79,110.79,111.87,112.88,113.87,115.01,115.86,116.86,117.86,118.86,119.86,120.88,121.86,122.87,123.87,124.86,125.86,126.97,127.87,128.87,129.9,130.91,131.9,132.94,133.9,134.89,135.9,136.9,137.9,139.01,140.01,140.97,141.97,142.98,143.98,144.98,145.99,147,147.98,148.99,149.99,150.99,151.99,152.99,153.99,155.01,155.99,156.99,157.99,159,159.99,161,162.02,163,164.01,165,166,167,168,169,170,171,172,173.01,174.01,175.06,176.03,177.03,178.03,179.03],
    heap_after_gc: [7.904,7.927,7.933,7.936,7.935,7.955,7.958,7.96,7.949,7.95,7.959,7.968,7.97,7.971,7.988,7.989,7.996,7.988,7.989,7.989,7.989,7.989,7.989,8.008,8.008,8.014,7.998,7.998,8,8,8.002,8.002,8.02,8.02,8.028,8.019,8.016,8.02,8.02,8.02,8.029,8.047,8.047,8.048,8.031,8.035,8.035,8.044,8.035,8.036,8.036,8.053,8.053,8.053,8.036,8.038,8.038,8.055,8.055,8.055,8.06,8.08,8.085,8.08,8.063,8.065,8.063,8.063,8.063,8.063,8.068,8.081,8.081,8.082,8.07,8.071,8.069,8.069,8.069,8.069,8.069,8.087,8.087,8.073,8.071,8.08,8.08,8.063,8.063,8.068,8.068,8.071,8.074,8.075,8.101,8.092,8.092,8.092,8.092,8.098,8.096,8.094,8.094,8.094,8.096,8.096,8.096,8.096,8.096,8.098,8.101,8.101,8.101,8.106,8.108,8.12,8.122,8.151,8.153,8.151,8.123,8.123,8.123,8.124,8.124,8.127,8.127,8.129,8.127,8.127,8.127,8.131,8.131,8.131,8.131,8.131,8.133,8.136,8.131,8.154,8.138,8.142,8.139,8.134,8.134,8.141,8.136,8.134,8.134,8.134,8.134,8.134,8.134,8.134,8.139,8.137,8.135,8.136,8.141,8.141,8.136,8.136,8.136,8.136,8.171,8.167,8.165,8.137,8.137,8.14,8.14,8.14,8.14,8.142,8.14,8.156,8.156,8.156],
    rss: [88.3,88.43,88.68,88.8,88.8,89.68,89.68,89.93,89.93,88.36,88.36,88.36,88.36,88.36,81.69,81.94,82.69,82.69,82.81,82.04,82,82,81.22,82.35,81.91,82.28,81.66,82.41,83.37,83.36,82.54,82.56,82.6,82.62,82.74,82.73,82.71,82.89,82.92,83.07,82.33,83.08,83.64,83.69,83.73,83.77,83.1,83.85,83.89,83.15,83.9,83.97,84.09,84.04,84.13,83.36,83.39,84.14,84.19,83.51,84.26,84.09,84.34,84.46,84.41,83.79,84.42,84.54,84.55,84.46,84.5,84.19,85.69,86.07,86.06,85.99,85.79,85.96,85.96,86.06,85.45,86.2,85.32,85.18,85.32,85.31,85.28,85.28,85.31,85.26,84.46,85.21,84.56,85.31,85.3,85.32,85.2,85.32,85.32,85.32,84.57,84.48,84.73,85.23,85.04,85.23,85.08,85.2,85.21,84.33,84.38,84.37,84.37,83.79,83.84,84.59,84.68,83.93,83.96,84.71,84.75,84.82,84.84,84.95,84.86,85.03,84.92,84.39,85.14,85.15,85.09,85.18,84.48,85.23,85.41,85.38,84.39,84.38,84.33,84.39,84.66,83.94,84.69,84.75,84.75,84.78,84.82,84.15,84.78,84.79,84.81,84.9,84.99,85,85.11,85.15,85.18,85.22,85.14,85.1,85.23,85.19,85.3,84.38,84.49,84.49,84.59,84.7,84.78,84.65,84.77,84.86,84.74,84.11,84.86,84.92,84.22,84.97],
  },
};
