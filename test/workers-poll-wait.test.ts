import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { pollingWait } from '../src/workers/poll-wait.js';
import { KpiPool, MAX_POLL_MICROS } from '../src/workers/kpi-pool.js';
import { tapeFromRows } from './support/tapes.js';

type Sleep = Parameters<typeof pollingWait>[0];
const realSleep: Sleep = (array, index, value, timeout) => Atomics.wait(array, index, value, timeout);

/**
 * A thread that waits for word 1 to become 1, then `delayMs`, then stores `value` in word 0, and notifies only
 * if asked.
 */
async function storerThread(words: Int32Array, value: number, notify: boolean, delayMs = 0): Promise<Worker> {
  const worker = new Worker(
    `const { words, value, notify, delayMs } = require('node:worker_threads').workerData;
     Atomics.wait(words, 1, 0);
     if (delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
     Atomics.store(words, 0, value);
     if (notify) Atomics.notify(words, 0);`,
    { eval: true, workerData: { words, value, notify, delayMs } },
  );
  await new Promise((resolve) => worker.once('online', resolve));
  return worker;
}

function go(words: Int32Array): void {
  Atomics.store(words, 1, 1);
  Atomics.notify(words, 1);
}

describe('polling before sleeping', () => {
  it('sees a store made while it polls, with no notify, as a wait called then would', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    const worker = await storerThread(words, 7, false);
    go(words);
    // A wait that only slept would sleep out its 5 s here: nothing notifies.
    expect(pollingWait(realSleep, 20_000_000)(words, 0, 0, 5000)).toBe('not-equal');
    expect(Atomics.load(words, 0)).toBe(7);
    await worker.terminate();
  });

  it('sleeps once its window is over, until notified', async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    const calls: number[] = [];
    const sleep: Sleep = (array, index, value, timeout) => {
      calls.push(timeout ?? Number.POSITIVE_INFINITY);
      go(words);
      return realSleep(array, index, value, timeout);
    };
    // the store comes 100 ms after the sleep begins: well inside it
    const worker = await storerThread(words, 3, true, 100);
    expect(pollingWait(sleep, 1000)(words, 0, 0, 5000)).toBe('ok');
    expect(calls).toHaveLength(1);
    // the timeout left after the window: 5 s less the 1 ms spent polling, and a little more
    expect(calls[0]).toBeLessThanOrEqual(4999);
    expect(calls[0]).toBeGreaterThan(4000);
    await worker.terminate();
  });

  it('does not poll past its timeout, and then does not sleep', () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    const sleep: Sleep = () => {
      throw new Error('slept after its timeout');
    };
    expect(pollingWait(sleep, 20_000_000)(words, 0, 0, 2)).toBe('timed-out');
  });

  it('returns at once when the value already differs', () => {
    const words = Int32Array.of(1, 0);
    const sleep: Sleep = () => {
      throw new Error('slept with the value already changed');
    };
    expect(pollingWait(sleep, 20_000_000)(words, 0, 0)).toBe('not-equal');
  });
});

describe('the KPI pool’s workers', () => {
  const open: KpiPool[] = [];
  afterAll(async () => Promise.all(open.map((pool) => pool.close())));

  /** CPU time of this process (every thread) over `tasks` empty tasks, each followed by 20 ms with nothing to do. */
  async function cpuMsOverIdleGaps(pool: KpiPool, tasks: number): Promise<number> {
    const start = process.cpuUsage();
    for (let i = 0; i < tasks; i++) {
      await pool.noop();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const spent = process.cpuUsage(start);
    return (spent.user + spent.system) / 1000;
  }

  it('poll for as long as asked after each task, and not at all with 0', async () => {
    const { tape } = tapeFromRows([{ cents: [1, 2, 3, 4, 5, 6, 7, 8, 9], date: '2025-01-31', group: 'a' }]);
    const polling = await KpiPool.open(tape, { threads: 1, pollMicros: MAX_POLL_MICROS });
    const sleeping = await KpiPool.open(tape, { threads: 1, pollMicros: 0 });
    open.push(polling, sleeping);
    const tasks = 20;
    const sleepingMs = await cpuMsOverIdleGaps(sleeping, tasks);
    const pollingMs = await cpuMsOverIdleGaps(polling, tasks);
    // 20 windows of 10 ms each: 200 ms of a core while polling, of which even a core shared with other tests
    // gives well over 25 ms; without the polling, the same gaps cost about 3 ms
    expect(pollingMs).toBeGreaterThan(25);
    expect(pollingMs).toBeGreaterThan(3 * sleepingMs);
  });
});
