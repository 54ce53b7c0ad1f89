/**
 * `stress run --inject`: every kind of fault, acted out by real worker threads under the real command, for the
 * KPI workload and a workload module. Rates are high so that each fault happens in a run of seconds; what is
 * asserted is what the run counted, that it went on after the fault, and the exit code its criteria give.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INJECTED_THROW_MESSAGE } from '../src/workers/faults.js';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-inject-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noop = join(root, 'test/fixtures/workloads/noop.mjs');

/** Latency, CPU, RSS and drift out of reach of a loaded test machine: only the error rate judges these runs. */
function criteria(name: string, errorRate: { pass: number; fail: number }): string {
  const path = join(dir, `${name}.criteria.json`);
  writeFileSync(
    path,
    JSON.stringify({
      error_rate_percent: errorRate,
      latency_ms: { pass: 60_000, fail: 120_000 },
      rss_mb: { pass: 4000, fail: 8000 },
      cpu_percent: { pass: 99.9, fail: 100 },
      memory_drift: { stable_percent: 1000, fail_percent_per_hour: 1e12, min_growth_percent_per_hour: 1 },
    }),
  );
  return path;
}
const strictErrors = criteria('strict', { pass: 0.1, fail: 5 });
const lenientErrors = criteria('lenient', { pass: 0.1, fail: 95 });

interface Sample {
  iterations: number;
  failed: number;
  errors_by_kind: Record<string, number>;
  heap_measured: boolean;
  workers_heap_after_gc_mb: number[] | null;
  workers_external_after_gc_mb: number[] | null;
}

/**
 * Every run but the hang's gives iterations a minute before they are abandoned: a loaded test machine can hold
 * an iteration for seconds, and a timeout would be a fault these runs do not test.
 */
