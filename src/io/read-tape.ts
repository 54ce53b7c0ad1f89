/** Read a tape file of any supported format into shared columns, chosen by the file's extension. */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { readArrowTape } from './arrow.js';
import { readCsvTape } from './csv.js';
import { TapeInputError } from './problems.js';
import type { ReadOptions, ReadResult } from './tape-builder.js';

export const TAPE_EXTENSIONS = ['.csv', '.arrow', '.ipc', '.feather'] as const;

export async function readTape(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  const fileProblem = (reason: string) =>
    new TapeInputError([{ file: path, line: 0, lineKind: 'line', column: null, value: null, reason }], 1);
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw fileProblem('not a regular file');
    size = stats.size;
  } catch (error) {
    if (error instanceof TapeInputError) throw error;
    throw fileProblem('file not found or not readable');
  }
  if (size === 0) throw fileProblem('empty file');
  const extension = extname(path).toLowerCase();
  switch (extension) {
    case '.csv':
      return readCsvTape(path, options);
    case '.arrow':
    case '.ipc':
    case '.feather':
      return readArrowTape(path, options);
    default:
      throw fileProblem(`unknown file type "${extension || '(none)'}": expected one of ${TAPE_EXTENSIONS.join(', ')}`);
  }
}
