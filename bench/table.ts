/**
 * One table of every figure the engine is judged by, measured in one run on the same data:
 *
 *   npm run bench:table [-- --sizes 1M,10M] [--runs 21] [--ingest-runs 15] [--warmup 3] [--threads 2]
 *                          [--ingest-rows 1M] [--arrow-rows 1M,10M] [--dir /tmp] [--skip-ingest]
 *   (also: npm run bench -- table …)
 *
 * KPIs grouped by snapshot date, per size (syntheticTape, 12 dates, seed 1); the roofline and ours round-robin,
 * then DuckDB (see engineLines for why apart):
 * - roofline: `KpiPool.stream()`, a plain read of the 38 bytes a row the sums touch (nine Uint32 cents and the
 *   Uint16 date key: the synthetic tape's amounts all fit Uint32, so its columns are narrowed), through the same pool,
 *   partition and dispatch, in the three orders of bench/roofline.ts; the fastest order's median is the
 *   roofline of the size;
 * - ours: `KpiPool.snapshots()` (sums, KPIs, alerts as JS objects), wasm kernels, the calling thread and
 *   threads − 1 workers;
 * - duckdb: the GROUP BY measurement_date query of bench/duck.ts with threads = 2, read back as JS values.
 * Before timing, ours and DuckDB's row counts, cent sums and KPIs per date are compared (bench/agreement.ts).
 *
 * Ingest of the files of `stress generate` (written once to --dir and reused), round-robin per file:
 * - the CSV by our reader on 1 and 2 threads, and by DuckDB's read_csv with 2 threads (a table
 *   materialised in memory; not validated, not deduplicated);
 * - the Arrow IPC file by our reader on 1 and 2 threads;
 * - the rooflines of a file: its bytes read (pread, 1 MiB at a time) into one reused buffer of 1 MiB, by 1
 *   and by 2 threads (each reads half): a reader must at least copy the bytes it uses out of the page cache,
 *   so "vs roofline" of a reader is its time over this read of the same file by as many threads. For
 *   reference, the same read into a fresh shared WebAssembly.Memory of the file's size (whose pages the
 *   kernel faults in as they are written), and a copy (TypedArray.set) from a buffer already in memory into
 *   a fresh one, timed in rounds of their own after the others (see timeIngest). (A reader that writes fewer bytes of fresh memory than the file has, as the Arrow reader's
 *   Uint32 columns do, can be faster than the read into fresh memory.)
 * Before timing, every reader's tape of the CSV and of the Arrow file are compared bit for bit, and DuckDB's
 * row count and cents of one column with ours.
 *
 * Medians of --runs (engine) and --ingest-runs (ingest) runs after --warmup rounds. Benchmarks print; they
 * do not assert speed.
 */
/// <reference path="../src/types/webassembly.d.ts" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, version as duckdbVersion, type DuckDBConnection } from '@duckdb/node-api';
import { KpiPool, MONEY_COLUMNS, tapeViews, type Tape } from 'loan-kpi-stress';
// The readers by their module: the package index exports readTape, which picks one by itself.
import { readArrowTape } from '../dist/io/arrow.js';
import { readCsvSerial } from '../dist/io/csv.js';
import { readCsvParallel } from '../dist/io/csv-parallel.js';
import { closeIngestWorkers } from '../dist/io/ingest-pool.js';
import { syntheticTape } from '../dist/io/synthetic.js';
import { exposeGc } from '../dist/workers/heap.js';
import { disagreements } from './agreement.js';
import { duckRows, KPI_SQL, loadIntoDuckDB } from './duck.js';
import { ensureFile } from './files.js';
import { compactCount, fixed, loadLine, machineLine, nowMs, otherCpuMeter, parseSizes, renderTable, summarise } from './lib.js';
import { kernelBytesPerRow, timeRoundRobin, wideCopy, type Method } from './roofline-lib.js';
import { TABLE_HEADER, tableCells, tableLine, type TableLine } from './table-lib.js';

interface Options {
  readonly sizes: readonly number[];
  readonly runs: number;
  readonly ingestRuns: number;
  readonly warmup: number;
  readonly threads: number;
  readonly ingestRows: number;
  readonly arrowRows: readonly number[];
  readonly dir: string;
  readonly skipIngest: boolean;
}

