/**
 * Durations on the command line (`--duration 24h`, `--sample-interval 2s`): parsed once into milliseconds
 * before anything starts, so a typo is exit 2, not a run of the wrong length.
 *
 * Grammar: one or more `<whole number><unit>` with units d, h, m, s, ms, each at most once and in
 * descending order, lower case, no spaces: `90s`, `30m`, `24h`, `1h30m`, `1h30m15s`, `500ms`, `2d`, `1d12h`.
 * - fractions (`1.5h`) are refused: `1h30m` says the same without rounding questions;
 * - a bare number (`5`) is refused: minutes or seconds would be a guess;
 * - the total must be > 0 and at most 7 days — a soak longer than a week is a deployment, and Node timers
 *   cannot wait longer than 24.8 days in one call anyway.
 */
import { UsageError } from '../errors.js';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
/** descending order; `ms` before `m` in the alternation so that "500ms" is not read as "500m" + "s" */
const ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];
const PART = /(\d+)(ms|d|h|m|s)/y;

export const MAX_DURATION_MS = 7 * UNIT_MS.d;

/**
 * Milliseconds of a duration such as `90s`, `30m`, `24h`, `1h30m`, `500ms`, `2d`. Anything else throws a
 * UsageError whose one-line message names the option and the value.
 */
export function parseDuration(text: string, option = '--duration'): number {
  const fail = (why: string): never => {
    throw new UsageError(`${option}: invalid duration ${JSON.stringify(text)}: ${why} (examples: 90s, 30m, 24h, 1h30m, 500ms)`);
  };
  if (text.length === 0) fail('empty');
  let total = 0;
  let position = 0;
  let lastRank = -1;
  while (position < text.length) {
    PART.lastIndex = position;
    const match = PART.exec(text);
    if (match === null) {
      if (/^-/.test(text)) fail('must be positive');
      if (/^\d+$/.test(text)) fail('a unit is required (d, h, m, s or ms)');
      if (/\d[.,]\d/.test(text)) fail('use whole numbers, e.g. 1h30m instead of 1.5h');
      fail('expected whole numbers each followed by a unit d, h, m, s or ms');
    }
    const [, digits, unit] = match as unknown as [string, string, Unit];
    const rank = ORDER.indexOf(unit);
    if (rank <= lastRank) fail(ORDER[lastRank] === unit ? `unit "${unit}" given twice` : 'units must go from largest to smallest (d, h, m, s, ms)');
    lastRank = rank;
    total += Number(digits) * UNIT_MS[unit];
    position = PART.lastIndex;
  }
  if (total <= 0) fail('must be greater than zero');
  if (!(total <= MAX_DURATION_MS)) fail('at most 7d');
  return total;
}

/**
 * A duration for display: `500ms`, `1.5s`, `59s`, `1m30s`, `1h30m`, `24h`, `51h`. Below a minute it keeps
 * a tenth of a second; from a minute on it rounds to whole seconds and leaves out zero parts. For whole
 * seconds the text parses back to the same value.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) {
    const tenths = Math.round(ms / 100);
    if (tenths < 600) return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}s`;
  }
  let seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  // hours are the largest unit shown: "48h" reads better than "2d" next to the usual "24h"
  for (const [unit, size] of [['h', 3600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.join('');
}
