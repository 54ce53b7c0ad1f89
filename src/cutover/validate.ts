/**
 * `stress validate`: the five checks of the seeds' validation suite, each of which can fail.
 *
 * - kpi_calculations: SPEC §3's known values, computed by the serial reference and by the worker pool; and
 *   every KPI of the input within its range.
 * - data_integrity: the input's SHA-256 before and after the validation's own compute equal; the reference
 *   and the pool bit-identical on the input; no NaN or Infinity in any result.
 * - performance: p99 latency of the engine at 1k and 100k rows against SPEC §4's latency bands.
 * - error_handling: the built-in bad tapes (bad-tapes.ts), each rejected with its expected error.
 * - audit_trail: the validation's own compute writes its events into a hash-chained trail, and the chain
 *   verifies with exactly the events written.
 *
 * Each check is a function of its evidence, and every part that gathers evidence (the engines, the reader,
 * the latency measurement) is a parameter, so a test can hand in a broken part and watch the check fail.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, readTrail } from '../audit/trail.js';
import type { Tape } from '../engine/columns.js';
import { KPI_NAMES, type KpiName, type Snapshot } from '../engine/kpis.js';
import { referenceSnapshots } from '../engine/reference.js';
import { messageOf } from '../errors.js';
import { TapeInputError } from '../io/problems.js';
import { readTape } from '../io/read-tape.js';
import { sha256File } from '../io/sha256.js';
import { writeSyntheticFile } from '../io/synthetic.js';
import type { ReadOptions, ReadResult } from '../io/tape-builder.js';
import { DEFAULT_CRITERIA, type Band, type Verdict } from '../stress/criteria.js';
import { encodeKpis } from '../stress/integrity.js';
import { runLoad } from '../stress/load.js';
import { KpiPool } from '../workers/kpi-pool.js';
import { builtInBadTapes, type BadTape } from './bad-tapes.js';
import { knownValueCases, tapeOfRows, type KnownValueCase } from './known-values.js';

export type CheckStatus = Verdict;
export const CHECK_NAMES = ['kpi_calculations', 'data_integrity', 'performance', 'error_handling', 'audit_trail'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
  readonly status: CheckStatus;
  /** one line: what was checked and the verdict's reason */
  readonly details: string;
  readonly metrics: Readonly<Record<string, unknown>>;
  /** each problem found, one line each (they make the report's `issues`) */
  readonly issues: readonly string[];
}

export interface ValidationReport {
  readonly timestamp: string;
  readonly status: CheckStatus;
  readonly input: InputSummary;
  readonly audit_trail_file: string;
  readonly checks: Readonly<Record<CheckName, Omit<CheckResult, 'issues'>>>;
  readonly issues: readonly string[];
}

export interface InputSummary {
  readonly path: string;
  /** true when no --input was given and a synthetic tape was written for the validation */
  readonly generated: boolean;
  readonly bytes: number;
  readonly sha256: string;
  /** rows kept, or null when the input was rejected */
  readonly rows: number | null;
  readonly snapshots: number | null;
}

/** A way of computing the snapshots of a tape: the checks compare these against each other and against SPEC §3. */
export interface Engine {
  readonly name: string;
  readonly compute: (tape: Tape) => Promise<Snapshot[]>;
}

export const REFERENCE_ENGINE: Engine = { name: 'reference', compute: async (tape) => referenceSnapshots(tape) };

/**
 * The pool with every row summed by worker threads (crossover 0, at least two threads), so that the partition,
 * the workers' shared-memory sums and the merge are all exercised even on a tape of a few rows.
 */
export const POOL_ENGINE: Engine = {
  name: 'pool',
  compute: async (tape) => {
    const pool = await KpiPool.open(tape, { crossoverRows: 0, threads: Math.max(2, availableParallelism()) });
    try {
      return await pool.snapshots();
    } finally {
      await pool.close();
    }
  },
};

