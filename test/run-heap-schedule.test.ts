import { describe, expect, it } from 'vitest';
import { defaultTaskTimeoutMs, HEAP_PAUSE_BUDGET, HEAP_POINTS_FLOOR, heapMeasurementDue } from '../src/stress/run.js';

const THREE_MINUTES = 180_000;

/** The samples of a run (every `sampleMs`) that measure the heaps, each pausing `pauseMs`. */
function schedule(durationMs: number, sampleMs: number, intervalMs: number, pauseMs: number): number[] {
  const taken: number[] = [];
  let last = 0;
  let paused = 0;
  let lastPause = 0;
  for (let now = sampleMs; now <= durationMs; now += sampleMs) {
    if (!heapMeasurementDue({ nowMs: now, lastMs: last, durationMs, intervalMs, sampleIntervalMs: sampleMs, pausedMs: paused, lastPauseMs: lastPause })) continue;
    taken.push(now);
    last = now;
    paused += pauseMs;
    lastPause = pauseMs;
  }
  return taken;
}

describe('heapMeasurementDue', () => {
  it('measures at every heap interval while the pauses are cheap, the first one interval in', () => {
    const taken = schedule(THREE_MINUTES, 3000, 3000, 1);
    expect(taken[0]).toBe(3000);
    expect(taken).toHaveLength(60);
  });

  it('spaces costly measurements so that their pauses stay within the budget', () => {
    // 300 ms a measurement every 30 s would be 1% of an hour's run: held to the budget, about one a minute
    const taken = schedule(3_600_000, 5000, 30_000, 300);
    expect(taken.length * 300).toBeLessThanOrEqual(HEAP_PAUSE_BUDGET * 3_600_000 + 300);
    expect(taken.length).toBeGreaterThanOrEqual(HEAP_POINTS_FLOOR - 1);
    expect(taken.length).toBeLessThan(3_600_000 / 30_000);
  });

  it('keeps HEAP_POINTS_FLOOR measurements in a run even when they cost more than the budget', () => {
    // 300 ms a measurement in a 3-minute run: the budget alone would allow three
    const taken = schedule(THREE_MINUTES, 3000, 3000, 300);
    expect(taken.length).toBeGreaterThanOrEqual(HEAP_POINTS_FLOOR - 1);
    expect(taken.length).toBeLessThanOrEqual(HEAP_POINTS_FLOOR);
  });
});

describe('defaultTaskTimeoutMs', () => {
  it('is 30 s from 5-minute runs up, a tenth of shorter runs, and never below 10 s', () => {
    expect(defaultTaskTimeoutMs(24 * 3_600_000)).toBe(30_000);
    expect(defaultTaskTimeoutMs(300_000)).toBe(30_000);
    expect(defaultTaskTimeoutMs(THREE_MINUTES)).toBe(18_000);
    expect(defaultTaskTimeoutMs(100_000)).toBe(10_000);
    expect(defaultTaskTimeoutMs(5000)).toBe(10_000);
  });
});
