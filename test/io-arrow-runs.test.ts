import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateDay, Field, Float64, makeData, makeVector, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { readArrowBatches, type ArrowTuning } from '../src/io/arrow.js';
import { PairDeduper } from '../src/io/dedupe.js';
import { cleanRunsJs, DAY_CACHE_SLOTS, dateKeysJs, IngestWasm, ingestModule, runStartsJs, STAMP_SLOTS } from '../src/io/ingest-wasm.js';
import { closeIngestWorkers } from '../src/io/ingest-pool.js';
import type { ReadResult } from '../src/io/tape-builder.js';
import { arrowReadOutcome as outcome, expectTuningsAgree, resultOutcome, writeArrowFile } from './support/arrow-outcome.js';
import { seededRandom } from './support/tapes.js';

const root = mkdtempSync(join(tmpdir(), 'io-arrow-runs-'));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await closeIngestWorkers();
});

const encoder = new TextEncoder();

/** An id of `length` characters (0-40), some of them not ASCII (two or three bytes in UTF-8). */
function idOf(loan: number, length: number, unicode: boolean): string {
  const stem = `${unicode ? 'é€' : 'L'}${loan}`;
  return (stem + 'x'.repeat(40)).slice(0, length);
}

describe('the key loops in wasm give their JavaScript twins’ answers', () => {
  const module = ingestModule();

  it('loads (npm run build compiles src/engine/wasm/ingest.wat)', () => {
    expect(module).not.toBeNull();
  });

  it('run starts, on sorted and shuffled ids of every length, empty ids, and offsets that go backwards or out of the bytes', () => {
    const wasm = IngestWasm.create(module)!;
    // cleanRuns' tables of stamps, used from one call to the next as a reader uses them
    const stampsAt = wasm.allocate(STAMP_SLOTS * 4);
    const stamps = new Int32Array(STAMP_SLOTS);
    let stamp = 1;
    let clean = 0;
    let unclean = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const n = 1 + Math.floor(random() * 300);
      const parts: Uint8Array[] = [];
      let loan = 0;
      const length = Math.floor(random() * 41);
      for (let i = 0; i < n; i++) {
        if (random() < (seed % 2 === 0 ? 0.2 : 0.9)) loan++;
        // mostly ids of one length, as a real tape's; now and then another length, or one byte changed
        let bytes = encoder.encode(idOf(loan, random() < 0.9 ? length : Math.floor(random() * 41), seed % 3 === 0));
        if (random() < 0.05 && bytes.length > 0) {
          bytes = bytes.slice();
          const k = Math.floor(random() * bytes.length);
          bytes[k] = bytes[k]! ^ (1 << Math.floor(random() * 8));
        }
        parts.push(bytes);
      }
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
      let limit = offsets[n]!;
      if (seed % 5 === 0) {
        // broken offsets: negative, backwards, beyond the bytes; and bytes that end before the last offset
        for (let k = 0; k < 3; k++) offsets[Math.floor(random() * (n + 1))] = [-3, offsets[n]! + 7, Math.floor(random() * limit)][k]!;
        limit = Math.max(0, limit - Math.floor(random() * 20));
      }
      const at = wasm.allocate(limit + (n + 1) * 8);
      const bytes = new Uint8Array(wasm.buffer, at, limit);
      let p = 0;
      for (const part of parts) for (const byte of part) if (p < limit) bytes[p++] = byte;
      const offsetsAt = at + Math.ceil(limit / 4) * 4;
      new Int32Array(wasm.buffer, offsetsAt, n + 1).set(offsets);
      const outAt = wasm.allocate((n + 1) * 4);
      const count = wasm.runStarts(offsetsAt, at, limit, n, outAt);
      const expected = new Int32Array(n + 1);
      const expectedCount = runStartsJs(offsets, bytes, limit, n, expected);
      expect(count, `seed ${seed}`).toBe(expectedCount);
      expect(Array.from(new Int32Array(wasm.buffer, outAt, count + 1)), `seed ${seed}`).toEqual(Array.from(expected.subarray(0, count + 1)));
      // whether each run's date keys differ: a few keys, so that some runs repeat one
      const keysAt = wasm.allocate(n * 2);
      const keys = new Uint16Array(wasm.buffer, keysAt, n);
      for (let i = 0; i < n; i++) keys[i] = random() < 0.5 ? Math.floor(random() * 12) : Math.floor(random() * STAMP_SLOTS);
      const cleanAt = wasm.allocate(count);
      wasm.cleanRuns(outAt, count, keysAt, stampsAt, stamp, cleanAt);
      const expectedClean = new Uint8Array(count);
      cleanRunsJs(expected, count, keys, 0, stamps, stamp, expectedClean);
      stamp += count;
      expect(Array.from(new Uint8Array(wasm.buffer, cleanAt, count)), `seed ${seed}`).toEqual(Array.from(expectedClean));
      for (let r = 0; r < count; r++) {
        const runKeys = keys.subarray(expected[r]!, expected[r + 1]!);
        expect(expectedClean[r], `seed ${seed} run ${r}`).toBe(new Set(runKeys).size === runKeys.length ? 1 : 0);
        if (expectedClean[r] === 1) clean++;
        else unclean++;
      }
      // a run is rows whose ids have the same bytes
      if (seed % 5 !== 0) {
        for (let r = 0; r < count; r++) {
          for (let i = expected[r]! + 1; i < expected[r + 1]!; i++) expect(parts[i], `seed ${seed} row ${i}`).toEqual(parts[expected[r]!]);
          if (r > 0 && parts[expected[r]! - 1]!.length > 0) expect(parts[expected[r]!], `seed ${seed} run ${r}`).not.toEqual(parts[expected[r]! - 1]);
        }
      }
    }
    expect(clean).toBeGreaterThan(100);
    expect(unclean).toBeGreaterThan(100);
  });

  it('a thread keeps one released memory for its next reader, with every region free again', () => {
    const first = IngestWasm.take()!;
    const at = first.allocate(100_000);
    new Uint8Array(first.buffer, at, 4).set([1, 2, 3, 4]);
    const grown = first.buffer.byteLength;
    first.release();
    const again = IngestWasm.take()!;
    expect(again).toBe(first);
    // the same pages, holding what the last reader left there, handed out from the start
    expect(again.buffer.byteLength).toBe(grown);
    expect(again.allocate(16)).toBe(0);
    expect([...new Uint8Array(again.buffer, at, 4)]).toEqual([1, 2, 3, 4]);
    // a second reader on the thread while the first is out gets a memory of its own; one only is kept
    const second = IngestWasm.take()!;
    expect(second).not.toBe(again);
    second.release();
    again.release();
    expect(IngestWasm.take()).toBe(second);
    second.release();
  });

  it('a memory grown past what a thread keeps, or of another bound, is not kept', () => {
    const big = IngestWasm.take()!;
    expect(big.allocate(40 << 20)).toBeGreaterThanOrEqual(0);
    big.release();
    const next = IngestWasm.take()!;
    expect(next).not.toBe(big);
    next.release();
    const bounded = IngestWasm.take(4)!;
    expect(bounded).not.toBe(next);
    expect(IngestWasm.take()).toBe(next);
    bounded.release();
    const fresh = IngestWasm.take()!;
    expect(fresh).not.toBe(bounded);
    fresh.release();
    next.release();
  });

  it('hands out regions until the memory would pass its bound', () => {
    const wasm = IngestWasm.create(module, 2)!;
    const first = wasm.allocate(60_000);
    expect(first).toBe(0);
    expect(wasm.allocate(60_000)).toBeGreaterThanOrEqual(first + 60_000 + 16);
    expect(wasm.allocate(60_000)).toBe(-1);
    expect(wasm.buffer.byteLength).toBe(2 * 65536);
  });

  it('date keys through the day cache, stopping at the first day it lacks', () => {
    const wasm = IngestWasm.create(module)!;
    const cacheAt = wasm.allocate(DAY_CACHE_SLOTS * 6);
    const cachedDays = new Int32Array(wasm.buffer, cacheAt, DAY_CACHE_SLOTS);
    const cachedKeys = new Uint16Array(wasm.buffer, cacheAt + DAY_CACHE_SLOTS * 4, DAY_CACHE_SLOTS);
    for (let slot = 0; slot < DAY_CACHE_SLOTS; slot++) cachedDays[slot] = slot ^ 1;
    const random = seededRandom(7);
    const n = 5000;
    const daysAt = wasm.allocate(n * 4);
    const keysAt = wasm.allocate(n * 2);
    const days = new Int32Array(wasm.buffer, daysAt, n);
    // mostly days of a few years, some of them sharing a slot; now and then one of a slot's starting days
    // (0, 1), a negative one, or one far out of range
    const odd = [0, 1, -5, 1 << 30, -(1 << 31)];
    for (let i = 0; i < n; i++) days[i] = random() < 0.97 ? 20_000 + Math.floor(random() * 2000) : odd[Math.floor(random() * odd.length)]!;
    const keys = new Uint16Array(wasm.buffer, keysAt, n);
    const expected = new Uint16Array(n);
    let misses = 0;
    for (let i = 0; ; ) {
      const stop = wasm.dateKeys(daysAt, i, n, keysAt, cacheAt, cacheAt + DAY_CACHE_SLOTS * 4);
      expect(stop).toBe(dateKeysJs(days, i, n, expected, 0, cachedDays, cachedKeys));
      if (stop >= n) break;
      misses++;
      const slot = days[stop]! & (DAY_CACHE_SLOTS - 1);
      cachedDays[slot] = days[stop]!;
      cachedKeys[slot] = (days[stop]! * 7) & 0xffff;
      i = stop;
    }
    expect(misses).toBeGreaterThan(100);
    expect(Array.from(keys)).toEqual(Array.from(expected));
    expect(Array.from(keys)).toEqual(Array.from(days, (day) => (day * 7) & 0xffff));
  });
});