function soak(name: string, args: readonly string[]) {
  const out = join(dir, name);
  const timeout = args.includes('--task-timeout') ? [] : ['--task-timeout', '1m'];
  const result = spawnSync(process.execPath, [cli, 'run', '--threads', '2', ...timeout, ...args, '--out', out, '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Sample);
  return { code: result.status, stderr: result.stderr, summary: JSON.parse(result.stdout), samples };
}

/** Iterations succeeded after the first sample that counted `kind`: the run went on past the fault. */
function succeededAfterFirst(samples: readonly Sample[], kind: string): number {
  const first = samples.find((sample) => (sample.errors_by_kind[kind] ?? 0) > 0);
  expect(first, `a sample counting ${kind}`).toBeDefined();
  const last = samples.at(-1)!;
  return last.iterations - last.failed - (first!.iterations - first!.failed);
}

const workloads = [
  ['a workload module', ['--workload', noop]],
  ['the KPI workload', ['--rows', '20000']],
] as const;

describe.each(workloads)('stress run --inject, %s', (label, workload) => {
  const tag = label.includes('KPI') ? 'kpi' : 'module';

  it('worker-crash: each crash is counted as worker_crash, the worker replaced, the run goes on; FAIL by the error rate, exit 1', () => {
    const { code, stderr, summary, samples } = soak(`crash-${tag}`, ['--duration', '4s', ...workload, '--inject', 'worker-crash=0.1', '--criteria', strictErrors]);
    expect(stderr).toBe('');
    const errors = summary.iterations.errors_by_kind;
    expect(errors.worker_crash).toBeGreaterThan(0);
    expect(Object.keys(errors)).toEqual(['worker_crash']);
    expect(summary.iterations.failed).toBe(errors.worker_crash);
    expect(succeededAfterFirst(samples, 'worker_crash')).toBeGreaterThan(0);
    expect(summary.stop.kind).toBe('completed');
    // about 10% of the iterations failed: the error-rate criterion judges them
    expect(summary.criteria.find((c: { name: string }) => c.name === 'error_rate').verdict).toBe('FAIL');
    expect(summary.status).toBe('FAIL');
    expect(code).toBe(1);
  });

  it('hang: each hung iteration is abandoned after --task-timeout, counted as timeout, its worker replaced; WARN, exit 0', () => {
    const { code, stderr, summary, samples } = soak(`hang-${tag}`, [
      '--duration',
      '5s',
      ...workload,
      '--inject',
      'hang=0.02',
      '--task-timeout',
      '300ms',
      '--criteria',
      lenientErrors,
    ]);
    expect(stderr).toBe('');
    const errors = summary.iterations.errors_by_kind;
    expect(errors.timeout).toBeGreaterThan(0);
    expect(Object.keys(errors)).toEqual(['timeout']);
    expect(succeededAfterFirst(samples, 'timeout')).toBeGreaterThan(0);
    expect(summary.options.task_timeout_ms).toBe(300);
    // the end waits for no hung iteration longer than the task timeout: the run stopped on time and drained
    expect(summary.stop.kind).toBe('completed');
    expect(summary.criteria.find((c: { name: string }) => c.name === 'error_rate').verdict).toBe('WARN');
    expect(code).toBe(0);
  });

  it('throw: thrown errors are counted by message; FAIL by the error rate, exit 1', () => {
    const { code, stderr, summary, samples } = soak(`throw-${tag}`, ['--duration', '3s', ...workload, '--inject', 'throw=0.2', '--criteria', strictErrors]);
    expect(stderr).toBe('');
    const errors = summary.iterations.errors_by_kind;
    expect(Object.keys(errors)).toEqual([INJECTED_THROW_MESSAGE]);
    expect(errors[INJECTED_THROW_MESSAGE]).toBe(summary.iterations.failed);
    expect(succeededAfterFirst(samples, INJECTED_THROW_MESSAGE)).toBeGreaterThan(0);
    expect(code).toBe(1);
  });

  it('leak: every iteration retains the bytes in a worker, and the workers’ heap figures grow by them', () => {
    const leakKiB = 64;
    const { code, stderr, summary, samples } = soak(`leak-${tag}`, ['--duration', '4s', '--rate', '50', ...workload, '--inject', `leak=${leakKiB}KiB`, '--criteria', lenientErrors]);
    expect(stderr).toBe('');
    expect(summary.iterations.failed).toBe(0);
    const measured = samples.filter((sample) => sample.heap_measured && sample.workers_heap_after_gc_mb !== null);
    const workersMb = (sample: Sample) => [...sample.workers_heap_after_gc_mb!, ...sample.workers_external_after_gc_mb!].reduce((a, b) => a + b, 0);
    const first = measured[0]!;
    const last = measured.at(-1)!;
    const retainedMb = ((last.iterations - first.iterations) * leakKiB) / 1024;
    expect(retainedMb).toBeGreaterThan(2);
    // what the workers hold grew by what they retained (give or take what else their heaps did)
    expect(workersMb(last) - workersMb(first)).toBeGreaterThan(0.8 * retainedMb);
    expect(code).toBe(0);
  });
});

it('hang with a task timeout of 4 s: the watchdog then runs on the progress timer, once a second, and still abandons each hung iteration', () => {
  // both workers hang within the first iterations and are abandoned about 4-5 s later, by the progress timer
  const { code, stderr, summary, samples } = soak('hang-progress-tick', ['--duration', '10s', '--workload', noop, '--inject', 'hang=0.02', '--task-timeout', '4s', '--criteria', lenientErrors]);
  expect(stderr).toBe('');
  const errors = summary.iterations.errors_by_kind;
  expect(Object.keys(errors)).toEqual(['timeout']);
  expect(errors.timeout).toBeGreaterThanOrEqual(2);
  // The run went on past the hangs: iterations succeeded after the last sample that counted none. Not after the
  // first that counted one, as for the other faults: here nothing succeeds while both workers hang, and the
  // replacements' first iterations can fall in the very interval whose sample counts the abandoned ones.
  const clean = samples.filter((sample) => (sample.errors_by_kind.timeout ?? 0) === 0).at(-1)!;
  const last = samples.at(-1)!;
  expect(last.iterations - last.failed - (clean.iterations - clean.failed)).toBeGreaterThan(0);
  expect(summary.options.task_timeout_ms).toBe(4000);
  expect(summary.stop.kind).toBe('completed');
  expect(code).toBe(0);
});

describe('a worker ended by an error nothing caught (no injection)', () => {
  it('counts the iteration it was running as worker_crash, replaces the worker and goes on', () => {
    const workload = join(root, 'test/fixtures/workloads/uncaught-sometimes.mjs');
    const { code, stderr, summary, samples } = soak('uncaught', ['--duration', '3s', '--workload', workload, '--criteria', lenientErrors]);
    expect(stderr).toBe('');
    expect(Object.keys(summary.iterations.errors_by_kind)).toEqual(['worker_crash']);
    expect(succeededAfterFirst(samples, 'worker_crash')).toBeGreaterThan(0);
    expect(code).toBe(0);
  });
});

describe('stress run --inject: bad specifications', () => {
  it.each([
    ['worker-crash=2', /--inject: worker-crash=2: a rate per iteration is a number from 0 to 1/],
    ['crash=0.1', /--inject: unknown fault "crash"/],
    ['hang', /--inject: "hang" is not KEY=VALUE/],
    ['leak=1XiB', /--inject: leak=1XiB: a size such as/],
    ['leak=1GiB', /--inject: leak=1GiB: at most 16 MiB per iteration/],
    ['leak=1024MiB', /--inject: leak=1024MiB: at most 16 MiB per iteration/],
    ['throw=0.6,hang=0.6', /--inject: the rates add up to 1.2/],
    ['throw=0.1,throw=0.2', /--inject: throw is given twice/],
  ])('%s → exit 2 naming it, nothing started', (spec, message) => {
    const out = join(dir, `bad-${spec.replace(/[^a-z0-9]/gi, '_')}`);
    const result = spawnSync(process.execPath, [cli, 'run', '--duration', '2s', '--workload', noop, '--inject', spec, '--out', out], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a bad --task-timeout → exit 2 naming it', () => {
    const result = spawnSync(process.execPath, [cli, 'run', '--duration', '2s', '--workload', noop, '--task-timeout', '5', '--out', join(dir, 'bad-timeout')], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^stress: --task-timeout: invalid duration "5"/);
  });
});
