import { describe, expect, it } from 'vitest';
import { tapeViews } from '../src/engine/columns.js';
import { referenceSnapshots } from '../src/engine/reference.js';
import { M } from '../src/engine/schema.js';
import { SyntheticRows, syntheticDates, syntheticTape, SEGMENTS, MAX_SYNTHETIC_DATES } from '../src/io/synthetic.js';

/**
 * Where each generated row is in the tape read from it. The generator goes loan by loan (row i: loan ⌊i/dates⌋
 * at date index i mod dates, which is also its date key), and the reader groups the rows by date, stably: row
 * i is then the ⌊i/dates⌋-th row of its date. (A tape too small to be grouped keeps the generated order.)
 */
function placesOfGeneratedRows(dateKeys: Uint16Array, dates: number): number[] {
  const rows = dateKeys.length;
  if (dateKeys.some((key, i) => i > 0 && key < dateKeys[i - 1]!)) return Array.from({ length: rows }, (_, i) => i);
  const starts = new Array<number>(dates + 1).fill(0);
  for (const key of dateKeys) starts[key + 1]!++;
  for (let k = 0; k < dates; k++) starts[k + 1]! += starts[k]!;
  return Array.from({ length: rows }, (_, i) => starts[i % dates]! + Math.floor(i / dates));
}

/** A synthetic tape's columns in the order the generator made its rows. */
function columns(rows: number, dates = 12, seed?: number) {
  const { tape } = syntheticTape({ rows, dates, ...(seed === undefined ? {} : { seed }) });
  const views = tapeViews(tape);
  const places = placesOfGeneratedRows(views.dateKeys, dates);
  const generated = <T>(column: ArrayLike<T>) => places.map((place) => column[place]!);
  return { tape, money: views.money.map(generated), dateKeys: generated(views.dateKeys), groupKeys: views.groupKeys && generated(views.groupKeys) };
}