describe('a run of one id: addRepeat decides as addBytes', () => {
  it('in run mode and after the switch to pairs', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const deciders = [0, 1].map(() => {
        const dateColumn = new Uint16Array(2000);
        return { dateColumn, dedupe: new PairDeduper(2000, dateColumn, 0, seed % 2 === 0, false), kept: 0, decisions: [] as boolean[] };
      });
      let loan = 0;
      for (let row = 0; row < 1500; ) {
        if (random() < 0.95) loan++;
        else loan = Math.floor(random() * loan);
        const id = encoder.encode(idOf(loan, 1 + Math.floor(random() * 12), seed % 3 === 0));
        const length = 1 + Math.floor(random() * 8);
        for (let k = 0; k < length; k++, row++) {
          const date = Math.floor(random() * 10);
          for (const [d, decider] of deciders.entries()) {
            const keep =
              d === 1 && k > 0
                ? decider.dedupe.addRepeat(id, 0, id.length, date, decider.kept)
                : decider.dedupe.addBytes(id, 0, id.length, date, decider.kept);
            if (keep) decider.dateColumn[decider.kept++] = date;
            decider.decisions.push(keep);
          }
        }
      }
      expect(deciders[1]!.decisions, `seed ${seed}`).toEqual(deciders[0]!.decisions);
      expect(deciders[1]!.decisions.includes(false)).toBe(true);
    }
  });
});

