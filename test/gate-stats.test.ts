import { describe, expect, it } from 'vitest';
import { combineRounds, judgePairedRound, judgeCalibratedRound, type RoundResult } from '../src/gate/compare.js';
import {
  bootstrapCalibratedRatio,
  bootstrapMedian,
  confirmedVerdict,
  gateFails,
  median,
  quantile,
  roundVerdict,
  seededRandom,
  type Random,
} from '../src/gate/stats.js';
import { SUITE } from '../src/gate/suite.js';
import { parseOnly, parseThresholds } from '../src/cli/commands/gate.js';

/** A Random that returns the given numbers in turn, so that every resample can be worked out by hand. */
function scripted(values: readonly number[]): Random {
  let next = 0;
  return () => {
    if (next >= values.length) throw new Error('scripted random ran out');
    return values[next++]!;
  };
}

describe('gate statistics: quantiles', () => {
  it('median of odd and even counts, unsorted input', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('quantiles interpolate between ranks (type 7)', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.25)).toBe(2);
    expect(quantile([10, 20], 0.3)).toBeCloseTo(13, 12);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
  });

  it('rejects no values and quantiles outside [0, 1]', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
});

describe('gate statistics: bootstrap', () => {
  it('draws indices from the generator in order and takes the percentile interval of the resampled medians', () => {
    // resamples of [1, 2, 4] by index floor(u·3): [0,0,1] → median 1; [2,2,1] → 4; [0,1,2] → 2; [1,1,1] → 2.
    // Sorted medians [1, 2, 2, 4]; a 50% interval is their 0.25 and 0.75 quantiles: 1.75 and 2.5.
    const random = scripted([0, 0, 0.5, 0.9, 0.9, 0.5, 0, 0.5, 0.9, 0.4, 0.4, 0.4]);
    expect(bootstrapMedian([1, 2, 4], random, { resamples: 4, confidence: 0.5 })).toEqual({ estimate: 2, low: 1.75, high: 2.5 });
  });

  it('the same seed gives the same interval; equal ratios give a zero-width interval', () => {
    const ratios = [0.97, 1.31, 1.12, 1.25, 1.08, 1.4, 1.22, 0.99, 1.18];
    const a = bootstrapMedian(ratios, seededRandom(42));
    const b = bootstrapMedian(ratios, seededRandom(42));
    expect(a).toEqual(b);
    expect(a.estimate).toBe(1.18);
    expect(a.low).toBeGreaterThanOrEqual(0.97);
    expect(a.high).toBeLessThanOrEqual(1.4);
    expect(a.low).toBeLessThan(a.estimate);
    expect(bootstrapMedian([1.3, 1.3, 1.3], seededRandom(1))).toEqual({ estimate: 1.3, low: 1.3, high: 1.3 });
  });

  it('seeded generator: repeatable stream in [0, 1), different for another seed', () => {
    const one = seededRandom(7);
    const again = seededRandom(7);
    const other = seededRandom(8);
    const first = Array.from({ length: 5 }, () => one());
    expect(Array.from({ length: 5 }, () => again())).toEqual(first);
    expect(Array.from({ length: 5 }, () => other())).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('calibrated ratio: scaled by the calibration medians; resamples current, base, then both calibrations', () => {
    const current = { values: [3, 6], calibration: [1, 1] };
    const base = { values: [2, 2], calibration: [1, 2] };
    // estimate: (4.5 / 2) / (1 / 1.5) = 3.375. The one resample: current [3, 3], base [2, 2], current
    // calibration [1, 1], base calibration [2, 2] → (3 / 2) / (1 / 2) = 3.
    const random = scripted([0, 0, 0.9, 0.9, 0, 0, 0.9, 0.9]);
    expect(bootstrapCalibratedRatio(current, base, random, { resamples: 1 })).toEqual({ estimate: 3.375, low: 3, high: 3 });
  });

  it('rejects empty sample sets and bad options', () => {
    expect(() => bootstrapMedian([], seededRandom(1))).toThrow(RangeError);
    expect(() => bootstrapMedian([1], seededRandom(1), { resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMedian([1], seededRandom(1), { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapCalibratedRatio({ values: [1], calibration: [] }, { values: [1], calibration: [1] }, seededRandom(1))).toThrow(
      /no current calibration samples/,
    );
  });
});

describe('gate decision', () => {
  it('a regression needs the whole interval above 1 + threshold; an improvement wholly below 1 − threshold', () => {
    expect(roundVerdict({ estimate: 1.2, low: 1.11, high: 1.3 }, 0.1)).toBe('regression');
    // touching the limit is not "wholly above"
    expect(roundVerdict({ estimate: 1.2, low: 1.1, high: 1.3 }, 0.1)).toBe('no change');
    expect(roundVerdict({ estimate: 1.3, low: 1.05, high: 1.5 }, 0.1)).toBe('no change');
    expect(roundVerdict({ estimate: 0.8, low: 0.7, high: 0.89 }, 0.1)).toBe('improvement');
    expect(roundVerdict({ estimate: 0.8, low: 0.7, high: 0.9 }, 0.1)).toBe('no change');
    expect(roundVerdict({ estimate: 1.2, low: 1.11, high: 1.3 }, 0.15)).toBe('no change');
  });

  it('only a regression found again by the second round is confirmed, and only that fails the gate', () => {
    expect(confirmedVerdict('regression', 'regression')).toBe('regression');
    expect(confirmedVerdict('regression', 'no change')).toBe('not confirmed');
    expect(confirmedVerdict('regression', 'improvement')).toBe('not confirmed');
    expect(confirmedVerdict('regression', null)).toBe('not confirmed');
    expect(confirmedVerdict('improvement', null)).toBe('improvement');
    expect(confirmedVerdict('no change', null)).toBe('no change');
    expect(gateFails(['no change', 'not confirmed', 'improvement', 'not comparable'])).toBe(false);
    expect(gateFails(['no change', 'regression'])).toBe(true);
  });

  it('a paired round: ratios of block medians, medians of the block values', () => {
    const samples = {
      base: [
        [1, 1, 5],
        [2, 2, 1],
        [4, 4, 4],
      ],
      current: [
        [1.5, 9, 1.5],
        [3, 3, 3],
        [6, 0, 6],
      ],
      calibration: [],
    };
    // block medians: base 1, 2, 4; current 1.5, 3, 6 → every pair ratio is 1.5
    const result = judgePairedRound(samples, 0.1, seededRandom(1));
    expect(result).toEqual({
      base_median: 2,
      current_median: 3,
      ratio: { estimate: 1.5, low: 1.5, high: 1.5 },
      verdict: 'regression',
      blocks: 3,
      pair_ratios: [1.5, 1.5, 1.5],
    });
  });

  it('a calibrated round: a machine twice as slow now cancels a doubling of the times', () => {
    const samples = { base: [], current: [[4], [4], [4]], calibration: [20, 20, 20] };
    const result = judgeCalibratedRound(samples, { blocks: [2, 2], calibration: [10, 10] }, 0.1, seededRandom(1));
    expect(result.ratio).toEqual({ estimate: 1, low: 1, high: 1 });
    expect(result.verdict).toBe('no change');
    expect(result.base_median).toBe(2);
    expect(result.current_median).toBe(4);
  });

  it('combining rounds: confirmation, and a reason for what could not be compared', () => {
    const round = (low: number, verdict: RoundResult['verdict']): RoundResult => ({
      base_median: 1,
      current_median: 1.3,
      ratio: { estimate: 1.3, low, high: 1.4 },
      verdict,
      blocks: 8,
    });
    const benchmarks = SUITE.filter((b) => ['kpi-100k', 'kpi-1m', 'soak-p99'].includes(b.name));
    const input = { benchmarks, thresholds: parseThresholds([]), seed: 1, baseline: null };
    const results = combineRounds(
      input,
      new Map([
        ['kpi-1m', round(1.2, 'regression')],
        ['soak-p99', round(1.2, 'regression')],
      ]),
      new Map([
        ['kpi-1m', round(1.15, 'regression')],
        ['soak-p99', round(1.0, 'no change')],
      ]),
      new Map([['kpi-100k', 'base: workers/kpi-pool.js has no KpiPool.open']]),
    );
    expect(results.map((r) => [r.name, r.verdict, r.rounds.length])).toEqual([
      ['kpi-100k', 'not comparable', 0],
      ['kpi-1m', 'regression', 2],
      ['soak-p99', 'not confirmed', 2],
    ]);
    expect(results[0]!.reason).toBe('base: workers/kpi-pool.js has no KpiPool.open');
  });
});

describe('gate options', () => {
  it('thresholds: a default for all, per-benchmark overrides, percent or fraction', () => {
    expect(parseThresholds([]).get('kpi-1m')).toBe(0.1);
    const set = parseThresholds(['15%', 'kpi-1m=0.2']);
    expect(set.get('kpi-100k')).toBe(0.15);
    expect(set.get('kpi-1m')).toBe(0.2);
    expect(() => parseThresholds(['1.5'])).toThrow(/above 0 and below 1/);
    expect(() => parseThresholds(['kpi-2m=0.1'])).toThrow(/no benchmark "kpi-2m"/);
    expect(() => parseThresholds(['ten'])).toThrow(/takes 0.15, 15% or BENCHMARK=0.15/);
  });

  it('--only keeps the suite order and rejects unknown names', () => {
    expect(parseOnly('soak-p99,kpi-1m').map((b) => b.name)).toEqual(['kpi-1m', 'soak-p99']);
    expect(parseOnly(undefined)).toHaveLength(SUITE.length);
    expect(() => parseOnly('kpi-1m,nope')).toThrow(/no benchmark "nope"/);
  });
});
