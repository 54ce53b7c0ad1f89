/**
 * Where `stress compute --out DIR` writes: DIR is a parent of run folders, one per invocation, so that any
 * number of processes can write into the same DIR at once without a lock and without touching each other's
 * files.
 *
 * - A run folder is `DIR/<run_id>_<UTC yyyymmddThhmmssZ>_<4 random hex digits>/`, made by a plain (not
 *   recursive) mkdir, which fails if the name exists: two processes can never share a folder, even with the
 *   same input in the same second.
 * - `DIR/latest` is a symlink to the last run folder completed. It is replaced by making a new symlink under a
 *   temporary name and renaming it over the old one, so a reader sees the old target or the new, never none.
 *   Its target is the folder's bare name, so DIR can be moved or copied whole.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { fsyncDirectory } from '../audit/trail.js';
import { LATEST_LINK } from '../cutover/kpi-source.js';

/** `run_` and the first 12 hex digits of the input's SHA-256. */
export function runIdOf(inputSha256: string): string {
  return `run_${inputSha256.slice(0, 12)}`;
}

/** 2025-11-02T09:05:07.123Z → 20251102T090507Z */
function compactUtc(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** Make a new, empty run folder under `parent`; returns its name (not its path). */
export function createRunFolder(parent: string, runId: string, at: Date): string {
  for (let attempt = 0; attempt < 16; attempt++) {
    const name = `${runId}_${compactUtc(at)}_${randomBytes(2).toString('hex')}`;
    try {
      mkdirSync(join(parent, name));
      return name;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`--out ${parent}: cannot create a run folder (${(error as Error).message})`);
    }
  }
  throw new UsageError(`--out ${parent}: cannot find a free run folder name`);
}

/** Point `parent/latest` at the run folder `name`, atomically. */
export function pointLatest(parent: string, name: string): void {
  const link = join(parent, LATEST_LINK);
  try {
    if (!lstatSync(link).isSymbolicLink()) throw new UsageError(`--out ${parent}: ${LATEST_LINK} exists and is not a symlink; the run folder ${name} is complete but ${LATEST_LINK} was not updated`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // no latest yet
  }
  const temporary = join(parent, `.${LATEST_LINK}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    symlinkSync(name, temporary);
    renameSync(temporary, link);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(parent);
}
