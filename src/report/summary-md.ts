/**
 * summary.md: the run's summary as GitHub-flavoured markdown, fit for a CI job summary
 * ($GITHUB_STEP_SUMMARY). Plain markers (**PASS**), no emoji, so it reads the same in a terminal and in
 * any renderer. A pure function of the summary.
 */
import { formatDuration } from '../stress/duration.js';
import type { RunSummary } from '../stress/summary.js';
import { CRITERION_LABELS, count, describeLoad, driftLine, errorsByKind, fixed, measuredText, ms } from './summary-text.js';

export function renderSummaryMarkdown(summary: RunSummary): string {
  const out: string[] = [];
  out.push(`## Soak run: **${summary.status}**`, '');
  out.push(cell(summary.status_reason), '');
  const it = summary.iterations;
  out.push(
    `- duration: ${formatDuration(summary.duration.actual_s * 1000)} of ${formatDuration(summary.duration.planned_s * 1000)} planned ` +
      `(${summary.started_at} to ${summary.ended_at})`,
    `- load: ${describeLoad(summary.load)}`,
    `- workload: ${summary.workload.kind} - ${cell(summary.workload.description)}`,
    `- iterations: ${count(it.total)} (${fixed(it.achieved_rate_per_s, 2)}/s), failed ${count(it.failed)} (${fixed(it.error_rate_percent, 3)}%)`,
  );
  if (Object.keys(it.errors_by_kind).length > 0) out.push(`- errors by kind: ${cell(errorsByKind(it.errors_by_kind))}`);
  out.push(`- checkpoints: ${summary.checkpoints.written} of ${summary.checkpoints.planned} written`, '');

  out.push('### Criteria', '');
  out.push('| criterion | measured | pass | fail | verdict | detail |', '|---|---:|---|---|---|---|');
  for (const c of summary.criteria) {
    out.push(`| ${CRITERION_LABELS[c.name]} | ${measuredText(c)} | ${cell(c.pass_rule)} | ${cell(c.fail_rule)} | **${c.verdict}** | ${cell(c.detail)} |`);
  }
  out.push('');

  out.push('### Latency of one iteration (ms)', '');
  const l = summary.latency_ms;
  if (l === null) out.push('No iteration completed.');
  else {
    out.push('| mean | p50 | p90 | p99 | max | min | stddev |', '|---:|---:|---:|---:|---:|---:|---:|');
    out.push(`| ${ms(l.mean)} | ${ms(l.p50)} | ${ms(l.p90)} | ${ms(l.p99)} | ${ms(l.max)} | ${ms(l.min)} | ${ms(l.stddev)} |`);
  }
  out.push('');

  const drifts = ([['RSS', summary.drift.rss], ['heap after GC', summary.drift.heap_after_gc]] as const).filter(([, d]) => d !== null);
  if (drifts.length > 0) {
    out.push('### Memory drift', '');
    for (const [label, d] of drifts) out.push(`- ${label}: ${cell(driftLine(d!))}`);
    out.push('');
  }

  if (summary.decisions.length > 0) {
    out.push('### Decisions', '');
    out.push('| checkpoint | decision | reasons |', '|---|---|---|');
    for (const d of summary.decisions) out.push(`| ${d.checkpoint} | **${d.decision}** | ${d.reasons.length > 0 ? cell(d.reasons.join('; ')) : '-'} |`);
    out.push('');
  }

  const e = summary.environment;
  out.push('### Environment', '');
  out.push(
    `- Node ${e.node} on ${e.platform}/${e.arch}`,
    `- CPU: ${cell(e.cpu_model)} x ${e.cores} cores; memory ${count(e.memory_total_mb)} MB`,
    `- loan-kpi-stress ${e.package_version}`,
    '',
  );
  out.push('<details><summary>options and thresholds</summary>', '', '```json', JSON.stringify({ options: summary.options, thresholds: summary.thresholds }, null, 2), '```', '', '</details>', '');
  return out.join('\n');
}

/**
 * Text safe inside a table cell or a list item: no line breaks, pipes escaped, and no "<" that could open
 * an HTML tag (a "<" before a space or digit, as in "< 100 ms", stays readable in the raw file).
 */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}
