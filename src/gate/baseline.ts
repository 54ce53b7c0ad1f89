/**
 * Stored gate results (`reports/baseline.json`, written by `stress gate --update-baseline`): per benchmark the
 * block values of one run, and the calibration loop's times of that run, so that a later run on a faster or
 * busier machine can be scaled to it.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic-write.js';
import { UsageError } from '../errors.js';
import { CALIBRATION_LOOP } from './suite.js';

export const BASELINE_FORMAT = 'stress-gate-baseline/1';
export const DEFAULT_BASELINE_FILE = 'reports/baseline.json';

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  readonly created_at: string;
  /** the commit measured, when known */
  readonly commit: string | null;
  readonly quick: boolean;
  readonly node: string;
  /** which calibration loop measured calibration_ms */
  readonly calibration_loop: string;
  readonly calibration_ms: readonly number[];
  readonly benchmarks: Readonly<Record<string, { readonly unit: string; readonly blocks: readonly number[] }>>;
}

function positiveNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
}

/** Read and check a baseline file; any problem is a UsageError naming the file and the field. */
export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--baseline ${path}: file not found or not readable`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--baseline ${path}: not JSON (${(error as Error).message})`);
  }
  const bad = (field: string, why: string) => new UsageError(`--baseline ${path}: field ${field} ${why}`);
  if (typeof data !== 'object' || data === null) throw bad('(top level)', 'is not an object');
  const record = data as Record<string, unknown>;
  if (record['format'] !== BASELINE_FORMAT) throw bad('format', `must be "${BASELINE_FORMAT}", got ${JSON.stringify(record['format'])}`);
  if (record['calibration_loop'] !== CALIBRATION_LOOP) {
    throw bad('calibration_loop', `is ${JSON.stringify(record['calibration_loop'])}, not this version's "${CALIBRATION_LOOP}": store a new one with --update-baseline`);
  }
  if (!positiveNumbers(record['calibration_ms'])) throw bad('calibration_ms', 'must be a non-empty list of positive numbers');
  const benchmarks = record['benchmarks'];
  if (typeof benchmarks !== 'object' || benchmarks === null) throw bad('benchmarks', 'is not an object');
  for (const [name, entry] of Object.entries(benchmarks)) {
    const blocks = (entry as { blocks?: unknown } | null)?.blocks;
    if (!positiveNumbers(blocks)) throw bad(`benchmarks.${name}.blocks`, 'must be a non-empty list of positive numbers');
  }
  return data as Baseline;
}

export function writeBaseline(path: string, baseline: Baseline): void {
  writeFileAtomic(path, `${JSON.stringify(baseline, null, 2)}\n`);
}
