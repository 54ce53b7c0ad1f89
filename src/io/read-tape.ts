/** Read a tape file of any supported format into shared columns, chosen by the file's extension. */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { TapeTooLargeError } from '../engine/columns.js';
import { readArrowTape } from './arrow.js';
import { readCsvTape } from './csv.js';
import { readParquetTape } from './parquet.js';
import { TapeInputError } from './problems.js';
import type { ReadOptions, ReadResult } from './tape-builder.js';

export const TAPE_EXTENSIONS = ['.csv', '.arrow', '.ipc', '.feather', '.parquet'] as const;

type TapeFormat = 'csv' | 'arrow' | 'parquet';

const FORMAT_OF: Readonly<Record<(typeof TAPE_EXTENSIONS)[number], TapeFormat>> = {
  '.csv': 'csv',
  '.arrow': 'arrow',
  '.ipc': 'arrow',
  '.feather': 'arrow',
  '.parquet': 'parquet',
};

/**
 * The checks of the file as a whole, before any of it is read: it exists, is a regular file, is not empty,
 * and has a known extension. Returns its size and format, or throws a TapeInputError naming the file.
 */
export function checkTapeFile(path: string): { readonly bytes: number; readonly format: TapeFormat } {
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
  const format = (FORMAT_OF as Readonly<Record<string, TapeFormat>>)[extension];
  if (format === undefined) throw fileProblem(`unknown file type "${extension || '(none)'}": expected one of ${TAPE_EXTENSIONS.join(', ')}`);
  return { bytes: size, format };
}

export async function readTape(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  try {
    switch (checkTapeFile(path).format) {
      case 'csv':
        return await readCsvTape(path, options);
      case 'arrow':
        return await readArrowTape(path, options);
      case 'parquet':
        return await readParquetTape(path, options);
    }
  } catch (error) {
    // the readers know the rows, this knows the file
    throw error instanceof TapeTooLargeError ? error.of(path) : error;
  }
}
