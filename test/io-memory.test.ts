/**
 * Peak memory of a whole computation of a 1M-row CSV tape, measured in a child process of its own (the test
 * runner's own memory must not count). Memory is asserted; time is not (see bench/ingest.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticFile } from '../src/io/synthetic.js';

const INDEX = pathToFileURL(resolve(import.meta.dirname, '../dist/index.js')).href;
const PARALLEL = pathToFileURL(resolve(import.meta.dirname, '../dist/io/csv-parallel.js')).href;
const ROWS = 1_000_000;

let dir = '';
let csv = '';
let arrow = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'io-memory-'));
  csv = join(dir, 'tape.csv');
  arrow = join(dir, 'tape.arrow');
  await writeSyntheticFile(csv, { rows: ROWS });
  await writeSyntheticFile(arrow, { rows: ROWS });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Peak resident set (bytes) of a fresh Node process that runs `script` (an ES module body) on `file`. */
function peakRss(script: string, file: string): { bytes: number; output: string } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', `${script}\nconsole.log('maxRSS', process.resourceUsage().maxRSS);`, file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(child.status, child.stderr).toBe(0);
  const match = /maxRSS (\d+)/.exec(child.stdout);
  expect(match, child.stdout).not.toBeNull();
  // resourceUsage().maxRSS is in kilobytes
  return { bytes: Number(match![1]) * 1024, output: child.stdout };
}

describe('memory of a 1M-row CSV tape', () => {
  it('computing its KPIs (read on two threads, then the pool) peaks at ≤ 2.5× the file size', () => {
    const size = statSync(csv).size;
    const { bytes, output } = peakRss(
      `import { computeFile } from '${INDEX}';
       import { parallelReadCounts } from '${PARALLEL}';
       const { result } = await computeFile(process.argv[1]);
       console.log('rows', result.rows_read, 'snapshots', result.snapshots.length, 'merged', parallelReadCounts.merged);`,
      csv,
    );
    expect(output).toContain(`rows ${ROWS} snapshots 12 merged 1`);
    expect(bytes / size).toBeLessThanOrEqual(2.5);
  }, 120_000);

  it('reading it alone streams: the reader peaks at ≤ 3× the file size, in one pass too', () => {
    const size = statSync(csv).size;
    for (const reader of ['readCsvTape', 'readCsvSerial']) {
      const { bytes } = peakRss(
        `import { ${reader} } from '${pathToFileURL(resolve(import.meta.dirname, '../dist/io/csv.js')).href}';
         const read = await ${reader}(process.argv[1]);
         if (read.tape.rows !== ${ROWS}) throw new Error('rows ' + read.tape.rows);`,
        csv,
      );
      expect(bytes / size, reader).toBeLessThanOrEqual(3);
    }
  }, 120_000);
});

describe('memory of a 1M-row Arrow tape', () => {
  it('is read with Uint32 money columns from the start: about 36 bytes a row fewer resident than Float64 ones narrowed at the end', () => {
    const size = statSync(arrow).size;
    const peak = (uint32: boolean) =>
      peakRss(
        `import { readArrowTape } from '${pathToFileURL(resolve(import.meta.dirname, '../dist/io/arrow.js')).href}';
         const read = await readArrowTape(process.argv[1], {}, { threads: 1, uint32: ${uint32} });
         if (read.tape.rows !== ${ROWS} || read.tape.layout.moneyWidth !== 4) throw new Error('rows ' + read.tape.rows);`,
        arrow,
      ).bytes;
    const uint32 = peak(true);
    const float64 = peak(false);
    // 36 MB of Float64 cents never touched; at least 15 MB of it must show
    expect(float64 - uint32).toBeGreaterThan(15e6);
    expect(uint32 / size).toBeLessThanOrEqual(1.5);
  }, 120_000);
});
