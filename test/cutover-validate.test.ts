import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditTrail } from '../src/audit/trail.js';
import { builtInBadTapes } from '../src/cutover/bad-tapes.js';
import {
  badTapeOutcomes,
  checkAuditTrail,
  checkDataIntegrity,
  checkErrorHandling,
  checkKpiCalculations,
  checkPerformance,
  defaultParts,
  knownValueOutcomes,
  nonFiniteNumbers,
  POOL_ENGINE,
  rangeViolations,
  REFERENCE_ENGINE,
  runValidation,
  type Engine,
  type LatencyMeasurement,
  type ValidationParts,
} from '../src/cutover/validate.js';
import type { Snapshot } from '../src/engine/kpis.js';
import { readTape } from '../src/io/read-tape.js';

const dir = mkdtempSync(join(tmpdir(), 'cutover-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string) => join(mkdtempSync(join(dir, `${++counter}-`)), name);

const HEADER = 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_30_60_usd,dpd_90_plus_usd';

function csvFile(lines: string[]): string {
  const path = fresh('tape.csv');
  writeFileSync(path, `${[HEADER, ...lines].join('\n')}\n`);
  return path;
}

function snapshot(values: Partial<Snapshot>): Snapshot {
  return {
    measurement_date: '2025-01-31', rows: 1,
    total_receivable_usd: 1000, total_eligible_usd: 900, discounted_balance_usd: 950, cash_available_usd: 40,
    dpd_0_7_usd: 0, dpd_7_30_usd: 0, dpd_30_60_usd: 0, dpd_60_90_usd: 0, dpd_90_plus_usd: 0,
    par30: 4, par90: 2, collection_rate: 4, portfolio_health: 3.84, alerts: [],
    ...values,
  };
}

/** An engine that gets every PAR30 wrong by one unit in the last place. */
const OFF_BY_ONE_ULP: Engine = {
  name: 'pool',
  compute: async (tape) => (await POOL_ENGINE.compute(tape)).map((s) => ({ ...s, par30: s.par30 + s.par30 * Number.EPSILON })),
};

describe('kpi_calculations', () => {
  it('the reference and the pool give SPEC §3 known values exactly', async () => {
    const outcomes = await knownValueOutcomes([REFERENCE_ENGINE, POOL_ENGINE]);
    expect(outcomes).toHaveLength(18);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes.find((o) => o.kpi === 'par30' && o.engine === 'pool' && o.expected === 17.5)?.actual).toBe(17.5);
    expect(checkKpiCalculations(outcomes, [snapshot({})]).status).toBe('PASS');
  });

  it('FAIL when an engine is off by one ulp, naming the case and engine', async () => {
    const outcomes = await knownValueOutcomes([REFERENCE_ENGINE, OFF_BY_ONE_ULP]);
    const check = checkKpiCalculations(outcomes, [snapshot({})]);
    expect(check.status).toBe('FAIL');
    expect(check.issues[0]).toMatch(/^par30 = 17\.5 .*: pool gives par30 17\.500000000000004, expected 17\.5$/);
    // the zero-denominator case stays right: 0 + 0·ε is 0
    expect(check.metrics['known_values_wrong']).toBe(2);
  });

  it('FAIL when an engine throws', async () => {
    const broken: Engine = { name: 'pool', compute: async () => { throw new Error('worker died'); } };
    const check = checkKpiCalculations(await knownValueOutcomes([REFERENCE_ENGINE, broken]), [snapshot({})]);
    expect(check.status).toBe('FAIL');
    expect(check.issues).toContain('zero denominators give 0: pool gives par30 nothing, expected 0');
  });

  it('input KPIs out of range: PAR90 above 100 fails, PAR90 above PAR30 fails, collection above 100 warns', () => {
    expect(rangeViolations([snapshot({})])).toEqual([]);
    expect(rangeViolations([snapshot({ par90: 200, par30: 250 })]).map((v) => `${v.kpi} ${v.rule} ${v.status}`)).toEqual([
      'par30 0 ≤ par30 ≤ 100 FAIL',
      'par90 0 ≤ par90 ≤ 100 FAIL',
    ]);
    expect(rangeViolations([snapshot({ par90: 5, par30: 4 })]).map((v) => v.rule)).toEqual(['par90 ≤ par30']);
    expect(rangeViolations([snapshot({ portfolio_health: Number.NaN })]).map((v) => v.rule)).toEqual(['a finite number', '0 ≤ portfolio_health ≤ 10']);
    const known = [{ case: 'c', engine: 'e', kpi: 'par30' as const, expected: 1, actual: 1, ok: true }];
    expect(checkKpiCalculations(known, [snapshot({ collection_rate: 100.5 })]).status).toBe('WARN');
    expect(checkKpiCalculations(known, [snapshot({ collection_rate: 100 })]).status).toBe('PASS');
    expect(checkKpiCalculations(known, [snapshot({ par90: 100.01, par30: 100.01 })]).status).toBe('FAIL');
    expect(checkKpiCalculations(known, { error: 'tape.csv: empty file' }).status).toBe('FAIL');
    expect(checkKpiCalculations([], [snapshot({})]).status).toBe('FAIL');
  });
});

describe('data_integrity', () => {
  const read = () => readTape(csvFile(['L1,2025-01-31,1000.00,900.00,950.00,40.00,30.00,20.00', 'L2,2025-02-28,10.00,9.00,9.50,0.40,0.30,0.20']));

  /** The check on a real tape, the reference against `pool`. */
  async function integrityAgainst(pool: Engine) {
    const { tape } = await read();
    return checkDataIntegrity({
      sha256_before: 'a',
      sha256_after: 'a',
      input_error: null,
      results: [
        { engine: 'reference', snapshots: await REFERENCE_ENGINE.compute(tape) },
        { engine: 'pool', snapshots: await pool.compute(tape) },
      ],
    });
  }

  it('PASS when the reference and the pool agree bit for bit and the checksum holds', async () => {
    const check = await integrityAgainst(POOL_ENGINE);
    expect(check.status).toBe('PASS');
    expect(check.metrics).toMatchObject({ bit_identical: true, checksum_stable: true, snapshots: 2, non_finite_values: 0 });
  });

  it('FAIL on a one-ulp difference, naming the snapshot and the field', async () => {
    const check = await integrityAgainst(OFF_BY_ONE_ULP);
    expect(check.status).toBe('FAIL');
    expect(check.issues).toEqual(['pool differs from reference: snapshot 2025-01-31: par30 5 against 5.000000000000001']);
  });

  it('FAIL on a changed checksum, a NaN, or an engine that could not compute', () => {
    const ok = [snapshot({})];
    expect(checkDataIntegrity({ sha256_before: 'a', sha256_after: 'b', input_error: null, results: [{ engine: 'r', snapshots: ok }, { engine: 'p', snapshots: ok }] }).issues).toEqual([
      'the input changed during the validation: SHA-256 a before, b after',
    ]);
    const nan = [snapshot({ par30: Number.NaN })];
    const withNan = checkDataIntegrity({ sha256_before: 'a', sha256_after: 'a', input_error: null, results: [{ engine: 'r', snapshots: nan }, { engine: 'p', snapshots: nan }] });
    expect(withNan.status).toBe('FAIL');
    expect(withNan.issues).toEqual(['2 NaN or Infinity value(s) in the results, first r[0].par30 = NaN']);
    const rejected = checkDataIntegrity({ sha256_before: 'a', sha256_after: 'a', input_error: null, results: [{ engine: 'r', snapshots: { error: 'bad' } }, { engine: 'p', snapshots: ok }] });
    expect(rejected.status).toBe('FAIL');
    expect(rejected.issues).toEqual(['r could not compute the input: bad', 'fewer than two results to compare']);
    const unread = checkDataIntegrity({ sha256_before: 'a', sha256_after: 'a', input_error: 'tape.csv: empty file', results: [] });
    expect(unread.status).toBe('FAIL');
    expect(unread.issues).toEqual(['the input was rejected: tape.csv: empty file']);
  });

  it('nonFiniteNumbers finds NaN and Infinity at any depth', () => {
    expect(nonFiniteNumbers({ a: [1, { b: Infinity }], c: -Infinity, d: 'NaN' })).toEqual(['.a[1].b = Infinity', '.c = -Infinity']);
  });
});

describe('performance', () => {
  const m = (rows: number, p99: number, iterations = 1000): LatencyMeasurement => ({ rows, iterations, p50_ms: p99 / 2, p99_ms: p99, max_ms: p99 * 2 });

  it('p99 below 100 ms passes, 100 to 500 ms warns (both ends), above 500 ms fails', () => {
    expect(checkPerformance([m(1000, 0.05), m(100_000, 99.999)]).status).toBe('PASS');
    expect(checkPerformance([m(1000, 0.05), m(100_000, 100)]).status).toBe('WARN');
    expect(checkPerformance([m(1000, 500), m(100_000, 1)]).status).toBe('WARN');
    const failed = checkPerformance([m(1000, 0.05), m(100_000, 500.001)]);
    expect(failed.status).toBe('FAIL');
    expect(failed.issues).toEqual(['p99 500.001 ms at 100000 rows is above 500 ms']);
  });

  it('too few iterations warn; a size not measured fails', () => {
    expect(checkPerformance([m(1000, 1, 99), m(100_000, 1)]).status).toBe('WARN');
    expect(checkPerformance([m(1000, 1, 100), m(100_000, 1)]).status).toBe('PASS');
    expect(checkPerformance([m(1000, 1)]).issues).toEqual(['no latency measured at 100000 rows']);
    expect(checkPerformance([m(1000, 1)]).status).toBe('FAIL');
  });
});

describe('error_handling', () => {
  it('the real reader rejects every built-in bad tape with its expected message', async () => {
    const outcomes = await badTapeOutcomes(fresh('bad'));
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes).toHaveLength(builtInBadTapes().length);
    expect(checkErrorHandling(outcomes).status).toBe('PASS');
  });

  it('FAIL when a reader accepts a bad tape', async () => {
    const lenientAlways: ValidationParts['read'] = (path) => readTape(path, { lenient: true });
    const check = checkErrorHandling(await badTapeOutcomes(fresh('bad'), lenientAlways));
    expect(check.status).toBe('FAIL');
    expect(check.issues.find((i) => i.startsWith('bad tape "negative amount"'))).toMatch(/got accepted: 1 row\(s\) kept, 1 dropped \(negative amount 1\)$/);
  });

  it('FAIL when a tape is rejected with the wrong error', async () => {
    const wrongError: ValidationParts['read'] = async () => {
      throw new Error('something went wrong');
    };
    const check = checkErrorHandling(await badTapeOutcomes(fresh('bad'), wrongError));
    expect(check.status).toBe('FAIL');
    expect(check.metrics['handled']).toBe(0);
    expect(check.issues[0]).toMatch(/^bad tape "not a number": expected rejected: .*; got Error: something went wrong$/);
  });

  it('FAIL when a tape listed as bad is in fact good', async () => {
    const good = { name: 'good tape', file: 'tape.csv', content: `${HEADER}\nL1,2025-01-31,1,1,1,0,0,0\n`, lenient: false, expect: { kind: 'reject' as const, message: /bad/ } };
    const check = checkErrorHandling(await badTapeOutcomes(fresh('bad'), readTape, [good]));
    expect(check.status).toBe('FAIL');
    expect(check.issues[0]).toMatch(/got accepted: 1 row\(s\) kept, 0 dropped \(none\)$/);
    expect(checkErrorHandling([]).status).toBe('FAIL');
  });
});

