/**
 * The 24-hour stability criteria of SPEC §4: defaults, a criteria file merged onto them and validated before
 * a run starts, and the judgement of measured values against them. Pure: the runner fills `Measured`.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { DriftResult } from './drift.js';

export type Verdict = 'PASS' | 'WARN' | 'FAIL';
/** A criterion's verdict; N/A: the criterion does not apply to this run (it is left out of the overall verdict). */
export type CriterionVerdict = Verdict | 'N/A';

/** A band criterion: PASS when measured < pass, FAIL when measured > fail, WARN in between (both ends included). */
export interface Band {
  readonly pass: number;
  readonly fail: number;
}

export interface Criteria {
  /** failed iterations / all completed iterations, in percent */
  readonly error_rate_percent: Band;
  /**
   * PASS when the overall p99 < pass; FAIL when the p99 of consecutive intervals stays > fail for at least
   * `sustained_minutes` scaled to the run (× duration / 24 h); WARN otherwise.
   */
  readonly latency_ms: Band & { readonly sustained_minutes: number };
  /** peak RSS of the harness process, MB = 2^20 bytes */
  readonly rss_mb: Band;
  readonly memory_drift: {
    /** SPEC §4: median of the first scaled hour vs the last within ±this percent */
    readonly stable_percent: number;
    /** FAIL when memory is growing faster than this, percent of its median per hour */
    readonly fail_percent_per_hour: number;
    /** growth below this rate is too small to matter (drift detector threshold), percent per hour */
    readonly min_growth_percent_per_hour: number;
  };
  /** mean CPU over the judged window as a share of all cores: 100 = every core busy */
  readonly cpu_percent: Band;
  /** more mismatches than this → FAIL */
  readonly data_integrity: { readonly max_mismatches: number };
  /** more failed + missing audit events than this → FAIL */
  readonly audit_trail: { readonly max_failures: number };
}

export type CriterionName = 'error_rate' | 'latency' | 'memory' | 'memory_drift' | 'cpu' | 'data_integrity' | 'audit_trail';

export interface CriterionResult {
  readonly name: CriterionName;
  /** the judged figure; null when it could not be measured */
  readonly measured: number | null;
  readonly unit: string;
  readonly pass_threshold: number;
  readonly fail_threshold: number;
  /** the rules in words, for tables: "< 100 ms", "> 500 ms for 37.5 s" */
  readonly pass_rule: string;
  readonly fail_rule: string;
  readonly verdict: CriterionVerdict;
  /** one line: what was measured and why this verdict */
  readonly detail: string;
}

/**
 * What the runner measured, over the whole run (or up to a checkpoint). Every count is cumulative.
 */
export interface Measured {
  /** completed iterations, failed ones included */
  readonly iterations: number;
  readonly failed_iterations: number;
  /** p99 of every iteration's latency so far, ms; null when no iteration completed */
  readonly latency_p99_ms: number | null;
  /**
   * The longest run, in seconds, of consecutive latency intervals whose p99 was above the latency fail
   * threshold (see SustainedLatencyTracker, which computes it without keeping the intervals).
   */
  readonly latency_sustained_over_fail_s: number;
  /** peak RSS of the process, MB; null when not sampled */
  readonly rss_peak_mb: number | null;
  /** drift of RSS and of heap used after GC; null when not computed */
  readonly drift: { readonly rss: DriftResult | null; readonly heap_after_gc: DriftResult | null };
  /** mean CPU as a share of all cores (100 = every core busy); null when not sampled */
  readonly cpu_percent: number | null;
  /** iterations whose result was compared with the reference, and how many differed; null: no comparison */
  readonly integrity: { readonly checked: number; readonly mismatches: number } | null;
  /** audit events written, writes that failed, and expected events that are missing; null: no audit trail */
  readonly audit: { readonly events_written: number; readonly failed_writes: number; readonly missing_events: number } | null;
}

export interface EvaluationContext {
  /** the planned duration of the run, seconds: scales the sustained-latency window */
  readonly duration_s: number;
}

