import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CurrentBuildError, measureRound, writeInputs } from '../src/gate/compare.js';
import { SUITE } from '../src/gate/suite.js';
import { tempDir } from './support/cli.js';

const DIST = resolve(import.meta.dirname, '../dist');

/** A build that has the tape reader but no KPI pool, as an old base might. */
function buildWithoutPool(): string {
  const dist = join(tempDir('stress-gate-old-'), 'dist');
  mkdirSync(join(dist, 'io'), { recursive: true });
  writeFileSync(join(dist, 'io/read-tape.js'), `export { readTape } from ${JSON.stringify(pathToFileURL(join(DIST, 'io/read-tape.js')).href)};\n`);
  return dist;
}

describe('gate sides', () => {
  it('side by side in real processes: A B blocks per pair; what the base lacks is not comparable, with the reason', async () => {
    const benchmarks = SUITE.filter((b) => b.name === 'kpi-100k' || b.name === 'ingest-csv-100k');
    const inputs = await writeInputs(benchmarks);
    const old = buildWithoutPool();
    try {
      const measured = await measureRound(
        { base: old, current: DIST },
        inputs.dir,
        benchmarks,
        { pairs: 2, quick: true },
        new AbortController().signal,
        () => {},
      );
      expect([...measured.unavailable.keys()]).toEqual(['kpi-100k']);
      expect(measured.unavailable.get('kpi-100k')).toMatch(/^base: workers\/kpi-pool\.js does not load: /);
      expect([...measured.samples.keys()]).toEqual(['ingest-csv-100k']);
      const ingest = measured.samples.get('ingest-csv-100k')!;
      const perBlock = SUITE.find((b) => b.name === 'ingest-csv-100k')!.samples;
      for (const side of [ingest.base, ingest.current]) {
        expect(side).toHaveLength(2);
        for (const block of side) {
          expect(block).toHaveLength(perBlock);
          // CPU milliseconds of reading 100k rows: more than nothing, less than a minute
          for (const ms of block) expect(ms > 0 && ms < 60_000).toBe(true);
        }
      }
    } finally {
      inputs.remove();
      rmSync(dirname(old), { recursive: true, force: true });
    }
  });

  it('a current build that cannot run a benchmark fails the round instead of skipping it', async () => {
    const benchmarks = SUITE.filter((b) => b.name === 'kpi-100k');
    const inputs = await writeInputs(benchmarks);
    const old = buildWithoutPool();
    try {
      const round = measureRound({ base: null, current: old }, inputs.dir, benchmarks, { pairs: 1, quick: true }, new AbortController().signal, () => {});
      await expect(round).rejects.toThrow(CurrentBuildError);
      await expect(round).rejects.toThrow(/the current build cannot run kpi-100k: workers\/kpi-pool\.js does not load/);
    } finally {
      inputs.remove();
      rmSync(dirname(old), { recursive: true, force: true });
    }
  });
});