function parseOptions(args: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...args],
    options: {
      sizes: { type: 'string', default: '1M,10M' },
      runs: { type: 'string', default: '21' },
      'ingest-runs': { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      threads: { type: 'string', default: '2' },
      'ingest-rows': { type: 'string', default: '1M' },
      'arrow-rows': { type: 'string', default: '1M,10M' },
      dir: { type: 'string', default: '/tmp' },
      'skip-ingest': { type: 'boolean', default: false },
    },
  });
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`--${name} must be a whole number ≥ ${min}, got "${text}"`);
    return n;
  };
  const [ingestRows] = parseSizes(values['ingest-rows']);
  return {
    sizes: parseSizes(values.sizes),
    runs: whole('runs', values.runs, 15),
    ingestRuns: whole('ingest-runs', values['ingest-runs'], 15),
    warmup: whole('warmup', values.warmup, 1),
    threads: whole('threads', values.threads, 1),
    ingestRows: ingestRows!,
    arrowRows: parseSizes(values['arrow-rows']),
    dir: values.dir,
    skipIngest: values['skip-ingest'],
  };
}

// ---------------------------------------------------------------------------------------------------------
// KPIs

async function engineLines(connection: DuckDBConnection, options: Options): Promise<TableLine[]> {
  const lines: TableLine[] = [];
  for (const rows of options.sizes) {
    const { tape } = syntheticTape({ rows, dates: 12, seed: 1 });
    const pool = await KpiPool.open(tape, { threads: options.threads });
    const wide = wideCopy(tape);
    const widePool = await KpiPool.open(wide, { threads: options.threads });
    try {
      await loadIntoDuckDB(connection, tape, 'bigint');
      const first = await connection.runAndReadAll(KPI_SQL);
      const problems = disagreements(tape.dates, await pool.sums(), await pool.snapshots(), duckRows(first.columnNames(), first.getRows()));
      if (problems.length > 0) throw new Error(`ours and DuckDB disagree at ${compactCount(rows)} rows: ${problems.slice(0, 5).join('; ')}`);
      console.log(`${compactCount(rows)} rows: ours and DuckDB agree (row counts and cent sums identical, KPIs bit-identical per date)`);
      // JSON keeps every finite double's exact value: the same text is the same snapshots
      if (JSON.stringify(await widePool.snapshots()) !== JSON.stringify(await pool.snapshots())) {
        throw new Error(`the Uint32 and Float64 columns of ${compactCount(rows)} rows give different snapshots`);
      }
      const methods: Method[] = [
        { name: 'read, kernel order', run: () => pool.stream('blocks') },
        { name: 'read, column order', run: () => pool.stream('columns') },
        { name: 'read, a word per line', run: () => pool.stream('lines') },
        { name: 'ours', run: () => pool.snapshots() },
        { name: 'wide read', run: () => widePool.stream('lines') },
        { name: 'wide ours', run: () => widePool.snapshots() },
      ];
      // The tape and DuckDB's table each fit in this machine's last-level cache, but not both: DuckDB is timed
      // on its own, after ours, so that each runs on its own data as it would between calls of a real run,
      // and neither is timed right after the other has pushed its data out.
      const samples = await timeRoundRobin(methods, options.warmup, options.runs);
      const duckdb: Method = { name: 'duckdb', run: async () => (await connection.runAndReadAll(KPI_SQL)).getRows() };
      samples.set('duckdb', (await timeRoundRobin([duckdb], options.warmup, options.runs)).get('duckdb')!);
      const reads = methods.slice(0, 3).map((m) => ({ name: m.name, median: summarise(samples.get(m.name)!).median }));
      const fastest = reads.reduce((a, b) => (b.median < a.median ? b : a));
      const duck = summarise(samples.get('duckdb')!).median;
      const bytes = rows * kernelBytesPerRow(tape.layout);
      const wideBytes = rows * kernelBytesPerRow(wide.layout);
      const wideRead = summarise(samples.get('wide read')!).median;
      lines.push(
        tableLine(`KPIs: roofline (${fastest.name})`, rows, bytes, samples.get(fastest.name)!, fastest.median, null),
        tableLine(`KPIs: ours, ${options.threads} threads, wasm`, rows, bytes, samples.get('ours')!, fastest.median, duck),
        tableLine('KPIs: DuckDB GROUP BY, 2 threads', rows, bytes, samples.get('duckdb')!, fastest.median, duck),
        tableLine('KPIs, Float64 columns: roofline (a word per line)', rows, wideBytes, samples.get('wide read')!, wideRead, null),
        tableLine(`KPIs, Float64 columns: ours, ${options.threads} threads`, rows, wideBytes, samples.get('wide ours')!, wideRead, duck),
      );
    } finally {
      await widePool.close();
      await pool.close();
      await connection.run('DROP TABLE IF EXISTS tape');
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// Ingest

/** A fresh shared WebAssembly.Memory of at least `bytes`, as a tape's columns are (its pages not yet touched). */
function freshMemory(bytes: number): Uint8Array {
  const pages = Math.ceil(bytes / 65536);
  return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer, 0, bytes);
}

/**
 * The file's bytes read, `threads` contiguous parts side by side (on libuv's thread pool), `chunk` bytes a
 * read; `place(part, at)` says where the bytes at file position `at` go: a buffer and an offset in it.
 */
async function readInParts(path: string, size: number, threads: number, chunk: number, place: (part: number, at: number) => [Uint8Array, number]): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const part = Math.ceil(size / threads);
    await Promise.all(
      Array.from({ length: threads }, async (_, t) => {
        const end = Math.min(size, (t + 1) * part);
        for (let at = t * part; at < end; ) {
          const [buffer, offset] = place(t, at);
          const { bytesRead } = await handle.read(buffer, offset, Math.min(chunk, end - at), at);
          if (bytesRead === 0) throw new Error(`${path} ended early`);
          at += bytesRead;
        }
      }),
    );
  } finally {
    await handle.close();
  }
}

