import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { MAX_DURATION_MS, formatDuration, parseDuration } from '../src/stress/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    ['500ms', 500],
    ['1s500ms', 1500],
    ['2d', 172_800_000],
    ['1d12h', 129_600_000],
    ['1m0s', 60_000],
    ['7d', MAX_DURATION_MS],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['0s', /greater than zero/],
    ['0h0m', /greater than zero/],
    ['-5m', /positive/],
    ['5', /unit is required/],
    ['5x', /followed by a unit/],
    ['1.5h', /whole numbers/],
    ['h1', /followed by a unit/],
    ['', /empty/],
    ['1h 30m', /followed by a unit/],
    [' 1h', /followed by a unit/],
    ['1H', /followed by a unit/],
    ['30m1h', /largest to smallest/],
    ['1h1h', /given twice/],
    ['1s1ms1s', /largest to smallest|twice/],
    ['8d', /at most 7d/],
    ['99999999999999999999h', /at most 7d/],
  ])('rejects %j with a one-line UsageError', (text, why) => {
    let error: unknown;
    try {
      parseDuration(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toMatch(why);
    expect(message).toContain('--duration');
    expect(message).toContain(JSON.stringify(text));
    expect(message).not.toContain('\n');
  });

  it('names another option when asked to', () => {
    expect(() => parseDuration('5', '--sample-interval')).toThrow(/^--sample-interval: invalid duration "5"/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [999.4, '999ms'],
    [999.6, '1s'],
    [1000, '1s'],
    [1500, '1.5s'],
    [59_940, '59.9s'],
    [59_960, '1m'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [5_415_000, '1h30m15s'],
    [86_400_000, '24h'],
    [183_600_000, '51h'],
    [3_601_000, '1h1s'],
    [-90_000, '-1m30s'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('gives text that parses back to the same whole seconds', () => {
    for (const ms of [1000, 59_000, 61_000, 3_599_000, 86_400_000, 90_061_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
