import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEMORY_HELP, parseByteSize, parseMaxMemory } from '../src/cli/options.js';
import { allocateColumns, bytesPerRow, checkTapeFits, layoutFor, MAX_MEMORY_BYTES, maxRowsPerMemory, SCRATCH_BYTES, TapeTooLargeError, type MemoryLimit } from '../src/engine/columns.js';
import { UsageError } from '../src/errors.js';
import { readTape } from '../src/io/read-tape.js';
import { syntheticTape, writeSyntheticFile } from '../src/io/synthetic.js';
import { runCli } from './support/cli.js';

/**
 * --max-memory and the 4 GiB of one wasm32 memory: a tape that would not fit is refused from its figures,
 * before its memory is reserved. Nothing here allocates more than a few megabytes.
 */
const dir = mkdtempSync(join(tmpdir(), 'tape-memory-limit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A limit that holds exactly `rows` rows without a group column. */
const limitFor = (rows: number): MemoryLimit => ({ bytes: SCRATCH_BYTES + 16 * 64 + rows * bytesPerRow(false), name: `a limit of ${rows.toLocaleString('en-US')} rows` });

describe('sizes and the default limit', () => {
  it('parses sizes: binary KiB..TiB and k/m/g/t, decimal KB..TB, bare bytes', () => {
    expect(parseByteSize('--max-memory', '8GiB')).toBe(8 * 2 ** 30);
    expect(parseByteSize('--max-memory', '512MB')).toBe(512e6);
    expect(parseByteSize('--max-memory', '1.5g')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('--max-memory', ' 64 MiB ')).toBe(64 * 2 ** 20);
    expect(parseByteSize('--max-memory', '4096')).toBe(4096);
    expect(parseByteSize('--max-memory', '2TB')).toBe(2e12);
    for (const bad of ['', '0', '-1GB', '10XB', 'GB', '1e9', '0.1b']) expect(() => parseByteSize('--max-memory', bad), bad).toThrow(/--max-memory takes a size/);
  });

  it('defaults to half the memory available, and says so when it refuses', () => {
    const limit = parseMaxMemory(undefined, 16 * 2 ** 30);
    expect(limit.bytes).toBe(8 * 2 ** 30);
    expect(limit.name).toBe('the default --max-memory of 8.0 GiB (half of the 16.0 GiB of memory available)');
    expect(parseMaxMemory('512MB')).toEqual({ bytes: 512e6, name: '--max-memory 512MB' });
    expect(parseMaxMemory(undefined).bytes).toBeGreaterThan(0);
    expect(MAX_MEMORY_HELP).toMatch(/default: half/);
  });
});

describe('checkTapeFits: the figures decide, nothing is allocated', () => {
  it('one wasm32 memory: the largest tape fits, one row more is refused with the row count and the limit', () => {
    const max = maxRowsPerMemory(false);
    expect(layoutFor(max, false).byteLength).toBeLessThanOrEqual(MAX_MEMORY_BYTES);
    expect(() => checkTapeFits(max, false)).not.toThrow();
    expect(() => checkTapeFits(max + 1, false)).toThrow(TapeTooLargeError);
    let error: unknown;
    try {
      checkTapeFits(100_000_000, false);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `a tape of up to 100,000,000 rows needs 6.89 GiB (100,000,000 rows × 74 bytes + 2.0 MiB for the kernels), ` +
        `more than the 4 GiB one WebAssembly memory can address (wasm32): at most ${max.toLocaleString('en-US')} rows fit`,
    );
    // a grouped tape has 2 bytes more a row, so fewer rows fit
    expect(maxRowsPerMemory(true)).toBeLessThan(max);
    expect(() => checkTapeFits(max, true)).toThrow(/76 bytes/);
  });

  it('a memory limit below 4 GiB binds first; one above it leaves the wasm32 limit', () => {
    const limit = limitFor(10_000);
    expect(maxRowsPerMemory(false, limit.bytes)).toBe(10_000);
    expect(() => checkTapeFits(10_000, false, limit)).not.toThrow();
    expect(() => checkTapeFits(10_001, false, limit)).toThrow('more than a limit of 10,000 rows: at most 10,000 rows fit');
    const huge = { bytes: 64 * 2 ** 30, name: '--max-memory 64GiB' };
    expect(() => checkTapeFits(maxRowsPerMemory(false) + 1, false, huge)).toThrow(/4 GiB one WebAssembly memory/);
  });

  it('allocateColumns and every tape builder refuse before reserving', () => {
    expect(() => allocateColumns(10_001, false, limitFor(10_000))).toThrow(TapeTooLargeError);
    expect(() => syntheticTape({ rows: 10_001 }, { memoryLimit: limitFor(10_000) })).toThrow(/at most 10,000 rows fit/);
    expect(syntheticTape({ rows: 10_000 }, { memoryLimit: limitFor(10_000) }).tape.rows).toBe(10_000);
  });
});

describe('tape files under a limit', () => {
  const csv = join(dir, 'tape.csv');
  const arrow = join(dir, 'tape.arrow');
  beforeAll(async () => {
    await writeSyntheticFile(csv, { rows: 20_000, dates: 4, seed: 5 });
    await writeSyntheticFile(arrow, { rows: 20_000, dates: 4, seed: 5 });
  });

  it('a CSV whose size alone could hold more rows than the limit is read when its rows fit (its lines are counted)', async () => {
    // the reader's first bound, bytes / (fields + 12), is well above 25,000 rows for this file
    expect(statSync(csv).size / 23).toBeGreaterThan(25_000);
    expect((await readTape(csv, { memoryLimit: limitFor(25_000) })).tape.rows).toBe(20_000);
    expect((await readTape(arrow, { memoryLimit: limitFor(20_000) })).tape.rows).toBe(20_000);
  });

  it('a file with more rows than the limit is refused, naming the file', async () => {
    await expect(readTape(csv, { memoryLimit: limitFor(15_000) })).rejects.toThrow(new RegExp(`^${csv}: a tape of up to 20,00[01] rows .* more than a limit of 15,000 rows`));
    await expect(readTape(arrow, { memoryLimit: limitFor(15_000) })).rejects.toThrow(new RegExp(`^${arrow}: a tape of up to 20,000 rows`));
  });

  it('the CLI refuses it with exit 2 and one line, before computing or starting a run', () => {
    const limit = String(limitFor(15_000).bytes);
    const out = join(dir, 'compute-out');
    const compute = runCli(['compute', csv, '--max-memory', limit, '--out', out]);
    expect(compute.code).toBe(2);
    expect(compute.stdout).toBe('');
    expect(compute.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(compute.stderr).toMatch(/tape\.csv: a tape of up to 20,00[01] rows needs .* more than --max-memory \d+: at most 15,000 rows fit/);

    const runOut = join(dir, 'run-out');
    const run = runCli(['run', '--input', arrow, '--max-memory', limit, '--duration', '5s', '--threads', '1', '--out', runOut]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/tape\.arrow: a tape of up to 20,000 rows/);
    expect(existsSync(runOut)).toBe(false);

    const load = runCli(['load', '--input', csv, '--max-memory', limit, '--iterations', '1', '--threads', '1', '--out', join(dir, 'load-out')]);
    expect(load.code).toBe(2);
    expect(load.stderr).toMatch(/tape\.csv: a tape of up to/);
  });

  it('generated tapes are refused from --rows alone: beyond 4 GiB, or beyond --max-memory', () => {
    const runOut = join(dir, 'huge-run');
    const run = runCli(['run', '--rows', '100000000', '--duration', '5s', '--out', runOut]);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/a tape of up to 100,000,000 rows needs 6\.89 GiB .* 4 GiB one WebAssembly memory .* at most 58,011,744 rows fit/);
    expect(existsSync(runOut)).toBe(false);

    const load = runCli(['load', '--rows', '10k,60m', '--iterations', '1']);
    expect(load.code).toBe(2);
    expect(load.stderr).toMatch(/a tape of up to 60,000,000 rows needs 4\.14 GiB/);

    const limited = runCli(['run', '--rows', '1m', '--max-memory', '64MiB', '--duration', '5s', '--out', runOut]);
    expect(limited.code).toBe(2);
    expect(limited.stderr).toMatch(/a tape of up to 1,000,000 rows needs 72\.6 MiB .* more than --max-memory 64MiB: at most 878,522 rows fit/);
  });
});
