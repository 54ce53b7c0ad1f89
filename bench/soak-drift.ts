/**
 * Drift detection on long soaks: the verdicts of `stress run` for a workload that leaks and for two that do
 * not, each in its own process with real workers.
 *
 *   node dist-bench/soak-drift.js [--duration 20m] [--cases growing,kpi,churn] [--parallel 1] [--keep DIR]
 *
 * Cases (SPEC: a leak must be reported `growing`; the others never):
 * - growing: test/fixtures/workloads/retain-1k.mjs at --rate 50 (keeps 1 KiB per iteration, 50 KiB/s);
 * - kpi:     the KPI engine over the default 100,000-row synthetic tape, closed loop;
 * - churn:   test/fixtures/workloads/alloc-no-retain.mjs, closed loop (about 64 KiB of garbage per iteration).
 *
 * Only drift is judged: latency, CPU and RSS limits are lifted (a criteria file written for the run), since
 * they depend on what else the machine runs. Each run directory is kept under --keep (default: a temporary
 * folder, printed) so its samples can be looked at. Benchmarks print; they do not assert — but a verdict
 * that contradicts the expectation is flagged, and the exit code is 1 then.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fixed, renderTable } from './lib.js';

const root = resolve(import.meta.dirname, '..');
// STRESS_CLI: another entry point of the same command (e.g. a build under test elsewhere)
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const fixture = (name: string) => join(root, 'test/fixtures/workloads', name);

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly expect: 'growing' | 'not growing';
}

const CASES: readonly Case[] = [
  { name: 'growing', args: ['--rate', '50', '--workload', fixture('retain-1k.mjs')], expect: 'growing' },
  { name: 'kpi', args: ['--rows', '100000'], expect: 'not growing' },
  { name: 'churn', args: ['--workload', fixture('alloc-no-retain.mjs')], expect: 'not growing' },
];

interface Drift {
  readonly verdict: string;
  readonly percent_per_hour: number | null;
  readonly slope_per_hour: number | null;
  readonly percent_per_hour_ci: { readonly low: number; readonly high: number } | null;
  readonly median: number | null;
  readonly n: number;
  readonly threshold_percent_per_hour: number;
  readonly level: { readonly change_percent: number | null } | null;
}

interface Outcome {
  readonly name: string;
  readonly expect: Case['expect'];
  readonly code: number | null;
  readonly dir: string;
  readonly summary: {
    readonly status: string;
    readonly duration: { readonly actual_s: number };
    readonly iterations: { readonly total: number; readonly failed: number };
    readonly drift: { readonly rss: Drift | null; readonly heap_after_gc: Drift | null };
  } | null;
  readonly stderr: string;
}

function runCase(c: Case, duration: string, criteria: string, dir: string): Promise<Outcome> {
  const out = join(dir, c.name);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [cli, 'run', '--duration', duration, ...c.args, '--criteria', criteria, '--out', out, '--json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      let summary: Outcome['summary'] = null;
      try {
        summary = JSON.parse(stdout) as Outcome['summary'];
      } catch {
        // reported below as a run without a summary
      }
      process.stderr.write(`${c.name}: done (exit ${code})\n`);
      resolvePromise({ name: c.name, expect: c.expect, code, dir: out, summary, stderr });
    });
  });
}

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

function driftCells(d: Drift | null | undefined): string[] {
  if (!d) return ['–', '–', '–', '–', '–'];
  const ci = d.percent_per_hour_ci;
  return [
    d.verdict,
    d.percent_per_hour === null ? '–' : fixed(d.percent_per_hour, 3),
    ci === null ? '–' : `${fixed(ci.low, 3)} … ${fixed(ci.high, 3)}`,
    d.slope_per_hour === null ? '–' : fixed(d.slope_per_hour, 3),
    d.level?.change_percent == null ? '–' : fixed(d.level.change_percent, 3),
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20m' },
      cases: { type: 'string', default: CASES.map((c) => c.name).join(',') },
      parallel: { type: 'string', default: '1' },
      keep: { type: 'string' },
    },
  });
  const names = values.cases.split(',').map((name) => name.trim());
  const cases = names.map((name) => {
    const found = CASES.find((c) => c.name === name);
    if (!found) throw new Error(`unknown case "${name}" (known: ${CASES.map((c) => c.name).join(', ')})`);
    return found;
  });
  const parallel = Math.max(1, Number.parseInt(values.parallel, 10) || 1);
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'soak-drift-'));
  mkdirSync(dir, { recursive: true });
  const criteria = join(dir, 'drift-only.json');
  writeFileSync(
    criteria,
    `${JSON.stringify({ description: 'drift only: latency, CPU and RSS limits lifted', latency_ms: { pass: 600_000, fail: 1_200_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 100_000, fail: 200_000 } }, null, 2)}\n`,
  );
  process.stderr.write(`soak-drift: ${cases.length} case(s) of ${values.duration}, ${parallel} at a time; run directories in ${dir}\n`);

  const outcomes = await inBatches(cases, parallel, (c) => runCase(c, values.duration, criteria, dir));
  let unexpected = 0;
  const rows: string[][] = [['case', 'expected', 'series', 'verdict', '%/h', '95% CI %/h', 'MB/h', 'level %', 'n', 'threshold %/h', 'iterations', 'ok']];
  for (const o of outcomes) {
    if (o.summary === null) {
      unexpected += 1;
      rows.push([o.name, o.expect, '(no summary)', `exit ${o.code}`, o.stderr.trim().split('\n')[0] ?? '', '', '', '', '', '', '', 'NO']);
      continue;
    }
    const { rss, heap_after_gc: heap } = o.summary.drift;
    const growing = heap?.verdict === 'growing' || rss?.verdict === 'growing';
    const ok = o.expect === 'growing' ? heap?.verdict === 'growing' : !growing;
    if (!ok) unexpected += 1;
    for (const [series, d] of [['heap after GC', heap], ['RSS', rss]] as const) {
      rows.push([
        series === 'heap after GC' ? o.name : '',
        series === 'heap after GC' ? o.expect : '',
        series,
        ...driftCells(d),
        d ? String(d.n) : '–',
        d ? fixed(d.threshold_percent_per_hour, 3) : '–',
        series === 'heap after GC' ? String(o.summary.iterations.total) : '',
        series === 'heap after GC' ? (ok ? 'yes' : 'NO') : '',
      ]);
    }
  }
  console.log(renderTable(rows));
  console.log(
    `\nheap after GC = JS heap + external (ArrayBuffer) memory after a full GC, all threads; ` +
      `"growing" needs the whole 95% interval above the threshold, growth in both halves of the window, and ` +
      `growth above the threshold in the second half on its own (its lower limit).`,
  );
  console.log(`node ${process.version}; run directories: ${dir}`);
  return unexpected === 0 ? 0 : 1;
}

process.exitCode = await main();
