/**
 * `stress compute FILE --out DIR`: compute a tape into a new run folder (run-folder.ts) holding five files,
 * with every step on a hash-chained audit trail.
 *
 * - kpis.json, kpis.csv, kpis.parquet: the result (kpis.json also has the rollups and anomalies);
 * - manifest.json: run id, input (path, bytes, rows, SHA-256), each KPI file (name, bytes, SHA-256), rows
 *   dropped by reason, timings per stage, versions, options;
 * - audit.jsonl: start, read, validate, dedupe, compute, one write per file (manifest.json included, with its
 *   SHA-256), then complete — or fail.
 * Each file is written to a temporary name, fsynced and renamed; audit.jsonl is appended and fsynced event by
 * event. The chain ties the set together: the trail vouches for the manifest's hash, the manifest for the
 * KPI files'. `latest` moves to the folder only once the set is complete.
 *
 * A run that fails once its folder exists (a rejected input, an error while computing or writing) appends a
 * fail event, removes whatever else it wrote, and leaves the folder holding audit.jsonl alone, so the attempt
 * stays on record and no partial result can be taken for a complete one. Problems with the file as a whole
 * (missing, empty, unknown type) are found before the folder is made, and leave nothing.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditTrail, fsyncDirectory } from '../audit/trail.js';
import { packageVersion } from '../cli/version.js';
import { computeSnapshots, kpiResult, readOptionsOf, type ComputeOptions } from '../compute.js';
import { messageOf } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { TapeInputError } from '../io/problems.js';
import { checkTapeFile, readTape } from '../io/read-tape.js';
import { sha256File } from '../io/sha256.js';
import type { ReadResult } from '../io/tape-builder.js';
import { renderKpiCsv } from '../report/kpi-csv.js';
import { renderKpiParquet } from './kpi-parquet.js';
import { kpiReport, type KpiReport, type PreviousResult } from './kpi-report.js';
import { createRunFolder, pointLatest, runIdOf } from './run-folder.js';
import { strictJson } from './strict-json.js';

export const RESULT_FILES = {
  kpisJson: 'kpis.json',
  kpisCsv: 'kpis.csv',
  kpisParquet: 'kpis.parquet',
  manifest: 'manifest.json',
  audit: 'audit.jsonl',
} as const;

const AUDIT_ACTOR = 'stress compute';

const COMPUTE_ACTIONS = {
  start: 'compute.start',
  read: 'compute.read',
  validate: 'compute.validate',
  dedupe: 'compute.dedupe',
  compute: 'compute.compute',
  write: 'compute.write',
  complete: 'compute.complete',
  fail: 'compute.fail',
} as const;

export interface FileDigest {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly run_id: string;
  readonly run_folder: string;
  readonly generated_at: string;
  readonly input: { readonly path: string; readonly bytes: number; readonly rows: number; readonly sha256: string };
  /** every file of the set but the manifest itself and the audit trail, which records the manifest's hash */
  readonly outputs: readonly FileDigest[];
  readonly rows_dropped: { readonly duplicates: number; readonly invalid: number; readonly invalid_by_reason: Readonly<Record<string, number>> };
  /** milliseconds per stage; the readers validate and deduplicate row by row as they read, so one stage */
  readonly timings_ms: {
    readonly hash_input: number;
    readonly read_validate_dedupe: number;
    readonly compute: number;
    readonly rollups_and_anomalies: number;
    readonly write_outputs: number;
  };
  readonly versions: { readonly package: string; readonly node: string };
  readonly options: Readonly<Record<string, string | number | boolean | null>>;
}

export interface ResultSetOptions extends ComputeOptions {
  /** the --out parent folder */
  readonly parent: string;
  readonly previous: PreviousResult | null;
  /** the command's options as given, for the manifest and the start event */
  readonly recorded: Readonly<Record<string, string | number | boolean | null>>;
}

export interface ResultSet {
  readonly report: KpiReport;
  /** path of the run folder */
  readonly folder: string;
  readonly manifest: Manifest;
}

