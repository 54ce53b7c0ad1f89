/**
 * Option parsers shared by the commands. Each turns one argv string into a validated value or throws a
 * UsageError naming the option; commands call them once, at the edge, and pass filled objects inward.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { UsageError } from './errors.js';

export function parseWholeNumber(option: string, text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const cleaned = text.trim().replace(/_/g, '');
  if (!/^\d+$/.test(cleaned)) throw new UsageError(`${option} takes a whole number, got "${text}"`);
  const value = Number(cleaned);
  if (value < min || value > max) throw new UsageError(`${option} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** "1000000", "1_000_000", "1e6", "100k", "1m" → rows. */
export function parseRowCount(option: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)(e\d+|k|m)?\s*$/i.exec(text.replace(/_/g, ''));
  if (!match) throw new UsageError(`${option} takes a row count such as 100000, 100k or 1m, got "${text}"`);
  const base = Number(match[1]);
  const suffix = (match[2] ?? '').toLowerCase();
  const value = suffix === 'k' ? base * 1e3 : suffix === 'm' ? base * 1e6 : suffix.startsWith('e') ? base * 10 ** Number(suffix.slice(1)) : base;
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${option} must be a whole number of rows ≥ 1, got "${text}"`);
  return value;
}

export function parseRowCountList(option: string, text: string): number[] {
  const sizes = text.split(',').map((part) => parseRowCount(option, part));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

export function parseThreads(text: string): number {
  return parseWholeNumber('--threads', text, 1, 256);
}

export function defaultThreads(): number {
  return availableParallelism();
}

/**
 * Create the output folder if needed and prove it writable, before any work starts, so that a run never
 * computes for minutes and then fails to save.
 */
export function prepareOutputDir(option: string, dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${dir}: folder cannot be created or written`);
  }
  return dir;
}
