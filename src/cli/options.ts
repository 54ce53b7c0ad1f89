/**
 * Option parsers shared by the commands. Each turns one argv string into a validated value or throws a
 * UsageError naming the option; commands call them once, at the edge, and pass filled objects inward.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import type { MemoryLimit } from '../engine/columns.js';
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

/**
 * A plain decimal number ("0.1", "5", "0.25"; no sign, exponent or unit) within [min, max]; with
 * `minExclusive`, min itself is refused too.
 */
export function parseDecimal(option: string, text: string, min: number, max: number, minExclusive = false): number {
  const value = Number(text.trim());
  const inRange = (minExclusive ? value > min : value >= min) && value <= max;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !inRange) {
    throw new UsageError(`${option} takes a number ${minExclusive ? '>' : '≥'} ${min} and ≤ ${max}, got "${text}"`);
  }
  return value;
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  k: 2 ** 10,
  kib: 2 ** 10,
  kb: 1e3,
  m: 2 ** 20,
  mib: 2 ** 20,
  mb: 1e6,
  g: 2 ** 30,
  gib: 2 ** 30,
  gb: 1e9,
  t: 2 ** 40,
  tib: 2 ** 40,
  tb: 1e12,
};

/**
 * A size in whole bytes, or NaN when `text` is not one: "8GiB", "512MB", "1.5g", "4096". KiB, MiB, GiB, TiB
 * and the bare letters k, m, g, t are powers of 1024 (as in `java -Xmx512m`); KB, MB, GB, TB powers of
 * 1000; no unit is bytes. The one grammar of sizes: callers add their own range and message.
 */
export function byteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text.replace(/_/g, ''));
  const unit = BYTE_UNITS[(match?.[2] ?? '').toLowerCase() || 'b'];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  return Number.isSafeInteger(bytes) ? bytes : Number.NaN;
}

/** byteSize, at least 1 byte, or a UsageError naming the option. */
export function parseByteSize(option: string, text: string): number {
  const bytes = byteSize(text);
  if (!(bytes >= 1)) throw new UsageError(`${option} takes a size such as 8GiB, 512MB or 1.5g, got "${text}"`);
  return bytes;
}

/** The default --max-memory: this share of the memory the process may use. */
export const DEFAULT_MAX_MEMORY_SHARE = 0.5;

/**
 * The memory this process may use: the machine's, or its control group's limit when that is lower (a
 * container). Node reports "no limit" as 0 or as a number beyond the machine's memory.
 */
export function availableMemoryBytes(): number {
  const machine = totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < machine ? constrained : machine;
}

/** --max-memory, or its default: half of availableMemoryBytes(). Both are named in refusals. */
export function parseMaxMemory(text: string | undefined, available: number = availableMemoryBytes()): MemoryLimit {
  if (text !== undefined) return { bytes: parseByteSize('--max-memory', text), name: `--max-memory ${text.trim()}` };
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const bytes = Math.floor(available * DEFAULT_MAX_MEMORY_SHARE);
  return { bytes, name: `the default --max-memory of ${gib(bytes)} (half of the ${gib(available)} of memory available)` };
}

/** The help line of --max-memory, the same for every command that reads a tape. */
export const MAX_MEMORY_HELP =
  "most memory one tape's columns may take, e.g. 8GiB or 512MB; a larger tape is refused before loading (default: half of the machine's memory)";
