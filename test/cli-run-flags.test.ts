import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRate, parseRunFlags, type RunFlags } from '../src/cli/commands/run.js';
import { UsageError } from '../src/errors.js';
import { DEFAULT_CRITERIA } from '../src/stress/criteria.js';
import { defaultSampleIntervalMs, heapIntervalMs } from '../src/stress/run.js';
import { DEFAULT_POLL_MICROS } from '../src/workers/kpi-pool.js';

/** The option table of `stress run`, parsed in-process (the real-process checks are in cli-run-usage). */
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => join(root, 'test/fixtures/workloads', name);
let outs = 0;
const parse = (flags: RunFlags) => parseRunFlags({ duration: '24h', mode: 'kpi', out: join(dir, `out-${outs++}`), ...flags });

describe('stress run flags', () => {
  it('fills the defaults: 24 h, kpi over 100,000 synthetic rows, closed loop of 1, SPEC §4 criteria', () => {
    const { soak, json, quiet } = parse({ threads: '2' });
    expect(soak.durationMs).toBe(24 * 3600 * 1000);
    expect(soak.workload).toMatchObject({ kind: 'kpi', input: { kind: 'synthetic', rows: 100_000 }, threads: 2, pollMicros: DEFAULT_POLL_MICROS });
    expect(soak.load).toEqual({ kind: 'closed', concurrency: 1 });
    expect(soak.sampleIntervalMs).toBe(5000);
    expect(soak.criteria).toEqual(DEFAULT_CRITERIA);
    expect(soak.criteriaFile).toBeNull();
    expect(soak.abortOnFail).toBe(false);
    expect([json, quiet]).toEqual([false, false]);
    expect(existsSync(soak.outDir)).toBe(true);
  });

  it('derives the sample interval from short durations: duration/60, at least 250 ms, at most 5 s', () => {
    expect(defaultSampleIntervalMs(24 * 3600_000)).toBe(5000);
    expect(defaultSampleIntervalMs(180_000)).toBe(3000);
    expect(defaultSampleIntervalMs(5000)).toBe(250);
    expect(parse({ duration: '3m' }).soak.sampleIntervalMs).toBe(3000);
    expect(parse({ duration: '1m', sampleInterval: '500ms' }).soak.sampleIntervalMs).toBe(500);
  });

  it('measures the heaps after GC about 120 times a run: every sample of a 3-minute run, once a minute in a long one, at most once a second', () => {
    expect(heapIntervalMs(5000, 250)).toBe(1000);
    expect(heapIntervalMs(180_000, 3000)).toBe(3000);
    expect(heapIntervalMs(20 * 60_000, 5000)).toBe(10_000);
    expect(heapIntervalMs(3600_000, 5000)).toBe(30_000);
    expect(heapIntervalMs(24 * 3600_000, 5000)).toBe(60_000);
  });

  it('open loop: --rate, with --concurrency as the cap on iterations in flight', () => {
    expect(parse({ rate: '50', threads: '2' }).soak.load).toEqual({ kind: 'open', rate_per_s: 50, max_in_flight: 16 });
    expect(parse({ rate: '12.5/s', concurrency: '3' }).soak.load).toEqual({ kind: 'open', rate_per_s: 12.5, max_in_flight: 3 });
    expect(parseRate(' 0.5 ')).toBe(0.5);
  });

  it('workloads: --input, --mode pipeline, --workload (closed loop of one per thread)', () => {
    const tape = join(dir, 'tape.csv');
    writeFileSync(tape, 'measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd\n2025-01-31,100,90,80\n');
    expect(parse({ input: tape }).soak.workload).toMatchObject({ kind: 'kpi', input: { kind: 'file', path: tape } });
    expect(parse({ input: tape, mode: 'pipeline', threads: '2' }).soak.workload).toMatchObject({ kind: 'pipeline', input: tape, threads: 2 });
    const module = parse({ workload: fixture('noop.mjs'), threads: '3' }).soak;
    expect(module.workload).toEqual({ kind: 'module', path: fixture('noop.mjs'), threads: 3 });
    expect(module.load).toEqual({ kind: 'closed', concurrency: 3 });
    expect(parse({ input: tape, poll: '0' }).soak.workload).toMatchObject({ kind: 'kpi', pollMicros: 0 });
    expect(parse({ poll: '250' }).soak.workload).toMatchObject({ kind: 'kpi', pollMicros: 250 });
  });

  it('rejects bad values and combinations with a UsageError naming the flag', () => {
    const tape = join(dir, 'tape2.csv');
    writeFileSync(tape, 'x\n');
    for (const [flags, message] of [
      [{ duration: '5' }, /--duration/],
      [{ duration: '1.5h' }, /--duration/],
      [{ duration: '0s' }, /--duration/],
      [{ duration: '8d' }, /--duration/],
      [{ duration: '30s30m' }, /--duration/],
      [{ duration: '5s', sampleInterval: '100ms' }, /--sample-interval/],
      [{ duration: '5s', sampleInterval: '6s' }, /--sample-interval/],
      [{ rows: 'lots' }, /--rows/],
      [{ threads: '0' }, /--threads/],
      [{ concurrency: '0' }, /--concurrency/],
      [{ rate: '0' }, /--rate/],
      [{ rate: 'fast' }, /--rate/],
      [{ mode: 'batch' }, /--mode/],
      [{ mode: 'pipeline' }, /--input/],
      [{ rows: '10', input: tape }, /--rows and --input/],
      [{ workload: fixture('noop.mjs'), rows: '10' }, /--workload/],
      [{ workload: fixture('noop.mjs'), mode: 'pipeline' }, /--workload/],
      [{ input: join(dir, 'missing.csv') }, /--input/],
      [{ workload: join(dir, 'missing.mjs') }, /--workload/],
      [{ criteria: join(dir, 'missing.json') }, /--criteria/],
      [{ poll: '-5' }, /--poll/],
      [{ poll: '10001' }, /--poll/],
      [{ poll: '50', workload: fixture('noop.mjs') }, /--poll/],
      [{ poll: '50', mode: 'pipeline', input: tape }, /--poll/],
    ] as const) {
      expect(() => parse(flags as RunFlags), JSON.stringify(flags)).toThrow(UsageError);
      expect(() => parse(flags as RunFlags), JSON.stringify(flags)).toThrow(message);
    }
  });
});
