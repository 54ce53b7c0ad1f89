/** Arrow vectors over a tape's shared columns, without copying (kept apart so workers need not load Arrow). */
import { makeData, makeVector, Table, Float64, Uint16, Uint32, Dictionary, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { tapeViews, type Tape } from './columns.js';
import { MONEY_COLUMNS } from './schema.js';

/**
 * An Arrow table over the tape's memory: the money columns in cents (Uint32 when the tape's columns are
 * narrowed, else Float64) and the keys as dictionary vectors. The column data are views of the shared
 * memory, not copies.
 */
export function toArrowTable(tape: Tape): Table {
  const views = tapeViews(tape);
  const columns: Record<string, Vector> = {};
  MONEY_COLUMNS.forEach((name, c) => {
    const data = views.money[c]!;
    columns[`${name}_cents`] = data instanceof Uint32Array ? makeVector(makeData({ type: new Uint32(), length: tape.rows, data })) : makeVector(makeData({ type: new Float64(), length: tape.rows, data }));
  });
  columns['measurement_date'] = dictionaryVector(views.dateKeys, tape.dates);
  if (views.groupKeys && tape.groupColumn) columns[tape.groupColumn] = dictionaryVector(views.groupKeys, tape.groups);
  return new Table(columns);
}

function dictionaryVector(keys: Uint16Array, values: readonly string[]): Vector {
  const dictionary = vectorFromArray([...values], new Utf8());
  const type = new Dictionary(new Utf8(), new Uint16());
  return makeVector(makeData({ type, length: keys.length, data: keys, dictionary }));
}
