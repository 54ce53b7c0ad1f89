/**
 * Ingest: our readers against DuckDB's read_csv on the same generated file, in the same process and run.
 *
 *   node dist-bench/ingest.js [--rows 1000000] [--runs 15] [--warmup 3] [--duckdb-runs 15] [--dir /tmp] [--only arrow]
 *                             [--baseline DIR]
 *   node dist-bench/ingest.js crossover [--runs 15] [--dir /tmp]
 *
 * The files are those of `stress generate --rows N` (seed 1, 12 dates), written once to --dir as
 * ingest-N.csv and ingest-N.arrow and reused by later runs. Timed, one method after the other in each round
 * (round robin, in an order shuffled each round, so that a noisy neighbour hurts all methods alike and what
 * one method leaves behind falls on no method in particular: bench/lib.ts, roundOrder), after warm-up rounds:
 * - csv, 1 thread: readCsvSerial, the single-pass reader (parse, validate, dedupe into shared columns);
 * - csv, 2 threads: readCsvParallel with 2 threads (the calling one and one ingest worker; the worker is
 *   started in the warm-up and kept, as it is between the reads of one process);
 * - duckdb read_csv: `CREATE TABLE t AS SELECT * FROM read_csv(file)` with threads = 2, fully materialised
 *   in DuckDB's in-memory database, then dropped (the DROP is not timed);
 * - arrow ipc, 1 and 2 threads: readArrowTape of the .arrow file into shared columns (record batches read
 *   one at a time; with 2 threads, the second half of the batches on the ingest worker).
 * Every read is checked for the row count before anything is timed. MB/s counts the file's bytes; page faults
 * are the median of the process's minor page faults during one read (every thread's: a reader faults in the
 * fresh pages it writes, and may pay for unmapping an earlier read's).
 * `--only arrow` times the two Arrow methods alone (no CSV file is written, and no DuckDB runs).
 * `--baseline DIR` also times the 2-thread CSV reader (unless `--only arrow`) and the Arrow reader of another
 * build, DIR being a copy of its dist/ (kept where it finds this package's node_modules, e.g. ./dist-before):
 * before and after in the same rounds, which is the only fair comparison on a machine that others use.
 * The load average is printed at start and end: on a shared machine, compare figures of the same run.
 * All of ours include validation and duplicate detection; DuckDB's read_csv does neither.
 *
 * `crossover` mode: the CSV reader in one pass against two threads, on generated files from 1 MB to 64 MB,
 * with the ingest worker already running (warm) and started by the read itself (cold), to place
 * PARALLEL_MIN_BYTES and PARALLEL_COLD_MIN_BYTES (src/io/csv-parallel.ts).
 *
 * Benchmarks print; they do not assert speed.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, version as duckdbVersion } from '@duckdb/node-api';
// The readers by their module: the package index exports readTape, which picks one by itself.
import { readArrowTape } from '../dist/io/arrow.js';
import { readCsvSerial } from '../dist/io/csv.js';
import { readCsvParallel } from '../dist/io/csv-parallel.js';
import { closeIngestWorkers } from '../dist/io/ingest-pool.js';
import { ensureFile } from './files.js';
import { compactCount, fixed, loadLine, machineLine, nowMs, otherCpuMeter, renderTable, roundOrder, summarise } from './lib.js';

interface Method {
  readonly name: string;
  readonly file: string;
  readonly runs: number;
  /** one read; returns the rows it read, to check against the others */
  run(): Promise<number>;
}

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rows: { type: 'string', default: '1000000' },
      runs: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      'duckdb-runs': { type: 'string' },
      dir: { type: 'string', default: '/tmp' },
      only: { type: 'string' },
      baseline: { type: 'string' },
    },
  });
  if (values.only !== undefined && values.only !== 'arrow') throw new Error(`--only takes "arrow", got ${values.only}`);
  const whole = (name: string, text: string | undefined, min: number): number => {
    const n = Number((text ?? '').replace(/_/g, ''));
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${text}`);
    return n;
  };
  const runs = whole('runs', values.runs, 1);
  return {
    mode: positionals[0] === 'crossover' ? ('crossover' as const) : ('compare' as const),
    rows: whole('rows', values.rows, 1),
    runs,
    warmup: whole('warmup', values.warmup, 0),
    duckdbRuns: values['duckdb-runs'] === undefined ? runs : whole('duckdb-runs', values['duckdb-runs'], 1),
    dir: values.dir,
    arrowOnly: values.only === 'arrow',
    baseline: values.baseline === undefined ? null : resolve(values.baseline),
  };
}

/** Rows of a generated CSV tape of about `megabytes` MB (88 bytes a row). */
function rowsForMegabytes(megabytes: number): number {
  return Math.round((megabytes * 1e6) / 88);
}

async function crossover(opts: ReturnType<typeof options>): Promise<void> {
  console.log(loadLine('at start'));
  const table = [['file', 'rows', '1 thread ms', '2 threads, warm ms', 'warm / 1 thread', '2 threads, cold ms', 'cold / 1 thread']];
  const meter = otherCpuMeter();
  for (const megabytes of [1, 2, 4, 8, 16, 32, 64]) {
    const rows = rowsForMegabytes(megabytes);
    const path = join(opts.dir, `ingest-${rows}.csv`);
    await ensureFile(path, rows);
    const serial: number[] = [];
    const warm: number[] = [];
    const cold: number[] = [];
    const parallel = () => readCsvParallel(path, {}, { threads: 2, minBytes: 0 });
    // warm: one worker for every run, which has read the file a few times already
    for (let w = 0; w < 3; w++) {
      await readCsvSerial(path);
      await parallel();
    }
    for (let run = 0; run < opts.runs; run++) {
      let start = nowMs();
      await readCsvSerial(path);
      serial.push(nowMs() - start);
      start = nowMs();
      await parallel();
      warm.push(nowMs() - start);
    }
    // cold: the first read of a process, which starts the worker (and runs its code before it is optimised)
    for (let run = 0; run < opts.runs; run++) {
      await closeIngestWorkers();
      const start = nowMs();
      await parallel();
      cold.push(nowMs() - start);
    }
    const [s, w, c] = [summarise(serial).median, summarise(warm).median, summarise(cold).median];
    table.push([`${megabytes} MB`, compactCount(rows), fixed(s), fixed(w), `${fixed(w / s)}×`, fixed(c), `${fixed(c / s)}×`]);
  }
  await closeIngestWorkers();
  const others = meter.share();
  console.log(`medians of ${opts.runs} runs each; other processes used ${others === null ? 'an unknown share' : `${fixed(others * 100, 2)}%`} of all cores; ${loadLine('at end')}`);
  console.log('');
  console.log(renderTable(table));
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.mode === 'crossover') return crossover(opts);
  const csv = join(opts.dir, `ingest-${opts.rows}.csv`);
  const arrow = join(opts.dir, `ingest-${opts.rows}.arrow`);
  const sizes = new Map([[arrow, await ensureFile(arrow, opts.rows)]]);
  if (!opts.arrowOnly) sizes.set(csv, await ensureFile(csv, opts.rows));
  console.log(machineLine());
  console.log(`runtime: Node ${process.version} (V8 ${process.versions.v8}), DuckDB ${duckdbVersion()} via @duckdb/node-api`);
  console.log(loadLine('at start'));

  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const sqlPath = csv.replace(/'/g, "''");
  const allMethods: Method[] = [
    { name: 'csv, 1 thread (ours)', file: csv, runs: opts.runs, run: async () => (await readCsvSerial(csv)).tape.rows },
    { name: 'csv, 2 threads (ours)', file: csv, runs: opts.runs, run: async () => (await readCsvParallel(csv, {}, { threads: 2, minBytes: 0 })).tape.rows },
    {
      name: 'duckdb read_csv, 2 threads',
      file: csv,
      runs: opts.duckdbRuns,
      run: async () => {
        await connection.run('DROP TABLE IF EXISTS t');
        const start = nowMs();
        await connection.run(`CREATE TABLE t AS SELECT * FROM read_csv('${sqlPath}')`);
        const ms = nowMs() - start;
        lastDuckMs = ms;
        const count = await connection.runAndReadAll('SELECT count(*) FROM t');
        return Number(count.getRows()[0]?.[0]);
      },
    },
    { name: 'arrow ipc, 1 thread (ours)', file: arrow, runs: opts.runs, run: async () => (await readArrowTape(arrow, {}, { threads: 1 })).tape.rows },
    { name: 'arrow ipc, 2 threads (ours)', file: arrow, runs: opts.runs, run: async () => (await readArrowTape(arrow, {}, { threads: 2, minBytes: 0 })).tape.rows },
  ];
  // the baseline build's readers, with their own ingest worker (their own module instances)
  const fromBaseline = async <T>(module: string): Promise<T> => (await import(pathToFileURL(join(opts.baseline!, module)).href)) as T;
  const baseline =
    opts.baseline === null
      ? null
      : {
          readArrow: (await fromBaseline<{ readArrowTape: typeof readArrowTape }>('io/arrow.js')).readArrowTape,
          readCsv: (await fromBaseline<{ readCsvParallel: typeof readCsvParallel }>('io/csv-parallel.js')).readCsvParallel,
          close: (await fromBaseline<{ closeIngestWorkers: () => Promise<void> }>('io/ingest-pool.js')).closeIngestWorkers,
        };
  if (baseline !== null) {
    allMethods.push(
      { name: 'csv, 2 threads (baseline)', file: csv, runs: opts.runs, run: async () => (await baseline.readCsv(csv, {}, { threads: 2, minBytes: 0 })).tape.rows },
      { name: 'arrow ipc, 1 thread (baseline)', file: arrow, runs: opts.runs, run: async () => (await baseline.readArrow(arrow, {}, { threads: 1 })).tape.rows },
      { name: 'arrow ipc, 2 threads (baseline)', file: arrow, runs: opts.runs, run: async () => (await baseline.readArrow(arrow, {}, { threads: 2, minBytes: 0 })).tape.rows },
    );
  }
  const methods = opts.arrowOnly ? allMethods.filter((m) => m.file === arrow) : allMethods;
  // DuckDB's count and DROP are not part of its read: its sample is the CREATE alone.
  let lastDuckMs = 0;
  const isDuck = (m: Method) => m.name.startsWith('duckdb');

  for (const method of methods) {
    const rows = await method.run();
    if (rows !== opts.rows) throw new Error(`${method.name} read ${rows} rows, expected ${opts.rows}`);
  }
  for (let w = 0; w < opts.warmup; w++) for (const method of methods) await method.run();

  const samples = new Map<string, number[]>(methods.map((m) => [m.name, []]));
  // the process's page faults during each read: a reader's fresh pages (and the unmapping of earlier reads')
  const faults = new Map<string, number[]>(methods.map((m) => [m.name, []]));
  const meter = otherCpuMeter();
  const rounds = Math.max(...methods.map((m) => m.runs));
  for (let round = 0; round < rounds; round++) {
    for (const method of roundOrder(methods, round)) {
      if (round >= method.runs) continue;
      const faultsBefore = process.resourceUsage().minorPageFault;
      const start = nowMs();
      await method.run();
      samples.get(method.name)!.push(isDuck(method) ? lastDuckMs : nowMs() - start);
      faults.get(method.name)!.push(process.resourceUsage().minorPageFault - faultsBefore);
    }
  }
  const others = meter.share();
  await connection.run('DROP TABLE IF EXISTS t');
  connection.closeSync();
  instance.closeSync();
  await closeIngestWorkers();
  await baseline?.close();

  const duckMethod = methods.find(isDuck);
  const duck = duckMethod === undefined ? null : summarise(samples.get(duckMethod.name)!);
  const rowsOut = [['method', 'rows', 'median ms', 'p10–p90 ms', 'rows/s', 'MB/s', 'time vs DuckDB', 'page faults']];
  for (const method of methods) {
    const s = summarise(samples.get(method.name)!);
    const bytes = sizes.get(method.file)!;
    rowsOut.push([
      `${method.name}${method.runs < rounds ? ` [${method.runs} runs]` : ''}`,
      compactCount(opts.rows),
      fixed(s.median),
      `${fixed(s.p10)}–${fixed(s.p90)}`,
      compactCount((opts.rows / s.median) * 1000),
      fixed(bytes / 1e6 / (s.median / 1000)),
      duck === null ? '–' : `${fixed(s.median / duck.median)}×`,
      compactCount(summarise(faults.get(method.name)!).median),
    ]);
  }
  console.log(
    `files: ${[...sizes].map(([file, bytes]) => `${file} (${fixed(bytes / 1e6)} MB)`).join(', ')}; ` +
      `${opts.warmup} warm-up rounds, then ${rounds} timed rounds, methods in turn (round robin), in an order shuffled each round`,
  );
  console.log(`other processes used ${others === null ? 'an unknown share' : `${fixed(others * 100, 2)}%`} of all cores while timing; ${loadLine('at end')}`);
  console.log('');
  console.log(renderTable(rowsOut));
  console.log('');
  console.log(
    'time vs DuckDB: median time of the method / median time of DuckDB read_csv (below 1× is faster); MB/s of file bytes; ' +
      'page faults: median of the minor page faults of the whole process (every thread) during one read',
  );
}

await main();
