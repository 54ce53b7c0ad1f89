import type { Command } from 'commander';
import { verifyAuditFile } from '../../audit/verify.js';
import { EXIT, UsageError } from '../errors.js';
import { printJson, printText } from '../output.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('audit trails (audit.jsonl) of `stress compute` and `stress run`');
  audit
    .command('verify')
    .description('check an audit trail: every line parses, the seq numbers run 1, 2, 3…, each line chains to the one before by hash, and a run or compute trail ends with its closing event. Exit 0 intact, 1 broken (naming the first bad line), 2 unreadable')
    .argument('<file>', 'an audit.jsonl')
    .option('--json', 'print the verdict as JSON')
    .action((file: string, flags: { json?: boolean }) => {
      const verdict = verifyAuditFile(file);
      if (!verdict.ok && verdict.line === 0) throw new UsageError(`${file}: ${verdict.reason}`);
      if (flags.json) printJson(verdict);
      else if (verdict.ok) printText(`${file}: intact, ${verdict.events} event(s), last hash ${verdict.last_hash}`);
      else printText(`${file}: BROKEN at line ${verdict.line}: ${verdict.reason} (${verdict.events} event(s) verified before it)`);
      process.exitCode = verdict.ok ? EXIT.ok : EXIT.failed;
    });
}
