/**
 * The chart library, uPlot, inlined into every report so that the file opens from disk with no network:
 * its IIFE build (a global `uPlot`) and its stylesheet, read from the installed package once per process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assertInlineable } from './escape.js';

export interface ChartLibrary {
  readonly js: string;
  readonly css: string;
  readonly version: string;
}

let cached: ChartLibrary | null = null;

export function chartLibrary(): ChartLibrary {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const version = (JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  cached = {
    // the minified build keeps its licence banner (MIT), which names the project and version
    js: assertInlineable(js, 'script', 'uPlot.iife.min.js'),
    css: assertInlineable(css, 'style', 'uPlot.min.css'),
    version,
  };
  return cached;
}

/** This package's version, for the reports' footers (package.json is three folders above src/report/html and dist/report/html). */
export function ownVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}
