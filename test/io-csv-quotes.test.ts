import { describe, expect, it } from 'vitest';
import { FIELD_MALFORMED, FIELD_PLAIN, FIELD_QUOTED, RecordFields, splitRecord } from '../src/io/csv.js';
import { REQUIRED_HEADER, readCsv, readCsvError, rowsOf } from './support/csv-files.js';

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

interface Split {
  fields: string[];
  kinds: number[];
  lines: number;
  blank: boolean;
}

/** Every record of `text`, read as the reader does: the whole text is there and this is the end of file. */
function splitAll(text: string): Split[] {
  const bytes = encode(text);
  const out = new RecordFields();
  const records: Split[] = [];
  let position = 0;
  while (position < bytes.length) {
    const next = splitRecord(bytes, position, bytes.length, true, out);
    expect(next).toBeGreaterThan(position);
    records.push(snapshot(bytes, out));
    position = next;
  }
  return records;
}

function snapshot(bytes: Uint8Array, out: RecordFields): Split {
  const fields: string[] = [];
  const kinds: number[] = [];
  for (let f = 0; f < out.count; f++) {
    fields.push(decode(bytes.subarray(out.starts[f]!, out.ends[f]!)));
    kinds.push(out.kinds[f]!);
  }
  return { fields, kinds, lines: out.lines, blank: out.blank };
}

