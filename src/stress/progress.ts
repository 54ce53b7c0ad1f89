/**
 * The live progress line of a soak on a terminal: elapsed and remaining time, iterations, rate, p99 of the
 * last sample interval, RSS and status, redrawn in place about once a second. It only listens to the runner's
 * `progress` events (autocannon's progressTracker habit); it measures nothing.
 *
 * Other output (the checkpoint rows) goes through `print`, which clears the line first and redraws it after,
 * so that the table and the live line never overwrite each other on a shared terminal.
 */
import { formatDuration } from './duration.js';

export interface ProgressSnapshot {
  readonly elapsed_s: number;
  readonly remaining_s: number;
  readonly iterations: number;
  readonly failed: number;
  /** completed iterations per second over the last second or so */
  readonly rate_per_s: number;
  /** p99 of the last sample interval, ms; null before the first sample, or when nothing completed in it */
  readonly p99_ms: number | null;
  readonly rss_mb: number | null;
  /** e.g. "running", "stopping (SIGINT)", "aborting: error_rate FAIL" */
  readonly status: string;
}

/** The text of one progress line (no control characters), for a terminal `columns` wide. */
export function renderProgressLine(progress: ProgressSnapshot, columns = 120): string {
  const p99 = progress.p99_ms === null ? '–' : `${progress.p99_ms.toFixed(progress.p99_ms < 10 ? 2 : 1)} ms`;
  const rss = progress.rss_mb === null ? '–' : `${progress.rss_mb.toFixed(0)} MB`;
  const failed = progress.failed > 0 ? ` (${progress.failed.toLocaleString('en-US')} failed)` : '';
  const text =
    `${formatDuration(progress.elapsed_s * 1000)} elapsed, ${formatDuration(Math.max(0, progress.remaining_s) * 1000)} left` +
    ` │ ${progress.iterations.toLocaleString('en-US')} it${failed}` +
    ` │ ${progress.rate_per_s.toFixed(progress.rate_per_s < 100 ? 1 : 0)}/s` +
    ` │ p99 ${p99} │ RSS ${rss} │ ${progress.status}`;
  return text.length > columns - 1 ? `${text.slice(0, Math.max(0, columns - 2))}…` : text;
}

export interface ProgressStream {
  write(text: string): boolean;
  readonly columns?: number;
}

/** Draws the progress line on a TTY stream; `print` interleaves other lines cleanly. */
export class ProgressLine {
  private last: ProgressSnapshot | null = null;
  private drawn = false;

  constructor(private readonly stream: ProgressStream) {}

  update(progress: ProgressSnapshot): void {
    this.last = progress;
    this.draw();
  }

  /** Write whole lines to `out` (e.g. stdout) without tearing the progress line on a shared terminal. */
  print(out: { write(text: string): boolean }, text: string): void {
    this.clear();
    out.write(text.endsWith('\n') ? text : `${text}\n`);
    this.draw();
  }

  /** Remove the line, e.g. before the final summary is printed. */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(): void {
    if (this.last === null) return;
    // a terminal whose size is unknown reports 0 columns
    const columns = this.stream.columns !== undefined && this.stream.columns >= 40 ? this.stream.columns : 120;
    this.stream.write(`\r\x1b[2K${renderProgressLine(this.last, columns)}`);
    this.drawn = true;
  }
}
