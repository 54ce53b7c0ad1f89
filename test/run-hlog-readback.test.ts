import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import { afterAll, describe, expect, it } from 'vitest';
import { createLatencyHistogram } from '../src/stress/histogram.js';
import { HlogFile, readHlog } from '../src/stress/hlog.js';

const dir = mkdtempSync(join(tmpdir(), 'run-hlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** three intervals of known values, µs */
const INTERVALS: number[][] = [
  [100, 200, 300],
  [1000, 1000, 5000, 7],
  [250_000],
];
const START_MS = Date.UTC(2025, 0, 2, 3, 4, 5, 600);

function writeLog(name: string): string {
  const path = join(dir, name);
  const log = new HlogFile(path, START_MS);
  const histogram = createLatencyHistogram();
  INTERVALS.forEach((values, i) => {
    for (const value of values) histogram.recordValue(value);
    log.append(histogram, i * 5, (i + 1) * 5);
    histogram.reset();
  });
  log.close();
  return path;
}

describe('latency.hlog', () => {
  it("is read back by hdr-histogram-js's HistogramLogReader, interval by interval, with absolute timestamps", () => {
    const path = writeLog('a.hlog');
    const reader = new HistogramLogReader(readFileSync(path, 'utf8'), 64);
    for (const [i, values] of INTERVALS.entries()) {
      const histogram = reader.nextIntervalHistogram();
      expect(histogram).not.toBeNull();
      expect(histogram!.totalCount).toBe(values.length);
      // decoded values are bucket bounds: within 0.1% (3 significant digits) of the recorded ones
      const max = Math.max(...values);
      const min = Math.min(...values);
      expect(histogram!.maxValue).toBeGreaterThanOrEqual(max);
      expect(histogram!.maxValue).toBeLessThanOrEqual(max * 1.001);
      expect(histogram!.minNonZeroValue).toBeLessThanOrEqual(min);
      expect(histogram!.minNonZeroValue).toBeGreaterThanOrEqual(min * 0.999);
      expect(histogram!.startTimeStampMsec).toBeCloseTo(START_MS + i * 5000, 0);
      expect(histogram!.endTimeStampMsec).toBeCloseTo(START_MS + (i + 1) * 5000, 0);
    }
    expect(reader.nextIntervalHistogram()).toBeNull();
  });

  it('has the interval-log header: format version, StartTime, BaseTime, legend', () => {
    const lines = readFileSync(writeLog('b.hlog'), 'utf8').split('\n');
    expect(lines[0]).toBe('#[Histogram log format version 1.3]');
    expect(lines.some((line) => line.startsWith(`#[StartTime: ${(START_MS / 1000).toFixed(3)} `))).toBe(true);
    expect(lines.some((line) => line.startsWith(`#[BaseTime: ${(START_MS / 1000).toFixed(3)} `))).toBe(true);
    expect(lines).toContain('"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"');
    const interval = lines.find((line) => /^\d/.test(line))!;
    // start, length, max in ms, histogram
    expect(interval.split(',').slice(0, 3)).toEqual(['0.000', '5.000', '0.300']);
  });

  it('readHlog adds the intervals up and skips a torn last line', () => {
    const path = writeLog('c.hlog');
    appendFileSync(path, '15.000,5.000,1.000,HISTFAAAAB');
    const content = readHlog(readFileSync(path, 'utf8'));
    expect(content.intervals).toBe(3);
    expect(content.skippedLines).toBe(1);
    expect(content.total.totalCount).toBe(INTERVALS.flat().length);
    expect(content.endS).toBe(15);
    expect(content.startTimeMs).toBeCloseTo(START_MS, 0);
  });
});
