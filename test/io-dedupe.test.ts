import { describe, expect, it } from 'vitest';
import { PairDeduper } from '../src/io/dedupe.js';
import { hashId, pairHash } from '../src/io/key-set.js';
import { seededRandom } from './support/tapes.js';

interface Row {
  readonly id: string | null;
  readonly date: number;
}

/** Which rows a plain set of "id|date" strings keeps: the first of each pair; rows without an id always. */
function reference(rows: readonly Row[]): boolean[] {
  const seen = new Set<string>();
  return rows.map((row) => {
    if (row.id === null) return true;
    const key = `${row.id}|${row.date}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The deduper's decisions, with the date column filled as a reader fills it (kept rows only, in order). */
function decisions(rows: readonly Row[], rowBase = 3): boolean[] {
  const dateColumn = new Uint16Array(rowBase + rows.length);
  const dedupe = new PairDeduper(rows.length, dateColumn, rowBase, true, true);
  const encoder = new TextEncoder();
  let kept = 0;
  return rows.map((row) => {
    let keep = true;
    if (row.id === null) dedupe.idless(kept);
    else {
      const bytes = encoder.encode(`  ${row.id}`);
      const idHash = hashId(bytes, 2, bytes.length);
      keep = dedupe.add(bytes, 2, bytes.length, idHash, pairHash(idHash, row.date), row.date, kept);
    }
    if (keep) dateColumn[rowBase + kept++] = row.date;
    return keep;
  });
}

/** Loan-major rows (ids ascending, a few dates each) with repeats, and now and then out-of-order ids or no id. */
function rowsOf(seed: number, disorder: number, idless: number): Row[] {
  const random = seededRandom(seed);
  const rows: Row[] = [];
  for (let loan = 0; rows.length < 400; loan++) {
    const dates = 1 + Math.floor(random() * 5);
    for (let d = 0; d < dates; d++) {
      const id = random() < disorder ? `L${String(Math.floor(random() * loan)).padStart(4, '0')}` : `L${String(loan).padStart(4, '0')}`;
      rows.push({ id: random() < idless ? null : id, date: random() < 0.1 ? Math.floor(random() * d + 1) : d });
    }
  }
  return rows;
}

describe('duplicate detection in run mode', () => {
  it('keeps the same rows as a set of pairs, sorted or not, with and without id-less rows', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rows = rowsOf(seed, seed % 3 === 0 ? 0.02 : 0, seed % 4 === 0 ? 0.01 : 0);
      expect(decisions(rows), `seed ${seed}`).toEqual(reference(rows));
    }
  });

  it('tells ids apart that share a hash bucket or a prefix', () => {
    const rows: Row[] = [
      { id: 'A', date: 1 },
      { id: 'AB', date: 1 },
      { id: 'AB', date: 1 },
      { id: 'B', date: 1 },
      { id: 'A', date: 1 },
      { id: 'AB', date: 2 },
      { id: 'A', date: 2 },
    ];
    expect(decisions(rows)).toEqual(reference(rows));
  });
});
