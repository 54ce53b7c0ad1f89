import { describe, expect, it } from 'vitest';
import { READ_CHUNK_BYTES } from '../src/io/csv.js';
import { FULL_HEADER, inTapeOrder, readCsv, readCsvError, rowsOf, type ReadRow } from './support/csv-files.js';
import { seededRandom } from './support/tapes.js';

/** A tape of about `bytes` bytes whose records vary in length and shape, with the rows it must read as. */
function bigTape(bytes: number, seed: number): { text: string; rows: ReadRow[]; lines: number } {
  const random = seededRandom(seed);
  const parts = [`${FULL_HEADER},note\n`];
  const rows: ReadRow[] = [];
  let size = parts[0]!.length;
  let lines = 1;
  for (let i = 0; size < bytes; i++) {
    const cents = Array.from({ length: 9 }, () => Math.floor(random() * 10_000_000));
    const date = `2025-0${1 + (i % 3)}-1${i % 10}`;
    const amounts = cents.map((c, k) => {
      const text = `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
      return k % 4 === 1 ? `"${text}"` : text;
    });
    const shape = i % 5;
    // a note that is sometimes long, quoted, multi-line, or full of doubled quotes, so records cross the
    // buffer's end at every kind of place
    const note =
      shape === 0 ? '' : shape === 1 ? `"line a\nline b, ""quoted""\r\nline c"` : shape === 2 ? 'x'.repeat(Math.floor(random() * 3000)) : shape === 3 ? `"${'""'.repeat(Math.floor(random() * 50))}"` : 'plain';
    const ending = i % 7 === 0 ? '\r\n' : '\n';
    const line = `"L${i}",${date},${amounts.join(',')},${note}${ending}`;
    parts.push(line);
    size += line.length;
    lines += line.split('\n').length - 1;
    rows.push({ date, cents });
  }
  return { text: parts.join(''), rows, lines };
}

describe('records that cross the read buffer', () => {
  it('reads every row of a 3 MB tape exactly, whatever falls on the buffer boundaries', async () => {
    const { text, rows } = bigTape(3 * READ_CHUNK_BYTES, 7);
    expect(text.length).toBeGreaterThan(3 * READ_CHUNK_BYTES);
    const result = await readCsv(text);
    expect(result.tape.rows).toBe(rows.length);
    expect(rowsOf(result)).toEqual(inTapeOrder(rows));
  });

  it('keeps counting lines across buffers', async () => {
    const { text, lines } = bigTape(2.5 * READ_CHUNK_BYTES, 11);
    const error = await readCsvError(`${text}L-bad,2025-01-31,oops,1,1,1,1,1,1,1,1,\n`);
    expect(error.problems[0]).toMatchObject({ line: lines + 1, value: 'oops', reason: 'not a number' });
  });

  it('reads a 10 MB single field (in an extra column), and the rows around it', async () => {
    const huge = 'y'.repeat(10 * 1024 * 1024);
    const text = `${FULL_HEADER},blob\nA,2025-01-31,1,2,3,4,5,6,7,8,9,small\nB,2025-01-31,1,2,3,4,5,6,7,8,9,"${huge}"\nC,2025-01-31,1,2,3,4,5,6,7,8,9,${huge}\nD,2025-01-31,10,2,3,4,5,6,7,8,9,\n`;
    const result = await readCsv(text);
    expect(rowsOf(result).map((r) => r.cents[0])).toEqual([100, 100, 100, 1000]);
  });
});