/** What a read gives that a caller can see (or what it throws), for tapes read from batches in memory. */
function seen(read: () => ReadResult): unknown {
  let result: ReadResult;
  try {
    result = read();
  } catch (error) {
    return { threw: (error as Error).constructor.name, message: (error as Error).message };
  }
  return resultOutcome(result);
}

describe('id offsets that a broken file may hold', () => {
  it('are read by the fast path, in wasm or JavaScript, as row by row', () => {
    const ids = ['L0001', 'L0001', 'L0001', 'L0002', 'L0002', 'L0003', 'L0003', 'L0003', 'L0004', 'L0004', 'L0004', 'L0004', 'L0001', 'L0001'];
    const n = ids.length;
    const breaks: ((offsets: Int32Array) => void)[] = [
      () => {},
      (o) => (o[4] = 100), // past the bytes, then back
      (o) => (o[4] = 7), // backwards
      (o) => (o[3] = -2), // negative
      (o) => ((o[6] = o[n]! + 3), (o[7] = o[n]! + 8)), // a run of equal lengths past the bytes
      (o) => ((o[5] = 2), (o[6] = 40)),
    ];
    const fields = [new Field('loan_id', new Utf8()), new Field('measurement_date', new DateDay()), ...MONEY_COLUMNS.map((name) => new Field(name, new Float64()))];
    for (const [k, breakOffsets] of breaks.entries()) {
      const parts = ids.map((id) => encoder.encode(id));
      const offsets = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
      const bytes = new Uint8Array(offsets[n]!);
      parts.forEach((part, i) => bytes.set(part, offsets[i]!));
      breakOffsets(offsets);
      const children = [
        makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes }),
        makeData({ type: new DateDay(), length: n, nullCount: 0, data: Int32Array.from({ length: n }, (_, i) => 20_000 + (i % 2)) }),
        ...MONEY_COLUMNS.map(() => makeData({ type: new Float64(), length: n, nullCount: 0, data: Float64Array.from({ length: n }, (_, i) => i) })),
      ];
      const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
      const read = (tuning: ArrowTuning) => seen(() => readArrowBatches('broken.arrow', fields, n, [batch], { lenient: true }, tuning));
      const reference = read({ fastPath: false });
      expect(read({}), `break ${k}`).toEqual(reference);
      expect(read({ kernel: 'js' }), `break ${k}`).toEqual(reference);
    }
  });
});