describe('splitting records (RFC 4180)', () => {
  it('splits on commas and ends records at LF or CRLF, mixed in one text', () => {
    const records = splitAll('a,b,c\r\nd,e,f\ng,h,i');
    expect(records.map((r) => r.fields)).toEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h', 'i']]);
    expect(records.map((r) => r.lines)).toEqual([1, 1, 0]);
  });

  it('reads quoted fields with commas, line feeds, CRLF and doubled quotes', () => {
    const [record] = splitAll('"a,b","line 1\nline 2\r\nline 3","say ""hi""",""\n');
    expect(record!.fields).toEqual(['a,b', 'line 1\nline 2\r\nline 3', 'say "hi"', '']);
    expect(record!.kinds).toEqual([FIELD_QUOTED, FIELD_QUOTED, FIELD_QUOTED, FIELD_QUOTED]);
    expect(record!.lines).toBe(3);
  });

  it('trims spaces around unquoted values but keeps them inside quotes', () => {
    const [record] = splitAll('  a  ,\tb\t,"  c  ",,\n');
    expect(record!.fields).toEqual(['a', 'b', '  c  ', '', '']);
  });

  it('marks empty lines (LF, CRLF, at end of file) as blank, and a line of spaces as not blank', () => {
    const records = splitAll('\n\r\na\n   \n\r');
    expect(records.map((r) => r.blank)).toEqual([true, true, false, false, true]);
    expect(records[3]!.fields).toEqual(['']);
  });

  it('flags a quote inside an unquoted field, and text after a closing quote', () => {
    const [record] = splitAll('ab"c,"ok","x"y,z\n');
    expect(record!.kinds).toEqual([FIELD_MALFORMED, FIELD_QUOTED, FIELD_MALFORMED, FIELD_PLAIN]);
    expect(record!.fields).toEqual(['ab"c', 'ok', '"x"y', 'z']);
  });

  it('asks for more input wherever the text is cut, and then splits exactly as from the whole text', () => {
    const text = 'id,"q ""1"", x"\r\n"multi\nline",2\n,\n\n"end"\r\n"bad"tail,a"b\r\nlast,"';
    const full = text + 'row"\n';
    const expected = splitAll(full);
    for (let cut = 0; cut <= full.length; cut++) {
      const bytes = encode(full);
      const out = new RecordFields();
      const records: Split[] = [];
      let position = 0;
      // first the prefix, as if the rest of the file had not been read yet, then everything
      for (const [end, atEof] of [[cut, false], [bytes.length, true]] as const) {
        while (position < end) {
          const next = splitRecord(bytes, position, end, atEof, out);
          if (next < 0) break;
          records.push(snapshot(bytes, out));
          position = next;
        }
      }
      expect(records, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('reports an unclosed quote at end of file', () => {
    const bytes = encode('a,"open\nstill open');
    const out = new RecordFields();
    expect(splitRecord(bytes, 0, bytes.length, false, out)).toBe(-1);
    expect(splitRecord(bytes, 0, bytes.length, true, out)).toBe(bytes.length);
    expect(out.unterminatedField).toBe(1);
  });
});

describe('reading quoted and oddly ended CSV files', () => {
  const header = `loan_id,${REQUIRED_HEADER},note`;

  it('reads embedded commas, newlines and doubled quotes in cells, with the right line numbers after them', async () => {
    const csv = `${header}\n"L,1",2025-01-31,"1,5",2,3,"a\nb"\nL2,"2025-01-31","7.25",2,3,"say ""x"""\nL3,2025-01-31,-1,2,3,\n`;
    const error = await readCsvError(csv);
    // "1,5" is not a number (line 2); the negative amount is on line 5 because line 2's record spans two lines
    expect(error.problems.map((p) => [p.line, p.column, p.value, p.reason])).toEqual([
      [2, 'total_receivable_usd', '1,5', 'not a number'],
      [5, 'total_receivable_usd', '-1', 'negative amount'],
    ]);
    const lenient = await readCsv(csv, { lenient: true });
    expect(rowsOf(lenient).map((r) => r.cents[0])).toEqual([725]);
  });

  it('reads CRLF, LF and mixed line endings alike, and a last line without a newline', async () => {
    const lines = [header, 'L1,2025-01-31,1,2,3,x', 'L2,2025-01-31,10,2,3,"multi\r\nline"', 'L3,2025-02-28,100,2,3,'];
    for (const text of [lines.join('\n'), lines.join('\r\n'), `${lines[0]}\r\n${lines[1]}\n${lines[2]}\r\n${lines[3]}\r\n`]) {
      const result = await readCsv(text);
      expect(rowsOf(result).map((r) => [r.date, r.cents[0]])).toEqual([
        ['2025-01-31', 100],
        ['2025-01-31', 1000],
        ['2025-02-28', 10000],
      ]);
    }
  });

  it('skips blank lines without counting them as rows, but counts them as lines', async () => {
    const csv = `${header}\n\nL1,2025-01-31,1,2,3,\r\n\r\n\nL2,2025-01-31,x,2,3,\n\n`;
    const error = await readCsvError(csv);
    expect(error.problems[0]).toMatchObject({ line: 6, value: 'x', reason: 'not a number' });
    const result = await readCsv(csv, { lenient: true });
    expect(result.rowsRead).toBe(2);
    expect(result.tape.rows).toBe(1);
  });

  it('rejects rows with malformed quotes, naming the cell', async () => {
    const csv = `${header}\nL1,2025-01-31,1"0,2,3,\nL2,2025-01-31,"1"0,2,3,\nL3,2025-01-31,1,2,3,ok\n`;
    const error = await readCsvError(csv);
    expect(error.problems.map((p) => [p.line, p.column, p.value, p.reason])).toEqual([
      [2, 'total_receivable_usd', '1"0', 'malformed quotes'],
      [3, 'total_receivable_usd', '"1"0', 'malformed quotes'],
    ]);
    const result = await readCsv(csv, { lenient: true });
    expect(result.invalidByReason).toEqual({ 'malformed quotes': 2 });
    expect(result.tape.rows).toBe(1);
  });

  it('rejects rows with too few or too many fields', async () => {
    const csv = `${header}\nL1,2025-01-31,1,2,3\nL2,2025-01-31,1,2,3,,extra\nL3,2025-01-31,1,2,3,\n`;
    const error = await readCsvError(csv);
    expect(error.problems).toEqual([
      { file: error.path, line: 2, lineKind: 'line', column: null, value: null, reason: 'expected 6 fields, found 5' },
      { file: error.path, line: 3, lineKind: 'line', column: null, value: null, reason: 'expected 6 fields, found 7' },
    ]);
  });

  it('rejects an unterminated quoted field at end of file at the line where it started, in lenient mode too', async () => {
    const csv = `${header}\nL1,2025-01-31,1,2,3,\nL2,2025-01-31,1,2,3,"never\nclosed\n`;
    for (const lenient of [false, true]) {
      const error = await readCsvError(csv, { lenient });
      expect(error.total).toBe(1);
      expect(error.problems[0]).toMatchObject({ line: 3, column: 'note', reason: 'unterminated quoted field' });
    }
  });
});
