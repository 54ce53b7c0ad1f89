/** The message of anything thrown: an Error's own message, anything else as a string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Bad usage or bad input: the CLI prints it as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
