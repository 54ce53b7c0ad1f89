/**
 * An ingest worker: reads one range of a file (CSV bytes, or Arrow record batches) into its region of a shared
 * memory per task, and answers with the region's partial result (see io/csv-parallel.ts, io/arrow.ts), whose
 * duplicate set's arrays are transferred, not copied, to the calling thread, which merges the regions; or
 * moves some of a merged tape's columns into date order (engine/columns.ts, groupRowsByDateShared). It is the
 * only module of the readers that knows it runs in a worker.
 */
import { parentPort } from 'node:worker_threads';
import { moveColumns, type ColumnMovesTask } from '../engine/columns.js';
import { WasmKernels } from '../engine/wasm-kernels.js';
import type { ArrowRangeTask } from '../io/arrow.js';
import { readCsvRange, type CsvRangeTask } from '../io/csv-parallel.js';
import type { TaskReply } from '../io/ingest-pool.js';
import { partialTransferList } from '../io/tape-builder.js';
import { kernelModule } from './kernel-module.js';

/** A share of the moves that put a parallel read's rows in date order (engine/columns.ts, groupRowsByDateShared). */
export type ColumnMovesIngestTask = ColumnMovesTask & { readonly kind: 'column-moves' };

export type IngestTask = CsvRangeTask | ArrowRangeTask | ColumnMovesIngestTask;

const port = parentPort!;

port.on('message', ({ id, task }: { id: number; task: IngestTask }) => {
  void run(id, task);
});
// The readers are loaded: tell the pool (task ids start at 1), which then counts this worker as warm.
port.postMessage({ id: 0, ok: true, value: null } satisfies TaskReply<null>);

async function run(id: number, task: IngestTask): Promise<void> {
  try {
    if (task.kind === 'arrow-range') {
      // Loaded on first use: apache-arrow takes long to load, and a worker that reads CSV never needs it.
      const { readArrowRange } = await import('../io/arrow.js');
      const partial = await readArrowRange(task);
      const reply: TaskReply<typeof partial> = { id, ok: true, value: partial };
      port.postMessage(reply, partialTransferList(partial));
      return;
    }
    if (task.kind === 'column-moves') {
      const { module, reason } = kernelModule();
      if (module === null) throw new Error(`the wasm kernels did not load: ${reason}`);
      moveColumns(task, WasmKernels.instantiate(module, task.memory, task.layout));
      const reply: TaskReply<null> = { id, ok: true, value: null };
      port.postMessage(reply);
      return;
    }
    const result = await readCsvRange(task);
    const reply: TaskReply<typeof result> = { id, ok: true, value: result };
    port.postMessage(reply, partialTransferList(result.partial));
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const reply: TaskReply<never> = { id, ok: false, error: { name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) } };
    port.postMessage(reply);
  }
}
