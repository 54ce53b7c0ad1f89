import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGenerateOptions, renderGenerateText } from '../src/cli/commands/generate.js';
import { UsageError } from '../src/cli/errors.js';
import { MAIN, runCli, tempDir } from './support/cli.js';

const dir = tempDir('cli-generate-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('stress generate: options', () => {
  it('accept row counts in every documented spelling and fill the defaults', () => {
    for (const rows of ['1000000', '1_000_000', '1m', '1000k', '1e6']) {
      expect(parseGenerateOptions({ rows, out: join(dir, 'x.csv') })).toEqual({ rows: 1_000_000, dates: 12, seed: 1, out: join(dir, 'x.csv'), json: false });
    }
    expect(parseGenerateOptions({ rows: '5', dates: '3', seed: '42', out: join(dir, 'x.ARROW'), json: true })).toMatchObject({ dates: 3, seed: 42, json: true });
  });

  it('reject bad values before anything is written', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ rows: 'lots' }, /--rows/],
      [{ rows: '0' }, /--rows/],
      [{ rows: '1.5' }, /--rows/],
      [{ rows: '10', dates: '0' }, /--dates/],
      [{ rows: '10', dates: '99999' }, /--dates/],
      [{ rows: '10', seed: '-1' }, /--seed/],
      [{ rows: '10', seed: 'abc' }, /--seed/],
      [{ rows: '10', out: join(dir, 'x.xlsx') }, /\.csv, \.arrow, \.parquet, not "\.xlsx"/],
      [{ rows: '10', out: join(dir, 'x') }, /no extension/],
      [{ rows: '10', out: join(dir, 'missing', 'x.csv') }, /does not exist/],
    ];
    for (const [flags, message] of bad) {
      const call = () => parseGenerateOptions({ out: join(dir, 'x.csv'), ...flags } as { rows: string; out: string });
      expect(call).toThrow(UsageError);
      expect(call).toThrow(message);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('print one line with grouped rows, megabytes and seconds', () => {
    expect(renderGenerateText({ path: '/x/tape.csv', rows: 1_000_000, bytes: 85_312_345, seconds: 1.94, seed: 1, dates: 12 }, 'tape.csv')).toBe(
      'wrote 1,000,000 rows (85.3 MB) to tape.csv in 1.9 s',
    );
  });
});

describe('stress generate: the real command', () => {
  for (const extension of ['csv', 'arrow', 'parquet']) {
    it(`writes the same bytes for the same seed, and other bytes for another seed (.${extension})`, () => {
      const paths = ['a', 'b', 'c'].map((name) => join(dir, `${name}-${extension}.${extension}`));
      const results = [
        runCli(['generate', '--rows', '20k', '--dates', '6', '--seed', '11', '--out', paths[0]!]),
        runCli(['generate', '--rows', '20_000', '--dates', '6', '--seed', '11', '--out', paths[1]!]),
        runCli(['generate', '--rows', '20000', '--dates', '6', '--seed', '12', '--out', paths[2]!]),
      ];
      for (const result of results) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^wrote 20,000 rows \(\d+\.\d MB\) to .+ in \d+\.\d+ s\n$/);
      }
      expect(sha256(paths[1]!)).toBe(sha256(paths[0]!));
      expect(sha256(paths[2]!)).not.toBe(sha256(paths[0]!));
    });
  }

  it('prints the documented JSON with --json', () => {
    const out = join(dir, 'json.arrow');
    const result = runCli(['generate', '--rows', '1000', '--dates', '4', '--seed', '3', '--out', out, '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['bytes', 'dates', 'path', 'rows', 'seconds', 'seed']);
    expect(json).toMatchObject({ path: resolve(out), rows: 1000, bytes: readFileSync(out).length, seed: 3, dates: 4 });
    expect(typeof json['seconds']).toBe('number');
  });

  it('rejects bad usage with exit code 2 and one line on stderr, no stack trace, and writes nothing', () => {
    const before = readdirSync(dir).sort();
    for (const args of [
      ['--rows', 'many', '--out', join(dir, 'bad.csv')],
      ['--rows', '10', '--out', join(dir, 'bad.xlsx')],
      ['--rows', '10', '--out', join(dir, 'no-such-folder', 'bad.csv')],
      ['--rows', '10', '--dates', '0', '--out', join(dir, 'bad.csv')],
    ]) {
      const result = runCli(['generate', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^stress: --(rows|out|dates) [^\n]*\n$/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = runCli(['generate', '--rows', '10']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--out/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('stops on Ctrl-C with exit code 130 and leaves no file behind', async () => {
    const sub = tempDir('cli-generate-interrupt-');
    try {
      const child = spawn(process.execPath, [MAIN, 'generate', '--rows', '50m', '--out', join(sub, 'big.csv')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      let running = true;
      const exited = new Promise<number | null>((done) =>
        child.on('exit', (code) => {
          running = false;
          done(code);
        }),
      );
      // interrupt once writing has begun (the temporary file exists), not while the process is still starting
      while (running && readdirSync(sub).length === 0) await new Promise((wait) => setTimeout(wait, 20));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(stderr).toMatch(/^stress: interrupted; big\.csv was not written\n$/);
      expect(readdirSync(sub)).toEqual([]);
      expect(existsSync(join(sub, 'big.csv'))).toBe(false);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });
});
