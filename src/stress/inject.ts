/**
 * `--inject`: faults injected into a soak on purpose, to test the harness and to rehearse failure.
 *
 *   --inject worker-crash=0.001,hang=0.0005,throw=0.01,leak=1KiB
 *
 * Rates are per iteration (0..1, at most 1 in all); `leak` is the memory each iteration retains for good,
 * a size as --max-memory takes it (byteSize: a bare number is bytes; KiB, MiB, kB, MB…). The runner draws
 * each iteration's fault here, on the main thread; the worker that runs the iteration acts it out
 * (workers/faults.ts).
 */
import { byteSize } from '../cli/options.js';
import { UsageError } from '../errors.js';
import type { FaultKind, IterationFault } from '../workers/faults.js';

export interface InjectSpec {
  /** per-iteration probabilities */
  readonly worker_crash: number;
  readonly hang: number;
  readonly throw: number;
  /** bytes retained per iteration */
  readonly leak_bytes: number;
}

/** An injected leak larger than this per iteration would exhaust memory within seconds: refused. */
export const MAX_LEAK_BYTES = 16 * 2 ** 20;

const RATE_KEYS = { 'worker-crash': 'worker_crash', hang: 'hang', throw: 'throw' } as const;

/** The spec that injects nothing. */
export const NO_FAULTS: InjectSpec = { worker_crash: 0, hang: 0, throw: 0, leak_bytes: 0 };

/** "worker-crash=0.001,leak=1KiB" → the spec; anything else is a UsageError naming the part at fault. */
export function parseInjectSpec(text: string, option = '--inject'): InjectSpec {
  const spec = { ...NO_FAULTS };
  const seen = new Set<string>();
  const parts = text.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) throw new UsageError(`${option}: empty; expected e.g. worker-crash=0.001,hang=0.0005,throw=0.01,leak=1KiB`);
  for (const part of parts) {
    const match = /^([a-z-]+)=(.+)$/.exec(part);
    if (!match) throw new UsageError(`${option}: "${part}" is not KEY=VALUE (keys: worker-crash, hang, throw, leak)`);
    const [, key, value] = match as unknown as [string, string, string];
    if (seen.has(key)) throw new UsageError(`${option}: ${key} is given twice`);
    seen.add(key);
    if (key === 'leak') {
      spec.leak_bytes = parseLeak(option, value);
    } else if (key in RATE_KEYS) {
      const rate = Number(value);
      if (!/^\d*\.?\d+(e-?\d+)?$/i.test(value) || !(rate >= 0 && rate <= 1)) {
        throw new UsageError(`${option}: ${key}=${value}: a rate per iteration is a number from 0 to 1`);
      }
      spec[RATE_KEYS[key as keyof typeof RATE_KEYS]] = rate;
    } else {
      throw new UsageError(`${option}: unknown fault "${key}" (known: worker-crash, hang, throw, leak)`);
    }
  }
  const total = spec.worker_crash + spec.hang + spec.throw;
  if (total > 1) throw new UsageError(`${option}: the rates add up to ${total}, more than 1 per iteration`);
  return spec;
}

function parseLeak(option: string, value: string): number {
  const bytes = byteSize(value);
  if (Number.isNaN(bytes)) throw new UsageError(`${option}: leak=${value}: a size such as 1024, 512B, 1KiB or 2MiB`);
  if (bytes > MAX_LEAK_BYTES) throw new UsageError(`${option}: leak=${value}: at most ${MAX_LEAK_BYTES / 2 ** 20} MiB per iteration`);
  return bytes;
}

/** True when the spec injects nothing. */
export function injectsNothing(spec: InjectSpec): boolean {
  return spec.worker_crash === 0 && spec.hang === 0 && spec.throw === 0 && spec.leak_bytes === 0;
}

/**
 * Each iteration's fault, drawn at random by the spec's rates: one uniform draw picks at most one fault
 * (crash, hang or throw), and every iteration carries the leak.
 */
export function faultDrawer(spec: InjectSpec, random: () => number = Math.random): () => IterationFault | null {
  if (injectsNothing(spec)) return () => null;
  const leakOnly: IterationFault = { kind: null, leakBytes: spec.leak_bytes };
  const faults: { readonly upTo: number; readonly fault: IterationFault }[] = [];
  let upTo = 0;
  for (const [kind, rate] of [['crash', spec.worker_crash], ['hang', spec.hang], ['throw', spec.throw]] as [FaultKind, number][]) {
    upTo += rate;
    if (rate > 0) faults.push({ upTo, fault: { kind, leakBytes: spec.leak_bytes } });
  }
  return () => {
    const draw = random();
    for (const { upTo: limit, fault } of faults) if (draw < limit) return fault;
    return spec.leak_bytes > 0 ? leakOnly : null;
  };
}
