import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

/**
 * Drift detection on a real 3-minute soak in its own process, with real workers. This file takes 3 minutes
 * and holds this case alone, so that the three drift cases run in parallel with the rest of the suite.
 */
const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'run-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Only drift is judged here: latency and CPU depend on what else the machine runs, so their limits are out of reach.
const criteria = join(dir, 'criteria.json');
writeFileSync(criteria, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));

it('the KPI workload is never reported growing in 3 minutes', { timeout: 300_000 }, () => {
  const out = join(dir, 'run');
  const result = spawnSync(process.execPath, [cli, 'run', '--duration', '3m', '--rows', '100000', '--criteria', criteria, '--out', out, '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 290_000,
  });
  expect(result.stderr).toBe('');
  const summary = JSON.parse(result.stdout);
  const { rss, heap_after_gc: heap } = summary.drift;
  // the figures, for the record of the test run
  console.log(
    `kpi: heap after GC ${heap.verdict} ${heap.percent_per_hour?.toFixed(1)}%/h (${heap.slope_per_hour?.toFixed(2)} MB/h, n=${heap.n}); ` +
      `RSS ${rss.verdict} ${rss.percent_per_hour?.toFixed(1)}%/h (${rss.slope_per_hour?.toFixed(2)} MB/h); ${summary.iterations.total} iterations`,
  );
  expect(summary.duration.actual_s).toBeGreaterThanOrEqual(180);
  expect(summary.iterations.failed).toBe(0);
  expect(heap.verdict).not.toBe('growing');
  expect(rss.verdict).not.toBe('growing');
});
