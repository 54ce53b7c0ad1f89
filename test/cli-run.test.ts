import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/audit/trail.js';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Thresholds a loaded 2-core test machine cannot miss, so that the exit code reflects the mechanism under
 * test, not the machine: these tests check files and exit codes, never timings.
 */
const lenient = join(dir, 'lenient.json');
writeFileSync(
  lenient,
  JSON.stringify({
    latency_ms: { pass: 60_000, fail: 120_000 },
    rss_mb: { pass: 4000, fail: 8000 },
    cpu_percent: { pass: 99.9, fail: 100 },
    memory_drift: { stable_percent: 1000, fail_percent_per_hour: 1e12, min_growth_percent_per_hour: 1 },
  }),
);

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('stress run (kpi workload, closed loop)', () => {
  const out = join(dir, 'kpi');
  let run: ReturnType<typeof stress>;
  beforeAll(() => {
    run = stress('run', '--duration', '4s', '--rows', '5000', '--threads', '2', '--poll', '250', '--criteria', lenient, '--out', out, '--json');
  });

  it('exits 0 with a PASS or WARN summary on stdout, the same as summary.json', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(['PASS', 'WARN']).toContain(summary.status);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    expect(summary.load).toEqual({ kind: 'closed', concurrency: 1 });
    expect(summary.workload.kind).toBe('kpi');
    expect(summary.iterations.total).toBeGreaterThan(0);
    expect(summary.iterations.failed).toBe(0);
    expect(summary.criteria.map((c: { name: string }) => c.name)).toEqual([
      'error_rate',
      'latency',
      'memory',
      'memory_drift',
      'cpu',
      'data_integrity',
      'audit_trail',
    ]);
    const integrity = summary.criteria.find((c: { name: string }) => c.name === 'data_integrity');
    expect(integrity.verdict).toBe('PASS');
    expect(summary.checkpoints).toEqual({ written: 18, planned: 18 });
    expect(summary.decisions.map((d: { checkpoint: string }) => d.checkpoint)).toEqual(['1H', '8H', '24H']);
    expect(summary.environment.node).toBe(process.version);
    expect(summary.options.rows).toBe(5000);
    expect(summary.options.poll_us).toBe(250);
    expect(summary.workload.description).toContain('workers poll 250 µs for their next task');
  });

  it('writes run.json, samples.jsonl, latency.hlog, checkpoints.jsonl, audit.jsonl and summary.md', () => {
    for (const name of ['run.json', 'samples.jsonl', 'latency.hlog', 'checkpoints.jsonl', 'audit.jsonl', 'summary.json', 'summary.md']) {
      expect(existsSync(join(out, name)), name).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest.format).toBe('loan-kpi-stress/run@1');
    expect(manifest.planned_s).toBe(4);
    expect(manifest.checkpoint_plan).toHaveLength(18);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/PASS|WARN/);
  });

  it('samples.jsonl: one JSON line per sample, counters that never go down', () => {
    const samples = lines(join(out, 'samples.jsonl'));
    expect(samples.length).toBeGreaterThan(5);
    let previous = { elapsed_s: -1, iterations: 0 };
    for (const sample of samples) {
      for (const key of ['rss_mb', 'heap_used_mb', 'external_mb', 'array_buffers_mb', 'cpu_percent']) expect(typeof sample[key], key).toBe('number');
      // heaps after GC: measured at most once a second in a run this short, and at the end
      for (const key of ['heap_after_gc_mb', 'external_after_gc_mb', 'heap_after_gc_total_mb', 'rss_after_gc_mb']) {
        expect(typeof sample[key], key).toBe(sample.heap_measured ? 'number' : 'object');
      }
      expect(sample.event_loop_delay_ms).toHaveProperty('p99');
      expect(sample.elapsed_s).toBeGreaterThan(previous.elapsed_s);
      expect(sample.iterations).toBeGreaterThanOrEqual(previous.iterations);
      previous = sample;
    }
    // heap measurements: at most one a second here (spaced further by their cost), the first a second in, and the end's
    expect(samples.filter((sample: { heap_measured: boolean; elapsed_s: number }) => sample.heap_measured && sample.elapsed_s < 4).length).toBeGreaterThanOrEqual(1);
    expect(samples.at(-1).heap_measured).toBe(true);
    for (const sample of samples) expect(typeof sample.heap_gc_pause_ms).toBe(sample.heap_measured ? 'number' : 'object');
    // the KPI pool's worker (2 threads: the calling one and one worker) reports its own heap
    expect(samples.at(-1).workers_heap_after_gc_mb).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(samples.at(-1).iterations).toBe(summary.iterations.total);
  });

  it("latency.hlog is read back by HistogramLogReader and holds every timed iteration", () => {
    const reader = new HistogramLogReader(readFileSync(join(out, 'latency.hlog'), 'utf8'), 64);
    let total = 0;
    let intervals = 0;
    for (let histogram = reader.nextIntervalHistogram(); histogram !== null; histogram = reader.nextIntervalHistogram()) {
      total += histogram.totalCount;
      intervals += 1;
    }
    const samples = lines(join(out, 'samples.jsonl'));
    expect(intervals).toBe(samples.length);
    const timed = samples.reduce((sum: number, sample: { interval: { timed: number } }) => sum + sample.interval.timed, 0);
    expect(total).toBe(timed);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(total).toBe(summary.iterations.total);
  });

  it('checkpoints.jsonl holds the 18 records of SPEC §4, and the audit trail verifies with every event', () => {
    const records = lines(join(out, 'checkpoints.jsonl'));
    expect(records.map((r: { checkpoint: string }) => r.checkpoint)).toEqual(
      ['1', '1.5', '2', '2.5', '3', '3.5', '4', '4.5', '5', '6', '7', '8', '10', '12', '14', '16', '20', '24'].map((h) => `${h}H`),
    );
    for (const record of records) {
      for (const key of ['timestamp', 'elapsed_s', 'kpi_latency_ms', 'error_rate_percent', 'memory_mb', 'cpu_percent', 'pipeline_status', 'audit_trail_events', 'validation_status']) {
        expect(record, key).toHaveProperty(key);
      }
    }
    expect(verifyTrail(join(out, 'audit.jsonl'))).toMatchObject({ ok: true, events: 1 + 18 + 1 });
    const actions = lines(join(out, 'audit.jsonl')).map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('run.start');
    expect(actions.filter((a: string) => a === 'run.checkpoint')).toHaveLength(18);
    expect(actions.at(-1)).toBe('run.complete');
  });

  it('prints the monitoring table and the summary without --json (and no progress line off a TTY)', () => {
    const text = stress('run', '--duration', '2s', '--rows', '2000', '--threads', '1', '--criteria', lenient, '--out', join(dir, 'text'));
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^checkpoint\s+elapsed/m);
    expect(text.stdout).toMatch(/^24H\s/m);
    expect(text.stdout).toMatch(/stress run: (PASS|WARN)/);
    const quiet = stress('run', '--duration', '1s', '--rows', '2000', '--threads', '1', '--criteria', lenient, '--out', join(dir, 'quiet'), '--quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toMatch(/^checkpoint\s+elapsed/m);
    expect(quiet.stdout).toMatch(/stress run: (PASS|WARN)/);
  });
});
