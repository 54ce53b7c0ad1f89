/**
 * `stress shadow --baseline A --candidate B [--tolerance 0.1]`: compare two KPI results metric by metric.
 * Exit 0 when every value is within tolerance and both sides hold the same snapshots, 1 otherwise, 2 for bad
 * usage or input.
 */
import type { Command } from 'commander';
import { loadKpiSource } from '../../cutover/kpi-source.js';
import { compareResults, DEFAULT_TOLERANCE_PERCENT } from '../../cutover/shadow.js';
import { normaliseHeader } from '../../engine/schema.js';
import { renderShadowTable } from '../../report/shadow-text.js';
import { EXIT, UsageError } from '../errors.js';
import { parseDecimal } from '../options.js';
import { printJson, printText } from '../output.js';

interface ShadowFlags {
  baseline?: string;
  candidate?: string;
  tolerance?: string;
  groupBy?: string;
  json?: boolean;
}

/** A tolerance above 100 % would accept any candidate of the right sign: surely a typo. */
const MAX_TOLERANCE_PERCENT = 100;

export function registerShadow(program: Command): void {
  program
    .command('shadow')
    .description('compare two KPI results snapshot by snapshot (a kpis.json, a folder holding one, or a tape computed now); exit 1 when any value is out of tolerance')
    .requiredOption('--baseline <path>', 'the reference side: kpis.json, a folder with kpis.json or latest/kpis.json, or a tape (.csv, .arrow, .parquet)')
    .requiredOption('--candidate <path>', 'the side under test, in any of the same forms')
    .option('--tolerance <percent>', `largest accepted relative variance in percent, ≥ 0 (default: ${DEFAULT_TOLERANCE_PERCENT})`)
    .option('--group-by <column>', 'compute tapes per snapshot and per value of this column')
    .option('--json', 'print the comparison as JSON')
    .action(async (flags: ShadowFlags) => {
      const tolerance = flags.tolerance === undefined ? DEFAULT_TOLERANCE_PERCENT : parseDecimal('--tolerance', flags.tolerance, 0, MAX_TOLERANCE_PERCENT);
      const groupBy = flags.groupBy === undefined ? null : normaliseHeader(flags.groupBy);
      const baseline = await loadKpiSource('--baseline', flags.baseline!, groupBy);
      const candidate = await loadKpiSource('--candidate', flags.candidate!, groupBy);
      if (baseline.group_by !== candidate.group_by) {
        const name = (g: string | null) => (g === null ? 'not grouped' : `grouped by ${g}`);
        throw new UsageError(`the baseline is ${name(baseline.group_by)} and the candidate ${name(candidate.group_by)}: compare results of the same grouping (--group-by for tapes)`);
      }
      const comparison = compareResults(baseline.snapshots, candidate.snapshots, tolerance);
      if (flags.json) {
        const side = (s: typeof baseline) => ({ path: s.path, kind: s.kind, group_by: s.group_by, snapshots: s.snapshots.length });
        printJson({ baseline: side(baseline), candidate: side(candidate), ...comparison });
      } else {
        printText(renderShadowTable(comparison, baseline, candidate));
      }
      process.exitCode = comparison.status === 'PASS' ? EXIT.ok : EXIT.failed;
    });
}
