/** Bit-level views of results, so that "equal" means bit-identical (+0 ≠ −0, every last ulp). */

const scratch = new Float64Array(1);
const scratchBits = new BigUint64Array(scratch.buffer);

export function bitsOf(value: number): string {
  scratch[0] = value;
  return scratchBits[0]!.toString(16);
}

/** A JSON rendering in which every number is replaced by its IEEE-754 bits. */
export function bitwise(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? `f64:${bitsOf(v)}` : v));
}
