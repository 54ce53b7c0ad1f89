import { describe, expect, it } from 'vitest';
import { summarise } from '../bench/lib.js';
import { loanMajorCopy, gigabytesPerSecond, kernelBytesPerRow, rooflineCells, timeRoundRobin } from '../bench/roofline-lib.js';
import { layoutFor, tapeViews } from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { MONEY_COLUMNS } from '../src/engine/schema.js';
import { bitwise } from './support/bits.js';
import { seededRandom, tapeFromRows } from './support/tapes.js';

/** The arithmetic and the tapes of the roofline benchmark, which only prints. */

describe('the roofline benchmark helpers', () => {
  it('count 74 bytes a row for nine float64 cents and a uint16 date key, 38 for nine uint32 cents', () => {
    expect(kernelBytesPerRow(layoutFor(10, false))).toBe(74);
    expect(kernelBytesPerRow(layoutFor(10, true, 4))).toBe(38);
    expect(gigabytesPerSecond(1_000_000, 38, 1.5)).toBeCloseTo(38e6 / 1.5e6, 12);
  });

  it('render time over the roofline time, so that 1.00× is the limit and more is slower', () => {
    const samples = [3, 1, 2, 5, 4];
    const cells = rooflineCells({ method: 'm', order: 'o', rows: 1_000_000, bytesPerRow: 38, summary: summarise(samples), rooflineMs: 2 });
    expect(cells[3]).toBe('3.00');
    expect(cells[7]).toBe('1.50×');
  });

  it('put a tape read by date back in loan-major order without changing a single snapshot', () => {
    const random = seededRandom(5);
    // loan-major: loan L at each of 12 dates in turn, the last loan cut short after 5 of them
    const rows = Array.from({ length: 12 * 83 + 5 }, (_, i) => ({
      cents: MONEY_COLUMNS.map(() => Math.floor(random() * 1e9)),
      date: `2025-03-${String(1 + (i % 12)).padStart(2, '0')}`,
    }));
    const { tape } = tapeFromRows(rows);
    expect(Array.from(tapeViews(tape).dateKeys.subarray(0, 3))).toEqual([0, 0, 0]);
    const loanMajor = loanMajorCopy(tape);
    expect(loanMajor.layout.moneyWidth).toBe(4);
    const views = tapeViews(loanMajor);
    rows.forEach((row, i) => {
      expect(views.dateKeys[i]).toBe(i % 12);
      expect(views.money.map((column) => column[i])).toEqual(row.cents);
    });
    expect(bitwise(referenceSnapshots(loanMajor))).toBe(bitwise(referenceSnapshots(tape)));
  });

  it('time every method in every round after the warm-up rounds', async () => {
    const calls: string[] = [];
    const method = (name: string) => ({ name, run: async () => void calls.push(name) });
    const samples = await timeRoundRobin([method('a'), method('b')], 2, 3);
    expect(calls.join('')).toBe('ab'.repeat(5));
    expect(samples.get('a')).toHaveLength(3);
    expect(samples.get('b')).toHaveLength(3);
  });
});
