import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadSizeError, runLoad, type LoadProgress, type LoadSizeResult } from '../src/stress/load.js';

function expectOrderedLatency(result: LoadSizeResult): void {
  const l = result.latency_ms;
  expect(l.p50).toBeGreaterThan(0);
  expect(l.min).toBeLessThanOrEqual(l.p50);
  expect(l.p50).toBeLessThanOrEqual(l.p90);
  expect(l.p90).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.max);
  expect(l.mean).toBeGreaterThan(0);
  expect(l.mean).toBeLessThanOrEqual(l.max);
}

describe('runLoad on a synthetic tape', () => {
  it('measures each size for exactly the iterations asked, on the calling thread below the crossover', async () => {
    const events: LoadProgress['type'][] = [];
    const report = await runLoad(
      { sizes: [5000, 1000], threads: 2, stop: { kind: 'iterations', iterations: 5 } },
      (event) => events.push(event.type),
    );
    expect(report.kind).toBe('load');
    expect(report.loop).toBe('closed');
    expect(report.in_flight).toBe(1);
    expect(report.measured).toMatch(/closed loop/i);
    expect(report.input).toMatchObject({ kind: 'synthetic', rows: 5000 });
    expect(report.ingest_ms).toBeGreaterThan(0);
    expect(report.threads).toBe(2);
    expect(report.results.map((r) => r.rows)).toEqual([1000, 5000]);
    for (const result of report.results) {
      expect(result.iterations).toBe(5);
      expect(result.stopped_by).toBe('iterations');
      expect(result.below_crossover).toBe(true);
      expect(result.computed_on).toBe('calling thread');
      expect(result.threads_used).toBe(1);
      expect(result.snapshots).toBeGreaterThan(0);
      expect(result.warmup_iterations).toBeGreaterThanOrEqual(5);
      expect(result.rows_per_sec).toBeGreaterThan(0);
      expect(result.rss_mb).toBeGreaterThan(0);
      expect(result.rss_mb).toBeGreaterThanOrEqual(result.rss_before_mb);
      expect(result.rss_mb).toBeGreaterThanOrEqual(result.rss_after_mb);
      expect(result.heap_used_after_mb).toBeGreaterThan(0);
      expect(result.cpu_percent).toBeGreaterThanOrEqual(0);
      expectOrderedLatency(result);
    }
    expect(Number.isFinite(report.growth_exponent)).toBe(true);
    expect(report.growth_steps).toHaveLength(1);
    expect(report.growth_note).toBeNull();
    expect(report.interrupted).toBe(false);
    expect(events).toEqual(['input', 'size-start', 'size-done', 'size-start', 'size-done']);
  });

  it('uses the pool at and above the crossover, and notes an exponent that spans both paths', async () => {
    const report = await runLoad({ sizes: [1000, 3000], threads: 2, crossoverRows: 2000, stop: { kind: 'iterations', iterations: 5 } });
    const [small, large] = report.results;
    expect(small).toMatchObject({ rows: 1000, below_crossover: true, computed_on: 'calling thread', threads_used: 1, iterations: 5 });
    expect(large).toMatchObject({ rows: 3000, below_crossover: false, computed_on: 'pool', threads_used: 2, iterations: 5 });
    expectOrderedLatency(large!);
    expect(report.growth_note).toMatch(/two code paths/);
  });

  it('stops on time after at least one iteration', async () => {
    const report = await runLoad({ sizes: [2000], threads: 1, stop: { kind: 'seconds', seconds: 0.05 }, warmup: { seconds: 0, iterations: 0 } });
    const [only] = report.results;
    expect(only!.iterations).toBeGreaterThanOrEqual(1);
    expect(only!.stopped_by).toBe('seconds');
    expect(only!.warmup_iterations).toBe(0);
    expect(only!.wall_s).toBeGreaterThanOrEqual(0.05);
    expect(report.growth_exponent).toBeNull();
  });

  it('returns what it had when interrupted', async () => {
    const controller = new AbortController();
    const report = await runLoad(
      { sizes: [1000, 2000, 3000], threads: 1, stop: { kind: 'iterations', iterations: 3 }, signal: controller.signal },
      (event) => {
        if (event.type === 'size-done') controller.abort();
      },
    );
    expect(report.interrupted).toBe(true);
    expect(report.results.map((r) => r.rows)).toEqual([1000]);
  });
});

describe('runLoad on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stress-load-'));
  const file = join(dir, 'tape.csv');
  const lines = ['loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,dpd_30_60_usd,cash_available_usd'];
  for (let i = 0; i < 300; i++) lines.push(`L${i % 100},2025-0${1 + Math.floor(i / 100)}-28,${1000 + i},${900 + i},${800 + i},${i % 7},${i % 11}.5`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures evenly spaced samples of the file, each holding every date, and without sizes the whole file', async () => {
    const report = await runLoad({ input: { kind: 'file', path: file }, threads: 1, stop: { kind: 'iterations', iterations: 3 } });
    expect(report.input).toMatchObject({ kind: 'file', path: file, rows: 300, dates: 3 });
    expect(report.results.map((r) => r.rows)).toEqual([300]);
    expect(report.results[0]!.snapshots).toBe(3);
    // the file holds its dates one after another: its first 100 rows would hold one date
    const samples = await runLoad({ input: { kind: 'file', path: file }, sizes: [100, 300], threads: 1, stop: { kind: 'iterations', iterations: 3 } });
    expect(samples.results.map((r) => [r.rows, r.snapshots])).toEqual([
      [100, 3],
      [300, 3],
    ]);
  });

  it('rejects a size larger than the file, naming its row count', async () => {
    const run = runLoad({ input: { kind: 'file', path: file }, sizes: [100, 1000], threads: 1, stop: { kind: 'iterations', iterations: 1 } });
    await expect(run).rejects.toBeInstanceOf(LoadSizeError);
    await expect(run).rejects.toThrow(/300 rows of/);
  });
});
