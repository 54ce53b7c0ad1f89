/**
 * Poll before sleeping: a pool worker that has just answered keeps its core for a short while, so that a
 * task sent right after the answer reaches a running thread rather than a sleeping one.
 *
 * Waking a sleeping thread is the larger part of a task's round trip, and on a virtual machine it is the host
 * that wakes the sleeping vCPU: 60-90 µs for the round trip on the 2-core development machine, where a worker
 * that polls answers in about 30 µs (README, Performance). piscina's worker waits for its next task in
 * `Atomics.wait` on its own shared counter, and has no setting for this, so the worker thread replaces that
 * function, on its own global `Atomics` only, with one that first polls the same word.
 *
 * Polling costs at most `micros` of CPU time after each task that no other task follows at once; a worker
 * that is sent one within the window stops polling when it arrives.
 */
import { performance } from 'node:perf_hooks';

type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** loads between two reads of the clock: a load costs a few ns, a read of the clock a few tens */
const LOADS_PER_CLOCK_READ = 64;

/**
 * `Atomics.wait` that polls `array[index]` for up to `micros` (never past `timeout`) before it sleeps. A value
 * that changes while it polls returns 'not-equal', as a wait called at that moment would.
 */
export function pollingWait(
  sleep: (array: Int32Array, index: number, value: number, timeout?: number) => WaitResult,
  micros: number,
): (array: Int32Array, index: number, value: number, timeout?: number) => WaitResult {
  return (array, index, value, timeout = Number.POSITIVE_INFINITY) => {
    const start = performance.now();
    const pollUntil = start + Math.min(micros / 1000, timeout);
    do {
      for (let i = 0; i < LOADS_PER_CLOCK_READ; i++) if (Atomics.load(array, index) !== value) return 'not-equal';
    } while (performance.now() < pollUntil);
    const left = timeout - (performance.now() - start);
    return left > 0 ? sleep(array, index, value, left) : 'timed-out';
  };
}

/** Make this thread's `Atomics.wait` poll for `micros` before it sleeps (0: leave it as it is). */
export function pollBeforeSleeping(micros: number): void {
  if (micros <= 0) return;
  const sleep = Atomics.wait.bind(Atomics) as (array: Int32Array, index: number, value: number, timeout?: number) => WaitResult;
  Atomics.wait = pollingWait(sleep, micros) as typeof Atomics.wait;
}
