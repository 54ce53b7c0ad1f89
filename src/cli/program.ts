/**
 * The `stress` command. Every command turns argv into validated options once, calls the API, and sets the
 * exit code; errors reach the user as one line with no stack trace.
 */
import { Command, CommanderError } from 'commander';
import { messageOf } from '../errors.js';
import { TapeInputError } from '../io/problems.js';
import { EXIT, UsageError } from './errors.js';
import { registerCommands } from './commands/index.js';
import { packageVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command('stress')
    .description('Loan-portfolio KPIs on a worker pool, and a stress harness that judges long runs.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help / version text)
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof TapeInputError) {
    process.stderr.write(`stress: ${error.details()}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`stress: ${error.message}\n`);
    return EXIT.usage;
  }
  const message = messageOf(error);
  process.stderr.write(`stress: internal error: ${message}\n`);
  if (process.env['STRESS_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
