import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bool, DateDay, Field, Float64, Int32, List, Null, Schema, Utf8 } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { allocateColumns, tapeViews, viewsOf, type MoneyView } from '../src/engine/columns.js';
import { bufferStarts, planArrowFile } from '../src/io/arrow-file.js';
import { readArrowRange, readArrowTape, type ArrowTuning } from '../src/io/arrow.js';
import type { ByteSource } from '../src/io/byte-source.js';
import { arrangeColumns } from '../src/io/tape-builder.js';
import { closeIngestWorkers } from '../src/io/ingest-pool.js';
import { writeSyntheticFile } from '../src/io/synthetic.js';

/**
 * A column's values, bit for bit, as a digest (arrays of this size compare slowly element by element). Money
 * is digested as Float64 whatever its width: a read tape is narrowed to Uint32 cents, a region is not.
 */
function digest(column: MoneyView | Uint16Array): string {
  const values = column instanceof Uint32Array ? Float64Array.from(column) : column;
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

const root = mkdtempSync(join(tmpdir(), 'io-arrow-direct-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await closeIngestWorkers();
});

describe('where each column’s buffers start in a record batch', () => {
  it('counts three buffers for text, two for fixed-width types and booleans, none for nulls', () => {
    const fields = [
      new Field('segment', new Utf8()),
      new Field('flag', new Bool()),
      new Field('note', new Null()),
      new Field('measurement_date', new DateDay()),
      new Field('total_receivable_usd', new Float64()),
      new Field('loan_id', new Utf8()),
    ];
    expect(Array.from(bufferStarts(new Schema(fields).fields)!)).toEqual([0, 3, 5, 5, 7, 9]);
  });

  it('gives up on a column with children', () => {
    const list = new Field('scores', new List(new Field('item', new Int32(), true)));
    expect(bufferStarts([new Field('loan_id', new Utf8()), list])).toBeNull();
  });
});

describe('a plain Arrow file is read column by column', () => {
  it('reads only the bytes of the columns the tape keeps, and gives the cell readers’ tape', async () => {
    // three record batches, with a text column (segment) that the tape does not keep
    const path = join(root, 'tape.arrow');
    const { rows } = await writeSyntheticFile(path, { rows: 140_000, dates: 12, seed: 7 });
    const reference = await readArrowTape(path, {}, { fastPath: false, threads: 1 });
    const handle = await open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const plan = (await planArrowFile(handle, size))!;
      expect(plan.batches.length).toBeGreaterThan(1);
      const read = async (tuning: ArrowTuning) => {
        let bytesRead = 0;
        const counting: ByteSource = {
          read: async (buffer, offset, length, position) => {
            const result = await handle.read(buffer, offset, length, position);
            bytesRead += result.bytesRead;
            return result;
          },
        };
        const { memory, layout } = allocateColumns(rows, false);
        const partial = await readArrowRange(
          { kind: 'arrow-range', path, fd: handle.fd, size: (await handle.stat()).size, from: 0, to: plan.batches.length, rowBase: 0, options: {}, tuning, region: { memory, layout, rowBase: 0, rowLimit: rows } },
          counting,
          plan,
        );
        // as a reader finishes a tape: money narrowed, rows grouped by date
        const views = viewsOf(memory.buffer, arrangeColumns(memory, layout, partial.rows, partial.dates.length), partial.rows);
        return { bytesRead, rows: partial.rows, dates: partial.dates, money: views.money.map(digest), dateKeys: digest(views.dateKeys) };
      };
      const expected = tapeViews(reference.tape);
      const bodies = plan.batches.reduce((sum, batch) => sum + batch.bodyLength, 0);
      for (const tuning of [{}, { kernel: 'js' as const }]) {
        const direct = await read(tuning);
        expect(direct.rows).toBe(reference.tape.rows);
        expect(direct.dates).toEqual(reference.tape.dates);
        expect(direct.money).toEqual(expected.money.map(digest));
        expect(direct.dateKeys).toBe(digest(expected.dateKeys));
        // the segment column's offsets and text were never read
        expect(direct.bytesRead).toBeLessThan(bodies * 0.95);
      }
      // the whole-batch path reads every body
      expect((await read({ direct: false })).bytesRead).toBeGreaterThanOrEqual(bodies);
    } finally {
      await handle.close();
    }
  });
});
