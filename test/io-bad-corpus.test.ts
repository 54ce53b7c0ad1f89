/**
 * The bad-input corpus (test/fixtures/bad): every tape through the real CLI, `stress compute FILE --json
 * --out DIR` in its own process, against expected.json; and again through readTape with --lenient, in this
 * process, which is quicker and says what lenient mode keeps.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TapeInputError } from '../src/io/problems.js';
import { readTape } from '../src/io/read-tape.js';
import { committedFixtures, generatedFixtures } from './fixtures/bad/make-fixtures.js';
import { MAIN, type CliResult } from './support/cli.js';

const CORPUS = resolve(import.meta.dirname, 'fixtures/bad');
/** the files of the folder that are not tapes */
const NOT_TAPES = new Set(['expected.json', 'make-fixtures.ts']);

interface Accepted {
  readonly exit: 0;
  readonly rows_read: number;
  readonly rows_dropped: { readonly duplicates: number; readonly invalid: number };
  readonly invalid_by_reason: Record<string, number>;
  /** each snapshot of --json must hold these fields with these values */
  readonly snapshots: readonly Record<string, string | number>[];
}

interface Rejected {
  readonly exit: 2;
  /** what follows `stress: FILE: ` on the one line of stderr */
  readonly message: string;
}

interface LenientRows {
  readonly rows: number;
  readonly rows_read: number;
  readonly invalid_by_reason: Record<string, number>;
}

interface Case {
  readonly file: string;
  readonly covers: string;
  readonly args?: readonly string[];
  /** made by generatedFixtures() at test time rather than committed */
  readonly generated?: boolean;
  readonly expect: Accepted | Rejected;
  /** readTape with lenient: rejected with the same message, or these rows */
  readonly lenient?: 'rejected' | LenientRows;
}

const manifest = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')) as { cases: Case[] };
const cases = manifest.cases;

let generatedDir = '';
const outRoot = mkdtempSync(join(tmpdir(), 'bad-corpus-out-'));

beforeAll(() => {
  generatedDir = mkdtempSync(join(tmpdir(), 'bad-corpus-generated-'));
  for (const [name, bytes] of Object.entries(generatedFixtures())) writeFileSync(join(generatedDir, name), bytes);
});

afterAll(() => {
  rmSync(generatedDir, { recursive: true, force: true });
  rmSync(outRoot, { recursive: true, force: true });
});

const dirOf = (c: Case) => (c.generated ? generatedDir : CORPUS);
const groupByOf = (c: Case) => {
  const at = c.args?.indexOf('--group-by') ?? -1;
  return at >= 0 ? c.args![at + 1]! : null;
};

/** The real CLI in a child process, without blocking this one, so that cases can run side by side. */
function runCliAsync(args: readonly string[], cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The names of the files in a folder and its subfolders. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

/** Same number, or, for a ratio, the same up to the order in which a formula's operations were done. */
function expectSnapshot(actual: Record<string, unknown>, expected: Record<string, string | number>, where: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === 'number' && !Number.isInteger(value)) {
      expect(actual[key], `${where}: ${key}`).toBeTypeOf('number');
      expect(Math.abs((actual[key] as number) - value), `${where}: ${key} = ${String(actual[key])}, expected ${value}`).toBeLessThanOrEqual(1e-12 * Math.abs(value));
    } else {
      expect(actual[key], `${where}: ${key}`).toBe(value);
    }
  }
}

describe('the bad-input corpus', () => {
  it('holds at least 30 rejected tapes, and every tape in the folder has its expected outcome', () => {
    const files = readdirSync(CORPUS).filter((name) => !NOT_TAPES.has(name));
    const committed = cases.filter((c) => !c.generated).map((c) => c.file);
    expect(committed.slice().sort()).toEqual(files.slice().sort());
    expect(new Set(cases.map((c) => c.file)).size).toBe(cases.length);
    expect(cases.filter((c) => c.expect.exit === 2).length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.generated).map((c) => c.file).sort()).toEqual(Object.keys(generatedFixtures()).sort());
  });

  it('committed binary fixtures are what make-fixtures.ts makes', async () => {
    for (const [name, bytes] of Object.entries(await committedFixtures())) {
      const path = join(CORPUS, name);
      if (process.env['WRITE_BAD_FIXTURES'] === '1') writeFileSync(path, bytes);
      expect(new Uint8Array(readFileSync(path)), name).toEqual(bytes);
    }
  });
});

describe('stress compute on each tape of the corpus: exit code, the one line on stderr, the KPIs', () => {
  for (const c of cases) {
    it.concurrent(`${c.file}: ${c.covers}`, async () => {
      const rejected = c.expect.exit === 2;
      // a rejected tape is given an output folder too, to see that no result is written into it
      const out = rejected ? ['--out', mkdtempSync(join(outRoot, 'out-'))] : [];
      const result = await runCliAsync(['compute', c.file, '--json', ...out, ...(c.args ?? [])], dirOf(c));
      expect(result.stderr).not.toMatch(/^\s+at /m);
      if (c.expect.exit === 2) {
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(`stress: ${c.file}: ${c.expect.message}\n`);
        expect(result.stdout).toBe('');
        expect(filesUnder(out[1]!).filter((name) => name.startsWith('kpis.'))).toEqual([]);
        return;
      }
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      const json = JSON.parse(result.stdout) as { rows_read: number; rows_dropped: unknown; invalid_by_reason: unknown; snapshots: Record<string, unknown>[] };
      expect(json.rows_read).toBe(c.expect.rows_read);
      expect(json.rows_dropped).toEqual(c.expect.rows_dropped);
      expect(json.invalid_by_reason).toEqual(c.expect.invalid_by_reason);
      expect(json.snapshots.map((s) => s['measurement_date'])).toEqual(c.expect.snapshots.map((s) => s['measurement_date']));
      c.expect.snapshots.forEach((s, i) => expectSnapshot(json.snapshots[i]!, s, `${c.file} snapshot ${i}`));
    });
  }
});

describe('readTape with --lenient on each tape of the corpus', () => {
  for (const c of cases.filter((k) => k.lenient !== undefined)) {
    it(`${c.file}: ${c.lenient === 'rejected' ? 'still rejected' : 'bad rows dropped and counted'}`, async () => {
      const path = join(dirOf(c), c.file);
      const reading = readTape(path, { lenient: true, groupBy: groupByOf(c) });
      if (c.lenient === 'rejected') {
        const error = await reading.then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TapeInputError);
        expect((error as TapeInputError).message).toBe(`${path}: ${(c.expect as Rejected).message}`);
        return;
      }
      const read = await reading;
      expect({ rows: read.tape.rows, rows_read: read.rowsRead, invalid_by_reason: read.invalidByReason }).toEqual(c.lenient);
      // each bad row of the corpus has one problem, so rows dropped = problems counted
      const problems = Object.values(c.lenient!.invalid_by_reason).reduce((a, b) => a + b, 0);
      expect(read.dropped.invalid).toBe(problems);
      expect(read.rowsRead - read.tape.rows - read.dropped.duplicates).toBe(problems);
    });
  }
});
