/**
 * Positional reads of an open file, by a FileHandle or by a bare file descriptor.
 *
 * A parallel reader's worker threads read the file the calling thread opened: threads share the process's
 * descriptors, so the worker reads through the calling thread's descriptor (which stays open until every
 * worker has answered) rather than opening the path again, and reads the very file the calling thread
 * planned, even if the path was replaced or removed in between.
 */
import { read, readSync } from 'node:fs';

export interface ByteSource {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /**
   * The same read on the calling thread, where there is one: for small reads whose bytes the thread uses at
   * once, while they are in its cache (the Arrow reader's dollars).
   */
  readSync?(buffer: Uint8Array, offset: number, length: number, position: number): number;
}

/** `length` bytes at `position` into `buffer` from `offset` by a source's readSync; false when the file ends first. */
export function readExactlySync(readFrom: NonNullable<ByteSource['readSync']>, buffer: Uint8Array, offset: number, length: number, position: number): boolean {
  for (let done = 0; done < length; ) {
    const bytesRead = readFrom(buffer, offset + done, length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}

/**
 * A ByteSource over a descriptor that somebody else opened and will close (a worker's view of the calling
 * thread's file, or the calling thread's own FileHandle's descriptor, for the reads on the calling thread).
 */
export function descriptorSource(fd: number): ByteSource {
  return {
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) => {
        read(fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve({ bytesRead })));
      }),
    readSync: (buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
  };
}
