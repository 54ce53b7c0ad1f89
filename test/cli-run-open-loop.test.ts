import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lenient = join(dir, 'lenient.json');
writeFileSync(lenient, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));

describe('stress run --rate (open loop)', () => {
  it('runs a workload module at a fixed rate; the summary says so, with its late starts', () => {
    const out = join(dir, 'open');
    const workload = join(root, 'test/fixtures/workloads/noop.mjs');
    const { code, stdout, stderr } = stress('run', '--duration', '3s', '--rate', '40/s', '--threads', '1', '--workload', workload, '--criteria', lenient, '--out', out, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.load.kind).toBe('open');
    expect(summary.load.rate_per_s).toBe(40);
    // what the open loop counted: late starts and skipped ones (as the last sample has them), the cap on
    // iterations in flight and the most that were
    const last = JSON.parse(readFileSync(join(out, 'samples.jsonl'), 'utf8').trimEnd().split('\n').at(-1)!);
    expect(summary.load).toEqual({ kind: 'open', rate_per_s: 40, max_in_flight: 16, peak_in_flight: last.peak_in_flight, late_starts: last.late_starts, skipped: last.skipped });
    expect(last.peak_in_flight).toBeGreaterThanOrEqual(1);
    expect(last.peak_in_flight).toBeLessThanOrEqual(16);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md).toContain(`- load: open loop at 40.00/s (latency from intended start), ${last.late_starts} late start`);
    expect(md).toMatch(/\d+ skipped starts? \(never run: more than 16 were already due\); up to 16 in flight allowed, at most \d+ were/);
    // a workload module has no reference result: data integrity does not apply, and does not make the run WARN
    const integrity = summary.criteria.find((c: { name: string }) => c.name === 'data_integrity');
    expect(integrity).toMatchObject({ verdict: 'N/A', measured: null });
    expect(md).toMatch(/\| data integrity \| .* \| \*\*N\/A\*\* \| not applicable/);
    expect(summary.status_reason).not.toMatch(/integrity/);
    const text = stress('report', out);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/open loop at 40\.00\/s .* late starts?, \d+ skipped starts?/);
    expect(text.stdout).toMatch(/data integrity\s+n\/a\s+N\/A/);
    // iteration k is due at k/40 s: no more than that can have run
    expect(summary.iterations.total).toBeLessThanOrEqual(Math.floor(summary.duration.actual_s * 40) + 1);
    expect(summary.iterations.total).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest.load).toEqual({ kind: 'open', rate_per_s: 40, max_in_flight: 16 });
    const reader = new HistogramLogReader(readFileSync(join(out, 'latency.hlog'), 'utf8'), 64);
    let total = 0;
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) total += h.totalCount;
    expect(total).toBe(summary.iterations.total);
  });
});

describe('stress run --mode pipeline', () => {
  it('re-reads and validates the input every iteration and compares each result with the reference', () => {
    const tape = join(dir, 'tape.csv');
    const generated = stress('generate', '--rows', '2000', '--dates', '3', '--out', tape);
    expect(generated.code, generated.stderr).toBe(0);
    const out = join(dir, 'pipeline');
    const { code, stdout, stderr } = stress('run', '--duration', '3s', '--mode', 'pipeline', '--input', tape, '--threads', '2', '--criteria', lenient, '--out', out, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.workload.kind).toBe('pipeline');
    expect(summary.iterations.total).toBeGreaterThan(0);
    expect(summary.iterations.failed).toBe(0);
    const integrity = summary.criteria.find((c: { name: string }) => c.name === 'data_integrity');
    expect(integrity.verdict).toBe('PASS');
    expect(integrity.detail).toMatch(new RegExp(`^${summary.iterations.total} results compared, 0 differed`));
    // the workers report their heaps: the drift series covers them
    const sample = JSON.parse(readFileSync(join(out, 'samples.jsonl'), 'utf8').trimEnd().split('\n').at(-1)!);
    expect(sample.workers_heap_after_gc_mb).toHaveLength(2);
  });

  it('the kpi workload over --input compares with the reference too', () => {
    const tape = join(dir, 'tape.csv');
    const { code, stdout } = stress('run', '--duration', '2s', '--input', tape, '--threads', '2', '--criteria', lenient, '--out', join(dir, 'kpi-file'), '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary.workload.description).toMatch(/tape\.csv/);
    expect(summary.criteria.find((c: { name: string }) => c.name === 'data_integrity').verdict).toBe('PASS');
  });
});
