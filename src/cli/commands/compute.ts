import { join } from 'node:path';
import type { Command } from 'commander';
import { computeFile } from '../../compute.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { renderKpiCsv } from '../../report/kpi-csv.js';
import { renderKpiTable } from '../../report/kpi-text.js';
import { normaliseHeader } from '../../engine/schema.js';
import { parseThreads, prepareOutputDir } from '../options.js';
import { printJson, printText } from '../output.js';

interface ComputeFlags {
  json?: boolean;
  out?: string;
  groupBy?: string;
  lenient?: boolean;
  threads?: string;
}

export function registerCompute(program: Command): void {
  program
    .command('compute')
    .description('KPIs per snapshot date (PAR30, PAR90, collection rate, portfolio health) of a loan tape (.csv, .arrow)')
    .argument('<file>', 'the loan tape')
    .option('--json', 'print the result as JSON')
    .option('--out <dir>', 'also write kpis.json and kpis.csv into this folder')
    .option('--group-by <column>', 'KPIs per snapshot and per value of this extra column')
    .option('--lenient', 'drop bad rows (and report them) instead of rejecting the input')
    .option('--threads <n>', 'worker threads (default: available cores)')
    .action(async (file: string, flags: ComputeFlags) => {
      const threads = flags.threads === undefined ? undefined : parseThreads(flags.threads);
      const outDir = flags.out === undefined ? null : prepareOutputDir('--out', flags.out);
      const { result } = await computeFile(file, {
        lenient: flags.lenient === true,
        groupBy: flags.groupBy === undefined ? null : normaliseHeader(flags.groupBy),
        ...(threads === undefined ? {} : { threads }),
      });
      if (outDir !== null) {
        writeFileAtomic(join(outDir, 'kpis.json'), `${JSON.stringify(result, null, 2)}\n`);
        writeFileAtomic(join(outDir, 'kpis.csv'), renderKpiCsv(result));
      }
      if (flags.json) printJson(result);
      else printText(renderKpiTable(result));
    });
}
