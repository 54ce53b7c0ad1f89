/**
 * The gate end to end: a throwaway git repository holding a copy of this tree, a slowdown planted in its working
 * tree, and the real `stress gate --base HEAD` of that copy, which builds the committed tree in a worktree and
 * runs both side by side. It uses this tree's node_modules (linked), never a fresh install, and this tree's
 * build (`npm test` builds first) as the copy's, with the slowdown planted in the compiled kernel wrapper: one
 * build fewer than planting in the source, on a machine where a build takes up to a minute.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
/** what `npm run build` needs, and its output */
const TREE = ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json', 'dist'];

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 170_000) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function mustRun(command: string, args: readonly string[], cwd: string): void {
  const result = run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr.slice(-2000)}`);
}

/** A copy of this tree committed in a git repository of its own. */
function throwawayRepository(): string {
  const dir = join(tempDir('stress-gate-e2e-'), 'tree');
  for (const entry of TREE) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\ndist\n');
  mustRun('git', ['init', '-q'], dir);
  mustRun('git', ['add', '-A'], dir);
  mustRun('git', ['-c', 'user.name=gate test', '-c', 'user.email=gate@example.invalid', 'commit', '-q', '-m', 'copy'], dir);
  return dir;
}

const KERNEL_CALL = '        this.kernels.sumByDate(layout.moneyOffsets[0], this.stride, layout.dateKeyOffset, rowStart, rowEnd, acc);\n';
const EXTRA_PASS = '        this.kernels.stream(layout.moneyOffsets[0], this.stride, layout.dateKeyOffset, rowStart, rowEnd);\n';

/** Two extra passes over the same rows after every per-date sum: about three times the kernel's work. */
function plantSlowdown(tree: string): void {
  const file = join(tree, 'dist/engine/wasm-kernels.js');
  const source = readFileSync(file, 'utf8');
  expect(source.split(KERNEL_CALL)).toHaveLength(2);
  writeFileSync(file, source.replace(KERNEL_CALL, KERNEL_CALL + EXTRA_PASS + EXTRA_PASS));
}

describe('stress gate end to end', () => {
  it('a slowdown planted in the working tree fails the gate against HEAD, confirmed by the second round', { timeout: 300_000 }, () => {
    const tree = throwawayRepository();
    try {
      plantSlowdown(tree);
      const out = join(tree, '..', 'gate-out');
      const gate = run(process.execPath, [join(tree, 'dist/cli/main.js'), 'gate', '--base', 'HEAD', '--quick', '--only', 'kpi-1m', '--json', '--out', out], tree, 250_000);
      expect(gate.stderr).not.toMatch(/internal error/);
      expect(gate.code, gate.stderr).toBe(1);
      const report = JSON.parse(gate.stdout);
      expect(report.failed).toBe(true);
      expect(report.confirmed_regressions).toEqual(['kpi-1m']);
      expect(report.base_build.install).toBe('linked');
      const [kpi] = report.benchmarks;
      expect(kpi.verdict).toBe('regression');
      expect(kpi.rounds).toHaveLength(2);
      for (const round of kpi.rounds) expect(round.ratio.low).toBeGreaterThan(1.1);
      expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/FAIL[\s\S]*\| kpi-1m \|[^\n]*\| regression \|/);
      // the base's worktree is gone again
      expect(run('git', ['worktree', 'list'], tree).stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(join(tree, '..'), { recursive: true, force: true });
    }
  });

  it('an interrupt while the base builds exits 130 and leaves no worktree behind', { timeout: 120_000 }, async () => {
    const tree = throwawayRepository();
    try {
      const child = spawn(process.execPath, [join(tree, 'dist/cli/main.js'), 'gate', '--base', 'HEAD', '--quick', '--only', 'kpi-100k'], {
        cwd: tree,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve) =>
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          if (stderr.includes('building base')) resolve();
        }),
      );
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(130);
      expect(stderr).toMatch(/gate interrupted; nothing judged/);
      expect(run('git', ['worktree', 'list'], tree).stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(join(tree, '..'), { recursive: true, force: true });
    }
  });
});
