import { describe, expect, it } from 'vitest';
import { checkpointSchedule, decide, type CheckpointPoint } from '../src/stress/checkpoints.js';
import type { CriterionResult, Verdict } from '../src/stress/criteria.js';

const HOUR = 3_600_000;

describe('checkpointSchedule', () => {
  it('is the seeds schedule for 24 hours, with decision points at 1H, 8H and 24H', () => {
    const plan = checkpointSchedule(24 * HOUR);
    expect(plan.map((p) => p.at_ms / HOUR)).toEqual([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24]);
    expect(plan.filter((p) => p.decision_point).map((p) => p.label)).toEqual(['1H', '8H', '24H']);
    expect(plan.map((p) => p.index)).toEqual([...Array(18).keys()]);
    expect(plan[1]).toEqual({ index: 1, hour: 1.5, label: '1.5H', at_ms: 1.5 * HOUR, decision_point: false });
  });

  it('scales to the run: H = duration / 24', () => {
    const plan = checkpointSchedule(3 * 60_000); // H = 7.5 s
    expect(plan.map((p) => p.at_ms)).toEqual([7500, 11_250, 15_000, 18_750, 22_500, 26_250, 30_000, 33_750, 37_500, 45_000, 52_500, 60_000, 75_000, 90_000, 105_000, 120_000, 150_000, 180_000]);
    const odd = checkpointSchedule(1000); // whole milliseconds, the last exactly at the end
    expect(odd[0]!.at_ms).toBe(42);
    expect(odd.at(-1)!.at_ms).toBe(1000);
    for (let i = 1; i < odd.length; i++) expect(odd[i]!.at_ms).toBeGreaterThan(odd[i - 1]!.at_ms);
  });

  it('refuses a duration that is not positive', () => {
    expect(() => checkpointSchedule(0)).toThrow(RangeError);
    expect(() => checkpointSchedule(Number.NaN)).toThrow(RangeError);
  });
});

describe('decide (the seeds decision matrix)', () => {
  const names: CriterionResult['name'][] = ['error_rate', 'latency', 'memory', 'memory_drift', 'cpu', 'data_integrity', 'audit_trail'];
  const results = (verdicts: Partial<Record<CriterionResult['name'], Verdict>>): CriterionResult[] =>
    names.map((name) => ({
      name,
      measured: 1,
      unit: 'x',
      pass_threshold: 0,
      fail_threshold: 1,
      pass_rule: '',
      fail_rule: '',
      verdict: verdicts[name] ?? 'PASS',
      detail: `${name} detail`,
    }));
  const point: CheckpointPoint = checkpointSchedule(24 * HOUR)[11]!; // 8H

  it('continues when every criterion passes, with no reasons', () => {
    expect(decide(point, results({}))).toEqual({ checkpoint: '8H', hour: 8, decision: 'continue', reasons: [] });
  });

  it.each([
    ['error_rate', 'roll back'],
    ['data_integrity', 'roll back'],
    ['audit_trail', 'roll back'],
    ['latency', 'investigate'],
    ['memory_drift', 'investigate'],
    ['memory', 'investigate'],
    ['cpu', 'investigate'],
  ] as const)('a FAIL of %s means %s', (name, decision) => {
    const d = decide(point, results({ [name]: 'FAIL' }));
    expect(d.decision).toBe(decision);
    expect(d.reasons).toHaveLength(1);
    expect(d.reasons[0]).toContain(`${name} detail`);
  });

  it('rolls back over investigating, and lists every reason, warnings last', () => {
    const d = decide(point, results({ latency: 'FAIL', audit_trail: 'FAIL', cpu: 'WARN' }));
    expect(d.decision).toBe('roll back');
    expect(d.reasons).toEqual([
      'audit trail failed: audit_trail detail',
      'latency above the fail line, sustained: latency detail',
      'cpu WARN: cpu detail',
    ]);
  });

  it('continues through warnings, naming them', () => {
    const d = decide(point, results({ memory: 'WARN', error_rate: 'WARN' }));
    expect(d.decision).toBe('continue');
    expect(d.reasons).toEqual(['error_rate WARN: error_rate detail', 'memory WARN: memory detail']);
  });
});