interface Shape {
  readonly sorted: boolean;
  /** share of rows that repeat the row before (a duplicate when its date is the same too) */
  readonly repeats: number;
  /** share of rows with a null or empty id */
  readonly idless: number;
  readonly unicode: boolean;
  /** ids of this many characters, or of random lengths 0-40 */
  readonly idLength: number | null;
}

/**
 * A random tape as an Arrow IPC file of small record batches, so that runs of one loan cross from one batch
 * into the next, sometimes with a bad cell (the batch then goes row by row).
 */
function randomArrow(seed: number, shape: Shape): string {
  const random = seededRandom(seed);
  const tables: Table[] = [];
  let loan = 0;
  let previous: { id: string | null; day: number } = { id: 'L0', day: 20_000 };
  const batches = 2 + Math.floor(random() * 6);
  for (let b = 0; b < batches; b++) {
    const n = 1 + Math.floor(random() * 120);
    const ids: (string | null)[] = [];
    const days = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let id: string | null;
      let day = 20_000 + Math.floor(random() * 8) * 30;
      if (random() < shape.repeats) {
        id = previous.id;
        if (random() < 0.5) day = previous.day;
      } else {
        if (!shape.sorted) loan = Math.floor(random() * 60);
        else if (random() < 0.3) loan++;
        id = idOf(loan, shape.idLength ?? Math.floor(random() * 41), shape.unicode);
      }
      if (random() < shape.idless) id = random() < 0.5 ? null : '';
      if (seed % 4 === 0 && random() < 0.01) day = 4_000_000;
      ids.push(id);
      days[i] = day;
      previous = { id, day };
    }
    const columns: Record<string, Vector> = {
      loan_id: vectorFromArray(ids, new Utf8()),
      measurement_date: makeVector(makeData({ type: new DateDay(), length: n, nullCount: 0, data: days })),
    };
    for (const name of MONEY_COLUMNS) {
      const values = Array.from({ length: n }, () => Math.floor(random() * 10_000_000) / 100);
      if (seed % 4 === 0 && random() < 0.2) values[Math.floor(random() * n)] = -1.5;
      columns[name] = vectorFromArray(values, new Float64());
    }
    tables.push(new Table(columns));
  }
  return writeArrowFile(tables, root);
}

