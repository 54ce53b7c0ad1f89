import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAuditFile } from '../src/audit/verify.js';
import { readTrail } from '../src/audit/trail.js';
import { parquetToArrowTable } from '../src/io/parquet.js';
import { writeSyntheticFile } from '../src/io/synthetic.js';
import { runCli, startCli, tempDir, tempFile } from './support/cli.js';

const HEADER = 'loan_id,measurement_date,total_receivable_usd,total_eligible_usd,discounted_balance_usd,cash_available_usd,dpd_30_60_usd,dpd_60_90_usd,dpd_90_plus_usd';
const TAPE = [
  HEADER,
  'A,2025-02-28,1000.00,800.00,950.00,12.00,100.00,50.00,25.00',
  'B,2025-02-28,2000.00,1600.00,1900.00,24.00,200.00,100.00,50.00',
  'A,2025-01-31,1000.00,1000.00,990.00,62.50,0,0,0',
  'A,2025-01-31,5000.00,1000.00,990.00,62.50,0,0,0',
  'C,2025-01-31,oops,1000.00,990.00,62.50,0,0,0',
].join('\n');

const FILES = ['audit.jsonl', 'kpis.csv', 'kpis.json', 'kpis.parquet', 'manifest.json'];

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Every number in a parsed JSON value is finite, and no value came from a NaN or an Infinity turned null. */
function assertStrictJson(value: unknown, where: string): void {
  if (typeof value === 'number') expect(Number.isFinite(value), where).toBe(true);
  else if (Array.isArray(value)) value.forEach((item, i) => assertStrictJson(item, `${where}[${i}]`));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) assertStrictJson(item, `${where}.${key}`);
}

/** A complete, uncorrupted result set: five files, the manifest's hashes right, the trail intact and closed. */
function checkResultSet(folder: string): { manifest: Record<string, unknown>; actions: string[] } {
  expect(readdirSync(folder).sort()).toEqual(FILES);
  const manifestText = readFileSync(join(folder, 'manifest.json'), 'utf8');
  expect(manifestText).not.toMatch(/NaN|Infinity/);
  const manifest = JSON.parse(manifestText) as Record<string, unknown>;
  assertStrictJson(manifest, 'manifest');
  const outputs = manifest['outputs'] as { name: string; bytes: number; sha256: string }[];
  expect(outputs.map((o) => o.name)).toEqual(['kpis.json', 'kpis.csv', 'kpis.parquet']);
  for (const output of outputs) {
    const bytes = readFileSync(join(folder, output.name));
    expect(output.bytes, output.name).toBe(bytes.length);
    expect(output.sha256, output.name).toBe(sha256(bytes));
  }
  expect(verifyAuditFile(join(folder, 'audit.jsonl'))).toMatchObject({ ok: true, events: 10 });
  const { events } = readTrail(join(folder, 'audit.jsonl'));
  const writes = events.filter((e) => e.action === 'compute.write').map((e) => e.details as { file: string; sha256: string; bytes: number });
  expect(writes.map((w) => w.file)).toEqual(['kpis.json', 'kpis.csv', 'kpis.parquet', 'manifest.json']);
  expect(writes.slice(0, 3).map((w) => w.sha256)).toEqual(outputs.map((o) => o.sha256));
  expect(writes[3]!.sha256).toBe(sha256(manifestText));
  expect(events.at(-1)!.details).toMatchObject({ manifest_sha256: sha256(manifestText) });
  return { manifest, actions: events.map((e) => e.action) };
}

