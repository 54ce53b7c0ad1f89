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
