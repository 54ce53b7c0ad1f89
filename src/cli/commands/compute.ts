import type { Command } from 'commander';
import { computeFile } from '../../compute.js';
import { loadKpiSource } from '../../cutover/kpi-source.js';
import { normaliseHeader } from '../../engine/schema.js';
import { TAPE_EXTENSIONS } from '../../io/read-tape.js';
import { renderKpiTable, renderRollupTable } from '../../report/kpi-text.js';
import { kpiReport, type KpiReport, type PreviousResult } from '../../results/kpi-report.js';
import { computeResultSet } from '../../results/result-set.js';
import { ROLLUP_PERIODS, type RollupPeriod } from '../../results/rollups.js';
import { UsageError } from '../errors.js';
import { MAX_MEMORY_HELP, parseMaxMemory, parseThreads, prepareOutputDir } from '../options.js';
import { printJson, printText } from '../output.js';

interface ComputeFlags {
  json?: boolean;
  out?: string;
  groupBy?: string;
  lenient?: boolean;
  threads?: string;
  previous?: string;
  rollup?: string;
  maxMemory?: string;
}

function parseRollup(text: string): RollupPeriod {
  const period = text.trim().toLowerCase();
  if (!(ROLLUP_PERIODS as readonly string[]).includes(period)) throw new UsageError(`--rollup takes one of ${ROLLUP_PERIODS.join(', ')}, got "${text}"`);
  return period as RollupPeriod;
}

export function registerCompute(program: Command): void {
  program
    .command('compute')
    .description(`KPIs per snapshot date (PAR30, PAR90, collection rate, portfolio health) of a loan tape (${TAPE_EXTENSIONS.join(', ')})`)
    .argument('<file>', 'the loan tape')
    .option('--json', 'print the result as JSON (the content of kpis.json, and run_folder with --out)')
    .option('--out <dir>', 'write a result set (kpis.json, kpis.csv, kpis.parquet, manifest.json, audit.jsonl) into a new run folder under this folder, and point <dir>/latest at it')
    .option('--group-by <column>', 'KPIs per snapshot and per value of this extra column')
    .option('--lenient', 'drop bad rows (and report them) instead of rejecting the input')
    .option('--threads <n>', 'worker threads (default: available cores)')
    .option('--previous <path>', 'flag KPIs that moved by more than 20% against an earlier result: a kpis.json, a run folder, or an --out folder (its latest)')
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .option('--rollup <period>', `print the snapshots rolled up by ${ROLLUP_PERIODS.join(', ')} instead of one row per snapshot`)
    .action(async (file: string, flags: ComputeFlags) => {
      const threads = flags.threads === undefined ? undefined : parseThreads(flags.threads);
      const rollup = flags.rollup === undefined ? null : parseRollup(flags.rollup);
      const groupBy = flags.groupBy === undefined ? null : normaliseHeader(flags.groupBy);
      const memoryLimit = parseMaxMemory(flags.maxMemory);
      const parent = flags.out === undefined ? null : prepareOutputDir('--out', flags.out);
      // read before anything is computed or written: with --out, DIR/latest is about to move
      const previous: PreviousResult | null =
        flags.previous === undefined ? null : await loadKpiSource('--previous', flags.previous, groupBy).then((s) => ({ source: s.path, snapshots: s.snapshots }));
      const options = { lenient: flags.lenient === true, groupBy, memoryLimit, ...(threads === undefined ? {} : { threads }) };
      let report: KpiReport;
      let folder: string | null = null;
      if (parent === null) {
        const { result } = await computeFile(file, options);
        report = kpiReport(result, null, previous);
      } else {
        const recorded = { group_by: groupBy, lenient: options.lenient, threads: threads ?? null, previous: flags.previous ?? null, rollup };
        ({ report, folder } = await computeResultSet(file, { ...options, parent, previous, recorded }));
      }
      if (flags.json) {
        printJson(folder === null ? report : { ...report, run_folder: folder });
        return;
      }
      const anomalies = previous === null ? null : report.anomalies;
      const lines = [(rollup === null ? renderKpiTable(report, anomalies) : renderRollupTable(report.rollups[rollup], rollup, report.group_by)).trimEnd()];
      if (report.previous !== null) {
        const p = report.previous;
        lines.push(
          `against ${p.source}: ${report.anomalies.length} anomal${report.anomalies.length === 1 ? 'y' : 'ies'} (KPI change > ${p.threshold_percent}%) in ${p.snapshots_compared} snapshot(s) compared; ` +
            `${p.only_current.length} new, ${p.only_previous.length} no longer present`,
        );
      }
      if (folder !== null) lines.push(`result set: ${folder}`);
      printText(lines.join('\n'));
    });
}