describe('synthetic tapes', () => {
  it('end on 2025-12-31 with consecutive month-ends, oldest first', () => {
    expect(syntheticDates(3).iso).toEqual(['2025-10-31', '2025-11-30', '2025-12-31']);
    expect(syntheticDates(14).iso.slice(0, 3)).toEqual(['2024-11-30', '2024-12-31', '2025-01-31']);
    // 2024 is a leap year
    expect(syntheticDates(11).iso[0]).toBe('2025-02-28');
    expect(syntheticDates(23).iso[0]).toBe('2024-02-29');
    expect(syntheticDates(MAX_SYNTHETIC_DATES).iso[0]).toBe('0001-01-31');
    const { epochDays } = syntheticDates(2);
    expect(new Date(epochDays[1]! * 86_400_000).toISOString().slice(0, 10)).toBe('2025-12-31');
    expect(new Date(epochDays[0]! * 86_400_000).toISOString().slice(0, 10)).toBe('2025-11-30');
    expect(() => syntheticDates(0)).toThrow(RangeError);
    expect(() => syntheticDates(MAX_SYNTHETIC_DATES + 1)).toThrow(RangeError);
  });

  it('are loan-major: each loan has every date in order, the last loan may be cut short', () => {
    const rows = new SyntheticRows(3, 1);
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      rows.next();
      seen.push(`${new TextDecoder().decode(rows.idBytes.subarray(0, rows.idLength))}@${rows.dateIndex}`);
    }
    expect(seen).toEqual(['L000000001@0', 'L000000001@1', 'L000000001@2', 'L000000002@0', 'L000000002@1', 'L000000002@2', 'L000000003@0', 'L000000003@1']);
    const { tape, dateKeys } = columns(8, 3);
    expect(tape.dates).toEqual(['2025-10-31', '2025-11-30', '2025-12-31']);
    expect(dateKeys).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
  });

  it('hold every date in any prefix of K rows, and only the dates some row has', () => {
    expect(columns(12, 12).tape.dates).toHaveLength(12);
    expect(columns(5, 12).tape.dates).toEqual(syntheticDates(12).iso.slice(0, 5));
  });

  it('give the same values for the same seed, and other values for another seed', () => {
    const a = columns(5_000, 12, 7);
    const b = columns(5_000, 12, 7);
    const c = columns(5_000, 12, 8);
    expect(b.money).toEqual(a.money);
    expect(c.money[M.receivable]).not.toEqual(a.money[M.receivable]);
    // the default seed is 1
    expect(columns(100).money).toEqual(columns(100, 12, 1).money);
  });

  it('make a shorter tape a prefix of a longer one', () => {
    const short = columns(1_000, 6, 3);
    const long = columns(3_001, 6, 3);
    expect(long.money.map((column) => column.slice(0, 1_000))).toEqual(short.money);
  });

  it('keep every amount in whole, non-negative cents, with eligible, discounted and buckets within the receivable', () => {
    const { money } = columns(60_000);
    const receivable = money[M.receivable]!;
    let violations = 0;
    for (let row = 0; row < receivable.length; row++) {
      const r = receivable[row]!;
      for (const column of money) if (!Number.isInteger(column[row]!) || column[row]! < 0) violations++;
      if (money[M.eligible]![row]! > r) violations++;
      if (money[M.discounted]![row]! > r) violations++;
      const buckets = [M.dpd0to7, M.dpd7to30, M.dpd30to60, M.dpd60to90, M.dpd90plus].reduce((sum, c) => sum + money[c]![row]!, 0);
      if (buckets > r) violations++;
    }
    expect(violations).toBe(0);
  });

  it('look like a real book: log-normal balances around $5,000 and delinquency that persists', () => {
    const dates = 12;
    const { money } = columns(120_000, dates);
    const firstBalances = money[M.receivable]!.filter((_, row) => row % dates === 0).sort((a, b) => a - b);
    const median = firstBalances[Math.floor(firstBalances.length / 2)]! / 100;
    expect(median).toBeGreaterThan(4_500);
    expect(median).toBeLessThan(5_500);
    // sigma ≈ 1: the 84th percentile is about e times the median
    const p84 = firstBalances[Math.floor(firstBalances.length * 0.8413)]! / 100;
    expect(p84 / median).toBeGreaterThan(2.4);
    expect(p84 / median).toBeLessThan(3.1);
    // a loan 90+ days late one month is usually still 90+ the next
    let stayed = 0;
    let was90 = 0;
    const d90 = money[M.dpd90plus]!;
    for (let row = 0; row + 1 < d90.length; row++) {
      if (row % dates === dates - 1 || d90[row] === 0) continue;
      was90++;
      if (d90[row + 1]! > 0) stayed++;
    }
    expect(was90).toBeGreaterThan(0);
    expect(stayed / was90).toBeGreaterThan(0.6);
  });

  it('give KPIs in the intended ranges on every snapshot', () => {
    const { tape } = columns(240_000);
    const snapshots = referenceSnapshots(tape);
    expect(snapshots).toHaveLength(12);
    for (const s of snapshots) {
      expect(s.par30).toBeGreaterThan(3);
      expect(s.par30).toBeLessThan(6);
      expect(s.par90).toBeGreaterThan(1);
      expect(s.par90).toBeLessThan(3);
      expect(s.collection_rate).toBeGreaterThan(2);
      expect(s.collection_rate).toBeLessThan(5);
    }
  });

  it('group by segment, with the same amounts as without grouping', () => {
    const plain = syntheticTape({ rows: 20_000 });
    const grouped = syntheticTape({ rows: 20_000 }, { groupBy: 'segment' });
    expect(grouped.tape.groupColumn).toBe('segment');
    expect([...grouped.tape.groups].sort()).toEqual([...SEGMENTS].sort());
    expect(tapeViews(grouped.tape).money.map((c) => Array.from(c))).toEqual(tapeViews(plain.tape).money.map((c) => Array.from(c)));
    const views = tapeViews(grouped.tape);
    const keys = placesOfGeneratedRows(views.dateKeys, 12).map((place) => views.groupKeys![place]!);
    // a loan keeps its segment across its snapshots
    for (let row = 0; row < 12; row++) expect(keys[row]).toBe(keys[0]);
    const shares = new Map<string, number>();
    for (const key of keys) shares.set(grouped.tape.groups[key]!, (shares.get(grouped.tape.groups[key]!) ?? 0) + 1 / keys.length);
    expect(shares.get('consumer')).toBeGreaterThan(0.4);
    expect(shares.get('mortgage')).toBeLessThan(0.2);
    expect(() => syntheticTape({ rows: 10 }, { groupBy: 'region' })).toThrow(/segment/);
  });

  it('count every row as read and none as dropped', () => {
    const result = syntheticTape({ rows: 1_001, dates: 10 });
    expect(result.tape.rows).toBe(1_001);
    expect(result.rowsRead).toBe(1_001);
    expect(result.dropped).toEqual({ duplicates: 0, invalid: 0 });
  });

  it('reject specs that make no tape', () => {
    expect(() => syntheticTape({ rows: 0 })).toThrow(RangeError);
    expect(() => syntheticTape({ rows: 1.5 })).toThrow(RangeError);
    expect(() => syntheticTape({ rows: 10, dates: 0 })).toThrow(RangeError);
    expect(() => syntheticTape({ rows: 10, seed: -1 })).toThrow(RangeError);
  });
});