function worst(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.includes('FAIL') ? 'FAIL' : statuses.includes('WARN') ? 'WARN' : 'PASS';
}

function result(status: CheckStatus, details: string, metrics: Record<string, unknown>, issues: readonly string[] = []): CheckResult {
  return { status, details, metrics, issues };
}

// ---------------------------------------------------------------------------------------------- kpi_calculations

/** A known value matches exactly, or, where SPEC §3 states it rounded (health 6.10), at its decimals. */
function matchesKnown(actual: number, expected: number, decimals: number | undefined): boolean {
  return decimals === undefined ? Object.is(actual, expected) : actual.toFixed(decimals) === expected.toFixed(decimals);
}

export interface KnownValueOutcome {
  readonly case: string;
  readonly engine: string;
  readonly kpi: KpiName;
  readonly expected: number;
  /** null when the engine failed or returned no snapshot */
  readonly actual: number | null;
  readonly ok: boolean;
}

export async function knownValueOutcomes(engines: readonly Engine[], cases: readonly KnownValueCase[] = knownValueCases()): Promise<KnownValueOutcome[]> {
  const outcomes: KnownValueOutcome[] = [];
  for (const known of cases) {
    for (const engine of engines) {
      let snapshot: Snapshot | undefined;
      try {
        const snapshots = await engine.compute(tapeOfRows(known.rows).tape);
        snapshot = snapshots.length === 1 ? snapshots[0] : undefined;
      } catch {
        snapshot = undefined;
      }
      for (const [kpi, expected] of Object.entries(known.expected) as [KpiName, number][]) {
        const actual = snapshot === undefined ? null : snapshot[kpi];
        outcomes.push({ case: known.name, engine: engine.name, kpi, expected, actual, ok: actual !== null && matchesKnown(actual, expected, known.decimals?.[kpi]) });
      }
    }
  }
  return outcomes;
}

/** A KPI value outside its possible range: a FAIL, or (collection above 100 %) a WARN. */
export interface RangeViolation {
  readonly measurement_date: string;
  readonly group?: string;
  readonly kpi: KpiName;
  readonly value: number;
  readonly rule: string;
  readonly status: 'WARN' | 'FAIL';
}

/**
 * The ranges of SPEC §3's formulas with non-negative amounts: PAR30 and PAR90 are shares of the receivable, so
 * 0-100, and PAR90 (the 90+ bucket alone) never above PAR30; health is clamped to 0-10. The collection rate
 * is cash over the eligible balance and may pass 100 % (more cash than borrowing base), which is unusual
 * enough to warn about but not impossible.
 */
export function rangeViolations(snapshots: readonly Snapshot[]): RangeViolation[] {
  const violations: RangeViolation[] = [];
  for (const s of snapshots) {
    const where = { measurement_date: s.measurement_date, ...(s.group === undefined ? {} : { group: s.group }) };
    const add = (kpi: KpiName, rule: string, status: 'WARN' | 'FAIL' = 'FAIL') => violations.push({ ...where, kpi, value: s[kpi], rule, status });
    for (const kpi of KPI_NAMES) if (!Number.isFinite(s[kpi])) add(kpi, 'a finite number');
    if (!(s.par30 >= 0 && s.par30 <= 100)) add('par30', '0 ≤ par30 ≤ 100');
    if (!(s.par90 >= 0 && s.par90 <= 100)) add('par90', '0 ≤ par90 ≤ 100');
    if (!(s.par90 <= s.par30)) add('par90', 'par90 ≤ par30');
    if (!(s.collection_rate >= 0)) add('collection_rate', 'collection_rate ≥ 0');
    else if (s.collection_rate > 100) add('collection_rate', 'collection_rate ≤ 100 (cash above the eligible balance)', 'WARN');
    if (!(s.portfolio_health >= 0 && s.portfolio_health <= 10)) add('portfolio_health', '0 ≤ portfolio_health ≤ 10');
  }
  return violations;
}