describe('stress compute --out: the result set', () => {
  it('writes five files into a run folder named after the input, with a manifest that vouches for them', () => {
    const tape = tempFile('tape.csv', TAPE);
    const out = tempDir();
    const result = runCli(['compute', tape, '--lenient', '--out', out, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    const folder = printed['run_folder'] as string;
    const runId = `run_${sha256(readFileSync(tape)).slice(0, 12)}`;
    expect(basename(folder)).toMatch(new RegExp(`^${runId}_\\d{8}T\\d{6}Z_[0-9a-f]{4}$`));
    expect(readlinkSync(join(out, 'latest'))).toBe(basename(folder));

    const { manifest, actions } = checkResultSet(folder);
    expect(actions).toEqual([
      'compute.start',
      'compute.read',
      'compute.validate',
      'compute.dedupe',
      'compute.compute',
      'compute.write',
      'compute.write',
      'compute.write',
      'compute.write',
      'compute.complete',
    ]);
    expect(manifest).toMatchObject({
      run_id: runId,
      run_folder: basename(folder),
      input: { path: tape, bytes: statSync(tape).size, rows: 5, sha256: sha256(readFileSync(tape)) },
      rows_dropped: { duplicates: 1, invalid: 1, invalid_by_reason: { 'not a number': 1 } },
      versions: { package: readJson(join(import.meta.dirname, '..', 'package.json'))['version'], node: process.version },
      options: { group_by: null, lenient: true, threads: null, previous: null, rollup: null },
    });
    expect(Date.parse(manifest['generated_at'] as string)).not.toBeNaN();
    expect(Object.keys(manifest['timings_ms'] as object)).toEqual(['hash_input', 'read_validate_dedupe', 'compute', 'rollups_and_anomalies', 'write_outputs']);
    for (const ms of Object.values(manifest['timings_ms'] as Record<string, number>)) expect(ms).toBeGreaterThanOrEqual(0);

    const kpisText = readFileSync(join(folder, 'kpis.json'), 'utf8');
    const kpis = JSON.parse(kpisText) as Record<string, unknown>;
    assertStrictJson(kpis, 'kpis');
    // --json prints kpis.json, plus where it went
    expect(printed).toEqual({ ...kpis, run_folder: folder });
    expect(kpis['run_id']).toBe(runId);
    expect(kpis['anomalies']).toEqual([]);
    expect((kpis['rollups'] as Record<string, { period: string }[]>)['month']!.map((m) => m.period)).toEqual(['2025-01', '2025-02']);
  });

  it('kpis.parquet holds the same values as kpis.json, typed', async () => {
    const out = tempDir();
    const result = runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--out', out, '--json']);
    const { run_folder: folder, snapshots } = JSON.parse(result.stdout) as { run_folder: string; snapshots: Record<string, unknown>[] };
    const table = await parquetToArrowTable('kpis.parquet', readFileSync(join(folder, 'kpis.parquet')));
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.slice(0, 3).map((f) => `${f.name}:${String(f.type)}`)).toEqual(['measurement_date:Date32<DAY>', 'rows:Int64', 'total_receivable_usd:Float64']);
    const rows = table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
    snapshots.forEach((snapshot, i) => {
      const row = rows[i]!;
      expect(new Date(row['measurement_date'] as number).toISOString().slice(0, 10)).toBe(snapshot['measurement_date']);
      expect(row['rows']).toBe(BigInt(snapshot['rows'] as number));
      for (const key of ['total_receivable_usd', 'dpd_30_60_usd', 'par30', 'par90', 'collection_rate', 'portfolio_health']) expect(row[key], key).toBe(snapshot[key]);
    });
    expect(rows[1]!['alerts']).toBe('par30:critical;portfolio_health:critical');
  });

  it('a rejected input leaves a run folder with only its audit trail, ending in a fail event that verifies', () => {
    const out = tempDir();
    const result = runCli(['compute', tempFile('tape.csv', TAPE), '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stress: .*tape\.csv: line 6, column total_receivable_usd, value "oops": not a number\n$/);
    const [folder, ...others] = readdirSync(out);
    expect(others).toEqual([]);
    expect(readdirSync(join(out, folder!))).toEqual(['audit.jsonl']);
    const trail = join(out, folder!, 'audit.jsonl');
    const { events } = readTrail(trail);
    expect(events.map((e) => e.action)).toEqual(['compute.start', 'compute.fail']);
    expect(events[1]).toMatchObject({ status: 'fail', details: { stage: 'read', problems: 1 } });
    expect((events[1]!.details as { error: string }).error).toMatch(/value "oops": not a number/);
    const verify = runCli(['audit', 'verify', trail]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/intact, 2 event\(s\)/);
  });

  it('--previous flags a KPI that moved by more than 20% for the same snapshot, in the table and in kpis.json', () => {
    const out = tempDir();
    expect(runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--out', out]).code).toBe(0);
    const firstFolder = join(out, readlinkSync(join(out, 'latest')));
    // B's 30-60 bucket 200 → 600: February's PAR30 goes from 17.5 to 30.83 (+76.2%); health falls 16.2%, under the threshold
    const changed = TAPE.replace('B,2025-02-28,2000.00,1600.00,1900.00,24.00,200.00', 'B,2025-02-28,2000.00,1600.00,1900.00,24.00,600.00');
    const second = runCli(['compute', tempFile('tape.csv', changed), '--lenient', '--out', out, '--previous', out]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/2025-01-31 .* ok\s+ok\n/);
    expect(second.stdout).toMatch(/2025-02-28 .*par30 \+76\.2%\n/);
    // named by the run folder latest pointed to when it was read, since latest moves on
    expect(second.stdout).toContain(`against ${join(firstFolder, 'kpis.json')}: 1 anomaly (KPI change > 20%) in 2 snapshot(s) compared`);
    const kpis = readJson(join(out, 'latest', 'kpis.json'));
    expect(kpis['anomalies']).toEqual([{ measurement_date: '2025-02-28', kpi: 'par30', previous: 17.5, current: (100 * 92500) / 300000, change_percent: expect.closeTo(76.19, 2) }]);
    expect(kpis['previous']).toMatchObject({ threshold_percent: 20, snapshots_compared: 2, only_current: [], only_previous: [] });
    // a run folder or a kpis.json name the previous result as well; the same input against itself has no anomaly
    for (const previous of [firstFolder, join(firstFolder, 'kpis.json')]) {
      const again = JSON.parse(runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--json', '--previous', previous]).stdout) as Record<string, unknown>;
      expect(again['anomalies']).toEqual([]);
      expect(again['previous']).toMatchObject({ source: join(firstFolder, 'kpis.json') });
    }
    const bad = runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--previous', tempDir()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^stress: --previous .*: a folder without kpis\.json or latest\/kpis\.json\n$/);
  });

  it('--rollup prints one row per period with its real start and end', () => {
    const result = runCli(['compute', tempFile('tape.csv', TAPE), '--lenient', '--rollup', 'week']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^week\s+from\s+to\s+snapshots/);
    expect(result.stdout).toMatch(/\n2025-W05\s+2025-01-27\s+2025-02-02\s+1\s+1\s+1,000\.00\s+0\.00/);
    expect(result.stdout).toMatch(/\n2025-W09\s+2025-02-24\s+2025-03-02\s+1\s+2\s+3,000\.00\s+17\.50 !!/);
    const bad = runCli(['compute', tempFile('tape.csv', TAPE), '--rollup', 'fortnight']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('stress: --rollup takes one of day, week, month, got "fortnight"\n');
  });

  it('four processes writing into the same folder at once leave four complete, uncorrupted result sets', async () => {
    const dir = tempDir();
    const tape = join(dir, 'tape.parquet');
    await writeSyntheticFile(tape, { rows: 20_000, dates: 6, seed: 3 });
    const out = join(dir, 'out');
    const runs = await Promise.all(Array.from({ length: 4 }, () => startCli(['compute', tape, '--out', out, '--threads', '1', '--json'])));
    for (const run of runs) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
    const folders = runs.map((run) => (JSON.parse(run.stdout) as { run_folder: string }).run_folder);
    expect(new Set(folders).size).toBe(4);
    // nothing else: no temporary file or link left behind
    expect(readdirSync(out).sort()).toEqual([...folders.map((f) => basename(f)), 'latest'].sort());
    expect(folders.map((f) => basename(f))).toContain(readlinkSync(join(out, 'latest')));
    const kpis = folders.map((folder) => {
      checkResultSet(folder);
      return readFileSync(join(folder, 'kpis.json'), 'utf8');
    });
    // the same input gives the same result, byte for byte, in every set
    expect(new Set(kpis).size).toBe(1);
  }, 180_000);
});
