import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/cli/errors.js';
import { tapeViews } from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { readTape } from '../src/io/read-tape.js';
import { SYNTHETIC_COLUMNS, syntheticTape, writeCents, writeSyntheticFile } from '../src/io/synthetic.js';
import { bitwise } from './support/bits.js';

const root = mkdtempSync(join(tmpdir(), 'synthetic-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(): string {
  return mkdtempSync(join(root, 'case-'));
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function centsText(cents: number): string {
  const buffer = new Uint8Array(32);
  return new TextDecoder().decode(buffer.subarray(0, writeCents(buffer, 0, cents)));
}

describe('synthetic files', () => {
  it('print cents exactly, always with two decimals', () => {
    expect(centsText(0)).toBe('0.00');
    expect(centsText(5)).toBe('0.05');
    expect(centsText(29)).toBe('0.29');
    expect(centsText(123456)).toBe('1234.56');
    expect(centsText(100)).toBe('1.00');
    // 2^53 - 1 cents: toFixed of a float dollar amount would round this one
    expect(centsText(9007199254740991)).toBe('90071992547409.91');
  });

  for (const extension of ['csv', 'arrow', 'parquet'] as const) {
    it(`read back from .${extension} equal the in-memory tape, column by column, and give the same KPIs`, async () => {
      const spec = { rows: 70_001, dates: 7, seed: 42 };
      const path = join(folder(), `tape.${extension}`);
      const written = await writeSyntheticFile(path, spec);
      expect(written.rows).toBe(spec.rows);
      expect(written.bytes).toBe(readFileSync(path).length);
      const back = await readTape(path);
      const expected = syntheticTape(spec);
      expect(back.tape.rows).toBe(spec.rows);
      expect(back.dropped).toEqual({ duplicates: 0, invalid: 0 });
      expect(back.tape.dates).toEqual(expected.tape.dates);
      const a = tapeViews(back.tape);
      const b = tapeViews(expected.tape);
      a.money.forEach((column, c) => expect(Buffer.from(column.buffer, column.byteOffset, column.byteLength).equals(Buffer.from(b.money[c]!.buffer, b.money[c]!.byteOffset, b.money[c]!.byteLength))).toBe(true));
      expect(Array.from(a.dateKeys)).toEqual(Array.from(b.dateKeys));
      expect(bitwise(referenceSnapshots(back.tape))).toBe(bitwise(referenceSnapshots(expected.tape)));
    });

    it(`are byte-identical for the same spec (.${extension}), and differ for another seed`, async () => {
      const dir = folder();
      const spec = { rows: 2_000, dates: 5, seed: 9 };
      await writeSyntheticFile(join(dir, `a.${extension}`), spec);
      await writeSyntheticFile(join(dir, `b.${extension}`), spec);
      await writeSyntheticFile(join(dir, `c.${extension}`), { ...spec, seed: 10 });
      expect(sha256(join(dir, `b.${extension}`))).toBe(sha256(join(dir, `a.${extension}`)));
      expect(sha256(join(dir, `c.${extension}`))).not.toBe(sha256(join(dir, `a.${extension}`)));
      // no temporary file is left beside the outputs
      expect(readdirSync(dir).sort()).toEqual([`a.${extension}`, `b.${extension}`, `c.${extension}`]);
    });
  }

  it('write the CSV header and lines of the documented shape', async () => {
    const path = join(folder(), 'tape.csv');
    await writeSyntheticFile(path, { rows: 4, dates: 3 });
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toBe(SYNTHETIC_COLUMNS.join(','));
    expect(lines[0]).toBe(
      'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_0_7_usd,dpd_7_30_usd,dpd_30_60_usd,dpd_60_90_usd,dpd_90_plus_usd,segment',
    );
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('');
    expect(lines.slice(1, 5).map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      'L000000001,2025-10-31',
      'L000000001,2025-11-30',
      'L000000001,2025-12-31',
      'L000000002,2025-10-31',
    ]);
    for (const line of lines.slice(1, 5)) {
      const cells = line.split(',');
      expect(cells).toHaveLength(12);
      for (const amount of cells.slice(2, 11)) expect(amount).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it('refuse other extensions with a usage error naming the extension, and create nothing', async () => {
    const dir = folder();
    await expect(writeSyntheticFile(join(dir, 'tape.xlsx'), { rows: 10 })).rejects.toThrow(UsageError);
    await expect(writeSyntheticFile(join(dir, 'tape.xlsx'), { rows: 10 })).rejects.toThrow(/\.xlsx/);
    await expect(writeSyntheticFile(join(dir, 'tape'), { rows: 10 })).rejects.toThrow(UsageError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leave neither the output nor a temporary file when stopped part way, and keep an older file intact', async () => {
    for (const extension of ['csv', 'arrow', 'parquet']) {
      const dir = folder();
      const path = join(dir, `tape.${extension}`);
      writeFileSync(path, 'older');
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await expect(writeSyntheticFile(path, { rows: 300_000 }, { signal: controller.signal })).rejects.toThrow('stop');
      expect(readdirSync(dir)).toEqual([`tape.${extension}`]);
      expect(readFileSync(path, 'utf8')).toBe('older');
    }
  });

  it('fail on a missing folder without creating it', async () => {
    const dir = folder();
    await expect(writeSyntheticFile(join(dir, 'nope', 'tape.csv'), { rows: 10 })).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
