/**
 * The data-integrity check of a soak: every iteration's KPI result is compared with the reference computed at
 * the start, bit for bit. Both sides are turned into one canonical text — object keys sorted, every number
 * written as the 16 hex digits of its IEEE-754 bits — and the texts compared. Unlike a deep-equality check,
 * this tells 0 from -0 and 0.1 + 0.2 from 0.3, and it is the same text in every thread, so a worker can send
 * its result as one string.
 */
import type { Snapshot } from '../engine/kpis.js';

const bits = new DataView(new ArrayBuffer(8));

function numberBits(value: number): string {
  bits.setFloat64(0, value);
  return bits.getBigUint64(0).toString(16).padStart(16, '0');
}

function encode(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return numberBits(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${encode(record[key])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** The canonical text of a KPI result (snapshots in the order given, which the engine sorts). */
export function encodeKpis(snapshots: readonly Snapshot[]): string {
  return encode(snapshots);
}
