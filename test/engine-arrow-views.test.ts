import { describe, expect, it } from 'vitest';
import { toArrowTable } from '../src/engine/arrow-views.js';
import { tapeViews } from '../src/engine/columns.js';
import { tapeFromRows } from './support/tapes.js';

describe('Arrow views over the shared columns', () => {
  it('read the same values and share the memory instead of copying it', () => {
    const { tape } = tapeFromRows([
      { cents: [100, 90, 95, 5, 100, 0, 0, 0, 0], date: '2025-01-31', group: 'a' },
      { cents: [250, 200, 240, 9, 0, 0, 250, 0, 0], date: '2025-02-28', group: 'b' },
    ], 'segment');
    const table = toArrowTable(tape);
    expect(table.numRows).toBe(2);
    expect([...table.getChild('total_receivable_usd_cents')!]).toEqual([100, 250]);
    expect([...table.getChild('measurement_date')!]).toEqual(['2025-01-31', '2025-02-28']);
    expect([...table.getChild('segment')!]).toEqual(['a', 'b']);
    // a write through the typed-array view is seen by the Arrow vector: same bytes
    tapeViews(tape).money[0]![1] = 777;
    expect(table.getChild('total_receivable_usd_cents')!.get(1)).toBe(777);
    expect(table.getChild('total_receivable_usd_cents')!.data[0]!.values.buffer).toBe(tape.memory.buffer);
    expect(String(table.getChild('total_receivable_usd_cents')!.type)).toBe('Uint32');
  });

  it('give Float64 cents for a tape whose amounts do not all fit Uint32', () => {
    const { tape } = tapeFromRows([{ cents: [2 ** 32, 90, 95, 5, 100, 0, 0, 0, 0], date: '2025-01-31' }]);
    expect(tape.layout.moneyWidth).toBe(8);
    const column = toArrowTable(tape).getChild('total_receivable_usd_cents')!;
    expect(String(column.type)).toBe('Float64');
    expect(column.get(0)).toBe(2 ** 32);
    expect(column.data[0]!.values.buffer).toBe(tape.memory.buffer);
  });
});
