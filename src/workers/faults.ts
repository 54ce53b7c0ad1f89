/**
 * Fault injection (`stress run --inject`) on the worker's side, and how the pool's failures are told apart
 * on the caller's side. The runner decides per iteration which fault, if any, to inject (stress/inject.ts);
 * the fault travels with the iteration's task and is acted out here, in the worker thread that runs it, so
 * that a crash is a real worker death and a hang a real stuck thread.
 */

export type FaultKind = 'crash' | 'hang' | 'throw';

/** What one iteration must suffer: a fault (or none) and the bytes it must retain for good (0: none). */
export interface IterationFault {
  readonly kind: FaultKind | null;
  readonly leakBytes: number;
}

/** The message of an injected throw: counted by message, like any error a workload throws. */
export const INJECTED_THROW_MESSAGE = 'injected fault: thrown error';
/** The exit code of a worker ended by an injected crash. */
export const INJECTED_CRASH_EXIT_CODE = 70;
/** The exit code of a worker ended by an error nothing caught (see exitOnUncaughtError). */
export const UNCAUGHT_ERROR_EXIT_CODE = 71;

/** What injected leaks retain: held for the life of the worker thread. */
const retained: Uint8Array[] = [];

/** Act out an iteration's fault on this (worker) thread; returns normally when there is none to act. */
export function actOutFault(fault: IterationFault | null): void {
  if (fault === null) return;
  // filled, so that the pages are touched and the leak shows in RSS as well as in the heap figures
  if (fault.leakBytes > 0) retained.push(new Uint8Array(fault.leakBytes).fill(1));
  switch (fault.kind) {
    case 'crash':
      // in a worker thread this ends the thread, not the process
      process.exit(INJECTED_CRASH_EXIT_CODE);
      break;
    case 'hang':
      // blocked for good without using a core, as a deadlocked thread is; only termination frees it
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      break;
    case 'throw':
      throw new Error(INJECTED_THROW_MESSAGE);
    case null:
      break;
  }
}

/**
 * An error thrown outside any task (a timer's callback, an unhandled rejection) ends the worker, as it would
 * by default, but always by exit code, so that the pool reports the iteration it was running as a worker
 * crash rather than as an error of that message.
 */
export function exitOnUncaughtError(): void {
  process.on('uncaughtException', () => process.exit(UNCAUGHT_ERROR_EXIT_CODE));
}

/** The error kinds under which the runner counts an iteration that lost its worker. */
export type PoolFailureKind = 'worker_crash' | 'timeout';

/** An iteration that failed because its worker died or because it was abandoned after the task timeout. */
export class PoolFailure extends Error {
  override name = 'PoolFailure';
  constructor(
    readonly kind: PoolFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A pool task's rejection, classified: abandoned (its signal was aborted by the task-timeout watchdog),
 * its worker died (piscina: "worker exited with code: N"), or the task's own error, as it was.
 */
export function classifyTaskError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return new PoolFailure('timeout', `abandoned after the task timeout; its worker was replaced`);
  if (error instanceof Error && /^worker exited with code: /.test(error.message)) {
    return new PoolFailure('worker_crash', `${error.message}; the worker was replaced`);
  }
  return error;
}
