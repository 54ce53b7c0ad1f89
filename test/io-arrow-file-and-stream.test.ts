import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tapeViews, type MoneyView } from '../src/engine/columns.js';
import { readTape } from '../src/io/read-tape.js';
import { syntheticTape, writeSyntheticFile } from '../src/io/synthetic.js';

describe('Arrow IPC file and stream formats read alike', () => {
  it('the same table as a file and as a stream gives the same tape, under every Arrow extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'io-arrow-formats-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const spec = { rows: 150_000, dates: 4, seed: 5 };
    const filePath = join(dir, 'tape.arrow');
    await writeSyntheticFile(filePath, spec);
    const table = tableFromIPC(readFileSync(filePath));
    // several record batches, so that rows are numbered across batches
    expect(table.batches.length).toBeGreaterThan(2);
    const streamPath = join(dir, 'tape.arrows.ipc');
    writeFileSync(streamPath, tableToIPC(table, 'stream'));
    const featherPath = join(dir, 'tape.feather');
    writeFileSync(featherPath, tableToIPC(table, 'file'));
    expect(readFileSync(streamPath).subarray(0, 6).toString('latin1')).not.toBe('ARROW1');

    const bytesOf = (column: MoneyView) => Buffer.from(column.buffer, column.byteOffset, column.byteLength);
    const expected = tapeViews(syntheticTape(spec).tape).money.map(bytesOf);
    for (const path of [filePath, streamPath, featherPath]) {
      const { tape, rowsRead } = await readTape(path);
      expect(rowsRead).toBe(spec.rows);
      tapeViews(tape).money.forEach((column, c) => expect(bytesOf(column).equals(expected[c]!), `${path}, money column ${c}`).toBe(true));
      expect(tape.dates).toEqual(['2025-09-30', '2025-10-31', '2025-11-30', '2025-12-31']);
    }
  });
});
