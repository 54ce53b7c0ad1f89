import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN } from './support/cli.js';

/**
 * An output folder that cannot be written is reported before any work starts: exit 2, one line naming the
 * option and the folder, nothing on stdout. A regular file where a folder should be stops every user,
 * root included; a folder without write permission stops users other than root, so when the tests run as
 * root the command runs as the unprivileged user "nobody" (uid 65534) for that case.
 */
const dir = mkdtempSync(join(tmpdir(), 'cli-output-unwritable-'));
// readable by "nobody", for the permission case
chmodSync(dir, 0o755);
const locked = join(dir, 'locked');
mkdirSync(locked);
chmodSync(locked, 0o500);
afterAll(() => {
  chmodSync(locked, 0o700);
  rmSync(dir, { recursive: true, force: true });
});
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
// as "nobody" the command must still be able to start: not so when the checkout is private to root
const canRunAsUser = spawnSync(process.execPath, [MAIN, '--version'], { cwd: dir, ...asUser }).status === 0;

const blocker = join(dir, 'a-file');
writeFileSync(blocker, 'not a folder\n');
const tape = join(dir, 'tape.csv');
writeFileSync(tape, 'measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd\n2025-01-31,100,90,80\n');

/** Each command with its output option pointing at `target`. */
const commands: Record<string, (target: string) => string[]> = {
  run: (target) => ['run', '--duration', '5s', '--rows', '1000', '--threads', '1', '--out', target],
  'run --runs-dir': (target) => ['run', '--duration', '5s', '--rows', '1000', '--threads', '1', '--runs-dir', target],
  compute: (target) => ['compute', tape, '--out', target],
  load: (target) => ['load', '--rows', '1000', '--iterations', '1', '--threads', '1', '--out', target],
  generate: (target) => ['generate', '--rows', '10', '--out', join(target, 'tape.csv')],
};

function expectRefused(args: string[], option: RegExp, user: { uid?: number; gid?: number } = {}) {
  const { status: code, stdout, stderr } = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, ...user });
  expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(option);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('an output folder that cannot be written is refused before the work starts (exit 2)', () => {
  for (const [name, argsFor] of Object.entries(commands)) {
    it(`${name}: a file in the way of the folder`, () => {
      const target = join(blocker, 'out');
      expectRefused(argsFor(target), name === 'run --runs-dir' ? /^stress: --runs-dir .*a-file/ : /^stress: --out .*a-file/);
      expect(existsSync(target)).toBe(false);
    });

    it.skipIf(!canRunAsUser)(`${name}: a folder without write permission`, () => {
      expectRefused(argsFor(locked), /cannot be (created or )?written/, asUser);
    });
  }
});
