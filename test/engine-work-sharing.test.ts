import { describe, expect, it, vi } from 'vitest';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { awaitSeat, chunkRowsFor, closeSeat, leaveSeat, nextGeneration, openShare, shareWords, sumChunks, takeSeat, type ShareTask } from '../src/engine/work-sharing.js';
import { KpiPool } from '../src/workers/kpi-pool.js';
import { syntheticTape } from '../src/io/synthetic.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows } from './support/tapes.js';

/** A tape of random cents over `dates` days of one month, and its serial reference. */
function randomTape(seed: number, rows: number, dates: number) {
  const random = seededRandom(seed);
  const testRows = Array.from({ length: rows }, (_, i) => ({
    cents: MONEY_COLUMNS.map(() => Math.floor(random() * 1e9)),
    date: `2025-03-${String(1 + (i % dates)).padStart(2, '0')}`,
    group: 'g',
  }));
  const { tape } = tapeFromRows(testRows);
  return { tape, reference: bitwise(referenceSnapshots(tape)) };
}

function task(slot: number, generation: number, counter = 0): ShareTask {
  return { kind: 'share', slot, generation, counter, chunks: 4, chunkRows: 8, rows: 30 };
}

describe('rows shared in chunks among threads', () => {
  it('waits for a worker that took its seat, and not for one that comes after the seat was closed', () => {
    const words = shareWords();
    const generation = nextGeneration();
    openShare(words, 0, [1, 2], generation);
    expect(takeSeat(words, task(1, generation))).toBe(true);
    expect(closeSeat(words, 1, generation)).toBe(true);
    // the worker of seat 1 is still summing: the calling thread gives up waiting after the time it allows
    expect(awaitSeat(words, 1, 1)).toBeNull();
    leaveSeat(words, 1, 42);
    expect(awaitSeat(words, 1, 1)).toBe(42);
    expect(closeSeat(words, 2, generation)).toBe(false);
    // the task of seat 2 runs late: its seat is closed, it does nothing
    expect(takeSeat(words, task(2, generation))).toBe(false);
  });

  it('keeps a late task of an earlier computation out of a later one on the same slot', () => {
    const words = shareWords();
    const earlier = nextGeneration();
    openShare(words, 0, [1], earlier);
    expect(closeSeat(words, 1, earlier)).toBe(false);
    const later = nextGeneration();
    openShare(words, 0, [1], later);
    expect(takeSeat(words, task(1, earlier))).toBe(false);
    expect(takeSeat(words, task(1, later))).toBe(true);
  });

  it('hands every row to exactly one taker, whoever takes the chunks', () => {
    const words = shareWords();
    const rows = 30_001;
    const chunkRows = chunkRowsFor(rows, 2);
    const chunks = Math.ceil(rows / chunkRows);
    expect(chunkRows % 8).toBe(0);
    openShare(words, 3, [], nextGeneration());
    const seen = new Uint8Array(rows);
    // two takers interleaved: each takes one chunk, then the other, until none is left
    let turns = 0;
    sumChunks(words, 3, chunks, chunkRows, rows, (start, end) => {
      turns++;
      for (let i = start; i < end; i++) seen[i]! += 1;
      if (turns === 1) sumChunks(words, 3, chunks, chunkRows, rows, (s, e) => seen.fill(seen[s]! + 1, s, e));
    });
    expect(seen.every((count) => count === 1)).toBe(true);
  });

  it('gives the reference on many calls in a row, and a pool closed at once leaves no worker answering it', async () => {
    const { tape, reference } = randomTape(5, 50_000, 7);
    for (let round = 0; round < 3; round++) {
      const pool = await KpiPool.open(tape, { threads: 2, crossoverRows: 0 });
      const results = [];
      for (let call = 0; call < 50; call++) {
        results.push(await pool.snapshots());
        // Every other call after a turn of the event loop, which takes in the worker's answer to the call
        // before, so that it takes part again; the calls between run while its share task is outstanding.
        if (call % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
      }
      // concurrent calls share the pool's slots and seats
      results.push(...(await Promise.all(Array.from({ length: 8 }, () => pool.snapshots()))));
      await pool.close();
      for (const result of results) expect(bitwise(result)).toEqual(reference);
    }
  });

  it('leaves at most one unanswered task per worker, however many calls run without a turn of the event loop', async () => {
    const { tape, reference } = randomTape(6, 20_000, 5);
    const pool = await KpiPool.open(tape, { threads: 3, crossoverRows: 0 });
    try {
      let most = 0;
      // awaits alone: the workers' answers, which arrive as messages, are not taken in until the loop ends
      for (let call = 0; call < 300; call++) {
        expect(bitwise(await pool.snapshots())).toEqual(reference);
        most = Math.max(most, pool.unansweredTasks);
      }
      expect(most).toBeLessThanOrEqual(pool.workers);
      // and once the loop turns, they answer: nothing stays behind
      await vi.waitFor(() => expect(pool.unansweredTasks).toBe(0), { timeout: 10_000, interval: 5 });
    } finally {
      await pool.close();
    }
  });

  it('offers a worker that took part in a call a seat in the next one, made back to back', async () => {
    const { tape } = syntheticTape({ rows: 1_000_000, dates: 12, seed: 3 });
    const reference = bitwise(referenceSnapshots(tape));
    const pool = await KpiPool.open(tape, { threads: 2, crossoverRows: 0 });
    try {
      // Calls that await one another, with no turn of the event loop between them. A worker that took its seat
      // and left it is free, but piscina counts it busy until its answer is read on the event loop: each call
      // first takes that answer in, so the worker is offered a seat again (whether it then starts in time to
      // take it depends on the machine's load). Without that, it would be offered none for the rest of the calls.
      let followed = 0;
      for (let call = 0; call < 200 && followed < 5; call++) {
        const taken = pool.workerSeatsTaken;
        expect(bitwise(await pool.snapshots())).toEqual(reference);
        if (pool.workerSeatsTaken === taken) {
          // the worker had not started in time: let its answer in, so that the next try offers it a seat
          await vi.waitFor(() => expect(pool.unansweredTasks).toBe(0), { timeout: 10_000, interval: 1 });
          continue;
        }
        const offered = pool.workerSeatsOffered;
        expect(bitwise(await pool.snapshots())).toEqual(reference);
        expect(pool.workerSeatsOffered, `the call after call ${call}`).toBe(offered + 1);
        followed++;
      }
      expect(followed, 'calls in which the worker took part').toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});
