/**
 * Drift detection on a real 3-minute soak in its own process, with real workers. Each case has a file of its
 * own; `npm test` runs these files after the rest of the suite, one at a time, so that no other test's load
 * shapes the memory curves they judge.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

export const root = resolve(import.meta.dirname, '../..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');

export const DRIFT_TEST_TIMEOUT_MS = 300_000;

interface DriftResultJson {
  verdict: string;
  percent_per_hour?: number;
  slope_per_hour?: number;
  n: number;
}

/** Run `stress run --duration 3m` with `args`, judged on drift alone; returns the summary (asserted sane). */
export function runDriftSoak(label: string, args: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'run-drift-'));
  try {
    return soakIn(dir, label, args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function soakIn(dir: string, label: string, args: readonly string[]) {
  // Only drift is judged here: latency and CPU depend on what else the machine runs, so their limits are out of reach.
  const criteria = join(dir, 'criteria.json');
  writeFileSync(criteria, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));
  const result = spawnSync(process.execPath, [cli, 'run', '--duration', '3m', ...args, '--criteria', criteria, '--out', join(dir, 'run'), '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: DRIFT_TEST_TIMEOUT_MS - 10_000,
  });
  expect(result.stderr).toBe('');
  const summary = JSON.parse(result.stdout);
  const { rss, heap_after_gc: heap } = summary.drift as { rss: DriftResultJson; heap_after_gc: DriftResultJson };
  // the figures, for the record of the test run
  console.log(
    `${label}: heap after GC ${heap.verdict} ${heap.percent_per_hour?.toFixed(1)}%/h (${heap.slope_per_hour?.toFixed(2)} MB/h, n=${heap.n}); ` +
      `RSS ${rss.verdict} ${rss.percent_per_hour?.toFixed(1)}%/h (${rss.slope_per_hour?.toFixed(2)} MB/h); ${summary.iterations.total} iterations`,
  );
  expect(summary.duration.actual_s).toBeGreaterThanOrEqual(180);
  expect(summary.iterations.failed).toBe(0);
  return { summary, rss, heap };
}
