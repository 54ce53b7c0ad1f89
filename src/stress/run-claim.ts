/**
 * Claiming a run directory, so that two `stress run` processes never write into the same one.
 *
 * The claim is the run's manifest name, created with O_EXCL before anything else is written (the manifest
 * itself later replaces it by an atomic rename): of two processes given the same `--out DIR` at the same
 * moment, exactly one creates it, and the other is refused. Without `--out`, each run gets a new folder
 * `<parent>/<ISO timestamp>-<4 random hex digits>` made with an exclusive mkdir (a name already taken is
 * retried with other digits), so runs started together in one parent never share a folder.
 *
 * A run that fails before it starts (a bad workload module, an input that cannot be read) releases its
 * claim: the empty claim file goes, and so does the folder if the claim created it and it is still empty.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { RUN_FILES } from './run-dir.js';

export interface RunDirClaim {
  readonly dir: string;
  /** Undo the claim if no run was written into the folder (its manifest is still the empty claim file). */
  release(): void;
}

/** Names that tries of a new run folder may take before giving up; a clash needs the same millisecond. */
const NEW_FOLDER_TRIES = 32;

/** The folder name of a run started at `now`: ISO 8601 with '-' for ':' (not allowed on Windows), then 4 hex. */
export function runFolderName(now: Date, hex: string): string {
  return `${now.toISOString().replace(/:/g, '-')}-${hex}`;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Claim `dir` (created if needed, with its parents) for one run. `option` names where the folder came from
 * in messages, e.g. "--out".
 */
export function claimRunDir(option: string, dir: string): RunDirClaim {
  let created: boolean;
  try {
    // the first folder created, or undefined when `dir` was already a folder (a file there is EEXIST)
    created = mkdirSync(dir, { recursive: true }) !== undefined;
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw unwritable(option, dir, error);
  }
  for (const name of [RUN_FILES.samples, RUN_FILES.hlog, RUN_FILES.checkpoints, RUN_FILES.audit]) {
    if (existsSync(join(dir, name))) throw taken(option, dir, name);
  }
  return claimManifest(option, dir, created);
}

/** Claim a new folder `<parent>/<timestamp>-<hex>` for one run; the parent is created if needed. */
export function claimNewRunDir(option: string, parent: string, now: Date, hex: () => string = () => randomBytes(2).toString('hex')): RunDirClaim {
  try {
    mkdirSync(parent, { recursive: true });
    accessSync(parent, constants.W_OK);
  } catch (error) {
    throw unwritable(option, parent, error);
  }
  for (let attempt = 0; attempt < NEW_FOLDER_TRIES; attempt++) {
    const dir = join(parent, runFolderName(now, hex()));
    try {
      mkdirSync(dir);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') continue;
      throw unwritable(option, parent, error);
    }
    return claimManifest(option, dir, true);
  }
  throw new UsageError(`${option} ${parent}: no free run folder name for ${now.toISOString()} after ${NEW_FOLDER_TRIES} tries`);
}

function claimManifest(option: string, dir: string, created: boolean): RunDirClaim {
  const manifest = join(dir, RUN_FILES.manifest);
  try {
    closeSync(openSync(manifest, 'wx'));
  } catch (error) {
    if (errorCode(error) === 'EEXIST') throw taken(option, dir, RUN_FILES.manifest);
    throw unwritable(option, dir, error);
  }
  return {
    dir,
    release() {
      try {
        if (statSync(manifest).size !== 0) return;
        unlinkSync(manifest);
        if (created) rmdirSync(dir);
      } catch {
        // a folder that gained files, or is gone: nothing of ours to undo
      }
    },
  };
}

function taken(option: string, dir: string, file: string): UsageError {
  return new UsageError(`${option} ${dir} already holds a run, or another stress run has claimed it (${file} exists); give a new folder`);
}

function unwritable(option: string, dir: string, error: unknown): UsageError {
  const code = errorCode(error);
  return new UsageError(`${option} ${dir}: folder cannot be created or written${code === undefined ? '' : ` (${code})`}`);
}
