/** Whole-file writes that never leave a half-written file under the final name, and appends of whole lines. */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Write to a temporary file beside the target, fsync it, and rename it over the target: a reader sees the old
 * file or the whole new one, and a crash leaves at most a stray temporary file, never a truncated result.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw withPath(error, path);
  }
}

/**
 * Append `data` at the end of a file that this process alone writes, whole or not at all. A disk (or a
 * file-size limit) that fills up in the middle of a write takes part of it and then refuses the rest; the
 * part is cut off again and the refusal thrown, with the file's path, so that readers never meet a torn line.
 */
export function appendWhole(fd: number, data: string | Uint8Array, path: string): void {
  const start = fstatSync(fd).size;
  try {
    // at the end as it was measured, so that a file opened without O_APPEND goes on from a cut as well
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data, start);
  } catch (error) {
    try {
      ftruncateSync(fd, start);
    } catch {
      // even the cut failed: the readers of these files skip a torn last line
    }
    throw withPath(error, path);
  }
}

/**
 * write() may take only part of the bytes (a disk filling up): the rest is written until all of it is, or
 * until the write that cannot go on throws. `position` null: at the file's current offset.
 */
function writeAll(fd: number, bytes: Uint8Array, position: number | null = null): void {
  for (let written = 0; written < bytes.length; ) {
    written += writeSync(fd, bytes, written, bytes.length - written, position === null ? null : position + written);
  }
}

/** write() errors do not say which file; the caller's message should. */
function withPath(error: unknown, path: string): unknown {
  if (error instanceof Error && (error as NodeJS.ErrnoException).path === undefined) (error as NodeJS.ErrnoException).path = path;
  return error;
}
