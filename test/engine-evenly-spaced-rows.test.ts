import { describe, expect, it } from 'vitest';
import { allocateColumns, evenlySpacedRows, groupRowsByDate, narrowMoney, tapeViews, viewsOf, type Tape } from '../src/engine/columns.js';
import { seededRandom } from './support/tapes.js';

/** A grouped tape of random dates whose money values name their row and column (row · 16 + column). */
function groupedTape(rows: number, dateCount: number, withGroup: boolean, narrow: boolean): Tape {
  const random = seededRandom(rows + dateCount);
  const allocated = allocateColumns(rows, withGroup);
  const views = viewsOf(allocated.memory.buffer, allocated.layout, rows);
  views.money.forEach((column, c) => {
    for (let i = 0; i < rows; i++) column[i] = i * 16 + c;
  });
  for (let i = 0; i < rows; i++) views.dateKeys[i] = Math.floor(random() * dateCount);
  if (views.groupKeys) for (let i = 0; i < rows; i++) views.groupKeys[i] = Math.floor(random() * 5);
  let layout = narrow ? narrowMoney(allocated.memory, allocated.layout, rows) : allocated.layout;
  layout = groupRowsByDate(allocated.memory, layout, rows, dateCount);
  const dates = Array.from({ length: dateCount }, (_, d) => `2025-01-${String(d + 1).padStart(2, '0')}`);
  return { memory: allocated.memory, layout, rows, dates, groupColumn: withGroup ? 'segment' : null, groups: withGroup ? ['a', 'b', 'c', 'd', 'e'] : [] };
}

describe('evenly spaced rows of a tape', () => {
  it.each([
    [10_000, 12, false, true],
    [10_000, 12, true, true],
    [7_777, 5, true, false],
  ])('%i rows, %i dates, group keys %s, narrowed %s: row ⌊i·n/rows⌋ whole, in a memory of its own', (rows, dateCount, withGroup, narrow) => {
    const tape = groupedTape(rows, dateCount, withGroup, narrow);
    const whole = tapeViews(tape);
    for (const size of [1, 99, 1000, rows - 1]) {
      const sample = evenlySpacedRows(tape, size);
      expect(sample.rows).toBe(size);
      expect(sample.memory).not.toBe(tape.memory);
      expect(sample.layout.moneyWidth).toBe(tape.layout.moneyWidth);
      const part = tapeViews(sample);
      const picked = Array.from({ length: size }, (_, i) => Math.floor((i * rows) / size));
      const at = (column: ArrayLike<number>) => picked.map((row) => column[row]!);
      expect(Array.from(part.dateKeys)).toEqual(at(whole.dateKeys));
      expect(part.groupKeys === null ? null : Array.from(part.groupKeys)).toEqual(whole.groupKeys === null ? null : at(whole.groupKeys));
      part.money.forEach((column, c) => expect(Array.from(column)).toEqual(at(whole.money[c]!)));
      // still grouped: the date keys never go down
      expect(part.dateKeys.every((key, i) => i === 0 || key >= part.dateKeys[i - 1]!)).toBe(true);
    }
  });

  it('holds every date of a tape in proportion, where a prefix holds the first', () => {
    const tape = groupedTape(12_000, 12, false, true);
    const countsOf = (keys: Uint16Array) => Array.from({ length: 12 }, (_, d) => keys.filter((key) => key === d).length);
    const whole = countsOf(tapeViews(tape).dateKeys);
    const sample = countsOf(tapeViews(evenlySpacedRows(tape, 1200)).dateKeys);
    sample.forEach((count, d) => expect(Math.abs(count - whole[d]! / 10)).toBeLessThanOrEqual(1));
  });

  it('is the tape itself at its full size, and refuses sizes it does not have', () => {
    const tape = groupedTape(100, 3, false, true);
    expect(evenlySpacedRows(tape, 100)).toBe(tape);
    for (const size of [0, 101, 1.5, Number.NaN]) expect(() => evenlySpacedRows(tape, size)).toThrow(RangeError);
  });
});
