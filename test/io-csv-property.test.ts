/**
 * Random and mutated CSV through the reader (readTape, strict and --lenient): every input ends in a result or
 * a TapeInputError with a one-line message, never another exception and never a hang.
 *
 * The reader runs in a worker thread of its own (the built one, from dist), so that a case which never
 * returns (an endless loop in synchronous parsing would block this thread's timers too) is cut off after
 * CASE_LIMIT_MS, reported with its input, and the worker replaced. Inputs are small, so a case takes a few
 * milliseconds. Seeds are fixed: the same cases run every time, and a failure prints its input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MONEY_COLUMNS, REQUIRED_MONEY_COLUMNS } from '../src/engine/schema.js';

const CASE_LIMIT_MS = 10_000;
const DIST = resolve(import.meta.dirname, '../dist');
const workDir = mkdtempSync(join(tmpdir(), 'io-csv-property-'));

/** What one read gave: the counts, and per money column the kept rows' total in cents. */
type Outcome =
  | { kind: 'accepted'; rows: number; rowsRead: number; duplicates: number; invalid: number; totals: number[] }
  | { kind: 'rejected'; message: string; details: string; file: string }
  | { kind: 'crashed'; error: string };

/**
 * The worker: writes each input to the same file, reads it with readTape, answers with an Outcome. Plain
 * JavaScript (a worker loads no TypeScript), and only the built modules.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
const ready = Promise.all([
  import(workerData.dist + '/io/read-tape.js'),
  import(workerData.dist + '/io/problems.js'),
  import(workerData.dist + '/engine/columns.js'),
]);
parentPort.on('message', async ({ bytes, lenient }) => {
  let modules;
  try {
    modules = await ready;
  } catch (error) {
    parentPort.postMessage({ kind: 'crashed', error: 'loading the reader: ' + String(error) });
    return;
  }
  const [{ readTape }, { TapeInputError }, { tapeViews }] = modules;
  const file = workerData.file;
  writeFileSync(file, bytes);
  try {
    const read = await readTape(file, { lenient });
    const views = tapeViews(read.tape);
    const totals = views.money.map((column) => column.reduce((sum, cents) => sum + cents, 0));
    parentPort.postMessage({ kind: 'accepted', rows: read.tape.rows, rowsRead: read.rowsRead, duplicates: read.dropped.duplicates, invalid: read.dropped.invalid, totals });
  } catch (error) {
    if (error instanceof TapeInputError) parentPort.postMessage({ kind: 'rejected', message: error.message, details: error.details(), file });
    else parentPort.postMessage({ kind: 'crashed', error: String((error && error.stack) || error) });
  }
});
`;

let worker: Worker | null = null;

function startWorker(): Worker {
  const file = join(workDir, 'tape.csv');
  return new Worker(WORKER_SOURCE, { eval: true, workerData: { dist: pathToFileURL(DIST).href, file } });
}

/** Read `bytes` in the worker; a case that takes longer than CASE_LIMIT_MS is a hang. */
function readInWorker(bytes: Uint8Array, lenient: boolean): Promise<Outcome> {
  const w = (worker ??= startWorker());
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      w.removeAllListeners('message');
      void w.terminate();
      if (worker === w) worker = null;
      fail(new Error(`the reader did not answer within ${CASE_LIMIT_MS} ms (lenient: ${lenient}) for ${shown(bytes)}`));
    }, CASE_LIMIT_MS);
    w.once('message', (outcome: Outcome) => {
      clearTimeout(timer);
      done(outcome);
    });
    w.postMessage({ bytes, lenient });
  });
}

afterAll(async () => {
  await worker?.terminate();
  rmSync(workDir, { recursive: true, force: true });
});

/** Strict and lenient outcomes of one input, held to the rules every input must obey. */
async function readBothWays(bytes: Uint8Array): Promise<{ strict: Outcome; lenient: Outcome }> {
  const strict = await readInWorker(bytes, false);
  const lenient = await readInWorker(bytes, true);
  for (const outcome of [strict, lenient]) {
    expect(outcome.kind, outcome.kind === 'crashed' ? outcome.error : '').not.toBe('crashed');
    if (outcome.kind === 'rejected') {
      // one line, naming the file first; the details add one line per further listed problem, never a stack
      expect(outcome.message).not.toMatch(/[\r\n]/);
      expect(outcome.message.startsWith(`${outcome.file}: `)).toBe(true);
      expect(outcome.details).not.toMatch(/^\s+at /m);
    }
    if (outcome.kind === 'accepted') {
      expect(outcome.rows + outcome.duplicates + outcome.invalid).toBe(outcome.rowsRead);
      expect(outcome.totals.every((t) => Number.isSafeInteger(t) && t >= 0)).toBe(true);
    }
  }
  if (strict.kind === 'accepted') {
    // what strict mode accepts has no bad row, so lenient mode keeps exactly the same
    expect(strict.invalid).toBe(0);
    expect(lenient).toEqual(strict);
  } else if (lenient.kind === 'accepted') {
    // strict mode refused it for bad rows, which lenient mode must have dropped
    expect(lenient.invalid).toBeGreaterThan(0);
  }
  return { strict, lenient };
}

