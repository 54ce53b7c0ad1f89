/**
 * The terminal rendering of a soak run: the summary at the end, and one row of the live monitoring table
 * per checkpoint. Pure functions of plain data; they never measure.
 */
import type { CheckpointRecord, DecisionRecord } from '../stress/checkpoints.js';
import type { CriterionResult } from '../stress/criteria.js';
import type { DriftResult } from '../stress/drift.js';
import { formatDuration } from '../stress/duration.js';
import type { LoadShape, RunSummary } from '../stress/summary.js';
import { table } from './kpi-text.js';

export const CRITERION_LABELS: Readonly<Record<CriterionResult['name'], string>> = {
  error_rate: 'error rate',
  latency: 'latency',
  memory: 'memory (RSS)',
  memory_drift: 'memory drift',
  cpu: 'CPU',
  data_integrity: 'data integrity',
  audit_trail: 'audit trail',
};

export function renderSummaryText(summary: RunSummary): string {
  const out: string[] = [];
  out.push(`stress run: ${summary.status} - ${summary.status_reason}`);
  out.push(
    `duration ${formatDuration(summary.duration.actual_s * 1000)} of ${formatDuration(summary.duration.planned_s * 1000)} planned; ` +
      `${describeLoad(summary.load)}; workload ${summary.workload.kind}: ${summary.workload.description}`,
  );
  const it = summary.iterations;
  out.push(
    `iterations ${count(it.total)} (${fixed(it.achieved_rate_per_s, 2)}/s), failed ${count(it.failed)} (${fixed(it.error_rate_percent, 3)}%)` +
      (Object.keys(it.errors_by_kind).length > 0 ? `; errors by kind: ${errorsByKind(it.errors_by_kind)}` : ''),
  );
  out.push('');
  // the details are long sentences: under the table, one line each, so the table fits a terminal
  out.push(
    table(
      ['criterion', 'measured', 'verdict', 'pass', 'fail'],
      summary.criteria.map((c) => [CRITERION_LABELS[c.name], measuredText(c), c.verdict, c.pass_rule, c.fail_rule]),
    ),
  );
  for (const c of summary.criteria) out.push(`  ${CRITERION_LABELS[c.name]}: ${c.detail}`);
  out.push('');
  const l = summary.latency_ms;
  out.push(
    l === null
      ? 'latency: no iteration completed'
      : `latency ms (every iteration): mean ${ms(l.mean)}, p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, max ${ms(l.max)}, min ${ms(l.min)}`,
  );
  for (const [label, drift] of [['RSS', summary.drift.rss], ['heap after GC', summary.drift.heap_after_gc]] as const) {
    if (drift !== null) out.push(`drift of ${label}: ${driftLine(drift)}`);
  }
  out.push(`checkpoints: ${summary.checkpoints.written} of ${summary.checkpoints.planned} written`);
  for (const d of summary.decisions) out.push(`decision at ${d.checkpoint}: ${d.decision}${d.reasons.length > 0 ? ` - ${d.reasons.join('; ')}` : ''}`);
  const e = summary.environment;
  out.push(`environment: Node ${e.node} ${e.platform}/${e.arch}, ${e.cpu_model} x ${e.cores}, ${count(e.memory_total_mb)} MB, loan-kpi-stress ${e.package_version}`);
  out.push(`started ${summary.started_at}, ended ${summary.ended_at}`);
  return `${out.join('\n')}\n`;
}

/** fixed widths: rows are printed one at a time as the run goes, so they cannot be measured together */
const ROW_COLUMNS: readonly (readonly [string, number, 'left' | 'right'])[] = [
  ['checkpoint', 10, 'left'],
  ['elapsed', 9, 'right'],
  ['p50 ms', 9, 'right'],
  ['p99 ms', 9, 'right'],
  ['max ms', 9, 'right'],
  ['errors %', 8, 'right'],
  ['RSS MB', 8, 'right'],
  ['CPU %', 6, 'right'],
  ['pipeline', 8, 'left'],
  ['audit', 7, 'right'],
  ['status', 6, 'left'],
  ['decision', 0, 'left'],
];

