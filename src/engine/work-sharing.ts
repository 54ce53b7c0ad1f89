/**
 * One computation's rows shared among threads in chunks, for a calling thread that must never wait for a
 * worker that has not started.
 *
 * With the rows cut in fixed halves, the calling thread sums its half and then waits for the worker's: on a
 * busy machine the worker may not run for milliseconds, and the call takes that long (measured: 100k rows,
 * calling thread alone 0.39 ms, calling thread plus a worker 0.72 ms median and 20 ms at p90 while other
 * processes kept both cores busy). Here every thread takes the next chunk of rows from one shared counter
 * until none is left, each into its own accumulators; the sums are exact integers, so the result does not
 * depend on who summed what. A worker first takes its seat, and the calling thread closes the seats when the
 * chunks run out: a worker that had not taken its seat by then has nothing left to do, is not waited for,
 * and when its task does run it finds its seat closed and returns at once.
 *
 * The words live in a SharedArrayBuffer of the pool's own, given to its workers once, at start: per scratch
 * slot (see ScratchSlots; a slot belongs to one computation at a time) a seat and a chunk counter.
 */
import { MAX_SCRATCH_SLOTS } from './wasm-kernels.js';

/** A seat's states besides the generation of the computation that opened it (always > 0). */
const SEAT_CLOSED = -1;
const SEAT_TAKEN = -2;
/** the worker has summed its last chunk and published its sums (or its checksum) */
const SEAT_DONE = -3;

/** One worker's part of a shared computation. */
export interface ShareTask {
  readonly kind: 'share';
  /** the worker's scratch slot, whose seat it takes */
  readonly slot: number;
  /** which opening of the seat this task belongs to: a task that runs late must not take a later one's */
  readonly generation: number;
  /** the slot whose word counts the chunks taken */
  readonly counter: number;
  readonly chunks: number;
  readonly chunkRows: number;
  readonly rows: number;
}

/** Per scratch slot: its seat, its chunk counter, and the checksum of a roofline read. */
export function shareWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * MAX_SCRATCH_SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

let lastGeneration = 0;

/** A generation for a new computation: positive, and not the last one's. */
export function nextGeneration(): number {
  lastGeneration = lastGeneration >= 0x3fffffff ? 1 : lastGeneration + 1;
  return lastGeneration;
}

/** Calling thread, before posting the tasks: the counter at zero, each worker's seat open. */
export function openShare(words: Int32Array, counter: number, seats: readonly number[], generation: number): void {
  Atomics.store(words, MAX_SCRATCH_SLOTS + counter, 0);
  for (const slot of seats) Atomics.store(words, slot, generation);
}

/** Worker: take the seat; false when the calling thread has closed it (or it was opened for another task). */
export function takeSeat(words: Int32Array, task: ShareTask): boolean {
  return Atomics.compareExchange(words, task.slot, task.generation, SEAT_TAKEN) === task.generation;
}

/** Calling thread, after the chunks ran out: close a seat; true when its worker had taken it (wait for it). */
export function closeSeat(words: Int32Array, slot: number, generation: number): boolean {
  return Atomics.compareExchange(words, slot, generation, SEAT_CLOSED) !== generation;
}

/**
 * Worker, after its last chunk and after publishing its sums: leave the seat, with the checksum of a roofline
 * read, and wake the calling thread. From here on the worker touches neither the slot nor the tape.
 */
export function leaveSeat(words: Int32Array, slot: number, checksum: number): void {
  Atomics.store(words, 2 * MAX_SCRATCH_SLOTS + slot, checksum);
  Atomics.store(words, slot, SEAT_DONE);
  Atomics.notify(words, slot);
}

/**
 * Calling thread: wait, blocking for at most `maxMs`, until the worker of a taken seat has left it; its
 * checksum then, or null if it has not left by then (the caller then waits for the task's answer instead).
 * This spares the round trip of the answer through the event loop, which on a busy machine costs more than a
 * worker's last chunk.
 */
export function awaitSeat(words: Int32Array, slot: number, maxMs: number): number | null {
  if (Atomics.load(words, slot) !== SEAT_DONE) Atomics.wait(words, slot, SEAT_TAKEN, maxMs);
  return Atomics.load(words, slot) === SEAT_DONE ? Atomics.load(words, 2 * MAX_SCRATCH_SLOTS + slot) : null;
}

/** Any thread: sum chunks, through `sum(rowStart, rowEnd)`, until none is left. */
export function sumChunks(words: Int32Array, counter: number, chunks: number, chunkRows: number, rows: number, sum: (rowStart: number, rowEnd: number) => void): void {
  for (let chunk = Atomics.add(words, MAX_SCRATCH_SLOTS + counter, 1); chunk < chunks; chunk = Atomics.add(words, MAX_SCRATCH_SLOTS + counter, 1)) {
    sum(chunk * chunkRows, Math.min(rows, (chunk + 1) * chunkRows));
  }
}

/**
 * Rows a chunk: about eight chunks a thread, so that a thread that starts late still finds some, but never
 * below 4096 rows (a chunk costs an atomic add and a call) and always a multiple of 8 (the kernels' blocks).
 */
export function chunkRowsFor(rows: number, threads: number): number {
  return Math.max(4096, Math.ceil(rows / (threads * 8) / 8) * 8);
}
