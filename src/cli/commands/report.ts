/**
 * `stress report DIR`: rebuild a run's summary.json and summary.md from its files — after a crash as well
 * as for a run that finished — and print it. Exit 0 for PASS, WARN and INTERRUPTED (the report itself
 * succeeded), 1 for FAIL, 2 for a folder that is not a run directory.
 */
import type { Command } from 'commander';
import { renderSummaryText } from '../../report/summary-text.js';
import { rebuildInputs, RunDirError } from '../../stress/run-dir.js';
import { writeSummaryFiles } from '../../stress/run.js';
import { buildSummary, type RunSummary } from '../../stress/summary.js';
import { EXIT, UsageError } from '../errors.js';
import { printJson, printText } from '../output.js';

interface ReportFlags {
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild summary.json and summary.md of a `stress run` directory from its files (also after a crash) and print the summary')
    .argument('<dir>', 'the run directory')
    .option('--json', 'print the summary as JSON')
    .action((dir: string, flags: ReportFlags) => {
      const summary = rebuildRunSummary(dir);
      if (flags.json) printJson(summary);
      else printText(`${renderSummaryText(summary)}\nRebuilt: ${dir} (summary.md, summary.json, report.html)`);
      process.exitCode = summary.status === 'FAIL' ? EXIT.failed : EXIT.ok;
    });
}

/** Rebuild, write and return the summary of a run directory. */
export function rebuildRunSummary(dir: string): RunSummary {
  let summary: RunSummary;
  try {
    summary = buildSummary(rebuildInputs(dir).inputs);
  } catch (error) {
    if (error instanceof RunDirError) throw new UsageError(error.message);
    throw error;
  }
  writeSummaryFiles(dir, summary);
  return summary;
}