/** One reused buffer of READ_BUFFER bytes per part: the page cache's copy, with no fresh page. */
const READ_BUFFER = 1 << 20;
const reusedBuffers: Uint8Array[] = [];

async function readIntoReusedBuffer(path: string, size: number, threads: number): Promise<number> {
  await readInParts(path, size, threads, READ_BUFFER, (t) => [(reusedBuffers[t] ??= new Uint8Array(READ_BUFFER)), 0]);
  return reusedBuffers[0]![0]!;
}

/** A fresh memory of the file's size, each byte to its own place, 16 MiB a read. */
async function readIntoFreshMemory(path: string, size: number, threads: number): Promise<number> {
  const target = freshMemory(size);
  await readInParts(path, size, threads, 16 << 20, (_, at) => [target, at]);
  return target[size - 1]!;
}

/** What every reader's tape must agree on, bit for bit. */
function tapeDigest(tape: Tape): string {
  const views = tapeViews(tape);
  const hash = createHash('sha256');
  for (const column of [...views.money, views.dateKeys]) hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  hash.update(JSON.stringify(tape.dates));
  return hash.digest('hex');
}

interface IngestMethod extends Method {
  /** the tape it reads, for the check before timing; null for the rooflines and DuckDB */
  readonly read: (() => Promise<Tape>) | null;
}

