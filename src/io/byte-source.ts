/**
 * Positional reads of an open file, by a FileHandle or by a bare file descriptor.
 *
 * A parallel reader's worker threads read the file the calling thread opened: threads share the process's
 * descriptors, so the worker reads through the calling thread's descriptor (which stays open until every
 * worker has answered) rather than opening the path again, and reads the very file the calling thread
 * planned, even if the path was replaced or removed in between.
 */
import { fstat, read } from 'node:fs';

export interface ByteSource {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
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
  };
}
