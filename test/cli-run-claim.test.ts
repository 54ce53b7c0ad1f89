import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/audit/trail.js';
import { UsageError } from '../src/errors.js';
import { claimNewRunDir, claimRunDir, runFolderName } from '../src/stress/run-claim.js';
import { startCli, tempDir, writeLenientCriteria } from './support/cli.js';

/** One run directory per run: claimed atomically, so runs started together never share one. */
const root = resolve(import.meta.dirname, '..');
const dir = tempDir('cli-run-claim-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lenient = writeLenientCriteria(dir);
const start = (args: readonly string[]) => startCli(args, { cwd: root });

const shortRun = ['run', '--duration', '2s', '--rows', '2000', '--threads', '1', '--criteria', lenient, '--json'];

function hlogIntervals(path: string): number {
  const reader = new HistogramLogReader(readFileSync(path, 'utf8'));
  let intervals = 0;
  while (reader.nextIntervalHistogram() !== null) intervals += 1;
  return intervals;
}

describe('run directories are claimed, one run each', () => {
  it('four runs started at once with the same --runs-dir get four separate, complete run folders', async () => {
    const parent = join(dir, 'runs');
    const exits = await Promise.all(Array.from({ length: 4 }, () => start([...shortRun, '--runs-dir', parent])));
    for (const exit of exits) expect(exit.code, exit.stderr).toBe(0);
    const folders = readdirSync(parent).sort();
    expect(folders).toHaveLength(4);
    // each run names its own folder in its summary, and no two runs named the same one
    const named = exits.map((exit) => resolve(root, (JSON.parse(exit.stdout) as { options: { out: string } }).options.out)).sort();
    expect(named).toEqual(folders.map((folder) => join(parent, folder)));
    for (const folder of folders) {
      expect(folder).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{4}$/);
      const run = join(parent, folder);
      const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
      expect(summary.status).toMatch(/^(PASS|WARN)$/);
      expect(summary.iterations.total).toBeGreaterThan(0);
      const trail = verifyTrail(join(run, 'audit.jsonl'));
      expect(trail).toMatchObject({ ok: true });
      // one start, the checkpoints, one closing event: nothing of another run's
      const actions = readFileSync(join(run, 'audit.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line).action);
      expect(actions.filter((action) => action === 'run.start')).toHaveLength(1);
      expect(actions.at(-1)).toBe('run.complete');
      expect(new Set(readFileSync(join(run, 'samples.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line).timestamp)).size).toBeGreaterThan(1);
      expect(hlogIntervals(join(run, 'latency.hlog'))).toBeGreaterThan(0);
    }
  });

  it('two runs racing for the same --out: one runs, the other exits 2 naming the folder', async () => {
    const out = join(dir, 'contested');
    const exits = await Promise.all([start([...shortRun, '--out', out]), start([...shortRun, '--out', out])]);
    const codes = exits.map((exit) => exit.code).sort();
    expect(codes).toEqual([0, 2]);
    const loser = exits.find((exit) => exit.code === 2)!;
    expect(loser.stdout).toBe('');
    expect(loser.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(loser.stderr).toContain(`--out ${out} already holds a run`);
    expect(verifyTrail(join(out, 'audit.jsonl'))).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).status).toMatch(/^(PASS|WARN)$/);
  });

  it('a run that fails before it starts gives its folder back', async () => {
    const out = join(dir, 'released');
    const module = join(dir, 'no-default.mjs');
    writeFileSync(module, 'export const x = 1;\n');
    const failed = await start(['run', '--duration', '2s', '--threads', '1', '--workload', module, '--out', out]);
    expect(failed.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    // a folder that existed stays, empty, and can be used at once
    mkdirSync(out);
    expect((await start(['run', '--duration', '2s', '--threads', '1', '--workload', module, '--out', out])).code).toBe(2);
    expect(readdirSync(out)).toEqual([]);
    expect((await start([...shortRun, '--out', out])).code).toBe(0);
  });

  it('--out and --runs-dir together are refused', async () => {
    const exit = await start([...shortRun, '--out', join(dir, 'both'), '--runs-dir', join(dir, 'parent')]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/--out .*--runs-dir/);
    expect(existsSync(join(dir, 'both'))).toBe(false);
  });
});

describe('claiming, in-process', () => {
  it('an exclusive claim: the second claim of a folder fails until the first is released', () => {
    const out = join(dir, 'claimed');
    const first = claimRunDir('--out', out);
    expect(statSync(join(out, 'run.json')).size).toBe(0);
    expect(() => claimRunDir('--out', out)).toThrow(UsageError);
    first.release();
    expect(existsSync(out)).toBe(false);
    claimRunDir('--out', out);
    expect(existsSync(join(out, 'run.json'))).toBe(true);
  });

  it('a new run folder takes other hex digits when the name is taken', () => {
    const parent = join(dir, 'clash');
    const now = new Date('2026-01-02T03:04:05.678Z');
    const digits = ['beef', 'beef', 'beef', 'cafe'];
    const next = () => digits.shift()!;
    expect(claimNewRunDir('--runs-dir', parent, now, next).dir).toBe(join(parent, '2026-01-02T03-04-05.678Z-beef'));
    expect(claimNewRunDir('--runs-dir', parent, now, next).dir).toBe(join(parent, runFolderName(now, 'cafe')));
    expect(digits).toEqual([]);
    expect(() => claimNewRunDir('--runs-dir', parent, now, () => 'beef')).toThrow(/no free run folder name/);
  });
});
