/**
 * Timing and printing helpers shared by the benchmarks.
 *
 * A benchmark keeps its samples in arrays: it runs a bounded number of times, so the memory rule of the stress
 * harness (nothing kept per iteration) does not apply here, and exact order statistics are worth having.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { quantileSorted, seededRandom } from '../dist/stress/stats.js';

// the harness's order statistics: the median, and quantiles interpolated between ranks (type 7, as R and NumPy)
export { median, quantileSorted } from '../dist/stress/stats.js';

/**
 * Round `round`'s order of methods timed in turn: a shuffle seeded by the round, so that each method follows
 * a different one from round to round. In a fixed order, what a method leaves behind (garbage to collect, a
 * worker gone to sleep, caches filled with its data) always falls on the same next one, and a comparison of
 * two builds' readers could favour whichever came after the lighter neighbour.
 */
export function roundOrder<T>(methods: readonly T[], round: number): T[] {
  const order = [...methods];
  const random = seededRandom(round + 1);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Order statistics of a sample, in the sample's unit. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p10: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  const sorted = Float64Array.from(samples).sort();
  return {
    n: sorted.length,
    min: sorted[0]!,
    p10: quantileSorted(sorted, 0.1),
    median: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}

/** The machine a benchmark runs on: CPU model, logical cores, memory, operating system. */
export function machineLine(): string {
  return `machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}`;
}

/** Other processes on a shared machine move the figures; the load average says whether they were there. */
export function loadLine(when: string): string {
  const [one, five] = loadavg();
  return `load average ${when}: ${fixed(one ?? 0)} (1 min), ${fixed(five ?? 0)} (5 min) on ${availableParallelism()} cores`;
}

/** Milliseconds since an arbitrary origin, at nanosecond resolution. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Wall time of one call of `task`, in milliseconds. */
export async function timeOnce(task: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Run `task` `warmup` times unmeasured, then `runs` times one after another (a closed loop: each run starts
 * when the previous one has finished), and return each measured run's wall time in milliseconds.
 */
export async function timeRuns(task: () => Promise<unknown>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await task();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeOnce(task));
  return samples;
}

/**
 * Where a falling difference `d(x)` (e.g. pool time − calling-thread time) crosses zero, by linear
 * interpolation between the last point above zero and the first at or below it; `null` if it never gets
 * there, `xs[0]` if it is there from the start. `xs` must be ascending.
 */
export function crossingPoint(xs: readonly number[], diffs: readonly number[]): number | null {
  if (xs.length !== diffs.length) throw new RangeError(`need as many differences as points, got ${xs.length} and ${diffs.length}`);
  for (let i = 0; i < xs.length; i++) {
    if (diffs[i]! > 0) continue;
    if (i === 0) return xs[0]!;
    const x0 = xs[i - 1]!;
    const d0 = diffs[i - 1]!;
    const x1 = xs[i]!;
    const d1 = diffs[i]!;
    return x0 + ((x1 - x0) * d0) / (d0 - d1);
  }
  return null;
}

/** Whole positive numbers separated by commas; `k` and `M` suffixes allowed ("1k,250k,10M"). */
export function parseSizes(text: string): number[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(part);
    if (!match) throw new RangeError(`not a row count: "${part}"`);
    const scale = match[2] === '' ? 1 : match[2]!.toLowerCase() === 'k' ? 1e3 : 1e6;
    const value = Number(match[1]) * scale;
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`not a whole row count ≥ 1: "${part}"`);
    return value;
  });
}

/** A plain-text table: the first row is the header; columns after the first are right-aligned. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  const line = (row: readonly string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** A number with `digits` significant figures and no exponent below 1e21 ("0.0123", "4560"). */
export function fixed(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return value.toFixed(decimals);
}

/** 1234567 → "1.23M", 50000 → "50k" */
export function compactCount(value: number): string {
  const short = (v: number) => String(Number(fixed(v)));
  if (value >= 1e9) return `${short(value / 1e9)}G`;
  if (value >= 1e6) return `${short(value / 1e6)}M`;
  if (value >= 1e3) return `${short(value / 1e3)}k`;
  return String(value);
}

/** CPU seconds the whole machine spent busy (all cores), or null where /proc/stat does not exist. */
function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
    const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
    return busy / USER_HZ;
  } catch {
    return null;
  }
}

/** Linux reports /proc/stat in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const USER_HZ = 100;

/**
 * A stopwatch for how busy others kept the machine: on a shared machine other processes (and, in a virtual
 * machine, the hypervisor's steal) take cores from both methods, and a figure measured beside them should say
 * so. `share()` is the part of all cores' time since start that was busy but not with this process (all of its
 * threads count as ours), or null where it cannot be known.
 */
export function otherCpuMeter(): { share(): number | null } {
  const startWall = nowMs();
  const startBusy = machineBusySeconds();
  const startOurs = process.cpuUsage();
  return {
    share() {
      const busy = machineBusySeconds();
      if (busy === null || startBusy === null) return null;
      const ours = process.cpuUsage(startOurs);
      const others = busy - startBusy - (ours.user + ours.system) / 1e6;
      const capacity = ((nowMs() - startWall) / 1000) * availableParallelism();
      return capacity > 0 ? Math.min(1, Math.max(0, others / capacity)) : null;
    },
  };
}