// ---------------------------------------------------------------------------------------------------------
// Valid tapes, with what they must read as

const OPTIONAL_MONEY = MONEY_COLUMNS.filter((c) => !REQUIRED_MONEY_COLUMNS.has(c));

interface ValidTape {
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly duplicates: number;
  /** per money column, in MONEY_COLUMNS order, the kept rows' cents */
  readonly totals: number[];
}

/** An amount as one of the forms SPEC §2 allows, from whole cents. */
function amountText(cents: number, form: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = cents % 100;
  const two = String(fraction).padStart(2, '0');
  if (form === 1 && fraction % 10 === 0) return `${whole}.${fraction / 10}`;
  if (form === 2 && fraction === 0) return String(whole);
  if (form === 3 && whole === 0) return `.${two}`;
  if (form === 4) return ` ${whole}.${two}0 `;
  return `${whole}.${two}`;
}

function quoteIfNeeded(text: string): string {
  return /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text;
}

const validTape: fc.Arbitrary<ValidTape> = fc
  .record({
    withId: fc.boolean(),
    withNotes: fc.boolean(),
    optional: fc.subarray([...OPTIONAL_MONEY]),
    order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
    headerCase: fc.array(fc.constantFrom('lower', 'upper', 'spaced'), { minLength: 12, maxLength: 12 }),
    bom: fc.boolean(),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    rows: fc.array(
      fc.record({
        id: fc.constantFrom('L1', 'L2', 'L3', '001', '1', ''),
        date: fc.constantFrom('2025-01-31', '2024-02-29', '2025-01-31T10:30:00Z', '2025-12-31T23:59:59.5+05:30'),
        cents: fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { minLength: MONEY_COLUMNS.length, maxLength: MONEY_COLUMNS.length }),
        forms: fc.array(fc.nat(5), { minLength: MONEY_COLUMNS.length, maxLength: MONEY_COLUMNS.length }),
        emptyOptional: fc.boolean(),
        notes: fc.string({ maxLength: 12, unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r\n', 'é', '😀') }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
  })
  .map((t) => {
    const money = MONEY_COLUMNS.filter((c) => REQUIRED_MONEY_COLUMNS.has(c) || t.optional.includes(c));
    const columns = [...(t.withId ? ['loan_id'] : []), 'measurement_date', ...money, ...(t.withNotes ? ['notes'] : [])];
    // a shuffle driven by the generated numbers
    const order = columns.map((name, i) => ({ name, key: t.order[i]! })).sort((a, b) => a.key - b.key).map((c) => c.name);
    const header = order.map((name, i) => (t.headerCase[i] === 'upper' ? name.toUpperCase() : t.headerCase[i] === 'spaced' ? ` ${name} ` : name));
    const seen = new Set<string>();
    const totals = MONEY_COLUMNS.map(() => 0);
    let duplicates = 0;
    const lines = t.rows.map((row) => {
      const cells: Record<string, string> = { loan_id: row.id, measurement_date: row.date, notes: quoteIfNeeded(row.notes) };
      MONEY_COLUMNS.forEach((name, c) => {
        const empty = row.emptyOptional && OPTIONAL_MONEY.includes(name);
        cells[name] = empty ? '' : amountText(row.cents[c]!, row.forms[c]!);
      });
      const key = `${row.id}\u0000${row.date.slice(0, 10)}`;
      if (t.withId && row.id !== '' && seen.has(key)) duplicates++;
      else {
        if (t.withId && row.id !== '') seen.add(key);
        MONEY_COLUMNS.forEach((name, c) => {
          if (money.includes(name) && cells[name] !== '') totals[c]! += row.cents[c]!;
        });
      }
      return order.map((name) => cells[name]).join(',');
    });
    const eol = t.crlf ? '\r\n' : '\n';
    const text = `${t.bom ? '\uFEFF' : ''}${[header.join(','), ...lines].join(eol)}${t.finalNewline ? eol : ''}`;
    return { bytes: new TextEncoder().encode(text), rows: t.rows.length - duplicates, duplicates, totals };
  });

// ---------------------------------------------------------------------------------------------------------
// Mutations

/** Text that CSV parsing and cell parsing treat specially. */
const AWKWARD = ['"', '""', '\r', '\n', '\r\n', ',', ',,', ' ', '\t', '\u0000', '\uFEFF', 'é', '😀', '-', '.', '+', '$', 'e3', 'NaN', 'Infinity', '1,000', 'T', ':'];

/** Whole cells at the edges of the amount and date rules: most are refused, a few (`5.`) are read. */
const BAD_CELLS = ['$5', '+5', '-5', '1e3', '-0', '5.', '.', '1.234', '"1,000"', '2025-02-30', '2025/01/31', '2025-01-31T24:00:00', '"2025-01-31"', '""', '"x"y', '99999999999999999999'];

type Mutation =
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; length: number }
  /** the cell after the first comma at or after `at` replaced by `bytes`, so that the record keeps its shape */
  | { kind: 'cell'; at: number; bytes: Uint8Array };

const COMMA = 44;
const LF = 10;
const CR = 13;
/** where in the input a mutation applies: taken modulo its length, unbiased so as not to crowd the header */
const position = fc.noBias(fc.integer({ min: 0, max: 2 ** 30 }));
const encoder = new TextEncoder();

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.constantFrom(...AWKWARD).map((t) => encoder.encode(t)) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('repeat' as const), at: position, length: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('cell' as const), at: position, bytes: fc.constantFrom(...AWKWARD, ...BAD_CELLS).map((t) => encoder.encode(t)) }),
);

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'insert':
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case 'delete':
      return concat(bytes.subarray(0, at), bytes.subarray(at + m.length));
    case 'flip': {
      if (at >= bytes.length) return bytes;
      const out = bytes.slice();
      out[at]! ^= 1 << m.bit;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'repeat':
      return concat(bytes.subarray(0, at + m.length), bytes.subarray(at));
    case 'cell': {
      const start = bytes.indexOf(COMMA, at) + 1;
      if (start === 0) return bytes;
      let end = start;
      while (end < bytes.length && bytes[end] !== COMMA && bytes[end] !== LF && bytes[end] !== CR) end++;
      return concat(bytes.subarray(0, start), m.bytes, bytes.subarray(end));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * A failure's shrinking stops after this long (each hung attempt costs CASE_LIMIT_MS); the failure found is
 * reported all the same. A run without failure takes a few seconds.
 */
const RUN = { interruptAfterTimeLimit: 60_000 };

const shown = (bytes: Uint8Array) => JSON.stringify(new TextDecoder().decode(bytes));

// ---------------------------------------------------------------------------------------------------------

describe('the CSV reader on random and mutated input (fast-check, fixed seeds)', () => {
  it('reads every valid generated tape, strict and lenient, to exactly its rows, duplicates and cent totals', async () => {
    await fc.assert(
      fc.asyncProperty(validTape, async (tape) => {
        const { strict } = await readBothWays(tape.bytes);
        expect(strict, shown(tape.bytes)).toEqual({ kind: 'accepted', rows: tape.rows, rowsRead: tape.rows + tape.duplicates, duplicates: tape.duplicates, invalid: 0, totals: tape.totals });
      }),
      { ...RUN, seed: 20_251_122, numRuns: 150 },
    );
  });

  it('answers every mutated tape with a result or a one-line input error, never another exception or a hang', async () => {
    const outcomes = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(validTape, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (tape, mutations) => {
        const bytes = mutations.reduce(mutate, tape.bytes);
        const { strict } = await readBothWays(bytes);
        if (strict.kind !== 'crashed') outcomes[strict.kind]++;
      }),
      { ...RUN, seed: 20_251_123, numRuns: 500 },
    );
    // the mutations must reach both outcomes, or the property says little
    expect(outcomes.accepted).toBeGreaterThan(25);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('answers random bytes and random CSV-like text the same way', async () => {
    const csvish = fc.string({ maxLength: 200, unit: fc.constantFrom(...AWKWARD, 'a', '1', '0', '2025-01-31', 'L1') });
    const header = 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd\n';
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          csvish.map((t) => encoder.encode(t)),
          csvish.map((t) => encoder.encode(header + t)),
        ),
        async (bytes) => {
          await readBothWays(bytes);
        },
      ),
      { ...RUN, seed: 20_251_124, numRuns: 300 },
    );
  });
});
