/** Validation problems of an input tape, and the error that carries them to the edge. */

export interface Problem {
  readonly file: string;
  /** 1-based line of a CSV file, or 1-based row of an Arrow or Parquet file; 0 for the file as a whole */
  readonly line: number;
  readonly lineKind: 'line' | 'row';
  /** the column (as named in the header), or null when the problem is not one cell's */
  readonly column: string | null;
  /** the offending value as read (cut to 60 characters), or null */
  readonly value: string | null;
  /** what is wrong, e.g. "negative amount"; also the key under which lenient mode counts dropped rows */
  readonly reason: string;
}

/** At most this many problems are listed; the total is always counted. */
export const MAX_LISTED_PROBLEMS = 20;

export function describeProblem(p: Problem): string {
  const parts: string[] = [];
  if (p.line > 0) parts.push(`${p.lineKind} ${p.line}`);
  if (p.column !== null) parts.push(`column ${p.column}`);
  if (p.value !== null) parts.push(`value ${JSON.stringify(cut(p.value))}`);
  return `${p.file}: ${parts.length > 0 ? `${parts.join(', ')}: ` : ''}${p.reason}`;
}

function cut(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/** The input was rejected: `problems` lists the first MAX_LISTED_PROBLEMS of `total`. */
export class TapeInputError extends Error {
  constructor(
    readonly problems: readonly Problem[],
    readonly total: number,
  ) {
    const first = problems[0];
    const more = total > 1 ? ` (${total} problems in all)` : '';
    super(first ? `${describeProblem(first)}${more}` : 'invalid input');
    this.name = 'TapeInputError';
  }

  /** The first line, then the other listed problems one per line. */
  details(): string {
    return [this.message, ...this.problems.slice(1).map((p) => `  ${describeProblem(p)}`)].join('\n');
  }
}

/** Collects problems: keeps the first MAX_LISTED_PROBLEMS and counts all, by reason. */
export class ProblemLog {
  readonly listed: Problem[] = [];
  readonly byReason: Record<string, number> = {};
  total = 0;

  add(problem: Problem): void {
    this.total += 1;
    this.byReason[problem.reason] = (this.byReason[problem.reason] ?? 0) + 1;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(problem);
  }

  toError(): TapeInputError {
    return new TapeInputError(this.listed, this.total);
  }
}