describe('audit_trail', () => {
  function trailOf(actions: string[]): string {
    const path = fresh('trail.jsonl');
    const trail = AuditTrail.open(path, 'test');
    for (const action of actions) trail.append(action, 'ok', { n: action.length });
    trail.close();
    return path;
  }
  const expected = ['validate.start', 'validate.read', 'validate.compute', 'validate.complete'];

  it('PASS when the chain verifies and holds exactly the expected events', () => {
    const path = trailOf(['earlier', ...expected]);
    const check = checkAuditTrail({ path, trail_error: null, events_before: 1, expected_actions: expected });
    expect(check.status).toBe('PASS');
    expect(check.metrics).toMatchObject({ event_count: 4, expected_events: 4, events_in_trail: 5, chain: 'intact' });
  });

  it('FAIL on a tampered line, naming it', () => {
    const path = trailOf(expected);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"n":16', '"n":17');
    writeFileSync(path, lines.join('\n'));
    const check = checkAuditTrail({ path, trail_error: null, events_before: 0, expected_actions: expected });
    expect(check.status).toBe('FAIL');
    expect(check.metrics['chain']).toBe('broken at line 3');
    expect(check.issues[0]).toBe('the chain does not verify: line 3: hash does not match the event (edited?)');
  });

  it('FAIL on a missing event or a trail that could not be opened', () => {
    const path = trailOf(expected.slice(0, 3));
    expect(checkAuditTrail({ path, trail_error: null, events_before: 0, expected_actions: expected }).issues).toEqual([
      'expected events validate.start, validate.read, validate.compute, validate.complete; found validate.start, validate.read, validate.compute',
    ]);
    const unopened = checkAuditTrail({ path: fresh('none.jsonl'), trail_error: 'permission denied', events_before: 0, expected_actions: expected });
    expect(unopened.status).toBe('FAIL');
    expect(unopened.issues[0]).toBe('the trail could not be written: permission denied');
  });
});

