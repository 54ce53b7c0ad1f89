import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('stress report', () => {
  const out = join(dir, 'run');
  let live: Record<string, unknown>;
  beforeAll(() => {
    const criteria = join(dir, 'lenient.json');
    writeFileSync(criteria, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));
    const run = stress('run', '--duration', '2s', '--rows', '2000', '--threads', '1', '--criteria', criteria, '--out', out, '--json');
    expect(run.code).toBe(0);
    live = JSON.parse(run.stdout);
  });

  it('rebuilds the summary of a finished run as the run wrote it (within the histograms\' resolution)', () => {
    const { code, stdout, stderr } = stress('report', out, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rebuilt = JSON.parse(stdout);
    const { latency_ms: liveLatency, ...liveRest } = live as { latency_ms: Record<string, number> };
    const { latency_ms: rebuiltLatency, ...rebuiltRest } = rebuilt;
    // the latency criterion quotes a p99 decoded from the interval log, within the histograms' resolution too
    type Criterion = { name: string; measured: number; verdict: string };
    const latencyOf = (summary: { criteria: Criterion[] }) => summary.criteria.find((c) => c.name === 'latency')!;
    const liveP99 = latencyOf(liveRest as { criteria: Criterion[] });
    const rebuiltP99 = latencyOf(rebuiltRest as { criteria: Criterion[] });
    expect(rebuiltP99.verdict).toBe(liveP99.verdict);
    expect(Math.abs(rebuiltP99.measured - liveP99.measured)).toBeLessThanOrEqual(liveP99.measured * 0.001 + 0.001);
    const withoutLatency = (summary: { criteria: Criterion[] }) => ({ ...summary, criteria: summary.criteria.filter((c) => c.name !== 'latency') });
    expect(withoutLatency(rebuiltRest as { criteria: Criterion[] })).toEqual(withoutLatency(liveRest as { criteria: Criterion[] }));
    // a decoded histogram's max is its bucket's top value, at most 0.1% (3 significant digits) above
    for (const key of Object.keys(liveLatency)) {
      expect(Math.abs(rebuiltLatency[key] - liveLatency[key]!), key).toBeLessThanOrEqual(liveLatency[key]! * 0.001 + 0.001);
    }
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(rebuilt);
  });

  it('prints the text summary without --json', () => {
    const { code, stdout } = stress('report', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stress run: (PASS|WARN)/);
    expect(stdout).toMatch(/Rebuilt:/);
  });

  it('skips a torn last line of samples.jsonl and latency.hlog (a crash in the middle of a write)', () => {
    const torn = join(dir, 'torn');
    cpSync(out, torn, { recursive: true });
    rmSync(join(torn, 'summary.json'));
    appendFileSync(join(torn, 'samples.jsonl'), '{"timestamp":"2026-');
    appendFileSync(join(torn, 'latency.hlog'), '9.000,1.000,0.500,HISTFAAAA');
    const { code, stdout } = stress('report', torn, '--json');
    expect(code).toBe(0);
    const rebuilt = JSON.parse(stdout);
    expect(rebuilt.iterations.total).toBe((live as { iterations: { total: number } }).iterations.total);
  });

  it('refuses a folder that is not a run directory: exit 2, one line', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    for (const target of [empty, join(dir, 'missing')]) {
      const { code, stdout, stderr } = stress('report', target);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/run\.json/);
    }
  });
});