describe('the Arrow reader’s run finder keeps the cell readers’ rows', () => {
  it('sorted, shuffled, with duplicates, id-less rows, ids of 0-40 characters, non-ASCII, runs across batches', async () => {
    let dropped = 0;
    for (let seed = 1; seed <= 48; seed++) {
      const shape: Shape = {
        sorted: seed % 3 !== 0,
        repeats: [0, 0.3, 0.6][seed % 3]!,
        idless: seed % 5 === 0 ? 0.05 : 0,
        unicode: seed % 2 === 0,
        idLength: seed % 4 === 1 ? null : [1, 3, 4, 10, 16, 17, 33][seed % 7]!,
      };
      const path = randomArrow(seed, shape);
      for (const options of [{}, { lenient: true }]) {
        const tunings: ArrowTuning[] = [
          { threads: 1 },
          { threads: 1, direct: false },
          { threads: 1, kernel: 'js' },
          { threads: 1, kernel: 'js', direct: false },
          { streaming: false },
          { threads: 2, minBytes: 0 },
          { threads: 2, minBytes: 0, kernel: 'js' },
        ];
        const result = (await expectTuningsAgree(path, options, tunings, `seed ${seed}`)) as { dropped?: { duplicates: number } };
        dropped += result.dropped?.duplicates ?? 0;
      }
    }
    // the tapes had duplicates to drop
    expect(dropped).toBeGreaterThan(100);
    // and each reader on this thread after the first one read them in the memory the one before it released
    const kept = IngestWasm.take()!;
    expect(kept.buffer.byteLength).toBeGreaterThan(65536);
    kept.release();
  });

  it('with a loan whose dates repeat across a batch boundary', async () => {
    const D = 20_000;
    // [id, day] rows, batch by batch: a run that ends a batch and goes on in the next, where a row repeats a
    // date of the run's first batch (one of its later rows, or its first); and a run that starts a batch by
    // going on with the one before it, where a later row repeats a date of the batch before
    const cases: [string, number][][][] = [
      [[['A', D], ['B', D], ['B', D + 1], ['B', D + 2]], [['B', D + 1], ['C', D]]],
      [[['A', D], ['B', D], ['B', D + 1], ['B', D + 2]], [['B', D + 3], ['B', D + 2], ['C', D]]],
      [[['A', D], ['B', D], ['B', D + 1]], [['B', D + 3], ['B', D], ['C', D], ['C', D + 1], ['D', D]]],
      [[['B', D], ['B', D + 1]], [['B', D + 2], ['B', D + 1], ['B', D + 4], ['C', D]], [['C', D], ['C', D + 2], ['D', D]]],
      [[['A', D], ['A', D], ['B', D], ['B', D + 1], ['C', D]], [['C', D + 1], ['C', D]]],
    ];
    for (const [k, batches] of cases.entries()) {
      const tables = batches.map((rows) => {
        const columns: Record<string, Vector> = {
          loan_id: vectorFromArray(rows.map(([id]) => id), new Utf8()),
          measurement_date: makeVector(makeData({ type: new DateDay(), length: rows.length, nullCount: 0, data: Int32Array.from(rows, ([, day]) => day) })),
        };
        for (const name of MONEY_COLUMNS) columns[name] = vectorFromArray(rows.map((_, i) => i + 1), new Float64());
        return new Table(columns);
      });
      const path = join(mkdtempSync(join(root, 'across-')), 'tape.arrow');
      writeFileSync(path, tableToIPC(tables.reduce((all, next) => all.concat(next)), 'file'));
      const reference = await outcome(path, {}, { fastPath: false, streaming: false });
      expect((reference as { dropped: { duplicates: number } }).dropped.duplicates, `case ${k}`).toBeGreaterThan(0);
      for (const tuning of [{ threads: 1 }, { threads: 1, direct: false }, { threads: 1, kernel: 'js' as const }, { streaming: false }]) {
        expect(await outcome(path, {}, tuning), `case ${k} ${JSON.stringify(tuning)}`).toEqual(reference);
      }
    }
  });

  it('with batches too large for the key loops’ wasm memory, some or all of them', async () => {
    const random = seededRandom(99);
    const tables: Table[] = [];
    let loan = 0;
    for (const n of [6000, 1000, 4000, 6000, 500]) {
      const ids = Array.from({ length: n }, () => {
        if (random() < 0.3) loan++;
        return idOf(loan, 12, true);
      });
      const days = Int32Array.from({ length: n }, () => 20_000 + Math.floor(random() * 4) * 30);
      const columns: Record<string, Vector> = {
        loan_id: vectorFromArray(ids, new Utf8()),
        measurement_date: makeVector(makeData({ type: new DateDay(), length: n, nullCount: 0, data: days })),
      };
      for (const name of MONEY_COLUMNS) columns[name] = vectorFromArray(Array.from({ length: n }, () => Math.floor(random() * 100_000) / 100), new Float64());
      tables.push(new Table(columns));
    }
    const path = join(mkdtempSync(join(root, 'large-')), 'tape.arrow');
    writeFileSync(path, tableToIPC(tables.reduce((all, next) => all.concat(next)), 'file'));
    const reference = await outcome(path, {}, { fastPath: false, streaming: false });
    expect((reference as { dropped: { duplicates: number } }).dropped.duplicates).toBeGreaterThan(0);
    for (const keyMemoryPages of [1, 6, 7, 9, 12, 20]) {
      for (const tuning of [{ threads: 1 }, { threads: 1, direct: false }, { streaming: false }]) {
        expect(await outcome(path, {}, { ...tuning, keyMemoryPages }), `${keyMemoryPages} pages ${JSON.stringify(tuning)}`).toEqual(reference);
      }
    }
  });
});