async function ingestLines(connection: DuckDBConnection, options: Options): Promise<TableLine[]> {
  const lines: TableLine[] = [];
  const csv = join(options.dir, `ingest-${options.ingestRows}.csv`);
  const csvBytes = await ensureFile(csv, options.ingestRows);
  const sqlPath = csv.replace(/'/g, "''");
  let duckMs = 0;
  const csvMethods: IngestMethod[] = [
    { name: 'csv, 1 thread', read: async () => (await readCsvSerial(csv)).tape, run: () => readCsvSerial(csv) },
    { name: 'csv, 2 threads', read: async () => (await readCsvParallel(csv, {}, { threads: 2, minBytes: 0 })).tape, run: () => readCsvParallel(csv, {}, { threads: 2, minBytes: 0 }) },
    {
      name: 'duckdb read_csv',
      read: null,
      // the sample is the CREATE alone: the DROP before it is not part of the read
      run: async () => {
        await connection.run('DROP TABLE IF EXISTS t');
        const start = nowMs();
        await connection.run(`CREATE TABLE t AS SELECT * FROM read_csv('${sqlPath}')`);
        duckMs = nowMs() - start;
      },
    },
    ...fileRooflines('csv', csv, csvBytes),
  ];
  await checkReaders(csvMethods, `${csv}`, async (tape) => {
    await csvMethods[2]!.run();
    const reader = await connection.runAndReadAll('SELECT count(*), sum(round(total_receivable_usd * 100)) FROM t');
    const [count, cents] = reader.getRows()[0]!;
    let ours = 0;
    for (const cents of tapeViews(tape).money[MONEY_COLUMNS.indexOf('total_receivable_usd')]!) ours += cents;
    if (Number(count) !== tape.rows || Number(cents) !== ours) {
      throw new Error(`DuckDB read ${String(count)} rows and ${String(cents)} cents of total_receivable_usd, ours ${tape.rows} and ${ours}`);
    }
  });
  const csvSamples = await timeIngest(csvMethods, options, (name) => (name === 'duckdb read_csv' ? duckMs : null));
  await connection.run('DROP TABLE IF EXISTS t');
  const duck = summarise(csvSamples.get('duckdb read_csv')!).median;
  const csvRoofline = (threads: number) => summarise(csvSamples.get(`csv roofline: read into a reused buffer, ${threads} thread${threads > 1 ? 's' : ''}`)!).median;
  for (const method of csvMethods) {
    const threads = method.name.includes('2 threads') || method.name === 'duckdb read_csv' ? 2 : 1;
    const samples = csvSamples.get(method.name)!;
    const isRoofline = method.read === null && method.name !== 'duckdb read_csv';
    lines.push(tableLine(`ingest ${method.name}`, options.ingestRows, csvBytes, samples, isRoofline ? null : csvRoofline(threads), isRoofline ? null : duck));
  }

  for (const rows of options.arrowRows) {
    const arrow = join(options.dir, `ingest-${rows}.arrow`);
    const arrowBytes = await ensureFile(arrow, rows);
    const methods: IngestMethod[] = [
      { name: 'arrow ipc, 1 thread', read: async () => (await readArrowTape(arrow, {}, { threads: 1 })).tape, run: () => readArrowTape(arrow, {}, { threads: 1 }) },
      { name: 'arrow ipc, 2 threads', read: async () => (await readArrowTape(arrow, {}, { threads: 2, minBytes: 0 })).tape, run: () => readArrowTape(arrow, {}, { threads: 2, minBytes: 0 }) },
      ...fileRooflines('arrow', arrow, arrowBytes),
    ];
    // the cell readers' tape, row by row, is the reference the fast readers must equal
    const reference = tapeDigest((await readArrowTape(arrow, {}, { threads: 1, fastPath: false })).tape);
    await checkReaders(methods, arrow, async (tape) => {
      if (tapeDigest(tape) !== reference) throw new Error(`${arrow}: the fast readers' tape differs from the cell readers'`);
    });
    const samples = await timeIngest(methods, options, () => null);
    const roofline = (threads: number) => summarise(samples.get(`arrow roofline: read into a reused buffer, ${threads} thread${threads > 1 ? 's' : ''}`)!).median;
    for (const method of methods) {
      const threads = method.name.includes('2 threads') ? 2 : 1;
      lines.push(tableLine(`ingest ${method.name}`, rows, arrowBytes, samples.get(method.name)!, method.read === null ? null : roofline(threads), null));
    }
  }
  return lines;
}

/**
 * The rooflines of reading a file: its bytes into a reused buffer by 1 and 2 threads; for reference, into
 * fresh memory by 1 and 2 threads, and copied from memory into fresh memory.
 */
function fileRooflines(kind: string, path: string, size: number): IngestMethod[] {
  let inMemory: Uint8Array | null = null;
  return [
    { name: `${kind} roofline: read into a reused buffer, 1 thread`, read: null, run: () => readIntoReusedBuffer(path, size, 1) },
    { name: `${kind} roofline: read into a reused buffer, 2 threads`, read: null, run: () => readIntoReusedBuffer(path, size, 2) },
    { name: `${kind} roofline: read into fresh memory, 1 thread`, read: null, run: () => readIntoFreshMemory(path, size, 1) },
    { name: `${kind} roofline: read into fresh memory, 2 threads`, read: null, run: () => readIntoFreshMemory(path, size, 2) },
    {
      name: `${kind} roofline: copy from memory into fresh memory`,
      read: null,
      run: async () => {
        inMemory ??= readFileSync(path);
        freshMemory(size).set(inMemory);
      },
    },
  ];
}

/** Every reader's tape equal to the first's, and `also` satisfied by it, before anything is timed. */
async function checkReaders(methods: readonly IngestMethod[], file: string, also: (tape: Tape) => Promise<void>): Promise<void> {
  let first: { name: string; digest: string; tape: Tape } | null = null;
  for (const method of methods) {
    if (method.read === null) continue;
    const tape = await method.read();
    const digest = tapeDigest(tape);
    if (first === null) first = { name: method.name, digest, tape };
    else if (digest !== first.digest) throw new Error(`${file}: ${method.name} reads another tape than ${first.name}`);
  }
  await also(first!.tape);
  console.log(`${file}: ${methods.filter((m) => m.read !== null).map((m) => m.name).join(', ')} read the same tape, bit for bit`);
}

/**
 * The readers, DuckDB and the reads into a reused buffer round-robin; then, in rounds of their own, the
 * reference reads into fresh memory: each leaves a memory of the file's size to be freed, and its freeing
 * (unmapping, on another thread) would fall into the readers' rounds. After each of those reads a full
 * collection frees its memory, untimed: the garbage collector does not count a WebAssembly.Memory's pages
 * as pressure, and without it 18 rounds of 1 GB memories would hold 18 GB.
 */
async function timeIngest(methods: readonly IngestMethod[], options: Options, ownMs: (name: string) => number | null): Promise<Map<string, number[]>> {
  const fresh = (method: IngestMethod) => method.name.includes('fresh memory');
  const samples = await timeRoundRobin(
    methods.filter((method) => !fresh(method)),
    options.warmup,
    options.ingestRuns,
    { ownMs },
  );
  const gc = exposeGc();
  if (gc === null) throw new Error('a full garbage collection cannot be had here (v8 --expose-gc)');
  const freshSamples = await timeRoundRobin(methods.filter(fresh), options.warmup, options.ingestRuns, { ownMs, after: gc });
  for (const [name, times] of freshSamples) samples.set(name, times);
  return samples;
}

// ---------------------------------------------------------------------------------------------------------

export async function summaryTable(args: readonly string[]): Promise<number> {
  const options = parseOptions(args);
  console.log(`command: npm run bench:table${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`);
  console.log(`${machineLine()}; Node ${process.version}; DuckDB ${duckdbVersion()}`);
  console.log(loadLine('at start'));
  const meter = otherCpuMeter();
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  let lines: TableLine[];
  try {
    lines = await engineLines(connection, options);
    if (!options.skipIngest) lines.push(...(await ingestLines(connection, options)));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await closeIngestWorkers();
  }
  const others = meter.share();
  console.log('');
  console.log(renderTable([TABLE_HEADER, ...lines.map(tableCells)]));
  console.log('');
  console.log(
    `medians of ${options.runs} (KPIs) and ${options.ingestRuns} (ingest) runs after ${options.warmup} warm-up rounds, methods round-robin in an order shuffled each round; ` +
      `KPI GB/s count the bytes a row the sums read (38: nine Uint32 cents and the date key; 74 for the Float64 rows), ingest GB/s the file's bytes`,
  );
  console.log(
    'vs roofline = median / the roofline median (KPIs: the fastest plain read of the same bytes through the same pool; ingest: the read of ' +
      'the same file into a reused buffer by as many threads); vs DuckDB = DuckDB median / this median (> 1: faster than DuckDB)',
  );
  console.log(`other processes used ${others === null ? 'an unknown share' : `${(100 * others).toFixed(0)}%`} of all cores during the run; ${loadLine('at end')}`);
  return 0;
}

// run as a script (npm run bench:table), not when engine.ts imports it for `npm run bench -- table`
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  summaryTable(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(error instanceof RangeError ? 2 : 1);
    },
  );
}
