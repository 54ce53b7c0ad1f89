/**
 * The latency interval log (`latency.hlog`): HdrHistogram's interval-log format, version 1.3, as written by
 * hdr-histogram-js's HistogramLogWriter and read by its HistogramLogReader (and by HdrHistogram's own tools,
 * e.g. HistogramLogProcessor).
 *
 * Layout: a format-version comment, `#[StartTime: …]` and `#[BaseTime: …]` (seconds since the epoch, so that
 * readers turn the relative timestamps back into absolute ones), a legend, then one line per interval:
 * `start_s,length_s,max_ms,<compressed base64 histogram>` — start relative to the run's start, values in
 * microseconds, the max column in milliseconds.
 *
 * Each line is appended whole or not at all (appendWhole), so a full disk leaves complete lines, and a crash
 * at most one torn last line, which `readHlog` skips.
 */
import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { appendWhole } from '../io/atomic-write.js';
import { decodeFromCompressedBase64, HistogramLogWriter, type Histogram } from 'hdr-histogram-js';
import { createLatencyHistogram, HIGHEST_TRACKABLE_US } from './histogram.js';

/** values are microseconds; the interval lines' max column is in milliseconds */
export const HLOG_MAX_VALUE_UNIT_RATIO = 1000;

export class HlogFile {
  private fd: number | null;
  private readonly writer: HistogramLogWriter;
  private pending = '';

  /** Create (truncate) the log and write its header, fsynced. `startTimeMs` is the run's start, epoch ms. */
  constructor(
    readonly path: string,
    readonly startTimeMs: number,
  ) {
    this.fd = openSync(path, 'w');
    this.writer = new HistogramLogWriter((text) => {
      this.pending += text;
    });
    this.writer.outputLogFormatVersion();
    this.writer.outputComment('latency of one iteration, microseconds; Interval_Max in milliseconds');
    this.writer.outputStartTime(startTimeMs);
    this.writer.outputComment(`[BaseTime: ${(startTimeMs / 1000).toFixed(3)} (seconds since epoch)]`);
    this.writer.outputLegend();
    this.flush();
    fsyncSync(this.fd);
  }

  /** Append one interval: [startS, endS) in seconds since the run's start. */
  append(histogram: Histogram, startS: number, endS: number): void {
    this.writer.outputIntervalHistogram(histogram, startS, endS, HLOG_MAX_VALUE_UNIT_RATIO);
    this.flush();
  }

  /**
   * fsync on libuv's thread pool, so that the event loop (and the latency of iterations in flight) does not
   * wait for the disk. Resolves once the data is durable.
   */
  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.resolve();
    return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === null) return;
    const text = this.pending;
    this.pending = '';
    appendWhole(this.fd, text, this.path);
  }
}

export interface HlogInterval {
  /** seconds since the run's start */
  readonly start_s: number;
  readonly length_s: number;
  readonly count: number;
}

export interface HlogContent {
  /** epoch ms from the StartTime line, or null */
  readonly startTimeMs: number | null;
  /** all intervals added together */
  readonly total: Histogram;
  /** the end of the last complete interval, seconds since the start (0 for none) */
  readonly endS: number;
  readonly intervals: number;
  /** lines that could not be decoded (a torn last line after a crash) */
  readonly skippedLines: number;
}

/**
 * Read an interval log back into one histogram, skipping lines that do not decode. Used to rebuild a run's
 * summary after a crash; the format is the one HistogramLogReader reads, parsed here line by line so that a
 * torn last line costs that line only.
 */
export function readHlog(text: string, onInterval?: (interval: HlogInterval, histogram: Histogram) => void): HlogContent {
  const total = createLatencyHistogram();
  let startTimeMs: number | null = null;
  let endS = 0;
  let intervals = 0;
  let skippedLines = 0;
  const lines = text.split(/\r\n|\r|\n/);
  for (const line of lines) {
    if (line.length === 0) continue;
    if (line.startsWith('#[StartTime:')) {
      const seconds = Number.parseFloat(line.split(' ')[1] ?? '');
      if (Number.isFinite(seconds)) startTimeMs = seconds * 1000;
      continue;
    }
    if (line.startsWith('#') || line.startsWith('"')) continue;
    const tokens = line.split(',');
    if (tokens[0]?.startsWith('Tag=')) tokens.shift();
    const [rawStart, rawLength, , base64] = tokens;
    const start = Number.parseFloat(rawStart ?? '');
    const length = Number.parseFloat(rawLength ?? '');
    if (!Number.isFinite(start) || !Number.isFinite(length) || base64 === undefined || tokens.length !== 4) {
      skippedLines += 1;
      continue;
    }
    let histogram: Histogram;
    try {
      histogram = decodeFromCompressedBase64(base64, 64, false, HIGHEST_TRACKABLE_US);
    } catch {
      skippedLines += 1;
      continue;
    }
    total.add(histogram);
    intervals += 1;
    endS = Math.max(endS, start + length);
    onInterval?.({ start_s: start, length_s: length, count: histogram.totalCount }, histogram);
  }
  return { startTimeMs, total, endS, intervals, skippedLines };
}