/**
 * One row of the live monitoring table (the seeds' every-30-minutes spreadsheet, scaled); with `isFirst`,
 * the header and a rule come before it. Ends with a newline.
 */
export function renderCheckpointRow(record: CheckpointRecord, isFirst: boolean): string {
  const cells = [
    record.checkpoint,
    formatDuration(record.elapsed_s * 1000),
    ms(record.kpi_latency_ms.p50),
    ms(record.kpi_latency_ms.p99),
    ms(record.kpi_latency_ms.max),
    fixed(record.error_rate_percent, 3),
    fixed(record.memory_mb, 1),
    fixed(record.cpu_percent, 1),
    record.pipeline_status,
    count(record.audit_trail_events),
    record.validation_status,
    record.decision ? decisionText(record.decision) : '',
  ];
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => {
        const [, width, align] = ROW_COLUMNS[i]!;
        return align === 'right' ? value.padStart(width) : value.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const rows = [line(cells)];
  if (isFirst) rows.unshift(line(ROW_COLUMNS.map(([h]) => h)), line(ROW_COLUMNS.map(([h, w]) => '-'.repeat(Math.max(w, h.length)))));
  return `${rows.join('\n')}\n`;
}

function decisionText(d: DecisionRecord): string {
  return d.decision === 'continue' ? 'continue' : `${d.decision.toUpperCase()} (${d.reasons.length} reason${d.reasons.length === 1 ? '' : 's'})`;
}

export function describeLoad(load: LoadShape): string {
  if (load.kind === 'closed') return `closed loop, ${load.concurrency} in flight`;
  const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
  const peak = load.peak_in_flight === null ? '' : `, at most ${count(load.peak_in_flight)} were`;
  return (
    `open loop at ${fixed(load.rate_per_s, 2)}/s (latency from intended start), ` +
    `${plural(load.late_starts, 'late start')}, ${plural(load.skipped, 'skipped start')} (never run: more than ${count(load.max_in_flight)} were already due); ` +
    `up to ${count(load.max_in_flight)} in flight allowed${peak}`
  );
}

export function driftLine(d: DriftResult): string {
  const parts: string[] = [];
  if (d.slope_per_hour !== null) parts.push(`${signed(d.slope_per_hour, 2)} ${d.unit}/h`);
  if (d.percent_per_hour !== null) {
    const ci = d.percent_per_hour_ci;
    parts.push(`${signed(d.percent_per_hour, 2)}%/h${ci === null ? '' : ` (${Math.round(d.confidence * 100)}% CI ${signed(ci.low, 2)} to ${signed(ci.high, 2)})`}`);
    parts.push(`threshold ${fixed(d.threshold_percent_per_hour, 2)}%/h`);
  }
  if (d.level !== null && d.level.change_percent !== null) parts.push(`level ${signed(d.level.change_percent, 1)}% first to last scaled hour`);
  parts.push(`n=${d.n}`);
  // the reason says why when the verdict alone does not
  return `${d.verdict}: ${parts.join(', ')}${d.verdict === 'inconclusive' ? ` - ${d.reason}` : ''}`;
}

const MEASURED_DIGITS: Readonly<Record<CriterionResult['name'], number>> = {
  error_rate: 3,
  latency: 2,
  memory: 1,
  memory_drift: 2,
  cpu: 1,
  data_integrity: 0,
  audit_trail: 0,
};

export function measuredText(c: CriterionResult): string {
  if (c.measured === null) return 'n/a';
  return `${fixed(c.measured, MEASURED_DIGITS[c.name])} ${c.unit}`;
}

export function errorsByKind(errors: Readonly<Record<string, number>>): string {
  return Object.entries(errors)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${kind} ${count(n)}`)
    .join(', ');
}

/** milliseconds: 3 decimals below 1, 2 below 100, 1 below 10,000, none above */
export function ms(value: number): string {
  const a = Math.abs(value);
  return value.toFixed(a < 1 ? 3 : a < 100 ? 2 : a < 10_000 ? 1 : 0);
}

export function fixed(value: number, digits: number): string {
  return value.toFixed(digits);
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function signed(value: number, digits: number): string {
  return `${value > 0 ? '+' : ''}${value.toFixed(digits)}`;
}