/**
 * SPEC §4's defaults.
 *
 * A criteria file (`--criteria FILE`) is a JSON object holding any subset of these keys; what it leaves out
 * keeps its default, and a top-level "description" string is allowed for a note. Example (every key shown,
 * with its default):
 *
 *   {
 *     "description": "SPEC §4 defaults",
 *     "error_rate_percent": { "pass": 0.1, "fail": 5 },
 *     "latency_ms": { "pass": 100, "fail": 500, "sustained_minutes": 15 },
 *     "rss_mb": { "pass": 200, "fail": 500 },
 *     "memory_drift": { "stable_percent": 10, "fail_percent_per_hour": 20, "min_growth_percent_per_hour": 1 },
 *     "cpu_percent": { "pass": 50, "fail": 80 },
 *     "data_integrity": { "max_mismatches": 0 },
 *     "audit_trail": { "max_failures": 0 }
 *   }
 *
 * Bands: PASS when measured < pass, FAIL when measured > fail, WARN from pass to fail inclusive; pass must
 * be below fail. `sustained_minutes` is in the 24-hour schedule and scales with the run like the checkpoints
 * (15 minutes of a 24 h run is 37.5 s of a 1 h run). Percentages of error rate and CPU are at most 100; CPU
 * is a share of all cores. The integrity and audit limits are whole numbers.
 */
export const DEFAULT_CRITERIA: Criteria = {
  error_rate_percent: { pass: 0.1, fail: 5 },
  latency_ms: { pass: 100, fail: 500, sustained_minutes: 15 },
  rss_mb: { pass: 200, fail: 500 },
  memory_drift: { stable_percent: 10, fail_percent_per_hour: 20, min_growth_percent_per_hour: 1 },
  cpu_percent: { pass: 50, fail: 80 },
  data_integrity: { max_mismatches: 0 },
  audit_trail: { max_failures: 0 },
};

type Rule = 'number' | 'percent' | 'count';

/** every key a criteria file may hold, and what its values may be */
const SHAPE: { readonly [S in keyof Criteria]: { readonly [K in keyof Criteria[S]]-?: Rule } } = {
  error_rate_percent: { pass: 'percent', fail: 'percent' },
  latency_ms: { pass: 'number', fail: 'number', sustained_minutes: 'number' },
  rss_mb: { pass: 'number', fail: 'number' },
  memory_drift: { stable_percent: 'number', fail_percent_per_hour: 'number', min_growth_percent_per_hour: 'number' },
  cpu_percent: { pass: 'percent', fail: 'percent' },
  data_integrity: { max_mismatches: 'count' },
  audit_trail: { max_failures: 'count' },
};

/** Read and validate a criteria file; every problem is a UsageError naming the file (exit 2). */
export function parseCriteriaFile(path: string): Criteria {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--criteria ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`--criteria ${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseCriteria(json, `--criteria ${path}`);
}

/**
 * Criteria from parsed JSON: the given keys merged onto DEFAULT_CRITERIA, then checked as a whole. Unknown
 * keys, values that are not finite numbers ≥ 0 (whole numbers for the integrity and audit limits, ≤ 100 for
 * percentages of error rate and CPU), and pass ≥ fail all throw a UsageError naming the key.
 */
export function parseCriteria(json: unknown, source = 'criteria'): Criteria {
  const fail = (message: string): never => {
    throw new UsageError(`${source}: ${message}`);
  };
  if (!isPlainObject(json)) fail(`expected a JSON object, got ${describe(json)}`);
  const input = json as Record<string, unknown>;
  const sections = Object.keys(SHAPE) as (keyof Criteria)[];
  const merged: Record<string, Record<string, number>> = {};
  for (const key of Object.keys(input)) {
    if (key === 'description') {
      if (typeof input[key] !== 'string') fail(`"description" must be a string, got ${describe(input[key])}`);
      continue;
    }
    if (!(sections as string[]).includes(key)) fail(`unknown key "${key}" (known: ${sections.join(', ')}, description)`);
  }
  for (const section of sections) {
    const defaults = DEFAULT_CRITERIA[section] as unknown as Record<string, number>;
    const rules = SHAPE[section] as Record<string, Rule>;
    const given = input[section];
    const values: Record<string, number> = { ...defaults };
    if (given !== undefined) {
      if (!isPlainObject(given)) fail(`"${section}" must be an object, got ${describe(given)}`);
      for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
        const rule = rules[key];
        const name = `${section}.${key}`;
        if (rule === undefined) fail(`unknown key "${name}" (known in ${section}: ${Object.keys(rules).join(', ')})`);
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${name}" must be a finite number, got ${describe(value)}`);
        const v = value as number;
        if (v < 0) fail(`"${name}" must be ≥ 0, got ${v}`);
        if (rule === 'percent' && v > 100) fail(`"${name}" is a percentage and must be ≤ 100, got ${v}`);
        if (rule === 'count' && !Number.isInteger(v)) fail(`"${name}" must be a whole number, got ${v}`);
        values[key] = v;
      }
    }
    merged[section] = values;
  }
  const criteria = merged as unknown as Criteria;
  for (const section of ['error_rate_percent', 'latency_ms', 'rss_mb', 'cpu_percent'] as const) {
    const band = criteria[section];
    if (!(band.pass < band.fail)) fail(`"${section}.pass" (${band.pass}) must be below "${section}.fail" (${band.fail})`);
  }
  const drift = criteria.memory_drift;
  if (!(drift.min_growth_percent_per_hour < drift.fail_percent_per_hour)) {
    fail(
      `"memory_drift.min_growth_percent_per_hour" (${drift.min_growth_percent_per_hour}) must be below ` +
        `"memory_drift.fail_percent_per_hour" (${drift.fail_percent_per_hour})`,
    );
  }
  return criteria;
}

