/**
 * Where a shadow comparison gets one side's KPI results: a kpis.json (the JSON of `stress compute --json`), a
 * folder holding one (a run folder), a folder whose `latest/kpis.json` is one (the --out folder of
 * `stress compute`), or a loan tape, computed on the spot. Of a kpis.json only `snapshots` and `group_by` are
 * read, so the extra fields of newer versions do no harm; every value the comparison needs is checked, and
 * a bad one is a UsageError naming the file and the field.
 */
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { extname, isAbsolute, join } from 'node:path';
import { computeFile } from '../compute.js';
import { UsageError } from '../errors.js';
import { TAPE_EXTENSIONS } from '../io/read-tape.js';
import { COMPARED_METRICS, type ComparableSnapshot } from './shadow.js';

export interface KpiSource {
  /** a kpis.json read from disk, or a tape computed here */
  readonly kind: 'kpis' | 'tape';
  /** the file actually read */
  readonly path: string;
  readonly group_by: string | null;
  readonly snapshots: readonly ComparableSnapshot[];
}

const KPIS_FILE = 'kpis.json';
export const LATEST_LINK = 'latest';

/**
 * The kpis.json a folder stands for: DIR/kpis.json, else the one in the run folder DIR/latest points to, named
 * by that folder's own path so that the output says which run was compared.
 */
function kpisFileOf(option: string, dir: string): string {
  const own = join(dir, KPIS_FILE);
  if (existsSync(own)) return own;
  const link = join(dir, LATEST_LINK);
  let latest = link;
  try {
    const target = readlinkSync(link);
    latest = isAbsolute(target) ? target : join(dir, target);
  } catch {
    // not a symlink (or none): a plain folder named latest is read as it is
  }
  const file = join(latest, KPIS_FILE);
  if (existsSync(file)) return file;
  throw new UsageError(`${option} ${dir}: a folder without ${KPIS_FILE} or ${LATEST_LINK}/${KPIS_FILE}`);
}

export async function loadKpiSource(option: string, path: string, groupBy: string | null): Promise<KpiSource> {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new UsageError(`${option} ${path}: file not found or not readable`);
  }
  if (isDirectory) return readKpisFile(kpisFileOf(option, path));
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return readKpisFile(path);
  if ((TAPE_EXTENSIONS as readonly string[]).includes(extension)) {
    const { result } = await computeFile(path, { groupBy });
    return { kind: 'tape', path, group_by: result.group_by, snapshots: result.snapshots };
  }
  throw new UsageError(`${option} ${path}: expected a kpis.json, a folder holding one, or a tape (${TAPE_EXTENSIONS.join(', ')})`);
}

function readKpisFile(path: string): KpiSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${path}: file not found or not readable`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const { snapshots, groupBy } = parseKpiResult(json, path);
  return { kind: 'kpis', path, group_by: groupBy, snapshots };
}

/** The snapshots and grouping column of a parsed kpis.json, every compared value checked. */
export function parseKpiResult(json: unknown, file: string): { snapshots: ComparableSnapshot[]; groupBy: string | null } {
  const bad = (where: string, what: string, value: unknown) =>
    new UsageError(`${file}: ${where}: ${what}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad('top level', 'expected an object', json);
  const record = json as Record<string, unknown>;
  const groupBy = record['group_by'] ?? null;
  if (groupBy !== null && typeof groupBy !== 'string') throw bad('group_by', 'expected a column name or null', groupBy);
  const list = record['snapshots'];
  if (!Array.isArray(list)) throw bad('snapshots', 'expected an array', list);
  const snapshots = list.map((item: unknown, i): ComparableSnapshot => {
    const where = `snapshots[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw bad(where, 'expected an object', item);
    const s = item as Record<string, unknown>;
    const date = s['measurement_date'];
    if (typeof date !== 'string' || date === '') throw bad(`${where}.measurement_date`, 'expected a date', date);
    const group = s['group'];
    if (groupBy !== null && typeof group !== 'string') throw bad(`${where}.group`, `expected the value of ${groupBy}`, group);
    const values = {} as Record<(typeof COMPARED_METRICS)[number], number>;
    for (const metric of COMPARED_METRICS) {
      const value = s[metric];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${where}.${metric}`, 'expected a finite number', value);
      values[metric] = value;
    }
    return { measurement_date: date, ...(groupBy === null ? {} : { group: group as string }), ...values };
  });
  return { snapshots, groupBy };
}
