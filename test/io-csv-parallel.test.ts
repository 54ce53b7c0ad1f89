import { afterAll, describe, expect, it } from 'vitest';
import { tapeViews } from '../src/engine/columns.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { readCsvSerial } from '../src/io/csv.js';
import { parallelReadCounts, readCsvParallel, type ParallelPlan } from '../src/io/csv-parallel.js';
import { closeIngestWorkers } from '../src/io/ingest-pool.js';
import { TapeInputError } from '../src/io/problems.js';
import type { ReadOptions, ReadResult } from '../src/io/tape-builder.js';
import { FULL_HEADER, REQUIRED_HEADER, fullLine, writeTape } from './support/csv-files.js';
import { seededRandom } from './support/tapes.js';

afterAll(async () => {
  await closeIngestWorkers();
});

/** Everything a read gives that a caller can see, as plain values; or the error it throws. */
type Outcome =
  | {
      readonly kind: 'tape';
      readonly rows: number;
      readonly money: number[][];
      readonly dateKeys: number[];
      readonly groupKeys: number[] | null;
      readonly dates: readonly string[];
      readonly groups: readonly string[];
      readonly groupColumn: string | null;
      readonly rowsRead: number;
      readonly dropped: ReadResult['dropped'];
      /** entries, so that the order of the reasons is compared too */
      readonly invalidByReason: [string, number][];
      readonly problems: ReadResult['problems'];
    }
  | { readonly kind: 'error'; readonly details: string; readonly problems: TapeInputError['problems']; readonly total: number };

async function outcome(read: () => Promise<ReadResult>): Promise<Outcome> {
  try {
    const result = await read();
    const views = tapeViews(result.tape);
    return {
      kind: 'tape',
      rows: result.tape.rows,
      money: views.money.map((column) => Array.from(column)),
      dateKeys: Array.from(views.dateKeys),
      groupKeys: views.groupKeys ? Array.from(views.groupKeys) : null,
      dates: result.tape.dates,
      groups: result.tape.groups,
      groupColumn: result.tape.groupColumn,
      rowsRead: result.rowsRead,
      dropped: result.dropped,
      invalidByReason: Object.entries(result.invalidByReason),
      problems: result.problems,
    };
  } catch (error) {
    if (error instanceof TapeInputError) return { kind: 'error', details: error.details(), problems: error.problems, total: error.total };
    throw error;
  }
}

/** Read `content` in one pass and in parallel under `plan`; both outcomes, and which path the parallel read took. */
async function bothWays(content: string | Uint8Array, options: ReadOptions, plan: ParallelPlan): Promise<{ serial: Outcome; parallel: Outcome; merged: boolean }> {
  const { path, remove } = writeTape(content);
  try {
    const serial = await outcome(() => readCsvSerial(path, options));
    const before = parallelReadCounts.merged;
    const parallel = await outcome(() => readCsvParallel(path, options, { minBytes: 0, ...plan }));
    return { serial, parallel, merged: parallelReadCounts.merged > before };
  } finally {
    remove();
  }
}

interface TapeShape {
  /** share of rows with a problem */
  readonly bad: number;
  readonly crlf: boolean;
  readonly quotes: boolean;
  readonly withId: boolean;
  readonly shuffle: boolean;
  /** bad rows may hold quotes the reader does not take as quoting (`a"b`, an unclosed `"L1`) */
  readonly malformedQuotes: boolean;
  /** loan-major ids in ascending order (run mode of dedupe.ts), with this share of rows out of order */
  readonly sorted?: { readonly disorder: number };
}

/**
 * A random tape with the features a cut can fall among: duplicate (id, date) pairs far apart, bad rows of
 * every kind, quoted fields with commas, doubled quotes and line feeds, CRLF, blank lines, a BOM, time parts,
 * empty optional amounts, and a dictionary whose first-seen order differs between the halves.
 */
