/** The human table of `stress validate`: one line per check, then the issues. */
import { CHECK_NAMES, type ValidationReport } from '../cutover/validate.js';
import { table } from './kpi-text.js';

export function renderValidationTable(report: ValidationReport, reportPath: string): string {
  const input = report.input;
  const rows = CHECK_NAMES.map((name) => [name, report.checks[name].status, report.checks[name].details]);
  const lines = [
    `input: ${input.path}${input.generated ? ' (synthetic)' : ''}, ${input.bytes.toLocaleString('en-US')} bytes, ` +
      `${input.rows === null ? 'rejected' : `${input.rows.toLocaleString('en-US')} rows, ${input.snapshots} snapshot(s)`}, SHA-256 ${input.sha256}`,
    '',
    table(['check', 'status', 'details'], rows),
    '',
    `status: ${report.status}`,
    ...(report.issues.length > 0 ? ['issues:', ...report.issues.map((issue) => `  - ${issue}`)] : []),
    `report: ${reportPath}; audit trail: ${report.audit_trail_file}`,
  ];
  return `${lines.join('\n')}\n`;
}
