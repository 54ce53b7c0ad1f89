/** The generated tape files the ingest benchmarks read, written once and reused by later runs. */
import { existsSync, statSync } from 'node:fs';
import { writeSyntheticFile } from '../dist/io/synthetic.js';
import { fixed, nowMs } from './lib.js';

/** The file of `stress generate --rows <rows>` (seed 1, 12 dates) at `path`, written if missing; its size. */
export async function ensureFile(path: string, rows: number): Promise<number> {
  if (!existsSync(path)) {
    const start = nowMs();
    await writeSyntheticFile(path, { rows });
    console.log(`wrote ${path} in ${fixed((nowMs() - start) / 1000)} s`);
  }
  return statSync(path).size;
}
