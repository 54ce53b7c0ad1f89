import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float64, Int64, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceSnapshots } from '../src/engine/reference.js';
import { parquetBytes, parquetToArrowTable } from '../src/io/parquet.js';
import { TapeInputError } from '../src/io/problems.js';
import { readTape } from '../src/io/read-tape.js';
import { writeSyntheticFile } from '../src/io/synthetic.js';
import { days, dollars } from './support/arrow-columns.js';
import { bitwise } from './support/bits.js';
import { runCli } from './support/cli.js';

const root = mkdtempSync(join(tmpdir(), 'io-parquet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function caseDir(): string {
  return mkdtempSync(join(root, 'case-'));
}


async function parquetFile(columns: Record<string, Vector>, name = 'tape.parquet'): Promise<string> {
  const path = join(caseDir(), name);
  writeFileSync(path, await parquetBytes(new Table(columns)));
  return path;
}

/** Four rows: L1, L2, L2 again (a duplicate), L3; receivable given per row. */
function tapeColumns(receivable: (number | null)[]): Record<string, Vector> {
  const n = receivable.length;
  return {
    loan_id: vectorFromArray(['L1', 'L2', 'L2', 'L3'].slice(0, n), new Utf8()),
    measurement_date: days(n),
    total_receivable_usd: dollars(receivable),
    total_eligible_usd: dollars(new Array<number>(n).fill(800)),
    discounted_balance_usd: dollars(new Array<number>(n).fill(900)),
    cash_available_usd: dollars(new Array<number>(n).fill(12.5)),
    dpd_90_plus_usd: vectorFromArray(new Array<bigint>(n).fill(10n), new Int64()),
  };
}

async function rejection(path: string, lenient = false): Promise<TapeInputError> {
  try {
    await readTape(path, { lenient });
  } catch (error) {
    if (error instanceof TapeInputError) return error;
    throw error;
  }
  throw new Error('the tape was accepted');
}

describe('Parquet tapes', () => {
  it('read through the Arrow rules: sums, duplicates and the int64-dollar column', async () => {
    const read = await readTape(await parquetFile(tapeColumns([1000, 2000, 5000, 3000.25])));
    expect(read.rowsRead).toBe(4);
    expect(read.dropped).toEqual({ duplicates: 1, invalid: 0 });
    const [snapshot] = referenceSnapshots(read.tape);
    expect(snapshot).toMatchObject({ measurement_date: '2025-01-31', rows: 3, total_receivable_usd: 6000.25, dpd_90_plus_usd: 30, cash_available_usd: 37.5 });
  });

  it('strict mode names the file, the 1-based row, the column and the value, as for Arrow', async () => {
    const path = await parquetFile(tapeColumns([1000, -5, 2000, 1.234]));
    const error = await rejection(path);
    expect(error.total).toBe(2);
    expect(error.message).toBe(`${path}: row 2, column total_receivable_usd, value "-5": negative amount (2 problems in all)`);
    expect(error.details().split('\n')[1]).toBe(`  ${path}: row 4, column total_receivable_usd, value "1.234": more than 2 decimal places`);
  });

  it('lenient mode drops the bad rows and counts them by reason', async () => {
    const read = await readTape(await parquetFile(tapeColumns([1000, -5, 2000, null])), { lenient: true });
    expect(read.dropped).toEqual({ duplicates: 0, invalid: 2 });
    expect(read.invalidByReason).toEqual({ 'negative amount': 1, 'missing value': 1 });
    expect(read.tape.rows).toBe(2);
  });

  it('count rows across row groups: a problem in the second row group names its row in the file', async () => {
    const n = 70_000;
    const receivable = new Array<number>(n).fill(10);
    receivable[68_999] = -1; // row 69,000, in the second row group of 65,536 rows
    const path = await parquetFile({
      loan_id: vectorFromArray(Array.from({ length: n }, (_, i) => `L${i % 69_999}`), new Utf8()), // row 70,000 repeats row 1
      measurement_date: days(n),
      total_receivable_usd: dollars(receivable),
      total_eligible_usd: dollars(new Array<number>(n).fill(1)),
      discounted_balance_usd: dollars(new Array<number>(n).fill(1)),
    });
    const table = await parquetToArrowTable(path, readFileSync(path));
    expect(table.numRows).toBe(n);
    expect((await rejection(path)).message).toBe(`${path}: row 69000, column total_receivable_usd, value "-1": negative amount`);
    const read = await readTape(path, { lenient: true });
    expect(read.rowsRead).toBe(n);
    expect(read.dropped).toEqual({ duplicates: 1, invalid: 1 });
    expect(referenceSnapshots(read.tape)[0]!.total_receivable_usd).toBe(10 * (n - 2));
  });

  it('a missing required column is named', async () => {
    const columns = tapeColumns([1, 2, 3, 4]);
    delete columns['total_eligible_usd'];
    const error = await rejection(await parquetFile(columns));
    expect(error.message).toMatch(/tape\.parquet: .*missing required column\(s\): total_eligible_usd/);
  });

  it('a file with a schema and no rows is rejected', async () => {
    const columns = tapeColumns([]);
    const error = await rejection(await parquetFile(columns));
    expect(error.message).toMatch(/tape\.parquet: no data rows$/);
  });

  it('truncated, corrupt-footer and non-Parquet files are rejected as invalid Parquet', async () => {
    const good = readFileSync(await parquetFile(tapeColumns([1, 2, 3, 4])));
    const truncated = join(caseDir(), 'truncated.parquet');
    writeFileSync(truncated, good.subarray(0, good.length - 40));
    const footer = Buffer.from(good);
    footer.write('XXXX', footer.length - 4); // the closing magic bytes
    const badFooter = join(caseDir(), 'footer.parquet');
    writeFileSync(badFooter, footer);
    const csvInDisguise = join(caseDir(), 'csv.parquet');
    writeFileSync(csvInDisguise, 'loan_id,measurement_date\nL1,2025-01-31\n');
    for (const path of [truncated, badFooter, csvInDisguise]) {
      const error = await rejection(path);
      expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a valid Parquet file \\(.+\\)$`));
      expect(error.message).not.toMatch(/\n/);
    }
  });

  it('a generated Parquet tape gives the same KPIs as the same tape in CSV, through the real CLI', async () => {
    const dir = caseDir();
    const spec = { rows: 5_000, dates: 3, seed: 5 };
    await writeSyntheticFile(join(dir, 'tape.parquet'), spec);
    await writeSyntheticFile(join(dir, 'tape.csv'), spec);
    const fromParquet = runCli(['compute', join(dir, 'tape.parquet'), '--json', '--group-by', 'segment']);
    const fromCsv = runCli(['compute', join(dir, 'tape.csv'), '--json', '--group-by', 'segment']);
    expect(fromParquet.stderr).toBe('');
    expect(fromParquet.code).toBe(0);
    const parquetJson = JSON.parse(fromParquet.stdout);
    expect(parquetJson.snapshots).toHaveLength(12);
    expect(bitwise(parquetJson.snapshots)).toBe(bitwise(JSON.parse(fromCsv.stdout).snapshots));
  });

  it('a truncated Parquet tape is one line on stderr and exit code 2 from the CLI', async () => {
    const dir = caseDir();
    await writeSyntheticFile(join(dir, 'full.parquet'), { rows: 2_000, dates: 2 });
    const bytes = readFileSync(join(dir, 'full.parquet'));
    writeFileSync(join(dir, 'cut.parquet'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = runCli(['compute', join(dir, 'cut.parquet')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^stress: .*cut\.parquet: not a valid Parquet file \([^\n]+\)\n$/);
  });

  it('reads back what it writes, column types included', async () => {
    const path = await parquetFile(tapeColumns([1, 2, 3, 4]));
    const table = await parquetToArrowTable(path, readFileSync(path));
    expect(table.numRows).toBe(4);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'loan_id:Utf8',
      'measurement_date:Date32<DAY>',
      'total_receivable_usd:Float64',
      'total_eligible_usd:Float64',
      'discounted_balance_usd:Float64',
      'cash_available_usd:Float64',
      'dpd_90_plus_usd:Int64',
    ]);
  });
});