/** `input` is the input's snapshots (by the pool), or the message that rejected it. */
export function checkKpiCalculations(known: readonly KnownValueOutcome[], input: readonly Snapshot[] | { readonly error: string }): CheckResult {
  const wrong = known.filter((o) => !o.ok);
  const issues = wrong.map((o) => `${o.case}: ${o.engine} gives ${o.kpi} ${o.actual ?? 'nothing'}, expected ${o.expected}`);
  const metrics: Record<string, unknown> = {
    known_values_checked: known.length,
    known_values_wrong: wrong.length,
    known_values: known,
  };
  if (known.length === 0) issues.push('no known value was checked');
  if ('error' in input) {
    issues.push(`the input's KPIs could not be checked: ${input.error}`);
    return result('FAIL', `known values ${known.length - wrong.length}/${known.length} right; input rejected`, metrics, issues);
  }
  const violations = rangeViolations(input);
  for (const v of violations) {
    issues.push(`${v.measurement_date}${v.group === undefined ? '' : ` ${v.group}`}: ${v.kpi} ${v.value} breaks ${v.rule}${v.status === 'WARN' ? ' (warning)' : ''}`);
  }
  const span = (kpi: KpiName) =>
    input.length === 0
      ? null
      : input.reduce((r, s) => ({ min: Math.min(r.min, s[kpi]), max: Math.max(r.max, s[kpi]) }), { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY });
  Object.assign(metrics, {
    input_snapshots: input.length,
    input_ranges: Object.fromEntries(KPI_NAMES.map((kpi) => [kpi, span(kpi)])),
    range_violations: violations,
  });
  const status = worst([known.length === 0 || wrong.length > 0 ? 'FAIL' : 'PASS', ...violations.map((v) => v.status)]);
  const details =
    `known values of SPEC §3 ${known.length - wrong.length}/${known.length} right (reference and pool); ` +
    `${input.length} input snapshot(s), ${violations.length} KPI(s) out of range`;
  return result(status, details, metrics, issues);
}

// ------------------------------------------------------------------------------------------------ data_integrity

export interface IntegrityEvidence {
  readonly sha256_before: string;
  readonly sha256_after: string;
  /** why the reader rejected the input (nothing could be computed), or null */
  readonly input_error: string | null;
  /** each engine's snapshots of the input, or the message that stopped it */
  readonly results: readonly { readonly engine: string; readonly snapshots: readonly Snapshot[] | { readonly error: string } }[];
}

