/**
 * Helpers of the roofline benchmark (bench/roofline.ts): tapes in another row order, round-robin timing, the
 * machine's steal time, and the table. Kept apart so that the arithmetic of the table is testable without
 * running a benchmark.
 */
import { readFileSync } from 'node:fs';
import { allocateColumns, copyRows, MONEY_COLUMNS, viewsOf, tapeViews, type Tape, type TapeLayout } from 'loan-kpi-stress';
import { compactCount, fixed, roundOrder, summarise, type Summary } from './lib.js';

/**
 * What the per-date kernel must read per row: nine money values and a uint16 date key — 38 bytes when the
 * tape's money columns are narrowed to Uint32 cents (every amount below 2^32 cents), 74 when they are Float64.
 */
export function kernelBytesPerRow(layout: TapeLayout): number {
  return MONEY_COLUMNS.length * layout.moneyWidth + Uint16Array.BYTES_PER_ELEMENT;
}

/**
 * The same rows in loan-major order, in a memory of their own: a tape is read grouped by date (columns.ts,
 * groupRowsByDate), and a synthetic tape's loan L is the L-th row of each of its dates, so taking the dates'
 * rows in turn — the first of each date, then the second of each, … — gives back the order the loans were
 * generated in, in which the date changes on every row.
 */
export function loanMajorCopy(tape: Tape): Tape {
  const keys = tapeViews(tape).dateKeys;
  const starts = new Uint32Array(tape.dates.length + 1);
  for (const key of keys) starts[key + 1]!++;
  for (let k = 1; k < starts.length; k++) starts[k]! += starts[k - 1]!;
  const order = new Uint32Array(tape.rows);
  let j = 0;
  for (let nth = 0; j < tape.rows; nth++) {
    for (let k = 0; k < tape.dates.length; k++) if (starts[k]! + nth < starts[k + 1]!) order[j++] = starts[k]! + nth;
  }
  return copyRows(tape, order);
}

/**
 * The same tape with Float64 money columns, in a memory of its own: what every tape was before narrowing
 * (columns.ts, narrowMoney), kept to show in the same run what the narrower columns gain.
 */
export function wideCopy(tape: Tape): Tape {
  const from = tapeViews(tape);
  const { memory, layout } = allocateColumns(tape.rows, from.groupKeys !== null);
  const to = viewsOf(memory.buffer, layout, tape.rows);
  from.money.forEach((column, c) => to.money[c]!.set(column));
  to.dateKeys.set(from.dateKeys);
  if (from.groupKeys) to.groupKeys!.set(from.groupKeys);
  return { ...tape, memory, layout };
}

/** A named thing to time; each call must do the whole measured work and wait for it. */
export interface Method {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

/**
 * Time several methods round-robin — warm-up rounds unmeasured, then `runs` rounds in which each method runs
 * once, one after another (a closed loop), in an order shuffled each round (roundOrder) — so that a slow phase
 * of a shared machine falls on every method alike instead of on whichever happened to be running, and what
 * one method leaves behind on no method in particular. Returns each method's wall times in milliseconds:
 * `ownMs(name)`, where not null, for a method that times itself (DuckDB's read leaves out its DROP); `after`
 * runs after each call, untimed.
 */
export async function timeRoundRobin(
  methods: readonly Method[],
  warmup: number,
  runs: number,
  timing: { readonly ownMs?: (name: string) => number | null; readonly after?: () => void } = {},
): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(methods.map((m) => [m.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const method of roundOrder(methods, round)) {
      const start = process.hrtime.bigint();
      await method.run();
      const ms = timing.ownMs?.(method.name) ?? Number(process.hrtime.bigint() - start) / 1e6;
      if (round >= warmup) samples.get(method.name)!.push(ms);
      timing.after?.();
    }
  }
  return samples;
}

/** One line of the roofline table. */
export interface RooflineRow {
  readonly method: string;
  readonly order: string;
  readonly rows: number;
  /** bytes the kernel reads a row (kernelBytesPerRow) */
  readonly bytesPerRow: number;
  readonly summary: Summary;
  /** the roofline's median for the same rows and order, ms */
  readonly rooflineMs: number;
}

export function rooflineRow(method: string, order: string, tape: Tape, samples: readonly number[], rooflineMs: number): RooflineRow {
  return { method, order, rows: tape.rows, bytesPerRow: kernelBytesPerRow(tape.layout), summary: summarise(samples), rooflineMs };
}

/** Gigabytes (10^9 bytes) a second of the bytes the per-date kernel must touch, `bytesPerRow` a row. */
export function gigabytesPerSecond(rows: number, bytesPerRow: number, ms: number): number {
  return (rows * bytesPerRow) / (ms * 1e6);
}

/** The rendered cells: time over the roofline's time, so 1.00 is the memory limit and larger is slower. */
export function rooflineCells(row: RooflineRow): string[] {
  const { median, p10, p90 } = row.summary;
  return [
    row.method,
    row.order,
    compactCount(row.rows),
    fixed(median),
    `${fixed(p10)}–${fixed(p90)}`,
    compactCount((row.rows * 1000) / median),
    fixed(gigabytesPerSecond(row.rows, row.bytesPerRow, median)),
    `${(median / row.rooflineMs).toFixed(2)}×`,
  ];
}

export const ROOFLINE_HEADER = ['method', 'order', 'rows', 'median ms', 'p10–p90 ms', 'rows/s', 'GB/s', 'vs roofline'];

/** CPU time counters of the whole machine (Linux /proc/stat, in clock ticks), or null elsewhere. */
function cpuTicks(): { total: number; steal: number; idle: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, idle: (fields[3] ?? 0) + (fields[4] ?? 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}

/**
 * The share of the machine's CPU time, since the meter started, that the hypervisor gave to someone else
 * (steal) and that stayed idle: a run with much steal measured a busy host, not this code.
 */
export function stealMeter(): { read(): { steal: number; idle: number } | null } {
  const start = cpuTicks();
  return {
    read() {
      const now = cpuTicks();
      if (start === null || now === null || now.total === start.total) return null;
      const total = now.total - start.total;
      return { steal: (now.steal - start.steal) / total, idle: (now.idle - start.idle) / total };
    },
  };
}
