/**
 * The base side of a comparison: a git ref checked out in a worktree in a temporary folder, installed and
 * built there. When the ref's lock file is the current one, the current node_modules is linked in instead of
 * installed (the same packages, in seconds instead of minutes); otherwise `npm ci --prefer-offline` installs
 * from the npm cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

export interface BaseBuild {
  /** the commit the ref named */
  readonly commit: string;
  /** the worktree's dist/ */
  readonly dist: string;
  /** how node_modules was provided */
  readonly install: 'linked' | 'npm ci';
  readonly buildSeconds: number;
  /** removes the worktree and its folder; safe to call twice */
  remove(): void;
}

interface Ran {
  readonly ok: boolean;
  readonly stdout: string;
  /** stdout and stderr, for the message of a failure */
  readonly output: string;
}

function run(command: string, args: readonly string[], cwd: string): Ran {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0, stdout: result.stdout ?? '', output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? result.error.message : ''}` };
}

/** As run(), without blocking: the gate writes its inputs while the base installs and builds. */
function runAsync(command: string, args: readonly string[], cwd: string, signal: AbortSignal): Promise<Ran> {
  return new Promise((resolve) => {
    // a process group of its own, so that an interrupt ends npm and what it started (tsc), not npm alone: a
    // build left running would write into the worktree after it has been removed
    const child = spawn(command, args, { cwd, detached: true, env: { ...process.env, npm_config_loglevel: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // the group has already ended
      }
    };
    signal.addEventListener('abort', stop, { once: true });
    // an interrupt that came before this step started has no event left to fire
    if (signal.aborted) stop();
    child.on('close', () => signal.removeEventListener('abort', stop));
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-16_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ ok: false, stdout: '', output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0, stdout: output, output }));
  });
}

/** The last lines of a process's output on one line, for a one-line error message. */
export function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** The git repository holding `root`, or a UsageError. */
export function repositoryOf(root: string): string {
  const top = run('git', ['rev-parse', '--show-toplevel'], root);
  if (!top.ok) throw new UsageError(`--base: ${root} is not inside a git repository`);
  return top.stdout.trim();
}

/** The commit `ref` names in the repository holding `dir`; null when it names none or `dir` is not in git. */
export function commitOf(dir: string, ref: string): string | null {
  const resolved = run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], dir);
  return resolved.ok ? resolved.stdout.trim() : null;
}

/** The commit `ref` names in `repo`, or a UsageError naming the ref. */
export function resolveCommit(repo: string, ref: string): string {
  if (ref.trim() === '' || ref.startsWith('-')) throw new UsageError(`--base takes a git ref such as HEAD~1 or main, got "${ref}"`);
  const commit = commitOf(repo, ref);
  if (commit === null) throw new UsageError(`--base ${ref}: not a commit in ${repo}`);
  return commit;
}

/**
 * Check out `commit` of `repo` in a new worktree and build it. `packageDir` is the package's folder inside the
 * repository (relative), whose node_modules may be linked. A base that cannot be built is a UsageError: the
 * gate cannot judge against it (--baseline is the way out).
 */
export async function buildBase(
  repo: string,
  packageDir: string,
  commit: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<BaseBuild> {
  const started = performance.now();
  const folder = mkdtempSync(join(tmpdir(), 'stress-gate-base-'));
  const tree = join(folder, 'tree');
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    run('git', ['worktree', 'remove', '--force', tree], repo);
    rmSync(folder, { recursive: true, force: true });
    run('git', ['worktree', 'prune'], repo);
  };
  try {
    const added = run('git', ['worktree', 'add', '--detach', tree, commit], repo);
    if (!added.ok) throw new UsageError(`--base: cannot check out ${commit.slice(0, 12)}: ${lastLines(added.output, 2)}`);
    const basePackage = join(tree, packageDir);
    const currentPackage = join(repo, packageDir);
    const currentLock = join(currentPackage, 'package-lock.json');
    const baseLock = join(basePackage, 'package-lock.json');
    const sameLock =
      existsSync(currentLock) && existsSync(baseLock) && readFileSync(currentLock, 'utf8') === readFileSync(baseLock, 'utf8');
    let install: BaseBuild['install'];
    if (sameLock && existsSync(join(currentPackage, 'node_modules'))) {
      symlinkSync(join(currentPackage, 'node_modules'), join(basePackage, 'node_modules'), 'dir');
      install = 'linked';
    } else {
      log(`base ${commit.slice(0, 12)}: lock file differs, npm ci --prefer-offline…`);
      // scripts off: "prepare" would build before the explicit build below
      const installed = await runAsync('npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], basePackage, signal);
      if (!installed.ok) throw new UsageError(`--base: npm ci failed in ${basePackage}: ${lastLines(installed.output)}`);
      install = 'npm ci';
    }
    const built = await runAsync('npm', ['run', 'build'], basePackage, signal);
    if (!built.ok) throw new UsageError(`--base: ${commit.slice(0, 12)} does not build (${lastLines(built.output)}); judge against --baseline instead`);
    return { commit, dist: join(basePackage, 'dist'), install, buildSeconds: (performance.now() - started) / 1000, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
