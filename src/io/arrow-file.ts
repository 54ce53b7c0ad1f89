/**
 * Arrow IPC files read one record batch at a time, without holding the file in memory.
 *
 * tableFromIPC wants the whole file in one buffer: for a 100 MB tape that is 100 MB of fresh memory, whose
 * pages the kernel must fault in and zero before the bytes are even copied, and which stays resident while
 * the columns are filled. A file (not a stream) says where everything is: its footer lists the record
 * batches, and each batch's metadata gives its row count and where its buffers lie in its body. So the
 * footer and the metadata (a few KB) are read first, which sizes the columns exactly; then each body is read
 * into one reused buffer and turned into Arrow Data by Arrow's own VectorLoader, as tableFromIPC would.
 *
 * Only plain files take this path: no dictionary batches, no compressed bodies, metadata that decodes. Any
 * other file (and every IPC stream) goes through tableFromIPC, which also names what is wrong with a broken
 * one.
 */
import { DataType, MessageHeader, type Data, type Field, type Schema } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { Message, type RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { VectorLoader } from 'apache-arrow/visitor/vectorloader';
import { readExactlySync, type ByteSource } from './byte-source.js';

const MAGIC = 'ARROW1';
/** magic, padded to 8 bytes, at the start; footer length (int32) and magic at the end */
const START_BYTES = 8;
const END_BYTES = 4 + MAGIC.length;

/** One record batch: its rows, its buffers' layout, and where its body lies in the file. */
export interface BatchBlock {
  readonly rows: number;
  readonly header: RecordBatchHeader;
  readonly bodyOffset: number;
  readonly bodyLength: number;
}

export interface ArrowFilePlan {
  readonly schema: Schema;
  readonly batches: readonly BatchBlock[];
  readonly rows: number;
}

export async function readExactly(handle: ByteSource, buffer: Uint8Array, length: number, position: number): Promise<boolean> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

function isMagic(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < MAGIC.length; i++) if (bytes[at + i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

/**
 * The footer and every batch's metadata of an Arrow IPC file of `size` bytes; null when the file is not one
 * this module reads (a stream, dictionaries, compression, anything that does not decode or add up).
 */
export async function planArrowFile(handle: ByteSource, size: number): Promise<ArrowFilePlan | null> {
  // The pieces are small (the magic, the footer, each batch's metadata) and nothing can be done before they
  // are in, so they are read on this thread where the source can: through the thread pool each read costs a
  // round trip of its own, 19 of them for a file of 16 batches (2.3 ms a 1M-row file, against about 0.1).
  const { readSync } = handle;
  const readPiece = (buffer: Uint8Array, length: number, position: number): boolean | Promise<boolean> =>
    readSync ? readExactlySync(readSync, buffer, 0, length, position) : readExactly(handle, buffer, length, position);
  try {
    if (size < START_BYTES + END_BYTES + 8) return null;
    const start = new Uint8Array(START_BYTES);
    const end = new Uint8Array(END_BYTES);
    if (!(await readPiece(start, START_BYTES, 0)) || !isMagic(start, 0)) return null;
    if (!(await readPiece(end, END_BYTES, size - END_BYTES)) || !isMagic(end, 4)) return null;
    const footerLength = new DataView(end.buffer).getInt32(0, true);
    const footerStart = size - END_BYTES - footerLength;
    if (footerLength <= 0 || footerStart < START_BYTES) return null;
    const footerBytes = new Uint8Array(footerLength);
    if (!(await readPiece(footerBytes, footerLength, footerStart))) return null;
    const footer = Footer.decode(footerBytes);
    if (footer.numDictionaries > 0) return null;
    const batches: BatchBlock[] = [];
    let rows = 0;
    for (const block of footer.recordBatches()) {
      const metaLength = block.metaDataLength;
      const bodyOffset = block.offset + metaLength;
      if (metaLength < 8 || block.offset < START_BYTES || bodyOffset + block.bodyLength > footerStart) return null;
      const meta = new Uint8Array(metaLength);
      if (!(await readPiece(meta, metaLength, block.offset))) return null;
      // ARROW-6313: a continuation marker (-1) before the length since format 0.15, the length alone before
      const view = new DataView(meta.buffer);
      let at = 4;
      let length = view.getInt32(0, true);
      if (length === -1) {
        length = view.getInt32(4, true);
        at = 8;
      }
      if (length <= 0 || at + length > metaLength) return null;
      const message = Message.decode(meta.subarray(at, at + length));
      if (message.headerType !== MessageHeader.RecordBatch || message.bodyLength !== block.bodyLength) return null;
      const header = message.header() as RecordBatchHeader;
      if (header.compression !== null && header.compression !== undefined) return null;
      batches.push({ rows: header.length, header, bodyOffset, bodyLength: block.bodyLength });
      rows += header.length;
    }
    return { schema: footer.schema, batches, rows };
  } catch {
    return null;
  }
}

/** Batch `index` of a planned file read into `body` (at least its length), as Arrow Data viewing `body`. */
export async function loadBatch(handle: ByteSource, plan: ArrowFilePlan, index: number, body: Uint8Array): Promise<readonly Data[]> {
  const batch = plan.batches[index]!;
  if (!(await readExactly(handle, body, batch.bodyLength, batch.bodyOffset))) throw new Error('the file ends inside a record batch');
  const bytes = body.subarray(0, batch.bodyLength);
  const { header } = batch;
  return new VectorLoader(bytes, header.nodes, header.buffers, new Map(), plan.schema.metadataVersion, header.variadicBufferCounts).visitMany(plan.schema.fields);
}

/**
 * Read batches [from, to) of a planned file in order, each into one reused body buffer, and hand each one's
 * columns to `use` before the next is read (the Data views the buffer: they must not be kept).
 */
export async function forEachBatch(
  handle: ByteSource,
  plan: ArrowFilePlan,
  from: number,
  to: number,
  use: (children: readonly Data[], rows: number, index: number) => void,
): Promise<void> {
  let largest = 0;
  for (let b = from; b < to; b++) largest = Math.max(largest, plan.batches[b]!.bodyLength);
  // 8-byte aligned, as Arrow's buffers are laid out within a body
  const body = new Uint8Array(largest);
  for (let b = from; b < to; b++) use(await loadBatch(handle, plan, b, body), plan.batches[b]!.rows, b);
}

/**
 * Buffers of a column of a flat type in a record batch (validity first; then offsets and bytes, or values),
 * or -1 for a type with children or a variable number of buffers.
 */
function bufferCount(type: DataType): number {
  if (DataType.isNull(type)) return 0;
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isBinary(type) || DataType.isLargeBinary(type)) return 3;
  const fixed =
    DataType.isBool(type) || DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type) || DataType.isDate(type) ||
    DataType.isTimestamp(type) || DataType.isTime(type) || DataType.isFixedSizeBinary(type) || DataType.isInterval(type) ||
    DataType.isDuration(type);
  return fixed ? 2 : -1;
}

/**
 * Where each column's buffers start in a record batch's list of buffers, when every column is of a flat type
 * (one field node and a fixed number of buffers per column); null otherwise. With it, a column's bytes can be
 * read from the file by themselves, without reading the rest of the batch.
 */
export function bufferStarts(fields: readonly Field[]): Int32Array | null {
  const starts = new Int32Array(fields.length);
  let next = 0;
  for (const [f, field] of fields.entries()) {
    const count = bufferCount(field.type as DataType);
    if (count < 0) return null;
    starts[f] = next;
    next += count;
  }
  return starts;
}
