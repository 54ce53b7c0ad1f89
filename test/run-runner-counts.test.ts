import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CRITERIA, type Criteria } from '../src/stress/criteria.js';
import { readHlog } from '../src/stress/hlog.js';
import { INTEGRITY_ERROR, MAX_ERROR_KINDS, OTHER_ERRORS, runSoakOn, type RunOptions, type SoakEvent } from '../src/stress/run.js';
import type { SampleRecord } from '../src/stress/run-dir.js';
import type { Workload } from '../src/stress/workloads.js';

/** The runner's bookkeeping, in-process, with workloads whose outcomes are known in advance. */
const dir = mkdtempSync(join(tmpdir(), 'run-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lenient: Criteria = {
  ...DEFAULT_CRITERIA,
  latency_ms: { pass: 60_000, fail: 120_000, sustained_minutes: 15 },
  cpu_percent: { pass: 99.9, fail: 100 },
  rss_mb: { pass: 4000, fail: 8000 },
  memory_drift: { stable_percent: 1000, fail_percent_per_hour: 1e12, min_growth_percent_per_hour: 1 },
};

let runs = 0;
function options(overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    durationMs: 1500,
    load: { kind: 'closed', concurrency: 2 },
    sampleIntervalMs: 250,
    criteria: lenient,
    criteriaFile: null,
    outDir: mkdtempSync(join(dir, `run-${runs++}-`)),
    abortOnFail: false,
    recordedOptions: {},
    ...overrides,
  };
}

/** A workload from a function of the call number (1-based): it returns true/false or throws. */
function fake(outcome: (call: number) => boolean | Promise<boolean>, checksIntegrity = true): Workload & { calls: number } {
  const workload = {
    calls: 0,
    info: { kind: 'module' as const, description: 'a test workload' },
    threads: 1,
    checksIntegrity,
    endsThroughEventLoop: true,
    workerHeaps: null,
    async iterate() {
      workload.calls += 1;
      const call = workload.calls;
      // a macrotask per iteration, like a real pool round trip
      await new Promise((resolve) => setImmediate(resolve));
      return outcome(call);
    },
    close: async () => {},
  };
  return workload;
}

