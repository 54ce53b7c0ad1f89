import { describe, expect, it } from 'vitest';
import { referenceSnapshots } from '../src/engine/reference.js';
import type { Snapshot } from '../src/engine/kpis.js';
import { syntheticTape } from '../src/io/synthetic.js';
import { encodeKpis } from '../src/stress/integrity.js';
import { KpiPool } from '../src/workers/kpi-pool.js';

describe('the integrity check: a canonical, bit-exact encoding of a KPI result', () => {
  const tape = syntheticTape({ rows: 3000, dates: 4, seed: 7 }).tape;
  const reference = referenceSnapshots(tape);

  it('the pool result encodes to exactly the reference text', async () => {
    const pool = await KpiPool.open(tape, { threads: 2, crossoverRows: 0 });
    try {
      expect(encodeKpis(await pool.snapshots())).toBe(encodeKpis(reference));
    } finally {
      await pool.close();
    }
  });

  it('does not depend on the order of keys', () => {
    const reordered = reference.map((s) => Object.fromEntries(Object.entries(s).reverse()) as unknown as Snapshot);
    expect(encodeKpis(reordered)).toBe(encodeKpis(reference));
  });

  it('tells apart values that a deep-equality check or JSON would call equal or nearly so', () => {
    const first = reference[0]!;
    const change = (patch: Partial<Snapshot>) => encodeKpis([{ ...first, ...patch }, ...reference.slice(1)]);
    const base = encodeKpis(reference);
    expect(change({ par30: first.par30 + Number.EPSILON * first.par30 })).not.toBe(base);
    // 0 and -0: equal to ===, equal in JSON ("0"), different bits
    expect(encodeKpis([{ ...first, par90: 0 }])).not.toBe(encodeKpis([{ ...first, par90: -0 }]));
    expect(change({ rows: first.rows + 1 })).not.toBe(base);
    expect(change({ measurement_date: '1999-12-31' })).not.toBe(base);
    expect(encodeKpis(reference.slice(1))).not.toBe(base);
  });
});