/** Paths of the numbers that are NaN or ±Infinity in a value, e.g. "[3].par30". */
export function nonFiniteNumbers(value: unknown, path = ''): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path || '(value)'} = ${value}`];
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nonFiniteNumbers(item, `${path}[${i}]`));
  return Object.entries(value).flatMap(([key, item]) => nonFiniteNumbers(item, `${path}.${key}`));
}

/** The first field where two results differ bit for bit, for the report. */
function firstDifference(a: readonly Snapshot[], b: readonly Snapshot[]): string {
  if (a.length !== b.length) return `${a.length} against ${b.length} snapshots`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)]) as Set<keyof Snapshot>) {
      const u = x[key];
      const v = y[key];
      // Object.is tells 0 from -0, as the bit-level comparison does
      if (typeof u === 'number' && typeof v === 'number' ? !Object.is(u, v) : JSON.stringify(u) !== JSON.stringify(v)) {
        return `snapshot ${x.measurement_date}${x.group === undefined ? '' : ` ${x.group}`}: ${key} ${JSON.stringify(x[key])} against ${JSON.stringify(y[key])}`;
      }
    }
  }
  return 'no difference found field by field';
}

export function checkDataIntegrity(evidence: IntegrityEvidence): CheckResult {
  const issues: string[] = [];
  const checksumStable = evidence.sha256_before === evidence.sha256_after;
  if (!checksumStable) issues.push(`the input changed during the validation: SHA-256 ${evidence.sha256_before} before, ${evidence.sha256_after} after`);
  if (evidence.input_error !== null) issues.push(`the input was rejected: ${evidence.input_error}`);
  const computed: { engine: string; snapshots: readonly Snapshot[] }[] = [];
  for (const r of evidence.results) {
    if ('error' in r.snapshots) issues.push(`${r.engine} could not compute the input: ${r.snapshots.error}`);
    else computed.push({ engine: r.engine, snapshots: r.snapshots });
  }
  const nonFinite = computed.flatMap((r) => nonFiniteNumbers(r.snapshots).map((where) => `${r.engine}${where}`));
  if (nonFinite.length > 0) issues.push(`${nonFinite.length} NaN or Infinity value(s) in the results, first ${nonFinite[0]}`);
  const [first, ...others] = computed;
  const mismatches: string[] = [];
  if (first !== undefined) {
    const expected = encodeKpis(first.snapshots);
    for (const other of others) {
      if (encodeKpis(other.snapshots) !== expected) mismatches.push(`${other.engine} differs from ${first.engine}: ${firstDifference(first.snapshots, other.snapshots)}`);
    }
  }
  issues.push(...mismatches);
  const compared = computed.length >= 2;
  if (!compared && evidence.input_error === null) issues.push('fewer than two results to compare');
  const metrics = {
    sha256_before: evidence.sha256_before,
    sha256_after: evidence.sha256_after,
    checksum_stable: checksumStable,
    engines: evidence.results.map((r) => r.engine),
    snapshots: first?.snapshots.length ?? null,
    bit_identical: compared && mismatches.length === 0,
    non_finite_values: nonFinite.length,
  };
  const details =
    `input SHA-256 ${checksumStable ? 'unchanged' : 'CHANGED'} across the validation; ` +
    (evidence.input_error === null ? `${evidence.results.map((r) => r.engine).join(' and ')} ${metrics.bit_identical ? 'bit-identical' : 'NOT bit-identical'}` : 'input rejected') +
    `${first === undefined ? '' : ` on ${first.snapshots.length} snapshot(s)`}; ${nonFinite.length} NaN/Infinity`;
  return result(issues.length === 0 ? 'PASS' : 'FAIL', details, metrics, issues);
}

// --------------------------------------------------------------------------------------------------- performance

export interface LatencyMeasurement {
  readonly rows: number;
  readonly iterations: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export type MeasureLatency = (sizes: readonly number[], seconds: number) => Promise<LatencyMeasurement[]>;

const PERFORMANCE_SIZES: readonly number[] = [1_000, 100_000];
/** Below this many iterations a p99 rests on a single sample or none: too few to judge. */
const MIN_ITERATIONS_FOR_P99 = 100;

/** The engine on synthetic tapes of each size, as `stress load` measures it (HdrHistogram, after warm-up). */
const measureEngineLatency: MeasureLatency = async (sizes, seconds) => {
  const report = await runLoad({ sizes, stop: { kind: 'seconds', seconds } });
  return report.results.map((r) => ({ rows: r.rows, iterations: r.iterations, p50_ms: r.latency_ms.p50, p99_ms: r.latency_ms.p99, max_ms: r.latency_ms.max }));
};

export function checkPerformance(measured: readonly LatencyMeasurement[], band: Band = DEFAULT_CRITERIA.latency_ms, sizes: readonly number[] = PERFORMANCE_SIZES): CheckResult {
  const issues: string[] = [];
  const statuses: CheckStatus[] = [];
  for (const rows of sizes) {
    const m = measured.find((x) => x.rows === rows);
    if (m === undefined) {
      issues.push(`no latency measured at ${rows} rows`);
      statuses.push('FAIL');
      continue;
    }
    const status: CheckStatus = m.p99_ms < band.pass ? 'PASS' : m.p99_ms > band.fail ? 'FAIL' : 'WARN';
    statuses.push(status);
    if (status !== 'PASS') issues.push(`p99 ${m.p99_ms} ms at ${rows} rows is ${status === 'FAIL' ? `above ${band.fail}` : `at or above ${band.pass}`} ms`);
    if (m.iterations < MIN_ITERATIONS_FOR_P99) {
      statuses.push('WARN');
      issues.push(`only ${m.iterations} iterations at ${rows} rows: too few for a p99 (at least ${MIN_ITERATIONS_FOR_P99})`);
    }
  }
  const details =
    measured.map((m) => `p99 ${m.p99_ms.toFixed(3)} ms at ${m.rows.toLocaleString('en-US')} rows (${m.iterations} iterations)`).join(', ') +
    `; pass < ${band.pass} ms, fail > ${band.fail} ms`;
  return result(worst(statuses), details, { pass_ms: band.pass, fail_ms: band.fail, latency: measured }, issues);
}

// ------------------------------------------------------------------------------------------------ error_handling

export type TapeReader = (path: string, options: ReadOptions) => Promise<ReadResult>;

export interface BadTapeOutcome {
  readonly case: string;
  readonly file: string;
  readonly expected: string;
  /** the error message, or what the lenient read kept and dropped */
  readonly got: string;
  readonly ok: boolean;
}

/** Write each bad tape into `dir` (a folder of its own per case) and read it back with `read`. */
export async function badTapeOutcomes(dir: string, read: TapeReader = readTape, tapes: readonly BadTape[] = builtInBadTapes()): Promise<BadTapeOutcome[]> {
  const outcomes: BadTapeOutcome[] = [];
  for (const [i, bad] of tapes.entries()) {
    const caseDir = join(dir, `case-${String(i + 1).padStart(2, '0')}`);
    mkdirSync(caseDir, { recursive: true });
    const path = join(caseDir, bad.file);
    writeFileSync(path, bad.content);
    const expect = bad.expect;
    const expected = expect.kind === 'reject' ? `rejected: ${path}: ${expect.message.source}` : `${expect.dropped} row(s) dropped as "${expect.reason}"`;
    let got: string;
    let ok: boolean;
    try {
      const read_ = await read(path, { lenient: bad.lenient });
      const reasons = Object.entries(read_.invalidByReason);
      got = `accepted: ${read_.tape.rows} row(s) kept, ${read_.dropped.invalid} dropped (${reasons.map(([r, n]) => `${r} ${n}`).join(', ') || 'none'})`;
      ok = expect.kind === 'drop' && read_.dropped.invalid === expect.dropped && reasons.length === 1 && read_.invalidByReason[expect.reason] === expect.dropped;
    } catch (error) {
      got = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const prefix = `${path}: `;
      ok =
        expect.kind === 'reject' &&
        error instanceof TapeInputError &&
        error.message.startsWith(prefix) &&
        expect.message.test(error.message.slice(prefix.length));
    }
    outcomes.push({ case: bad.name, file: bad.file, expected, got, ok });
  }
  return outcomes;
}

export function checkErrorHandling(outcomes: readonly BadTapeOutcome[]): CheckResult {
  const wrong = outcomes.filter((o) => !o.ok);
  const issues = wrong.map((o) => `bad tape "${o.case}": expected ${o.expected}; got ${o.got}`);
  if (outcomes.length === 0) issues.push('no bad tape was tried');
  const status = issues.length === 0 ? 'PASS' : 'FAIL';
  return result(status, `${outcomes.length - wrong.length}/${outcomes.length} bad tapes handled as expected`, { cases: outcomes.length, handled: outcomes.length - wrong.length, outcomes }, issues);
}

// --------------------------------------------------------------------------------------------------- audit_trail

const AUDIT_ACTOR = 'stress validate';

export interface AuditEvidence {
  readonly path: string;
  /** why the trail could not be opened (e.g. an existing trail whose chain is broken) or written, or null */
  readonly trail_error: string | null;
  /** events in the trail before this validation appended */
  readonly events_before: number;
  /** the actions this validation appended, in order */
  readonly expected_actions: readonly string[];
}

/** Read the trail back: the chain must verify and hold exactly the expected events after `events_before`. */
export function checkAuditTrail(evidence: AuditEvidence): CheckResult {
  const issues: string[] = [];
  if (evidence.trail_error !== null) issues.push(`the trail could not be written: ${evidence.trail_error}`);
  const { events, verdict } = readTrail(evidence.path);
  if (!verdict.ok) issues.push(`the chain does not verify: line ${verdict.line}: ${verdict.reason}`);
  const written = events.slice(evidence.events_before).map((e) => e.action);
  const same = written.length === evidence.expected_actions.length && written.every((action, i) => action === evidence.expected_actions[i]);
  if (!same) issues.push(`expected events ${evidence.expected_actions.join(', ') || '(none)'}; found ${written.join(', ') || '(none)'}`);
  const metrics = {
    file: evidence.path,
    chain: verdict.ok ? 'intact' : `broken at line ${verdict.line}`,
    expected_events: evidence.expected_actions.length,
    event_count: written.length,
    events_in_trail: verdict.ok ? verdict.events : events.length,
    actions: written,
  };
  const details = `${written.length} of ${evidence.expected_actions.length} expected events written to ${evidence.path}; chain ${metrics.chain}`;
  return result(issues.length === 0 ? 'PASS' : 'FAIL', details, metrics, issues);
}

// ------------------------------------------------------------------------------------------------- orchestration

export interface ValidationOptions {
  /** the tape to validate, or null for a synthetic one written into workDir */
  readonly input: string | null;
  /** a scratch folder of the caller's (the synthetic tape, the bad tapes) */
  readonly workDir: string;
  /** the audit trail the validation appends to */
  readonly trailPath: string;
  /** measured seconds per performance size */
  readonly perfSeconds: number;
}

/** The parts the checks judge; tests replace one with a broken one. */
export interface ValidationParts {
  readonly reference: Engine;
  readonly pool: Engine;
  readonly read: TapeReader;
  readonly measureLatency: MeasureLatency;
  readonly badTapes: readonly BadTape[];
}

/** The real parts (a function, so that the bad tapes are built only when a validation runs). */
export function defaultParts(): ValidationParts {
  return { reference: REFERENCE_ENGINE, pool: POOL_ENGINE, read: readTape, measureLatency: measureEngineLatency, badTapes: builtInBadTapes() };
}

/** Rows of the synthetic tape validated without --input: a year of month-ends, small enough to be quick. */
const SYNTHETIC_INPUT_ROWS = 12_000;

interface InputRun {
  readonly summary: InputSummary;
  /** why the reader rejected the input, or null */
  readonly rejected: string | null;
  readonly snapshots: { readonly pool: Snapshot[] | { error: string }; readonly reference: Snapshot[] | { error: string } };
  readonly sha256After: string;
  readonly audit: AuditEvidence;
}

/**
 * The validation's own compute of the input, every step written to the audit trail: start, read, compute,
 * complete (or fail). The trail must not stop the compute: a trail that cannot be opened is the audit
 * check's failure, not every check's.
 */
async function computeInput(path: string, generated: boolean, options: ValidationOptions, parts: ValidationParts): Promise<InputRun> {
  let trail: AuditTrail | null = null;
  let trailError: string | null = null;
  let eventsBefore = 0;
  try {
    trail = AuditTrail.open(options.trailPath, AUDIT_ACTOR);
    eventsBefore = trail.events;
  } catch (error) {
    trailError = messageOf(error);
  }
  const actions: string[] = [];
  const record = (action: string, status: 'ok' | 'fail' | 'info', details: Record<string, unknown>) => {
    actions.push(action);
    try {
      trail?.append(action, status, details);
    } catch (error) {
      // e.g. a full disk: the events after it go unwritten, which the audit check then reports
      trailError = messageOf(error);
      trail?.close();
      trail = null;
    }
  };
  try {
    const before = { sha256: await sha256File(path), bytes: statSync(path).size };
    record('validate.start', 'info', { input: path, generated, bytes: before.bytes, sha256: before.sha256 });
    let read: ReadResult | null = null;
    let rejected: string | null = null;
    let pool: Snapshot[] | { error: string } = { error: 'not computed' };
    let reference: Snapshot[] | { error: string } = { error: 'not computed' };
    try {
      read = await parts.read(path, { lenient: false });
      record('validate.read', 'ok', { rows: read.tape.rows, rows_read: read.rowsRead, dropped: read.dropped, sha256: before.sha256 });
    } catch (error) {
      rejected = messageOf(error);
      record('validate.fail', 'fail', { stage: 'read', error: rejected });
    }
    if (read !== null) {
      const started = performance.now();
      pool = await parts.pool.compute(read.tape).catch((error: unknown) => ({ error: messageOf(error) }));
      const computeMs = performance.now() - started;
      reference = await parts.reference.compute(read.tape).catch((error: unknown) => ({ error: messageOf(error) }));
      if ('error' in pool) record('validate.fail', 'fail', { stage: 'compute', error: pool.error });
      else {
        record('validate.compute', 'ok', { engine: parts.pool.name, snapshots: pool.length, compute_ms: computeMs });
        record('validate.complete', 'ok', { snapshots: pool.length });
      }
    }
    const sha256After = await sha256File(path);
    return {
      summary: {
        path,
        generated,
        bytes: before.bytes,
        sha256: before.sha256,
        rows: read === null ? null : read.tape.rows,
        snapshots: Array.isArray(pool) ? pool.length : null,
      },
      rejected,
      snapshots: { pool, reference },
      sha256After,
      audit: { path: options.trailPath, trail_error: trailError, events_before: eventsBefore, expected_actions: actions },
    };
  } finally {
    trail?.close();
  }
}

export async function runValidation(options: ValidationOptions, parts: ValidationParts = defaultParts()): Promise<ValidationReport> {
  const timestamp = new Date().toISOString();
  let path = options.input;
  if (path === null) {
    path = join(options.workDir, 'synthetic.csv');
    await writeSyntheticFile(path, { rows: SYNTHETIC_INPUT_ROWS });
  }
  const run = await computeInput(path, options.input === null, options, parts);
  const known = await knownValueOutcomes([parts.reference, parts.pool]);
  const checks: Record<CheckName, CheckResult> = {
    kpi_calculations: checkKpiCalculations(known, run.rejected === null ? run.snapshots.pool : { error: `input rejected: ${run.rejected}` }),
    data_integrity: checkDataIntegrity({
      sha256_before: run.summary.sha256,
      sha256_after: run.sha256After,
      input_error: run.rejected,
      results:
        run.rejected === null
          ? [
              { engine: parts.reference.name, snapshots: run.snapshots.reference },
              { engine: parts.pool.name, snapshots: run.snapshots.pool },
            ]
          : [],
    }),
    performance: checkPerformance(await parts.measureLatency(PERFORMANCE_SIZES, options.perfSeconds)),
    error_handling: checkErrorHandling(await badTapeOutcomes(join(options.workDir, 'bad-tapes'), parts.read, parts.badTapes)),
    audit_trail: checkAuditTrail(run.audit),
  };
  return {
    timestamp,
    status: worst(CHECK_NAMES.map((name) => checks[name].status)),
    input: run.summary,
    audit_trail_file: options.trailPath,
    checks: Object.fromEntries(CHECK_NAMES.map((name) => [name, { status: checks[name].status, details: checks[name].details, metrics: checks[name].metrics }])) as ValidationReport['checks'],
    issues: CHECK_NAMES.flatMap((name) => checks[name].issues.map((issue) => `${name}: ${issue}`)),
  };
}
