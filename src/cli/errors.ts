/** Exit codes (SPEC §5) and the error that carries a usage or input problem to the edge. */

export const EXIT = {
  ok: 0,
  /** the judged thing failed: criteria, regression, tolerance */
  failed: 1,
  /** bad usage or bad input */
  usage: 2,
  interrupted: 130,
} as const;

export { UsageError } from '../errors.js';
