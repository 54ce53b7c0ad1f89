/**
 * The arithmetic of the one-table summary (bench/table.ts), kept apart so that a test can check it without
 * running a benchmark.
 */
import { compactCount, fixed, summarise, type Summary } from './lib.js';

/** One line of the summary: a method's times on some rows, and what it is compared with. */
export interface TableLine {
  readonly method: string;
  readonly rows: number;
  /** bytes one run moves, for GB/s: the kernel's input (74 bytes a row) or the file's size */
  readonly bytes: number;
  readonly summary: Summary;
  /** the median of the roofline this line is measured against, ms; null where none applies */
  readonly rooflineMs: number | null;
  /** the median of the DuckDB method doing the same work, ms; null where none applies */
  readonly duckdbMs: number | null;
}

export const TABLE_HEADER = ['method', 'rows', 'median ms', 'p10–p90 ms', 'rows/s', 'GB/s', 'vs roofline', 'vs DuckDB'];

export function tableLine(
  method: string,
  rows: number,
  bytes: number,
  samples: readonly number[],
  rooflineMs: number | null,
  duckdbMs: number | null,
): TableLine {
  return { method, rows, bytes, summary: summarise(samples), rooflineMs, duckdbMs };
}

/**
 * The rendered cells. "vs roofline" is time over the roofline's time (1.00× is the limit, larger is slower);
 * "vs DuckDB" is DuckDB's time over this method's (larger is faster than DuckDB), so each reads the way its
 * goal is stated: within 1.25× of the roofline, at least 6× DuckDB.
 */
export function tableCells(line: TableLine): string[] {
  const { median, p10, p90 } = line.summary;
  return [
    line.method,
    compactCount(line.rows),
    fixed(median),
    `${fixed(p10)}–${fixed(p90)}`,
    compactCount((line.rows * 1000) / median),
    fixed(line.bytes / (median * 1e6)),
    line.rooflineMs === null ? '' : `${(median / line.rooflineMs).toFixed(2)}×`,
    line.duckdbMs === null ? '' : `${(line.duckdbMs / median).toFixed(2)}×`,
  ];
}