describe('runValidation', () => {
  const fastLatency: ValidationParts['measureLatency'] = async (sizes) => sizes.map((rows) => ({ rows, iterations: 1000, p50_ms: 0.1, p99_ms: 0.2, max_ms: 0.3 }));
  const parts: ValidationParts = { ...defaultParts(), measureLatency: fastLatency };

  it('a sound tape passes every check', async () => {
    const input = csvFile(['L1,2025-01-31,1000.00,900.00,950.00,40.00,30.00,20.00']);
    const report = await runValidation({ input, workDir: fresh('work'), trailPath: fresh('trail.jsonl'), perfSeconds: 0.1 }, parts);
    expect(report.issues).toEqual([]);
    expect(report.status).toBe('PASS');
    expect(report.input).toMatchObject({ path: input, generated: false, rows: 1, snapshots: 1 });
  });

  it('a tape whose 90+ bucket exceeds its receivable fails kpi_calculations and only that', async () => {
    const input = csvFile(['L1,2025-01-31,1000.00,900.00,950.00,40.00,0,2000.00']);
    const report = await runValidation({ input, workDir: fresh('work'), trailPath: fresh('trail.jsonl'), perfSeconds: 0.1 }, parts);
    expect(report.status).toBe('FAIL');
    expect(Object.entries(report.checks).filter(([, c]) => c.status !== 'PASS').map(([name]) => name)).toEqual(['kpi_calculations']);
    // PAR30 holds the 90+ bucket too
    expect(report.issues).toEqual(['kpi_calculations: 2025-01-31: par30 200 breaks 0 ≤ par30 ≤ 100', 'kpi_calculations: 2025-01-31: par90 200 breaks 0 ≤ par90 ≤ 100']);
  });

  it('a rejected tape fails kpi_calculations and data_integrity and leaves start and fail in the trail', async () => {
    const input = csvFile(['L1,2025-01-31,1000.00,-900.00,950.00,40.00,0,0']);
    const trailPath = fresh('trail.jsonl');
    const report = await runValidation({ input, workDir: fresh('work'), trailPath, perfSeconds: 0.1 }, parts);
    expect(report.status).toBe('FAIL');
    expect(report.checks.kpi_calculations.status).toBe('FAIL');
    expect(report.checks.data_integrity.status).toBe('FAIL');
    expect(report.checks.audit_trail.status).toBe('PASS');
    expect(report.checks.audit_trail.metrics['actions']).toEqual(['validate.start', 'validate.fail']);
    expect(report.issues).toContain(`data_integrity: the input was rejected: ${input}: line 2, column total_eligible_usd, value "-900.00": negative amount`);
    expect(report.issues).toContain(`kpi_calculations: the input's KPIs could not be checked: input rejected: ${input}: line 2, column total_eligible_usd, value "-900.00": negative amount`);
    expect(report.input.rows).toBeNull();
  });

  it('a trail tampered before the run fails audit_trail, and the other checks still run', async () => {
    const input = csvFile(['L1,2025-01-31,1000.00,900.00,950.00,40.00,30.00,20.00']);
    const trailPath = fresh('trail.jsonl');
    await runValidation({ input, workDir: fresh('work'), trailPath, perfSeconds: 0.1 }, parts);
    writeFileSync(trailPath, readFileSync(trailPath, 'utf8').replace('"rows":1', '"rows":2'));
    const report = await runValidation({ input, workDir: fresh('work'), trailPath, perfSeconds: 0.1 }, parts);
    expect(report.checks.audit_trail.status).toBe('FAIL');
    expect(report.issues[0]).toMatch(/^audit_trail: the trail could not be written: audit trail .* is broken at line 2: hash does not match/);
    expect(report.checks.kpi_calculations.status).toBe('PASS');
    expect(report.checks.data_integrity.status).toBe('PASS');
  });

  it('an injected slow engine fails performance', async () => {
    const slow: ValidationParts['measureLatency'] = async (sizes) => sizes.map((rows) => ({ rows, iterations: 1000, p50_ms: 300, p99_ms: rows > 1000 ? 750 : 80, max_ms: 900 }));
    const input = csvFile(['L1,2025-01-31,1000.00,900.00,950.00,40.00,30.00,20.00']);
    const report = await runValidation({ input, workDir: fresh('work'), trailPath: fresh('trail.jsonl'), perfSeconds: 0.1 }, { ...parts, measureLatency: slow });
    expect(report.status).toBe('FAIL');
    expect(report.issues).toEqual(['performance: p99 750 ms at 100000 rows is above 500 ms']);
  });
});