function randomTape(seed: number, rows: number, shape: TapeShape): string {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const names = [...(shape.withId ? ['loan_id'] : []), 'measurement_date', ...MONEY_COLUMNS, 'segment', 'note'];
  if (shape.shuffle) names.sort(() => random() - 0.5);
  const eol = () => (shape.crlf && random() < 0.7 ? '\r\n' : '\n');
  const dates = ['2025-01-31', '2025-02-28', '2025-03-31', '2024-12-31', '2025-04-30', '2025-05-31', '2025-06-30T08:00:00Z'];
  const segments = shape.quotes ? ['a', 'b', 'c', '"q,uoted"', '"two\nlines"', 'é', '"say ""hi"""'] : ['a', 'b', 'c', 'é'];
  const lines: string[] = [`${random() < 0.3 ? '\uFEFF' : ''}${names.join(',')}${eol()}`];
  for (let r = 0; r < rows; r++) {
    if (random() < 0.02) {
      lines.push(eol());
      continue;
    }
    const bad = random() < shape.bad;
    const badField = bad ? pick(names) : '';
    const cells = names.map((name) => {
      const broken = name === badField;
      if (name === 'loan_id') {
        if (broken && shape.malformedQuotes) return pick(['"L1', 'L"1"x']);
        const loan = shape.sorted === undefined || random() < shape.sorted.disorder ? Math.floor(random() * rows * 0.4) : Math.floor(r / 4);
        const id = `L${String(loan).padStart(5, '0')}`;
        const idless = shape.sorted === undefined ? 0.05 : shape.sorted.disorder;
        return random() < idless ? '' : shape.quotes && random() < 0.1 ? `"${id}"` : id;
      }
      if (name === 'measurement_date') return broken ? pick(['2025-02-30', 'x', '']) : pick(dates);
      if (name === 'segment') return broken && shape.malformedQuotes ? 'é"x' : pick(segments);
      if (name === 'note') {
        if (broken && shape.malformedQuotes) return 'a"b';
        return shape.quotes && random() < 0.2 ? pick(['"x, ""y"""', '"line\nbreak"', '"crlf\r\nbreak"', '""']) : pick(['', 'n']);
      }
      if (broken) return pick(['-5', '1.234', 'abc', shape.withId ? '' : '-1']);
      const optional = !['total_receivable_usd', 'total_eligible_usd', 'discounted_balance_usd'].includes(name);
      if (optional && random() < 0.1) return '';
      const cents = Math.floor(random() * 10_000_000);
      const text = pick([`${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`, String(Math.floor(cents / 100)), `${Math.floor(cents / 100)}.5`]);
      return shape.quotes && random() < 0.05 ? `"${text}"` : text;
    });
    if (bad && random() < 0.2) cells.pop();
    lines.push(`${cells.join(',')}${eol()}`);
  }
  // now and then a last record without its line feed
  if (random() < 0.3) lines[lines.length - 1] = lines[lines.length - 1]!.replace(/\r?\n$/, '');
  return lines.join('');
}

const OPTION_SETS: readonly ReadOptions[] = [{}, { lenient: true }, { groupBy: 'segment' }, { lenient: true, groupBy: 'segment' }];