const samplesOf = (out: string): SampleRecord[] =>
  readFileSync(join(out, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('the soak runner', () => {
  it('counts every completed iteration once: summary, last sample and latency.hlog agree', async () => {
    const workload = fake(() => true);
    const opts = options();
    const { summary } = await runSoakOn(workload, opts);
    expect(summary.iterations.total).toBe(workload.calls);
    expect(summary.iterations.failed).toBe(0);
    const samples = samplesOf(opts.outDir);
    expect(samples.at(-1)!.iterations).toBe(workload.calls);
    expect(samples.at(-1)!.integrity_checked).toBe(workload.calls);
    const hlog = readHlog(readFileSync(join(opts.outDir, 'latency.hlog'), 'utf8'));
    expect(hlog.total.totalCount).toBe(workload.calls);
    expect(hlog.intervals).toBe(samples.length);
    expect(summary.status).not.toBe('FAIL');
  });

  it('counts thrown errors by message and integrity mismatches as their own kind; only returned iterations are timed', async () => {
    const workload = fake((call) => {
      if (call % 5 === 0) throw new Error(`boom ${call % 2 === 0 ? 'even' : 'odd'}`);
      if (call % 7 === 0) return false;
      return true;
    });
    const opts = options();
    const { summary } = await runSoakOn(workload, opts);
    const errors = summary.iterations.errors_by_kind;
    const thrown = Math.floor(workload.calls / 5);
    const mismatches = Math.floor(workload.calls / 7) - Math.floor(workload.calls / 35);
    expect((errors['boom even'] ?? 0) + (errors['boom odd'] ?? 0)).toBe(thrown);
    expect(errors[INTEGRITY_ERROR]).toBe(mismatches);
    expect(summary.iterations.failed).toBe(thrown + mismatches);
    expect(summary.iterations.total).toBe(workload.calls);
    const hlog = readHlog(readFileSync(join(opts.outDir, 'latency.hlog'), 'utf8'));
    expect(hlog.total.totalCount).toBe(workload.calls - thrown);
    expect(summary.status).toBe('FAIL');
    expect(summary.criteria.find((c) => c.name === 'data_integrity')!.verdict).toBe('FAIL');
  });

  it('keeps at most MAX_ERROR_KINDS distinct messages; the rest are counted together', async () => {
    const workload = fake((call) => {
      throw new Error(`failure number ${call}`);
    });
    const { summary } = await runSoakOn(workload, options({ durationMs: 600 }));
    const kinds = Object.keys(summary.iterations.errors_by_kind);
    expect(kinds).toHaveLength(MAX_ERROR_KINDS + 1);
    expect(summary.iterations.errors_by_kind[OTHER_ERRORS]).toBe(workload.calls - MAX_ERROR_KINDS);
  });

  it('--abort-on-fail stops at once on an integrity mismatch', async () => {
    const workload = fake((call) => call !== 50);
    const events: SoakEvent[] = [];
    const opts = options({ durationMs: 60_000, abortOnFail: true });
    const { summary, stop } = await runSoakOn(workload, opts, (event) => events.push(event));
    expect(stop).toMatchObject({ kind: 'aborted', criterion: 'data_integrity' });
    expect(summary.status).toBe('FAIL');
    expect(summary.stop.kind).toBe('aborted');
    expect(summary.duration.actual_s).toBeLessThan(60);
    expect(events.some((e) => e.type === 'stopping')).toBe(true);
    expect(events.at(-1)!.type).toBe('end');
    expect(readFileSync(join(opts.outDir, 'audit.jsonl'), 'utf8')).toMatch(/"action":"run.fail"/);
  });

  it('emits start, progress, samples, checkpoints and end, in that order of first appearance', async () => {
    const seen: string[] = [];
    await runSoakOn(fake(() => true), options({ durationMs: 2500 }), (event) => {
      if (!seen.includes(event.type)) seen.push(event.type);
    });
    expect(seen[0]).toBe('start');
    expect(seen.at(-1)).toBe('end');
    for (const type of ['progress', 'sample', 'checkpoint', 'stopping']) expect(seen).toContain(type);
  });

  it('yields to the event loop in a closed loop whose iterations end in microtasks alone, so that timers, samples and the stop still come', async () => {
    let calls = 0;
    // Without the runner's yield nothing else would ever run on this thread, not even the test's timeout: past
    // 15 s of a 1.5 s run the workload lets the event loop turn itself, and the test fails on that.
    const giveUpAt = performance.now() + 15_000;
    let starved = false;
    const microtasksOnly: Workload = {
      info: { kind: 'kpi', description: 'an iteration that never leaves the microtask queue' },
      threads: 1,
      checksIntegrity: false,
      endsThroughEventLoop: false,
      workerHeaps: null,
      iterate: async () => {
        calls += 1;
        if (calls % 1000 === 0 && performance.now() > giveUpAt) {
          starved = true;
          await new Promise((resolve) => setImmediate(resolve));
        }
        return true;
      },
      close: async () => {},
    };
    const opts = options({ durationMs: 1500, load: { kind: 'closed', concurrency: 1 } });
    const { summary } = await runSoakOn(microtasksOnly, opts);
    expect(starved).toBe(false);
    expect(summary.status).not.toBe('INTERRUPTED');
    expect(summary.iterations.total).toBe(calls);
    // samples every 250 ms over 1.5 s, taken between iterations
    expect(samplesOf(opts.outDir).length).toBeGreaterThanOrEqual(4);
  }, 30_000);
});

describe('the open loop', () => {
  it('measures from the intended start, counts late starts, and skips rather than queue without bound', async () => {
    // 100 arrivals a second, at most 2 in flight, each taking ≥ 40 ms: the system keeps up with 50 a second at best
    // at least 40 ms by the runner's own clock: a timer may fire a little early by it, since libuv counts
    // from the time it cached at the start of the loop's turn
    const workload = fake(async () => {
      const start = performance.now();
      while (performance.now() - start < 40) await new Promise((resolve) => setTimeout(resolve, 40 - (performance.now() - start)));
      return true;
    });
    const opts = options({ durationMs: 2000, load: { kind: 'open', rate_per_s: 100, max_in_flight: 2 } });
    const { summary } = await runSoakOn(workload, opts);
    expect(summary.load.kind).toBe('open');
    const last = samplesOf(opts.outDir).at(-1)!;
    expect(summary.load).toEqual({ kind: 'open', rate_per_s: 100, max_in_flight: 2, peak_in_flight: 2, late_starts: last.late_starts, skipped: last.skipped });
    expect(last.late_starts).toBeGreaterThan(0);
    expect(last.skipped).toBeGreaterThan(0);
    // every iteration due was started, skipped, or still waiting (at most max_in_flight) when the run stopped
    expect(summary.iterations.total + last.skipped).toBeLessThanOrEqual(Math.ceil(summary.duration.actual_s * 100) + 1);
    // (no lower bound: how many arrivals the scheduler's timer saw before the stop depends on the machine's load)
    // waiting for a slot counts: a 40 ms iteration is never measured below 40 ms, and the waits push the median up
    // (less the histogram's resolution: 3 significant digits, a bucket's lowest value is what it reports)
    expect(summary.latency_ms!.min).toBeGreaterThanOrEqual(40 * (1 - 1e-3));
  });

  it('never starts iterations ahead of the schedule', async () => {
    const workload = fake(() => true);
    const opts = options({ durationMs: 1500, load: { kind: 'open', rate_per_s: 20, max_in_flight: 4 } });
    const { summary } = await runSoakOn(workload, opts);
    const last = samplesOf(opts.outDir).at(-1)!;
    // iteration k is due at k / 20 s: started and skipped ones together never run ahead of the schedule (a
    // loaded machine may skip some, so their number is not asserted: it depends on timing)
    expect(summary.iterations.total + last.skipped).toBeLessThanOrEqual(Math.floor(summary.duration.actual_s * 20) + 1);
    expect(summary.iterations.total).toBeGreaterThan(0);
  });
});
