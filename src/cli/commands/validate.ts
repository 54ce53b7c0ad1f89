/**
 * `stress validate [--input FILE] [--out FILE]`: the five checks, a report written atomically (by default
 * production_validation_report.json in the current folder, the name the seeds' runbooks read) and an audit
 * trail beside it. Exit 0 on PASS or WARN, 1 on FAIL, 2 when --input cannot be opened as a tape at all (a tape
 * whose content is rejected is a FAIL of the report, so that an hourly run leaves a report saying so).
 */
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import { runValidation } from '../../cutover/validate.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { checkTapeFile } from '../../io/read-tape.js';
import { renderValidationTable } from '../../report/validate-text.js';
import { EXIT, UsageError } from '../errors.js';
import { parseDecimal, prepareOutputDir } from '../options.js';
import { printJson, printText } from '../output.js';

const DEFAULT_VALIDATION_REPORT = 'production_validation_report.json';
const DEFAULT_PERF_SECONDS = 2;
const MAX_PERF_SECONDS = 600;

interface ValidateFlags {
  input?: string;
  out?: string;
  perfSeconds?: string;
  json?: boolean;
}

/** The trail beside a report: production_validation_report.json → production_validation_report.audit.jsonl. */
function trailPathFor(reportPath: string): string {
  const name = basename(reportPath);
  const stem = extname(name).toLowerCase() === '.json' ? name.slice(0, -'.json'.length) : name;
  return join(dirname(reportPath), `${stem}.audit.jsonl`);
}

/**
 * A file that cannot be opened as a tape at all (missing, unreadable, not a file, empty, of an unknown type) is
 * a usage error, exit 2; what is wrong inside a tape is for the checks to report.
 */
function checkInputFile(path: string): string {
  checkTapeFile(path);
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`--input ${path}: file not readable`);
  }
  return path;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('the five cutover checks (kpi_calculations, data_integrity, performance, error_handling, audit_trail); writes a JSON report; exit 1 on FAIL')
    .option('--input <file>', 'the tape to validate (default: a synthetic tape of 12,000 rows)')
    .option('--out <file>', `the report, written atomically; the audit trail goes beside it as <name>.audit.jsonl (default: ${DEFAULT_VALIDATION_REPORT})`)
    .option('--perf-seconds <s>', `measured seconds per size of the performance check (default: ${DEFAULT_PERF_SECONDS})`)
    .option('--json', 'print the report as JSON')
    .action(async (flags: ValidateFlags) => {
      const input = flags.input === undefined ? null : checkInputFile(flags.input);
      const reportPath = flags.out ?? DEFAULT_VALIDATION_REPORT;
      prepareOutputDir('--out', dirname(reportPath));
      const perfSeconds = flags.perfSeconds === undefined ? DEFAULT_PERF_SECONDS : parseDecimal('--perf-seconds', flags.perfSeconds, 0, MAX_PERF_SECONDS, true);
      const workDir = mkdtempSync(join(tmpdir(), 'stress-validate-'));
      try {
        const report = await runValidation({ input, workDir, trailPath: trailPathFor(reportPath), perfSeconds });
        writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
        if (flags.json) printJson(report);
        else printText(renderValidationTable(report, reportPath));
        process.exitCode = report.status === 'FAIL' ? EXIT.failed : EXIT.ok;
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    });
}
