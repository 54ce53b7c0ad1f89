import { readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, tempFile } from './support/cli.js';

const TAPE = [
  'Loan_ID , Measurement_Date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_30_60_usd,dpd_60_90_usd,dpd_90_plus_usd,segment',
  'A,2025-02-28,1000.00,800.00,950.00,12.00,100.00,50.00,25.00,sme',
  'B,2025-02-28,2000.00,1600.00,1900.00,24.00,200.00,100.00,50.00,consumer',
  'A,2025-01-31T00:00:00Z,1000.00,1000.00,990.00,62.50,0,0,0,sme',
  'A,2025-01-31,5000.00,1000.00,990.00,62.50,0,0,0,sme',
  'C,2025-01-31,oops,1000.00,990.00,62.50,0,0,0,sme',
].join('\r\n');

describe('stress compute', () => {
  it('--json gives the snapshots per date, sorted, with sums, KPIs and alerts', () => {
    const result = runCli(['compute', tempFile('tape.csv', TAPE), '--json', '--lenient']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.rows_read).toBe(5);
    expect(json.rows_dropped).toEqual({ duplicates: 1, invalid: 1 });
    expect(json.snapshots.map((s: { measurement_date: string }) => s.measurement_date)).toEqual(['2025-01-31', '2025-02-28']);
    const [jan, feb] = json.snapshots;
    expect(jan).toMatchObject({ rows: 1, total_receivable_usd: 1000, cash_available_usd: 62.5, par30: 0, collection_rate: 6.25 });
    expect(feb).toMatchObject({ rows: 2, total_receivable_usd: 3000, dpd_30_60_usd: 300, par30: 17.5, par90: 2.5, collection_rate: 1.5 });
    expect(feb.alerts.map((a: { kpi: string; level: string }) => `${a.kpi}:${a.level}`)).toEqual(['par30:critical', 'portfolio_health:critical']);
    for (const key of ['dpd_0_7_usd', 'dpd_7_30_usd', 'total_eligible_usd', 'discounted_balance_usd', 'portfolio_health']) {
      expect(typeof jan[key]).toBe('number');
    }
  });

  it('strict mode rejects the same tape, naming the bad cell', () => {
    const result = runCli(['compute', tempFile('tape.csv', TAPE)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 6, column total_receivable_usd, value "oops": not a number/);
  });

  it('prints a table with alert marks, and --out writes kpis.json and kpis.csv into a run folder that latest points to', () => {
    const out = tempDir();
    const result = runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2025-02-28\s+2\s+3,000\.00\s+17\.50 !!/);
    expect(result.stdout).toMatch(/dropped: 1 duplicate\(s\), 1 invalid/);
    const folder = /^result set: (.+)$/m.exec(result.stdout)?.[1];
    expect(folder).toMatch(/\/run_[0-9a-f]{12}_\d{8}T\d{6}Z_[0-9a-f]{4}$/);
    expect(readlinkSync(join(out, 'latest'))).toBe(basename(folder!));
    const json = JSON.parse(readFileSync(join(out, 'latest', 'kpis.json'), 'utf8'));
    expect(json.snapshots).toHaveLength(2);
    const csv = readFileSync(join(folder!, 'kpis.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toMatch(/^measurement_date,rows,total_receivable_usd,/);
    expect(csv[2]).toMatch(/^2025-02-28,2,3000,2400,2850,36,0,0,300,150,75,17\.5,2\.5,1\.5,/);
  });

  it('--group-by gives one snapshot per date and group value', () => {
    const result = runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--json', '--group-by', 'Segment']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.group_by).toBe('segment');
    expect(json.snapshots.map((s: { measurement_date: string; group: string }) => `${s.measurement_date}/${s.group}`)).toEqual([
      '2025-01-31/sme',
      '2025-02-28/consumer',
      '2025-02-28/sme',
    ]);
  });

  it('gives the same JSON whatever the thread count', () => {
    const path = tempFile('tape.csv', TAPE);
    const one = runCli(['compute', path, '--json', '--lenient', '--threads', '1']);
    const three = runCli(['compute', path, '--json', '--lenient', '--threads', '3']);
    expect(one.code).toBe(0);
    expect(three.stdout).toBe(one.stdout);
  });
});
