import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLL_MICROS } from '../src/workers/kpi-pool.js';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('stress load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the JSON report and writes the same to load.json in --out', () => {
    const out = join(dir, 'nested', 'out');
    const { code, stdout, stderr } = stress('load', '--rows', '1000,2000', '--iterations', '5', '--threads', '2', '--json', '--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.results).toHaveLength(2);
    for (const [i, rows] of [1000, 2000].entries()) {
      const result = report.results[i];
      expect(result.rows).toBe(rows);
      expect(result.iterations).toBe(5);
      for (const key of ['p50', 'p90', 'p99', 'max', 'mean']) expect(typeof result.latency_ms[key]).toBe('number');
      expect(result.latency_ms.p50).toBeGreaterThan(0);
      expect(result.latency_ms.p50).toBeLessThanOrEqual(result.latency_ms.p99);
      expect(result.rows_per_sec).toBeGreaterThan(0);
      expect(result.rss_mb).toBeGreaterThan(0);
      expect(typeof result.cpu_percent).toBe('number');
      expect(result.computed_on).toBe('calling thread');
    }
    expect(typeof report.growth_exponent).toBe('number');
    expect(report.loop).toBe('closed');
    expect(report.threads).toBe(2);
    expect(report.poll_us).toBe(DEFAULT_POLL_MICROS);
    expect(typeof report.ingest_ms).toBe('number');
    expect(JSON.parse(readFileSync(join(out, 'load.json'), 'utf8'))).toEqual(report);
  });

  it('runs the pool with workers that sleep at once under --poll 0, and says so', () => {
    const { code, stdout, stderr } = stress('load', '--rows', '3000', '--iterations', '5', '--threads', '2', '--crossover', '0', '--poll', '0', '--json', '--out', join(dir, 'poll'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.poll_us).toBe(0);
    expect(report.results[0].computed_on).toBe('pool');
    expect(report.results[0].iterations).toBe(5);
  });

  it('rejects --seconds with --iterations: exit 2, one line', () => {
    const { code, stdout, stderr } = stress('load', '--seconds', '1', '--iterations', '3');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--seconds.*--iterations/);
  });

  it('rejects bad values of its options with exit 2', () => {
    for (const args of [
      ['--threads', '0'],
      ['--threads', '257'],
      ['--rows', '10,abc'],
      ['--seconds', '0'],
      ['--iterations', '0'],
      ['--poll', '-1'],
      ['--poll', '10001'],
      ['--poll', '5us'],
    ]) {
      const { code, stderr } = stress('load', ...args, '--out', join(dir, 'bad'));
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('names the file when --input is missing', () => {
    const missing = join(dir, 'missing.csv');
    const { code, stderr } = stress('load', '--input', missing, '--iterations', '1', '--out', join(dir, 'missing-out'));
    expect(code).toBe(2);
    expect(stderr).toContain(missing);
    expect(existsSync(join(dir, 'missing-out', 'load.json'))).toBe(false);
  });
});
