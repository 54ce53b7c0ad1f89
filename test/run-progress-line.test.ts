import { describe, expect, it } from 'vitest';
import { ProgressLine, renderProgressLine, type ProgressSnapshot } from '../src/stress/progress.js';

const snapshot: ProgressSnapshot = {
  elapsed_s: 3725,
  remaining_s: 82675,
  iterations: 1234567,
  failed: 3,
  rate_per_s: 331.4,
  p99_ms: 4.567,
  rss_mb: 123.4,
  status: 'running',
};

describe('the progress line', () => {
  it('shows elapsed and remaining time, iterations, rate, p99, RSS and status', () => {
    expect(renderProgressLine(snapshot)).toBe('1h2m5s elapsed, 22h57m55s left │ 1,234,567 it (3 failed) │ 331/s │ p99 4.57 ms │ RSS 123 MB │ running');
    expect(renderProgressLine({ ...snapshot, failed: 0, p99_ms: null, rss_mb: null, rate_per_s: 12.25 })).toBe(
      '1h2m5s elapsed, 22h57m55s left │ 1,234,567 it │ 12.3/s │ p99 – │ RSS – │ running',
    );
  });

  it('fits the terminal width', () => {
    const line = renderProgressLine(snapshot, 40);
    expect(line.length).toBeLessThanOrEqual(39);
    expect(line.endsWith('…')).toBe(true);
  });

  it('redraws in place, and clears itself around other output', () => {
    const written: string[] = [];
    const stream = { columns: 200, write: (text: string) => (written.push(text), true) };
    const out: string[] = [];
    const line = new ProgressLine(stream);
    line.update(snapshot);
    line.update({ ...snapshot, iterations: 1234568 });
    line.print({ write: (text: string) => (out.push(text), true) }, 'a checkpoint row');
    line.clear();
    expect(written[0]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(written.filter((w) => w.includes('1,234,568 it'))).toHaveLength(2);
    expect(out).toEqual(['a checkpoint row\n']);
    // cleared before the row and after the last draw
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });
});