/** SPEC §4's "scaled 15 minutes": the sustained-latency window of a run of this many seconds. */
export function sustainedWindowSeconds(criteria: Criteria, durationS: number): number {
  return (criteria.latency_ms.sustained_minutes * 60 * durationS) / 86_400;
}

/**
 * The longest stretch of consecutive latency intervals whose p99 was above a threshold, in seconds, kept
 * as three numbers however long the run: the runner feeds it each interval as it closes. The p99 of an
 * interval is the statistic because "sustained" should mean most iterations were slow for a while: one
 * slow iteration in an interval of thousands moves its max but not its p99, while a slow stretch moves both.
 */
export class SustainedLatencyTracker {
  readonly threshold_ms: number;
  #current = 0;
  #longest = 0;

  constructor(threshold_ms: number) {
    this.threshold_ms = threshold_ms;
  }

  /**
   * One closed interval of `seconds`, with the p99 of the iterations completed in it. Pass null when none
   * completed and none was in flight (an idle interval ends a stretch); when none completed because they
   * were all still running, pass the age of the oldest in flight, which is a lower bound of its latency.
   */
  observe(seconds: number, p99_ms: number | null): void {
    if (p99_ms !== null && p99_ms > this.threshold_ms) {
      this.#current += seconds;
      if (this.#current > this.#longest) this.#longest = this.#current;
    } else {
      this.#current = 0;
    }
  }

  /** the longest stretch so far, seconds */
  get longest_s(): number {
    return this.#longest;
  }

  /** the stretch still open at the last interval, seconds (0 when the last interval was below) */
  get current_s(): number {
    return this.#current;
  }
}

/** One entry per SPEC §4 row, in its order. */
export function evaluateCriteria(measured: Measured, criteria: Criteria, context: EvaluationContext): CriterionResult[] {
  return [
    errorRate(measured, criteria),
    latency(measured, criteria, context),
    memory(measured, criteria),
    memoryDrift(measured, criteria),
    cpu(measured, criteria),
    dataIntegrity(measured, criteria),
    auditTrail(measured, criteria),
  ];
}

/** FAIL if any criterion failed, else WARN if any warned, else PASS; criteria that do not apply (N/A) do not count. */
export function overallVerdict(results: readonly CriterionResult[]): Verdict {
  if (results.some((r) => r.verdict === 'FAIL')) return 'FAIL';
  if (results.some((r) => r.verdict === 'WARN')) return 'WARN';
  return 'PASS';
}

function bandVerdict(value: number, band: Band): Verdict {
  if (value < band.pass) return 'PASS';
  if (value > band.fail) return 'FAIL';
  return 'WARN';
}

function bandResult(name: CriterionName, value: number | null, unit: string, band: Band, what: string, missing: string): CriterionResult {
  const rules = { pass_threshold: band.pass, fail_threshold: band.fail, pass_rule: `< ${num(band.pass)} ${unit}`, fail_rule: `> ${num(band.fail)} ${unit}` };
  if (value === null) return { name, measured: null, unit, ...rules, verdict: 'WARN', detail: missing };
  const verdict = bandVerdict(value, band);
  const where = verdict === 'PASS' ? `below ${num(band.pass)}` : verdict === 'FAIL' ? `above ${num(band.fail)}` : `between ${num(band.pass)} and ${num(band.fail)}`;
  return { name, measured: value, unit, ...rules, verdict, detail: `${what} ${num(value)} ${unit}, ${where}` };
}

function errorRate(m: Measured, c: Criteria): CriterionResult {
  const rate = m.iterations > 0 ? (m.failed_iterations / m.iterations) * 100 : null;
  const result = bandResult('error_rate', rate, '%', c.error_rate_percent, 'error rate', 'no iteration completed, so there is no error rate');
  return rate === null ? result : { ...result, detail: `${result.detail} (${int(m.failed_iterations)} of ${int(m.iterations)} iterations failed)` };
}

function latency(m: Measured, c: Criteria, context: EvaluationContext): CriterionResult {
  const band = c.latency_ms;
  const window = sustainedWindowSeconds(c, context.duration_s);
  const base = {
    name: 'latency' as const,
    measured: m.latency_p99_ms,
    unit: 'ms',
    pass_threshold: band.pass,
    fail_threshold: band.fail,
    pass_rule: `p99 < ${num(band.pass)} ms`,
    fail_rule: `interval p99 > ${num(band.fail)} ms for ${num(window)} s`,
  };
  const stretch = `longest stretch of interval p99 > ${num(band.fail)} ms: ${num(m.latency_sustained_over_fail_s)} s (fails at ${num(window)} s, ${num(band.sustained_minutes)} min scaled to the run)`;
  if (m.latency_sustained_over_fail_s > 0 && m.latency_sustained_over_fail_s >= window) {
    return { ...base, verdict: 'FAIL', detail: `${stretch}` };
  }
  if (m.latency_p99_ms === null) return { ...base, verdict: 'WARN', detail: `no iteration completed; ${stretch}` };
  const p99 = `p99 ${num(m.latency_p99_ms)} ms over all iterations`;
  if (m.latency_p99_ms < band.pass) return { ...base, verdict: 'PASS', detail: `${p99}, below ${num(band.pass)}` };
  return { ...base, verdict: 'WARN', detail: `${p99}, not below ${num(band.pass)}; ${stretch}` };
}

function memory(m: Measured, c: Criteria): CriterionResult {
  return bandResult('memory', m.rss_peak_mb, 'MB', c.rss_mb, 'peak RSS', 'RSS was not sampled');
}

/**
 * Memory drift, judged on each series measured (RSS and heap used after GC), the worst counting:
 * - FAIL: growing faster than fail_percent_per_hour;
 * - WARN: growing slower than that; or the level moved more than ±stable_percent from the first scaled hour
 *   to the last; or too few samples for a trend;
 * - PASS: stable, or a trend test that found no growth (inconclusive: its interval too wide at this length)
 *   with the level within ±stable_percent. SPEC §4's pass rule is the ±10% band; the trend test is an early
 *   warning that can raise a verdict but not lower it, and a short healthy run is nearly always
 *   inconclusive, so counting that as WARN would make WARN the normal result and mean nothing.
 */
function memoryDrift(m: Measured, c: Criteria): CriterionResult {
  const d = c.memory_drift;
  const base = {
    name: 'memory_drift' as const,
    unit: '%/hour',
    pass_threshold: d.stable_percent,
    fail_threshold: d.fail_percent_per_hour,
    pass_rule: `stable, level within ±${num(d.stable_percent)}%`,
    fail_rule: `growing > ${num(d.fail_percent_per_hour)}%/hour`,
  };
  const judged: { label: string; result: DriftResult; verdict: Verdict; note: string }[] = [];
  for (const [label, result] of [['RSS', m.drift.rss], ['heap after GC', m.drift.heap_after_gc]] as const) {
    if (result === null) continue;
    const rate = result.percent_per_hour;
    const change = result.level?.change_percent ?? null;
    const levelOk = result.level !== null && change !== null && Math.abs(change) <= d.stable_percent;
    const levelText = result.level === null ? 'level not measured' : change === null ? 'level change undefined' : `level ${signed(change)}% first to last scaled hour`;
    let verdict: Verdict;
    let note: string;
    if (result.verdict === 'growing' && rate !== null && rate > d.fail_percent_per_hour) {
      verdict = 'FAIL';
      note = `growing ${num(rate)}%/h (${num(result.slope_per_hour ?? 0)} ${result.unit}/h), above ${num(d.fail_percent_per_hour)}%/h`;
    } else if (result.verdict === 'growing') {
      verdict = 'WARN';
      note = `growing ${num(rate ?? 0)}%/h (${num(result.slope_per_hour ?? 0)} ${result.unit}/h), below the ${num(d.fail_percent_per_hour)}%/h fail line`;
    } else if (result.slope_per_hour === null) {
      verdict = 'WARN';
      note = `no trend: ${result.reason}`;
    } else if (!levelOk) {
      verdict = 'WARN';
      note = `${result.verdict}, but ${levelText}, outside ±${num(d.stable_percent)}%`;
    } else {
      verdict = 'PASS';
      note = `${result.verdict === 'stable' ? 'stable' : 'no growth found (trend inconclusive)'}, ${num(rate ?? 0)}%/h, ${levelText}`;
    }
    judged.push({ label, result, verdict, note });
  }
  if (judged.length === 0) return { ...base, measured: null, verdict: 'WARN', detail: 'memory drift was not computed' };
  const rank: Record<Verdict, number> = { PASS: 0, WARN: 1, FAIL: 2 };
  const worst = judged.reduce((a, b) =>
    rank[b.verdict] > rank[a.verdict] || (rank[b.verdict] === rank[a.verdict] && (b.result.percent_per_hour ?? -Infinity) > (a.result.percent_per_hour ?? -Infinity)) ? b : a,
  );
  return {
    ...base,
    measured: worst.result.percent_per_hour,
    verdict: worst.verdict,
    detail: judged.map((j) => `${j.label}: ${j.note}`).join('; '),
  };
}

function cpu(m: Measured, c: Criteria): CriterionResult {
  return bandResult('cpu', m.cpu_percent, '%', c.cpu_percent, 'mean CPU (share of all cores)', 'CPU was not sampled');
}

function dataIntegrity(m: Measured, c: Criteria): CriterionResult {
  const max = c.data_integrity.max_mismatches;
  const base = {
    name: 'data_integrity' as const,
    unit: 'mismatches',
    pass_threshold: max,
    fail_threshold: max,
    pass_rule: max === 0 ? 'every result equals the reference' : `≤ ${max} mismatches`,
    fail_rule: `> ${max} mismatches`,
  };
  // a workload module's iterations have no reference result to be compared with
  if (m.integrity === null) return { ...base, measured: null, verdict: 'N/A', detail: 'not applicable: the workload has no reference result to compare with' };
  const { checked, mismatches } = m.integrity;
  if (mismatches > max) return { ...base, measured: mismatches, verdict: 'FAIL', detail: `${int(mismatches)} of ${int(checked)} results differed from the reference (data loss)` };
  if (checked === 0) return { ...base, measured: mismatches, verdict: 'WARN', detail: 'no result was compared with the reference' };
  return { ...base, measured: mismatches, verdict: 'PASS', detail: `${int(checked)} results compared, ${int(mismatches)} differed` };
}

function auditTrail(m: Measured, c: Criteria): CriterionResult {
  const max = c.audit_trail.max_failures;
  const base = {
    name: 'audit_trail' as const,
    unit: 'failures',
    pass_threshold: max,
    fail_threshold: max,
    pass_rule: max === 0 ? 'every event written' : `≤ ${max} failed or missing events`,
    fail_rule: `> ${max} failed or missing events`,
  };
  if (m.audit === null) return { ...base, measured: null, verdict: 'WARN', detail: 'no audit trail was kept' };
  const { events_written, failed_writes, missing_events } = m.audit;
  const failures = failed_writes + missing_events;
  const counts = `${int(events_written)} events written, ${int(failed_writes)} failed writes, ${int(missing_events)} missing`;
  if (failures > max) return { ...base, measured: failures, verdict: 'FAIL', detail: counts };
  if (events_written === 0) return { ...base, measured: failures, verdict: 'WARN', detail: `${counts}: nothing was written` };
  return { ...base, measured: failures, verdict: 'PASS', detail: counts };
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** at most 3 significant decimals for messages; whole numbers stay whole */
function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  return String(Number(x.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3)));
}

function int(x: number): string {
  return x.toLocaleString('en-US');
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${num(x)}`;
}
