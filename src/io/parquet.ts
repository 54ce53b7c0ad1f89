/**
 * Parquet in and out, through parquet-wasm (the Rust parquet and arrow crates compiled to WebAssembly: every
 * compression codec, no native build). Parquet converts to and from Arrow, so a Parquet tape is read by the
 * Arrow reader's own cell readers and rules (arrow.ts): the same types, validation, strict and lenient modes,
 * duplicates and problem messages, with rows counted 1-based as in an Arrow file.
 *
 * A tape is decoded one row group at a time (a whole file of 1M rows in one go would hold the decoded table
 * and its Arrow copy at once, three times the memory); a file written as one big row group is still read
 * whole. The module (5 MB of WebAssembly) is loaded on first use only, so that CSV and Arrow users never pay
 * for it.
 */
import { readFile } from 'node:fs/promises';
import { tableFromIPC, tableToIPC, Table as ArrowTable, type RecordBatch } from 'apache-arrow';
import { messageOf } from '../errors.js';
import { readArrowBatches, readArrowTable } from './arrow.js';
import { TapeInputError } from './problems.js';
import type { ReadOptions, ReadResult } from './tape-builder.js';

type ParquetWasm = typeof import('parquet-wasm');

let loaded: Promise<ParquetWasm> | null = null;

function parquetWasm(): Promise<ParquetWasm> {
  loaded ??= import('parquet-wasm');
  return loaded;
}

/** Rows per Arrow batch when reading: the library's default of 1024 makes the row loop pay per batch. */
const READ_BATCH_ROWS = 65536;

function invalidParquet(path: string, detail: string): TapeInputError {
  // the library's message says what broke (e.g. "Corrupt footer"); one line, without a stack
  const reason = detail.replace(/\s+/g, ' ').trim().slice(0, 160);
  return new TapeInputError([{ file: path, line: 0, lineKind: 'row', column: null, value: null, reason: `not a valid Parquet file (${reason})` }], 1);
}

/** The contents of a Parquet file (or of one row group) as an Arrow table, or a TapeInputError naming the file. */
function decode(parquet: ParquetWasm, path: string, bytes: Uint8Array, rowGroup?: number): ArrowTable {
  let table: ArrowTable;
  try {
    const options = rowGroup === undefined ? { batchSize: READ_BATCH_ROWS } : { batchSize: READ_BATCH_ROWS, rowGroups: [rowGroup] };
    table = tableFromIPC(parquet.readParquet(bytes, options).intoIPCStream());
  } catch (error) {
    throw invalidParquet(path, messageOf(error));
  }
  if (table.schema.fields.length === 0) throw invalidParquet(path, 'no columns');
  return table;
}

export async function parquetToArrowTable(path: string, bytes: Uint8Array): Promise<ArrowTable> {
  return decode(await parquetWasm(), path, bytes);
}

/** Rows and row groups, from the file's footer. */
async function parquetShape(parquet: ParquetWasm, path: string, bytes: Uint8Array): Promise<{ rows: number; rowGroups: number }> {
  let file: import('parquet-wasm').ParquetFile | null = null;
  try {
    file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
    const metadata = file.metadata();
    return { rows: metadata.fileMetadata().numRows(), rowGroups: metadata.numRowGroups() };
  } catch (error) {
    throw invalidParquet(path, messageOf(error));
  } finally {
    file?.free();
  }
}

export async function readParquetTape(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  const parquet = await parquetWasm();
  const bytes = await readFile(path);
  const shape = await parquetShape(parquet, path, bytes);
  // no row group: the schema alone, which the reader checks before it says "no data rows"
  if (shape.rowGroups <= 1) return readArrowTable(path, decode(parquet, path, bytes), options);
  const first = decode(parquet, path, bytes, 0);
  function* batches(): Generator<RecordBatch> {
    yield* first.batches;
    for (let group = 1; group < shape.rowGroups; group++) yield* decode(parquet, path, bytes, group).batches;
  }
  return readArrowBatches(path, first.schema.fields, shape.rows, batches(), options);
}

/** Rows per row group written: small enough that a reader holds one at a time in little memory. */
export const WRITE_ROW_GROUP_ROWS = 65536;

function writerProperties(parquet: ParquetWasm) {
  // Snappy: what most Parquet producers write by default, and what every reader decodes
  return new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).setMaxRowGroupSize(WRITE_ROW_GROUP_ROWS).build();
}

/** A whole Arrow table as the bytes of one Parquet file. */
export async function parquetBytes(table: ArrowTable): Promise<Uint8Array> {
  const parquet = await parquetWasm();
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), writerProperties(parquet));
}

/**
 * Arrow record batches as a Parquet file (row groups of at most WRITE_ROW_GROUP_ROWS rows), handed to `write` chunk by chunk: the file
 * is never whole in memory. Each batch is copied into WebAssembly memory before the next is asked for, so the
 * batches may share (and reuse) buffers.
 */
export async function writeParquetBatches(batches: Iterable<RecordBatch>, write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
  const parquet = await parquetWasm();
  const iterator = batches[Symbol.iterator]();
  const source = new ReadableStream({
    pull(controller) {
      const next = iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      const copy = parquet.Table.fromIPCStream(tableToIPC(new ArrowTable(next.value), 'stream'));
      for (const batch of copy.recordBatches()) controller.enqueue(batch);
    },
  });
  const output = await parquet.transformParquetStream(source, writerProperties(parquet));
  const reader = (output as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await write(value);
  }
}
