/**
 * A thread's heap after a full collection, measured on that thread: the one piece of code shared by the main
 * thread's sampler and every kind of pool worker (each can only measure its own heap).
 *
 * The collection is made possible at run time (`--expose-gc` set through v8.setFlagsFromString, and `gc`
 * taken from a new vm context), so the user does not have to start node with flags.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The `gc()` function of a context created after --expose-gc was set, or null. */
export function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export interface ThreadHeap {
  /** used heap before the collection, bytes */
  readonly heap_used: number;
  /** used heap right after a full collection (equal to heap_used without one), bytes */
  readonly heap_after_gc: number;
  /** memory outside the heap held by this thread's objects (ArrayBuffers, Buffers) after that collection, bytes */
  readonly external_after_gc: number;
  /** how long the collections stopped this thread, ms: the cost of the measurement to the workload */
  readonly gc_pause_ms: number;
}

/** This thread's heap, after two full collections when `gc` is given. */
export function measureThreadHeap(gc: (() => void) | null): ThreadHeap {
  const before = getHeapStatistics().used_heap_size;
  const start = performance.now();
  if (gc !== null) {
    // twice: V8 frees the backing stores of dead ArrayBuffers concurrently after a collection, and the count
    // of external memory catches up only when the next collection finishes that sweep
    gc();
    gc();
  }
  const pause = gc === null ? 0 : performance.now() - start;
  const after = getHeapStatistics();
  return { heap_used: before, heap_after_gc: after.used_heap_size, external_after_gc: after.external_memory, gc_pause_ms: pause };
}