describe('the parallel CSV reader gives the single pass result', () => {
  it('on random tapes, cut in 2, 3 and 4 ranges, strict and lenient, with and without --group-by', async () => {
    let merged = 0;
    for (let seed = 1; seed <= 24; seed++) {
      const shape: TapeShape = {
        bad: seed % 3 === 0 ? 0 : 0.03,
        crlf: seed % 2 === 0,
        quotes: seed % 4 !== 1,
        withId: seed % 7 !== 0,
        shuffle: seed % 5 === 0,
        malformedQuotes: seed % 6 === 1,
      };
      const text = randomTape(seed, 300 + seed * 40, shape);
      for (const options of OPTION_SETS) {
        const result = await bothWays(text, options, { threads: 2 + (seed % 3) });
        expect(result.parallel, `seed ${seed} ${JSON.stringify(options)}`).toEqual(result.serial);
        // Well-formed quoting always allows a cut: only malformed quotes may send a read back to one pass.
        if (!shape.malformedQuotes) expect(result.merged, `seed ${seed} ${JSON.stringify(options)} merged`).toBe(true);
        if (result.merged) merged++;
      }
    }
    expect(merged).toBeGreaterThan(80);
  });

  it('on loan-major tapes (duplicates found by runs), with ids out of order now and then, cut anywhere', async () => {
    let merged = 0;
    for (let seed = 1; seed <= 16; seed++) {
      const shape: TapeShape = { bad: seed % 2 === 0 ? 0 : 0.02, crlf: seed % 3 === 0, quotes: seed % 4 === 0, withId: true, shuffle: false, malformedQuotes: false, sorted: { disorder: seed % 4 === 1 ? 0.01 : 0 } };
      const text = randomTape(seed + 100, 400 + seed * 30, shape);
      for (const options of OPTION_SETS) {
        for (const targets of [[Math.floor(text.length / 2)], [Math.floor(text.length / 3), Math.floor((2 * text.length) / 3)], [Math.floor(text.length * 0.9)]]) {
          const result = await bothWays(text, options, { targets });
          expect(result.parallel, `seed ${seed} ${JSON.stringify(options)} cut at ${targets.join(',')}`).toEqual(result.serial);
          if (result.merged) merged++;
        }
      }
    }
    expect(merged).toBe(16 * 4 * 3);
  });

  it('and the fast path gives the general path’s result, record for record', async () => {
    for (let seed = 1; seed <= 16; seed++) {
      const shape: TapeShape = { bad: seed % 3 === 0 ? 0 : 0.04, crlf: seed % 2 === 0, quotes: seed % 4 !== 1, withId: seed % 7 !== 0, shuffle: seed % 5 === 0, malformedQuotes: seed % 6 === 1, ...(seed % 3 === 1 ? { sorted: { disorder: 0.01 } } : {}) };
      const { path, remove } = writeTape(randomTape(seed + 200, 300 + seed * 20, shape));
      try {
        for (const options of OPTION_SETS) {
          const general = await outcome(() => readCsvSerial(path, options, { fastPath: false }));
          expect(await outcome(() => readCsvSerial(path, options)), `seed ${seed} ${JSON.stringify(options)}`).toEqual(general);
        }
      } finally {
        remove();
      }
    }
  });

  it('wherever the cut is aimed, byte by byte, in a tape with every awkward shape', async () => {
    const text = randomTape(99, 24, { bad: 0.1, crlf: true, quotes: true, withId: true, shuffle: false, malformedQuotes: true });
    const bytes = new TextEncoder().encode(text);
    const { path, remove } = writeTape(bytes);
    try {
      for (const [options, step] of [[{ lenient: true, groupBy: 'segment' }, 1], [{}, 5]] as const) {
        const serial = await outcome(() => readCsvSerial(path, options));
        for (let at = 1; at < bytes.length; at += step) {
          const parallel = await outcome(() => readCsvParallel(path, options, { minBytes: 0, targets: [at] }));
          expect(parallel, `cut aimed at byte ${at}`).toEqual(serial);
        }
      }
    } finally {
      remove();
    }
  });

  it('keeps the first of a duplicate pair that straddles the cut, and drops the later ones on both sides', async () => {
    const lines = [
      FULL_HEADER,
      fullLine('A', '2025-01-31', ['1']),
      fullLine('B', '2025-02-28', ['2']),
      fullLine('A', '2025-01-31', ['3']),
      // the cut goes here
      fullLine('A', '2025-01-31', ['4']),
      fullLine('B', '2025-01-31', ['5']),
      fullLine('B', '2025-02-28', ['6']),
      fullLine('A', '2025-01-31', ['7']),
    ];
    const text = `${lines.join('\n')}\n`;
    const cut = text.indexOf('A,2025-01-31,4');
    const { serial, parallel, merged } = await bothWays(text, {}, { targets: [cut] });
    expect(merged).toBe(true);
    expect(parallel).toEqual(serial);
    expect(parallel).toMatchObject({ kind: 'tape', rows: 3, dropped: { duplicates: 4, invalid: 0 } });
    // kept: A and B of 2025-01-31, B of 2025-02-28 (a tape's rows are grouped by date, stably)
    if (parallel.kind === 'tape') expect(parallel.money[0]).toEqual([100, 500, 200]);
  });

  it('numbers the lines of problems after the cut from the lines before it, in strict and lenient mode', async () => {
    const lines = [FULL_HEADER, fullLine('A', '2025-01-31', ['x']), `"B\nB",2025-01-31,1,1,1`, fullLine('C', '2025-01-31', ['1']), fullLine('D', '2025-13-01', ['1']), fullLine('E', '2025-01-31', ['-1'])];
    const text = `${lines.join('\r\n')}\r\n`;
    const cut = text.indexOf('C,');
    for (const options of [{}, { lenient: true }]) {
      const { serial, parallel, merged } = await bothWays(text, options, { targets: [cut] });
      expect(merged).toBe(true);
      expect(parallel).toEqual(serial);
    }
    const { parallel } = await bothWays(text, {}, { targets: [cut] });
    expect(parallel.kind === 'error' && parallel.problems.map((p) => [p.line, p.reason])).toEqual([
      [2, 'not a number'],
      [3, 'expected 11 fields, found 5'],
      [6, 'bad date'],
      [7, 'negative amount'],
    ]);
  });

  it('never cuts inside a quoted field, even one full of line feeds and doubled quotes', async () => {
    const note = `"${'x\n""\n'.repeat(200)}"`;
    const lines = [`${FULL_HEADER},note`, ...Array.from({ length: 50 }, (_, i) => `${fullLine(`L${i}`, '2025-01-31', ['1'])},${i % 10 === 3 ? note : 'n'}`)];
    const text = `${lines.join('\n')}\n`;
    for (let at = text.indexOf(note) - 5; at < text.indexOf(note) + note.length + 5; at += 7) {
      const { serial, parallel, merged } = await bothWays(text, {}, { targets: [at] });
      expect(merged).toBe(true);
      expect(parallel).toEqual(serial);
    }
  });

  it('reads in one pass when malformed quotes mislead the quote count, with the same result', async () => {
    // `a"b` is a malformed field, not an opening quote, so the count is odd after it; the next quoted field's
    // quote makes it even inside that field, where a cut would be wrong
    const lines = [`${FULL_HEADER},note`, `${fullLine('A', '2025-01-31', ['1'])},a"b`, `${fullLine('B', '2025-01-31', ['1'])},"one`, `two"`, `${fullLine('C', '2025-01-31', ['1'])},n`];
    const text = `${lines.join('\n')}\n`;
    const cut = text.indexOf('two"');
    for (const options of [{}, { lenient: true }]) {
      const before = parallelReadCounts.singlePass;
      const { serial, parallel, merged } = await bothWays(text, options, { targets: [cut] });
      expect(merged).toBe(false);
      expect(parallelReadCounts.singlePass).toBe(before + 1);
      expect(parallel).toEqual(serial);
    }
  });

  it('reserves rows for the shortest records a tape can keep, without counting lines first', async () => {
    // F fields need F − 1 commas, a 10-byte date and three one-digit amounts: the bound of csv.ts rowBound
    const lines = [REQUIRED_HEADER, ...Array.from({ length: 5000 }, (_, i) => `2025-01-${String(1 + (i % 28)).padStart(2, '0')},${i % 10},1,1`)];
    const text = lines.join('\n');
    for (const plan of [{ threads: 1 }, { threads: 2 }, { threads: 4 }]) {
      const { serial, parallel } = await bothWays(text, {}, plan);
      expect(parallel).toEqual(serial);
      expect(parallel).toMatchObject({ kind: 'tape', rows: 5000 });
    }
  });

  it('gives the single pass error when a later range ends in an unterminated quote', async () => {
    const text = `${FULL_HEADER}\n${fullLine('A', '2025-01-31', ['x'])}\n${fullLine('B', '2025-01-31', ['1'])}\n"C,2025-01-31,1,1,1\n`;
    const { serial, parallel } = await bothWays(text, { lenient: true }, { targets: [text.indexOf('B,')] });
    expect(serial.kind).toBe('error');
    expect(parallel).toEqual(serial);
  });

  it('gives the single pass error when the ranges together have more than 65535 dates', async () => {
    const start = Date.UTC(1900, 0, 1);
    const lines = [FULL_HEADER];
    for (let d = 0; d < 65_600; d++) lines.push(fullLine(`L${d}`, new Date(start + d * 86_400_000).toISOString().slice(0, 10), ['1']));
    const text = `${lines.join('\n')}\n`;
    const { serial, parallel, merged } = await bothWays(text, {}, { targets: [Math.floor(text.length / 2)] });
    expect(merged).toBe(false);
    expect(serial).toMatchObject({ kind: 'error', total: 1 });
    expect(parallel).toEqual(serial);
  });
});
