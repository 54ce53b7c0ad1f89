/**
 * The threads that parallel readers hand ranges of a file to.
 *
 * A worker thread takes ~30-100 ms to start and load the readers, a large part of a 1M-row read, so the
 * workers outlive one read: they are started on first use (while the calling thread reads the header and
 * plans the ranges), kept for IDLE_MS after their last task, then ended so that an idle process does not
 * keep their memory. While a worker has no task it is unref'd, so it never keeps the process alive.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { MovesElsewhere } from '../engine/columns.js';
import type { ColumnMovesIngestTask } from '../workers/ingest-worker.js';
import { workerFile } from '../workers/worker-file.js';

/** How long an idle ingest worker is kept for the next read. */
export const IDLE_MS = 3000;

/** A task's failure as it crossed the thread boundary. */
export interface TaskError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type TaskReply<T> = { readonly id: number; readonly ok: true; readonly value: T } | { readonly id: number; readonly ok: false; readonly error: TaskError };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** An error thrown inside a worker task, with the worker's name and message. */
export class WorkerTaskError extends Error {
  constructor(readonly remote: TaskError) {
    super(remote.message);
    this.name = remote.name;
    if (remote.stack !== undefined) this.stack = remote.stack;
  }
}

class IngestWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  dead = false;
  /** the worker has loaded the readers and waits for tasks (it says so with a message of id 0) */
  ready = false;

  constructor(private readonly onExit: (worker: IngestWorker) => void) {
    this.worker = new Worker(workerFile('ingest-worker'), { execArgv: workerExecArgv() });
    this.worker.unref();
    this.worker.on('message', (reply: TaskReply<unknown>) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`ingest worker exited with code ${code}`)));
  }

  run<T>(task: unknown, transfer: readonly TransferListItem[] = []): Promise<T> {
    if (this.dead) return Promise.reject(new Error('ingest worker is not running'));
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const id = this.nextId++;
    const result = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    // ref'd while a task is out, so that the process waits for it
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ id, task }, [...transfer]);
    return result;
  }

  private settle(reply: TaskReply<unknown>): void {
    if (reply.id === 0) {
      this.ready = true;
      return;
    }
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new WorkerTaskError(reply.error));
    if (this.pending.size === 0) this.idle();
  }

  private idle(): void {
    this.worker.unref();
    this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
    this.idleTimer.unref();
  }

  private fail(error: Error): void {
    if (this.dead) return;
    this.dead = true;
    this.onExit(this);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.dead) return;
    this.dead = true;
    this.onExit(this);
    await this.worker.terminate();
  }
}

/**
 * The parent's Node options, less those that only make sense for its own entry: a worker inherits
 * process.execArgv, and `--input-type` (with `-e`) makes a worker started from a file fail to load.
 */
function workerExecArgv(): string[] {
  const args: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--input-type')) continue;
    if (arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print') {
      i++;
      continue;
    }
    if (/^(--eval|--print)=/.test(arg)) continue;
    args.push(arg);
  }
  return args;
}

const workers: IngestWorker[] = [];

/** Whether `count` ingest workers are running and ready for tasks now (none would have to start). */
export function ingestWorkersReady(count: number): boolean {
  return workers.length >= count && workers.slice(0, count).every((worker) => worker.ready && !worker.dead);
}

/** `count` ingest workers, started if need be; each runs one task at a time in the order given. */
export function ingestWorkers(count: number): readonly IngestWorker[] {
  while (workers.length < count) {
    workers.push(
      new IngestWorker((gone) => {
        const at = workers.indexOf(gone);
        if (at >= 0) workers.splice(at, 1);
      }),
    );
  }
  return workers.slice(0, count);
}

/** End every ingest worker now (tests, and callers that want the memory back before IDLE_MS). */
export async function closeIngestWorkers(): Promise<void> {
  await Promise.all([...workers].map((worker) => worker.close()));
}

export type { IngestWorker };

/** A shared grouping's other thread (columns.ts, groupRowsByDateShared): `worker`, while it runs. */
export function movesOn(worker: IngestWorker): MovesElsewhere {
  return (task) => (worker.dead ? null : worker.run({ kind: 'column-moves', ...task } satisfies ColumnMovesIngestTask));
}
