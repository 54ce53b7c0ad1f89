import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const cli = process.env['STRESS_CLI'] ?? join(root, 'dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-run-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stress(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}


/** exit 2, nothing on stdout, one line on stderr matching `message`, and no run started in `out` */
function expectRejected(args: string[], message: RegExp, out: string) {
  const { code, stdout, stderr } = stress('run', ...args, '--out', out);
  expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(message);
  expect(existsSync(join(out, 'run.json'))).toBe(false);
}

describe('stress run rejects bad usage and bad input before anything starts (exit 2)', () => {
  it('bad durations and sample intervals', () => {
    const out = join(dir, 'never');
    for (const duration of ['5', '1.5h', '-5s']) expectRejected(['--duration', duration], /--duration/, out);
    expectRejected(['--duration', '5s', '--sample-interval', '10s'], /--sample-interval/, out);
  });

  it('bad criteria files: missing, not JSON, unknown key, bad value, pass not below fail', () => {
    const out = join(dir, 'never');
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    expectRejected(['--duration', '5s', '--criteria', join(dir, 'missing.json')], /--criteria/, out);
    expectRejected(['--duration', '5s', '--criteria', write('bad.json', '{ not json')], /not valid JSON/, out);
    expectRejected(['--duration', '5s', '--criteria', write('unknown.json', '{"latency": {}}')], /unknown key/, out);
    expectRejected(['--duration', '5s', '--criteria', write('negative.json', '{"rss_mb": {"pass": -1}}')], /rss_mb.pass/, out);
    expectRejected(['--duration', '5s', '--criteria', write('order.json', '{"cpu_percent": {"pass": 90, "fail": 80}}')], /cpu_percent/, out);
  });

  it('a workload module that cannot load, or has no default export, or whose setup() throws', () => {
    const noDefault = join(dir, 'no-default.mjs');
    writeFileSync(noDefault, 'export const x = 1;\n');
    const syntax = join(dir, 'syntax.mjs');
    writeFileSync(syntax, 'export default function (\n');
    const badSetup = join(dir, 'bad-setup.mjs');
    writeFileSync(badSetup, "export function setup() { throw new Error('no database'); }\nexport default function () {}\n");
    for (const [module, message] of [
      [noDefault, /no default export/],
      [syntax, /failed to load/],
      [badSetup, /setup\(\) failed: no database/],
    ] as const) {
      const out = join(dir, `module-${readdirSync(dir).length}`);
      const { code, stdout, stderr } = stress('run', '--duration', '5s', '--threads', '1', '--workload', module, '--out', out);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(existsSync(join(out, 'run.json'))).toBe(false);
    }
  });

  it('an input file that is not a valid tape', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'measurement_date,total_receivable_usd\nnot-a-date,abc\n');
    const out = join(dir, 'bad-input');
    const { code, stderr } = stress('run', '--duration', '5s', '--input', bad, '--out', out);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.csv/);
    expect(existsSync(join(out, 'run.json'))).toBe(false);
  });

  it('an --out folder that cannot be written, or that already holds a run', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    // root may write anywhere; the check is meaningful only for other users
    if (process.getuid?.() !== 0) expectRejected(['--duration', '5s'], /--out/, join(locked, 'run'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expectRejected(['--duration', '5s'], /--out/, join(file, 'run'));

    const used = join(dir, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'run.json'), '{}');
    const { code, stderr } = stress('run', '--duration', '5s', '--out', used);
    expect(code).toBe(2);
    expect(stderr).toMatch(/already holds a run/);
  });
});
