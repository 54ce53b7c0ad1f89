import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-fail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const fixture = (name: string) => join(root, 'test/fixtures/workloads', name);
const lenient = join(dir, 'lenient.json');
writeFileSync(lenient, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));

describe('stress run of a failing workload', () => {
  it('a workload that throws every time: FAIL, exit 1, errors counted by message', () => {
    const out = join(dir, 'throws');
    const { code, stdout, stderr } = stress('run', '--duration', '2s', '--threads', '2', '--workload', fixture('throws.mjs'), '--criteria', lenient, '--out', out, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const summary = JSON.parse(stdout);
    expect(summary.status).toBe('FAIL');
    expect(summary.stop.kind).toBe('completed');
    expect(summary.iterations.failed).toBe(summary.iterations.total);
    expect(summary.iterations.errors_by_kind).toEqual({ 'this workload always fails': summary.iterations.total });
    expect(summary.criteria.find((c: { name: string }) => c.name === 'error_rate').verdict).toBe('FAIL');
    expect(summary.latency_ms).toBeNull();
    expect(readFileSync(join(out, 'audit.jsonl'), 'utf8')).toMatch(/"action":"run.fail"/);
  });

  it('--abort-on-fail stops a failing run early, with the failed criterion as the reason', () => {
    const out = join(dir, 'abort');
    const { code, stdout } = stress(
      'run',
      '--duration',
      '1m',
      '--threads',
      '1',
      '--workload',
      fixture('throws.mjs'),
      '--criteria',
      lenient,
      '--abort-on-fail',
      '--out',
      out,
      '--json',
    );
    expect(code).toBe(1);
    const summary = JSON.parse(stdout);
    expect(summary.status).toBe('FAIL');
    expect(summary.stop.kind).toBe('aborted');
    expect(summary.stop.reason).toMatch(/error_rate/);
    expect(summary.duration.actual_s).toBeLessThan(60);
    const checkpoints = readFileSync(join(out, 'checkpoints.jsonl'), 'utf8').trimEnd().split('\n');
    expect(JSON.parse(checkpoints.at(-1)!).checkpoint).toBe('end');
  });

  it('a workload failing one iteration in ten: error rate above 5%, FAIL; setup() ran in every worker first', () => {
    const sometimes = stress('run', '--duration', '2s', '--threads', '1', '--workload', fixture('fails-sometimes.mjs'), '--criteria', lenient, '--out', join(dir, 'sometimes'), '--json');
    expect(sometimes.code).toBe(1);
    const summary = JSON.parse(sometimes.stdout);
    expect(summary.iterations.errors_by_kind).toEqual({ 'RangeError: every tenth call fails': Math.floor(summary.iterations.total / 10) });

    const setup = stress('run', '--duration', '2s', '--threads', '2', '--workload', fixture('with-setup.mjs'), '--criteria', lenient, '--out', join(dir, 'setup'), '--json');
    const ok = JSON.parse(setup.stdout);
    expect(ok.iterations.total).toBeGreaterThan(0);
    expect(ok.iterations.failed).toBe(0);
    expect(setup.code).toBe(0);
  });
});
