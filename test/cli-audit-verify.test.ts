import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventHash, type AuditEvent } from '../src/audit/trail.js';
import { runCli, tempDir, tempFile, writeLenientCriteria } from './support/cli.js';

const TAPE = [
  'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_30_60_usd',
  'A,2025-01-31,1000.00,800.00,950.00,12.00,100.00',
  'B,2025-02-28,2000.00,1600.00,1900.00,24.00,200.00',
].join('\n');

let lines: string[];

beforeAll(() => {
  const out = tempDir();
  const result = runCli(['compute', tempFile('tape.csv', TAPE), '--out', out, '--json']);
  expect(result.code).toBe(0);
  const folder = (JSON.parse(result.stdout) as { run_folder: string }).run_folder;
  lines = readFileSync(join(folder, 'audit.jsonl'), 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(10);
});

/** A copy of the real trail with its lines changed by `edit`, verified through the real CLI. */
function verifyEdited(edit: (lines: string[]) => string[] | string) {
  const edited = edit([...lines]);
  const path = tempFile('audit.jsonl', typeof edited === 'string' ? edited : `${edited.join('\n')}\n`);
  return { path, ...runCli(['audit', 'verify', path]) };
}

describe('stress audit verify', () => {
  it('exits 0 on an intact trail and prints its number of events', () => {
    const result = verifyEdited((l) => l);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: intact, 10 event\(s\), last hash [0-9a-f]{64}\n$/);
  });

  it('--json gives the verdict', () => {
    const path = tempFile('audit.jsonl', `${lines.join('\n')}\n`);
    const result = runCli(['audit', 'verify', path, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ file: path, ok: true, events: 10, last_hash: (JSON.parse(lines[9]!) as AuditEvent).hash });
  });

  const tamperings: { name: string; edit: (lines: string[]) => string[] | string; line: number; reason: RegExp }[] = [
    { name: 'an edited value', edit: (l) => ((l[2] = l[2]!.replace('"problems":0', '"problems":7')), l), line: 3, reason: /hash does not match the event/ },
    {
      name: 'an edited line whose own hash was recomputed',
      edit: (l) => {
        const event = JSON.parse(l[4]!) as AuditEvent;
        const forged = { ...event, details: { ...event.details, snapshots: 99 } };
        l[4] = JSON.stringify({ ...forged, hash: eventHash(forged) });
        return l;
      },
      line: 6,
      reason: /prev_hash does not match/,
    },
    { name: 'an inserted line', edit: (l) => (l.splice(3, 0, l[2]!), l), line: 4, reason: /seq is 3, expected 4/ },
    { name: 'a deleted line', edit: (l) => (l.splice(4, 1), l), line: 5, reason: /seq is 6, expected 5/ },
    { name: 'two lines swapped', edit: (l) => ([l[5], l[6]] = [l[6]!, l[5]!], l), line: 6, reason: /seq is 7, expected 6/ },
    { name: 'the last line deleted', edit: (l) => l.slice(0, 9), line: 10, reason: /ends after "compute\.write" without a closing compute\.complete\/fail\/interrupted event/ },
    { name: 'a torn last line', edit: (l) => `${l.join('\n')}\n${l[9]!.slice(0, 40)}`, line: 11, reason: /incomplete last line/ },
    { name: 'a line that is not JSON', edit: (l) => ((l[0] = 'hello'), l), line: 1, reason: /not valid JSON/ },
    { name: 'every line deleted', edit: () => '', line: 1, reason: /no events/ },
  ];

  for (const t of tamperings) {
    it(`exits 1 on ${t.name}, naming the first bad line`, () => {
      const result = verifyEdited(t.edit);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`: BROKEN at line ${t.line}: `));
      expect(result.stdout).toMatch(t.reason);
    });
  }

  it('exits 2 on a missing or unreadable file', () => {
    const missing = runCli(['audit', 'verify', join(tempDir(), 'none.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^stress: .*none\.jsonl: file not found or not readable\n$/);
    const folder = runCli(['audit', 'verify', tempDir()]);
    expect(folder.code).toBe(2);
    expect(runCli(['audit', 'verify']).code).toBe(2);
  });

  it("verifies the trail of `stress run`, and catches its last line cut off", () => {
    const dir = tempDir();
    const criteria = writeLenientCriteria(dir);
    const out = join(dir, 'run');
    const run = runCli(['run', '--duration', '2s', '--rows', '1000', '--threads', '1', '--criteria', criteria, '--out', out]);
    expect([0, 1]).toContain(run.code);
    expect(readdirSync(out)).toContain('audit.jsonl');
    const trail = readFileSync(join(out, 'audit.jsonl'), 'utf8').trimEnd().split('\n');
    expect(trail.length).toBeGreaterThanOrEqual(3);
    const intact = runCli(['audit', 'verify', join(out, 'audit.jsonl')]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain(`intact, ${trail.length} event(s)`);
    const cut = runCli(['audit', 'verify', tempFile('audit.jsonl', `${trail.slice(0, -1).join('\n')}\n`)]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(new RegExp(`BROKEN at line ${trail.length}: the trail ends after "run\\.checkpoint" without a closing run\\.`));
  }, 120_000);
});
