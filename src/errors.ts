/** Bad usage or bad input: the CLI prints it as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
