/** The gate's report as a terminal table and as Markdown for CI job summaries: pure functions of the report. */
import { table } from '../report/kpi-text.js';
import type { BenchmarkResult, RoundResult } from './compare.js';
import type { Interval } from './stats.js';

export interface GateReport {
  readonly mode: 'base' | 'baseline';
  /** what the current tree was compared with: "HEAD~1 (abc123def456)" or "reports/baseline.json (2026-…)" */
  readonly against: string;
  readonly quick: boolean;
  readonly seed: number;
  readonly confidence: number;
  readonly started_at: string;
  readonly duration_s: number;
  /** base mode: how the base was installed and built */
  readonly base_build?: { readonly commit: string; readonly install: string; readonly seconds: number };
  /** baseline mode: current calibration median / stored calibration median (above 1: this machine is slower now) */
  readonly machine_slowdown?: number;
  readonly benchmarks: readonly BenchmarkResult[];
  readonly confirmed_regressions: readonly string[];
  readonly failed: boolean;
}

const HEADER = ['benchmark', 'base', 'current', 'ratio [95% CI]', 'round 2', 'limit', 'verdict'] as const;

function figure(value: number): string {
  const magnitude = Math.abs(value);
  return magnitude >= 100 ? value.toFixed(0) : magnitude >= 10 ? value.toFixed(1) : magnitude >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function formatRatio(ratio: Interval): string {
  return `${ratio.estimate.toFixed(3)} [${ratio.low.toFixed(3)}–${ratio.high.toFixed(3)}]`;
}

function cells(result: BenchmarkResult): string[] {
  const [first, second] = result.rounds as readonly (RoundResult | undefined)[];
  const limit = `±${Math.round(result.threshold * 1000) / 10}%`;
  if (first === undefined) return [result.name, '-', '-', '-', '-', limit, `not comparable: ${result.reason ?? ''}`];
  return [
    result.name,
    `${figure(first.base_median)} ${result.unit}`,
    `${figure(first.current_median)} ${result.unit}`,
    formatRatio(first.ratio),
    second ? formatRatio(second.ratio) : '-',
    limit,
    result.verdict,
  ];
}

function summaryLine(report: GateReport): string {
  const improved = report.benchmarks.filter((b) => b.verdict === 'improvement').map((b) => b.name);
  const unconfirmed = report.benchmarks.filter((b) => b.verdict === 'not confirmed').map((b) => b.name);
  const incomparable = report.benchmarks.filter((b) => b.verdict === 'not comparable').map((b) => b.name);
  const parts = [
    report.failed ? `FAIL: confirmed regression in ${report.confirmed_regressions.join(', ')}` : 'pass: no confirmed regression',
  ];
  if (improved.length) parts.push(`improved: ${improved.join(', ')}`);
  if (unconfirmed.length) parts.push(`not confirmed by the second round: ${unconfirmed.join(', ')}`);
  if (incomparable.length) parts.push(`not comparable: ${incomparable.join(', ')}`);
  return `gate ${parts.join('; ')}`;
}

function describeRun(report: GateReport): string[] {
  const lines = [
    `Current tree against ${report.against}${report.quick ? ', --quick' : ''}; ${report.started_at}, ${report.duration_s.toFixed(0)} s.`,
  ];
  if (report.base_build) {
    lines.push(`Base ${report.base_build.commit.slice(0, 12)} built in ${report.base_build.seconds.toFixed(0)} s (node_modules ${report.base_build.install}).`);
  }
  if (report.machine_slowdown !== undefined) {
    lines.push(`Calibration loop: this run's machine was ${report.machine_slowdown.toFixed(3)}× the stored run's time; ratios are divided by it.`);
  }
  const ratio =
    report.mode === 'base'
      ? 'ratio = current / base, the median of block-pair ratios'
      : 'ratio = median(current) / median(stored) ÷ the calibration loop ratio';
  lines.push(
    `Samples are CPU time (all threads of each side's process); ${ratio}, ` +
      `${Math.round(report.confidence * 100)}% bootstrap interval (seed ${report.seed}); ` +
      'a regression needs the whole interval above 1 + limit in two independent rounds.',
  );
  return lines;
}

export function renderGateText(report: GateReport): string {
  return `${[...describeRun(report), '', table(HEADER, report.benchmarks.map(cells)), '', summaryLine(report)].join('\n')}\n`;
}

/** Markdown for summary.md and $GITHUB_STEP_SUMMARY. */
export function renderGateMarkdown(report: GateReport): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const rows = report.benchmarks.map((result) => `| ${cells(result).map(escape).join(' | ')} |`);
  return [
    `## Performance gate: ${report.failed ? '❌ FAIL' : '✅ pass'}`,
    '',
    ...describeRun(report),
    '',
    `| ${HEADER.join(' | ')} |`,
    `|${HEADER.map((_, c) => (c === 0 || c === HEADER.length - 1 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows,
    '',
    summaryLine(report),
    '',
  ].join('\n');
}
