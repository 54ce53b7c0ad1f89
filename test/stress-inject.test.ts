import { describe, expect, it } from 'vitest';
import { faultDrawer, injectsNothing, MAX_LEAK_BYTES, NO_FAULTS, parseInjectSpec } from '../src/stress/inject.js';

describe('parseInjectSpec', () => {
  it('reads rates per iteration and the leak in bytes, any subset, any order', () => {
    expect(parseInjectSpec('worker-crash=0.001,hang=0.0005,throw=0.01,leak=1KiB')).toEqual({ worker_crash: 0.001, hang: 0.0005, throw: 0.01, leak_bytes: 1024 });
    expect(parseInjectSpec('leak=2MiB, throw=1e-3')).toEqual({ worker_crash: 0, hang: 0, throw: 0.001, leak_bytes: 2 * 2 ** 20 });
    expect(parseInjectSpec('leak=512').leak_bytes).toBe(512);
    expect(parseInjectSpec('leak=3kb').leak_bytes).toBe(3000);
    // the sizes --max-memory takes (byteSize), fractions of a unit included
    expect(parseInjectSpec('leak=1.5KiB').leak_bytes).toBe(1536);
    expect(parseInjectSpec('leak=16MiB').leak_bytes).toBe(MAX_LEAK_BYTES);
    expect(parseInjectSpec('leak=0').leak_bytes).toBe(0);
    expect(injectsNothing(parseInjectSpec('throw=0'))).toBe(true);
  });

  it('refuses anything else with a message naming the part', () => {
    expect(() => parseInjectSpec('')).toThrow(/--inject: empty/);
    expect(() => parseInjectSpec('throw=-0.1')).toThrow(/throw=-0.1: a rate per iteration is a number from 0 to 1/);
    expect(() => parseInjectSpec('throw=abc')).toThrow(/throw=abc/);
    expect(() => parseInjectSpec('leak=1.5XiB')).toThrow(/leak=1.5XiB: a size such as/);
    expect(() => parseInjectSpec('leak=-1KiB')).toThrow(/leak=-1KiB: a size such as/);
    expect(() => parseInjectSpec('leak=1GiB')).toThrow(/leak=1GiB: at most 16 MiB per iteration/);
  });
});

describe('faultDrawer', () => {
  it('draws each fault at its rate, at most one per iteration, and the leak with every iteration', () => {
    // a deterministic sequence of draws spread evenly over [0, 1)
    let i = 0;
    const n = 10_000;
    const draw = faultDrawer({ worker_crash: 0.01, hang: 0.02, throw: 0.1, leak_bytes: 64 }, () => (i++ % n) / n);
    const counts = { crash: 0, hang: 0, throw: 0, none: 0 };
    for (let k = 0; k < n; k++) {
      const fault = draw();
      expect(fault?.leakBytes).toBe(64);
      counts[fault!.kind ?? 'none'] += 1;
    }
    expect(counts).toEqual({ crash: 100, hang: 200, throw: 1000, none: 8700 });
  });

  it('injects nothing without a spec', () => {
    const draw = faultDrawer(NO_FAULTS, () => 0);
    expect(draw()).toBeNull();
  });
});
