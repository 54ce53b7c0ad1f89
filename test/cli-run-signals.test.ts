import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/audit/trail.js';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lenient = join(dir, 'lenient.json');
writeFileSync(lenient, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));

const linesOf = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

/**
 * Start a one-minute run, wait until it has written `samples` samples and `checkpoints` checkpoints, then send
 * `signal`; resolves to its exit.
 */
function runUntilSamples(out: string, samples: number, signal: NodeJS.Signals, checkpoints = 0) {
  const child = spawn(
    process.execPath,
    [cli, 'run', '--duration', '1m', '--sample-interval', '250ms', '--rows', '5000', '--threads', '1', '--criteria', lenient, '--out', out, '--json'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const poll = setInterval(() => {
    if (linesOf(join(out, 'samples.jsonl')) >= samples && linesOf(join(out, 'checkpoints.jsonl')) >= checkpoints) {
      clearInterval(poll);
      child.kill(signal);
    }
  }, 50);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stdout, stderr });
    }),
  );
}

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('stress run, stopped from outside', () => {
  it('SIGTERM: finishes the iterations in flight, writes the summary as INTERRUPTED and exits 130', async () => {
    const out = join(dir, 'term');
    const { code, stdout, stderr } = await runUntilSamples(out, 6, 'SIGTERM');
    expect(stderr).toBe('');
    expect(code).toBe(130);
    const summary = JSON.parse(stdout);
    expect(summary.status).toBe('INTERRUPTED');
    expect(summary.stop).toEqual({ kind: 'interrupted', reason: 'interrupted by SIGTERM' });
    expect(summary.duration.actual_s).toBeLessThan(summary.duration.planned_s);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/INTERRUPTED/);
    const checkpoints = readFileSync(join(out, 'checkpoints.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(checkpoints.at(-1).checkpoint).toBe('end');
    expect(verifyTrail(join(out, 'audit.jsonl'))).toMatchObject({ ok: true });
    expect(readFileSync(join(out, 'audit.jsonl'), 'utf8')).toMatch(/"action":"run.interrupted"/);
  });

  it('SIGINT: the same', async () => {
    const out = join(dir, 'int');
    const { code, stdout } = await runUntilSamples(out, 4, 'SIGINT');
    expect(code).toBe(130);
    expect(JSON.parse(stdout).stop).toEqual({ kind: 'interrupted', reason: 'interrupted by SIGINT' });
  });

  it('kill -9: `stress report DIR` rebuilds summary.json and summary.md from the files, up to the last sample', async () => {
    const out = join(dir, 'killed');
    const { signal } = await runUntilSamples(out, 8, 'SIGKILL', 1);
    expect(signal).toBe('SIGKILL');
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
    const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const last = samples.at(-1);

    const report = stress('report', out, '--json');
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const summary = JSON.parse(report.stdout);
    expect(summary.status).toBe('INTERRUPTED');
    expect(summary.stop.kind).toBe('interrupted');
    expect(summary.stop.reason).toMatch(/did not finish/);
    // everything up to the last sample is there: its counters, and the latency of the intervals written with it
    expect(summary.iterations.total).toBe(last.iterations);
    expect(summary.iterations.total).toBeGreaterThan(0);
    expect(summary.duration.actual_s).toBe(last.elapsed_s);
    expect(summary.latency_ms.p99).toBeGreaterThan(0);
    expect(summary.checkpoints.written).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/INTERRUPTED/);

    const text = stress('report', out);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/stress run: INTERRUPTED/);
  });
});
