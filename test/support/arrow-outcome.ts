/** What a read of an Arrow tape gives a caller, for tests that compare two ways of reading one file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Table, tableToIPC } from 'apache-arrow';
import { expect } from 'vitest';
import { tapeViews } from '../../src/engine/columns.js';
import { readArrowTape, type ArrowTuning } from '../../src/io/arrow.js';
import { TapeInputError } from '../../src/io/problems.js';
import type { ReadOptions, ReadResult } from '../../src/io/tape-builder.js';

/** Everything a read gives that a caller can see, or the error it throws. */
export async function arrowReadOutcome(path: string, options: ReadOptions, tuning: ArrowTuning): Promise<unknown> {
  let result: ReadResult;
  try {
    result = await readArrowTape(path, options, tuning);
  } catch (error) {
    if (error instanceof TapeInputError) return { error: error.details(), total: error.total };
    throw error;
  }
  return resultOutcome(result);
}

/** What a caller can see of a read's result: the tape's rows, width, columns and dates, and the counts. */
export function resultOutcome(result: ReadResult): unknown {
  const views = tapeViews(result.tape);
  return {
    rows: result.tape.rows,
    // narrowed or not: the decision a bound from the conversion may take without a check must be the check's
    moneyWidth: result.tape.layout.moneyWidth,
    money: views.money.map((column) => Array.from(column)),
    dateKeys: Array.from(views.dateKeys),
    dates: result.tape.dates,
    rowsRead: result.rowsRead,
    dropped: result.dropped,
    invalidByReason: Object.entries(result.invalidByReason),
    problems: result.problems,
  };
}

/** The tables, one after the other, as an Arrow IPC file in a new directory under `root`; its path. */
export function writeArrowFile(tables: readonly Table[], root: string): string {
  const table = tables.reduce((all, next) => all.concat(next));
  const path = join(mkdtempSync(join(root, 'case-')), 'tape.arrow');
  writeFileSync(path, tableToIPC(table, 'file'));
  return path;
}

/**
 * Read the file row by row through the cell readers (the reference), then with each tuning, and expect the
 * same outcome every time; returns the reference.
 */
export async function expectTuningsAgree(path: string, options: ReadOptions, tunings: readonly ArrowTuning[], label: string): Promise<unknown> {
  const reference = await arrowReadOutcome(path, options, { fastPath: false, streaming: false });
  for (const tuning of tunings) {
    expect(await arrowReadOutcome(path, options, tuning), `${label} ${JSON.stringify(options)} ${JSON.stringify(tuning)}`).toEqual(reference);
  }
  return reference;
}