function sha256Of(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const ms = (from: number, to: number) => Math.round((to - from) * 1000) / 1000;

export async function computeResultSet(path: string, options: ResultSetOptions): Promise<ResultSet> {
  const { bytes } = checkTapeFile(path);
  const started = new Date();
  const t0 = performance.now();
  const sha256 = await sha256File(path);
  const t1 = performance.now();
  const runId = runIdOf(sha256);
  const name = createRunFolder(options.parent, runId, started);
  const folder = join(options.parent, name);
  const trail = AuditTrail.open(join(folder, RESULT_FILES.audit), AUDIT_ACTOR);
  let stage = 'start';
  let set: ResultSet;
  try {
    trail.append(COMPUTE_ACTIONS.start, 'info', { run_id: runId, input: resolve(path), options: options.recorded });
    stage = 'read';
    const read: ReadResult = await readTape(path, readOptionsOf(options));
    const t2 = performance.now();
    trail.append(COMPUTE_ACTIONS.read, 'ok', { rows: read.rowsRead, bytes, sha256 });
    trail.append(COMPUTE_ACTIONS.validate, read.dropped.invalid > 0 ? 'warn' : 'ok', {
      mode: options.lenient ? 'lenient' : 'strict',
      problems: read.dropped.invalid,
      by_reason: read.invalidByReason,
    });
    trail.append(COMPUTE_ACTIONS.dedupe, read.dropped.duplicates > 0 ? 'warn' : 'ok', { duplicates_dropped: read.dropped.duplicates, rows_kept: read.tape.rows });
    stage = 'compute';
    const snapshots = await computeSnapshots(read, options);
    const t3 = performance.now();
    const report = kpiReport(kpiResult(read, snapshots), runId, options.previous, options.thresholds);
    const t4 = performance.now();
    trail.append(COMPUTE_ACTIONS.compute, 'ok', { snapshots: snapshots.length, anomalies: report.anomalies.length });
    stage = 'write';
    const write = (file: string, data: string | Uint8Array): FileDigest => {
      writeFileAtomic(join(folder, file), data);
      const digest = { name: file, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength, sha256: sha256Of(data) };
      trail.append(COMPUTE_ACTIONS.write, 'ok', { file: digest.name, bytes: digest.bytes, sha256: digest.sha256 });
      return digest;
    };
    const outputs = [
      write(RESULT_FILES.kpisJson, strictJson(report, RESULT_FILES.kpisJson)),
      write(RESULT_FILES.kpisCsv, renderKpiCsv(report)),
      write(RESULT_FILES.kpisParquet, await renderKpiParquet(report)),
    ];
    const t5 = performance.now();
    const manifest: Manifest = {
      run_id: runId,
      run_folder: name,
      generated_at: started.toISOString(),
      input: { path: resolve(path), bytes, rows: read.rowsRead, sha256 },
      outputs,
      rows_dropped: { ...read.dropped, invalid_by_reason: read.invalidByReason },
      timings_ms: {
        hash_input: ms(t0, t1),
        read_validate_dedupe: ms(t1, t2),
        compute: ms(t2, t3),
        rollups_and_anomalies: ms(t3, t4),
        write_outputs: ms(t4, t5),
      },
      versions: { package: packageVersion(), node: process.version },
      options: options.recorded,
    };
    const manifestDigest = write(RESULT_FILES.manifest, strictJson(manifest, RESULT_FILES.manifest));
    fsyncDirectory(folder);
    trail.append(COMPUTE_ACTIONS.complete, 'ok', { files: outputs.length + 2, manifest_sha256: manifestDigest.sha256 });
    set = { report, folder, manifest };
  } catch (error) {
    failRun(trail, folder, stage, error);
    throw error;
  } finally {
    trail.close();
  }
  // only a complete set becomes `latest`
  pointLatest(options.parent, name);
  return set;
}

/** Record the failure, then leave the folder holding the audit trail alone. */
function failRun(trail: AuditTrail, folder: string, stage: string, error: unknown): void {
  const message = messageOf(error);
  try {
    trail.append(COMPUTE_ACTIONS.fail, 'fail', {
      stage,
      error: message,
      ...(error instanceof TapeInputError ? { problems: error.total } : {}),
    });
  } catch {
    // the trail itself failed (disk full?): the original error is the one to report
  }
  for (const entry of readdirSync(folder)) {
    if (entry !== RESULT_FILES.audit) rmSync(join(folder, entry), { force: true, recursive: true });
  }
}
