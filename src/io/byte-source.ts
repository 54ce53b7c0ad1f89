/**
 * Positional reads of an open file, by a FileHandle or by a bare file descriptor.
 *
 * A parallel reader's worker threads read the file the calling thread opened: threads share the process's
 * descriptors, so the worker reads through the calling thread's descriptor (which stays open until every
 * worker has answered) rather than opening the path again, and reads the very file the calling thread
 * planned, even if the path was replaced or removed in between.
 */
import { fstat, read, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export interface ByteSource {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  /**
   * The same read on the calling thread, where there is one: for small reads whose bytes the thread uses at
   * once, while they are in its cache (the Arrow reader's dollars).
   */
  readSync?(buffer: Uint8Array, offset: number, length: number, position: number): number;
}

/** `length` bytes at `position` into `buffer` from `offset` on the calling thread; false when the file ends first. */
export function readExactlySync(source: Required<Pick<ByteSource, 'readSync'>>, buffer: Uint8Array, offset: number, length: number, position: number): boolean {
  for (let done = 0; done < length; ) {
    const bytesRead = source.readSync(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

/** A ByteSource over a FileHandle, with its reads on the calling thread too. */
export function handleSource(handle: FileHandle): ByteSource {
  return {
    read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
    stat: () => handle.stat(),
    readSync: (buffer, offset, length, position) => readSync(handle.fd, buffer, offset, length, position),
  };
}

/** A ByteSource over a descriptor that somebody else opened and will close. */
export function descriptorSource(fd: number): ByteSource {
  return {
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) => {
        read(fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve({ bytesRead })));
      }),
    stat: () =>
      new Promise((resolve, reject) => {
        fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats)));
      }),
    readSync: (buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  };
}
