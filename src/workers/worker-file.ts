import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled path of a worker entry that sits beside this file. Worker threads load plain JavaScript, so
 * when this module runs from its TypeScript source (under the test runner) the entry is taken from `dist/`,
 * which `npm test` builds first.
 */
export function workerFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts')
    ? resolve(dirname(here), '../../dist/workers', `${name}.js`)
    : join(dirname(here), `${name}.js`);
  if (!existsSync(file)) throw new Error(`worker entry ${file} is missing: run "npm run build"`);
  return file;
}

/**
 * The V8 limits of every pool worker: a young generation capped at 6 MB, two semi-spaces of 2 MB (and room
 * for new large objects). V8 starts a young generation small and grows it, up to two semi-spaces of 16 MB,
 * each time the bytes surviving its collections since the last growth add up to its size. A few bytes
 * survive every collection of a busy worker (the task in flight), so without a cap the young generation of
 * every worker steps up, about 3 MB at a time, at any hour of a long run: memory that grows with the run's
 * length, and the very RSS steps the drift detection must not be fooled by. Capped, the one growth left
 * (from 1 MB to 2 MB semi-spaces) comes within seconds of a busy start. The cost is more frequent young
 * collections in a workload that allocates much.
 */
export const WORKER_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 6 } as const;
