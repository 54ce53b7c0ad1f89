/**
 * Where the two threads of a shared grouping meet (columns.ts, groupRowsByDateShared): four Int32 words in the
 * memory both threads see. Side 0 is the calling thread, side 1 the other. The words hold how many steps each
 * side has done, who does side 1's share (CLAIM: 0 nobody yet, 1 side 1, 2 side 0, when side 1 did not start
 * in time), and a stop flag that a failing side sets.
 */
import { performance } from 'node:perf_hooks';

export const MEETING_BYTES = 16;
const CLAIM = 2;
const STOPPED = 3;
/**
 * How long a waiting side spins, checking the other's progress, before it sleeps between checks: the other
 * is usually a few microseconds away, and a sleeping virtual CPU takes tens of microseconds to wake.
 */
const SPIN_MS = 1;
/** A side that made no progress for this long has gone (a worker terminated mid-task): the meeting fails. */
const TIMEOUT_MS = 60_000;

/** Thrown on one side when the other has stopped; the other side's own error says why. */
export class MeetingStopped extends Error {
  constructor() {
    super('the other thread of a shared grouping stopped');
  }
}

export class Meeting {
  private readonly words: Int32Array;

  /** The words at byte `at` of `buffer` (shared); `fresh`: zero them, before side 1 is told where they are. */
  constructor(buffer: ArrayBufferLike, at: number, fresh = false) {
    this.words = new Int32Array(buffer, at, MEETING_BYTES / 4);
    if (fresh) this.words.fill(0);
  }

  /** Side 1 takes its share: false when side 0 has taken it already. */
  claim(): boolean {
    const taken = Atomics.compareExchange(this.words, CLAIM, 0, 1) === 0;
    Atomics.notify(this.words, CLAIM);
    return taken;
  }

  /** Side 0 waits up to `limitMs` for side 1 to claim its share: false when side 0 has taken it instead. */
  claimed(limitMs: number): boolean {
    if (this.waitFor(CLAIM, (value) => value !== 0, limitMs)) return true;
    return Atomics.compareExchange(this.words, CLAIM, 0, 2) !== 0;
  }

  /** Side `self` has done `steps` steps: say so, and return once the other side has too. */
  meet(self: 0 | 1, steps: number): void {
    Atomics.store(this.words, self, steps);
    Atomics.notify(this.words, self);
    const other = 1 - self;
    if (!this.waitFor(other, (value) => value >= steps, TIMEOUT_MS)) {
      throw new Error(`the other thread of a shared grouping made no progress in ${TIMEOUT_MS / 1000} s`);
    }
  }

  /** Tell the other side to stop at its next check, and wake it if it sleeps. */
  stop(): void {
    Atomics.store(this.words, STOPPED, 1);
    for (let index = 0; index < STOPPED; index++) Atomics.notify(this.words, index);
  }

  /**
   * Until word `index` satisfies `done` (true), or `limitMs` has passed (false); throws MeetingStopped once the
   * other side has stopped. It spins for SPIN_MS, then sleeps a millisecond at a time between checks, so that
   * a stop flag set while it sleeps is seen.
   */
  private waitFor(index: number, done: (value: number) => boolean, limitMs: number): boolean {
    const start = performance.now();
    for (let spins = 0; ; spins++) {
      if (Atomics.load(this.words, STOPPED) !== 0) throw new MeetingStopped();
      const value = Atomics.load(this.words, index);
      if (done(value)) return true;
      // the clock read now and then: it costs more than a load
      if ((spins & 255) !== 255) continue;
      const waited = performance.now() - start;
      if (waited > limitMs) return false;
      if (waited > SPIN_MS) Atomics.wait(this.words, index, value, 1);
    }
  }
}
