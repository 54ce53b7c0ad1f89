/** The human table of a load report: a pure function of the report, it never measures. */
import type { LoadReport, LoadSizeResult } from '../stress/load.js';

const HEADERS = ['rows ', 'iterations', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms', 'rows/s', 'RSS MB', 'CPU %'] as const;

export function renderLoadTable(report: LoadReport): string {
  const lines: string[] = [];
  const threads = `${report.threads} worker thread${report.threads === 1 ? '' : 's'}`;
  lines.push(...wrap(`KPI engine load: ${threads}, crossover ${group(report.crossover_rows)} rows, workers poll ${report.poll_us} µs before they sleep`));
  lines.push(...wrap(`Input: ${describeInput(report)}`));
  lines.push(...wrap(`Per size: ${describeStop(report)}`));
  lines.push('');
  lines.push(...alignRight([[...HEADERS], ...report.results.map(tableRow)]));
  lines.push('');
  const below = report.results.filter((r) => r.below_crossover);
  if (below.length > 0) {
    lines.push(
      ...wrap(
        `* below the crossover (${group(report.crossover_rows)} rows): computed on the calling thread, not the pool` +
          (below.length < report.results.length ? `; the other sizes on the pool of ${threads}` : ''),
      ),
    );
  }
  lines.push(...wrap(growthLine(report)));
  if (report.growth_note) lines.push(...wrap(`Note: ${report.growth_note}`));
  lines.push(...wrap(`Measured: ${report.measured}`));
  lines.push(...wrap(`CPU %: ${report.cpu_percent_basis}.`));
  lines.push(...wrap(`RSS: ${report.memory_basis}.`));
  const env = report.environment;
  lines.push(
    ...wrap(
      `Machine: ${env.cpus} cores (${env.cpu_model}), Node ${env.node}; system load average (1 min) ` +
        `${env.load_average_1m.start.toFixed(2)} at start, ${env.load_average_1m.end.toFixed(2)} at end.`,
    ),
  );
  if (report.interrupted) lines.push(...wrap('Interrupted: the table holds the sizes measured before the interrupt (! marks a size cut short).'));
  return `${lines.join('\n')}\n`;
}

function tableRow(r: LoadSizeResult): string[] {
  const l = r.latency_ms;
  return [
    `${group(r.rows)}${r.below_crossover ? '*' : ' '}`,
    `${group(r.iterations)}${r.stopped_by === 'interrupt' ? '!' : ''}`,
    ms(l.p50),
    ms(l.p90),
    ms(l.p99),
    ms(l.max),
    ms(l.mean),
    group(Math.round(r.rows_per_sec)),
    r.rss_mb.toFixed(1),
    r.cpu_percent.toFixed(1),
  ];
}

function describeInput(report: LoadReport): string {
  const input = report.input;
  const ingest = `${report.ingest_ms.toFixed(1)} ms`;
  const dates = `${input.dates} date${input.dates === 1 ? '' : 's'}`;
  return input.kind === 'synthetic'
    ? `synthetic tape of ${group(input.rows)} rows × ${dates} (seed ${input.seed}), generated in ${ingest}; sizes are evenly spaced samples of it`
    : `${input.path}, ${group(input.rows)} rows × ${dates}, read in ${ingest}; sizes are evenly spaced samples of it`;
}

function describeStop(report: LoadReport): string {
  const stop = report.stop.kind === 'seconds' ? `${report.stop.seconds} s` : `${report.stop.iterations} iterations`;
  const warm = report.warmup;
  return `warm-up of at least ${warm.seconds} s and ${warm.iterations} iterations, then ${stop} measured`;
}

function growthLine(report: LoadReport): string {
  if (report.growth_exponent === null) return 'Growth exponent: n/a (needs at least two sizes)';
  const steps = report.growth_steps.map((s) => `${compact(s.from_rows)}→${compact(s.to_rows)} ${s.exponent.toFixed(2)}`).join(', ');
  const r2 = report.growth_r2 === null ? '' : `, r² ${report.growth_r2.toFixed(3)}`;
  return `Growth exponent (log-log slope of p50 latency vs rows; 1 = linear): ${report.growth_exponent.toFixed(2)}${r2}; steps: ${steps}`;
}

function ms(value: number): string {
  return value.toFixed(3);
}

/** 1234567 → "1,234,567" (fixed, whatever the locale, so output is comparable between machines) */
function group(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(Math.trunc(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 10000 → "10k", 1500000 → "1.5m" */
function compact(rows: number): string {
  if (rows >= 1e6 && rows % 1e5 === 0) return `${rows / 1e6}m`;
  if (rows >= 1e3 && rows % 100 === 0) return `${rows / 1e3}k`;
  return String(rows);
}

function alignRight(table: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of table) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return table.map((row) => row.map((cell, i) => cell.padStart(widths[i]!)).join('  ').trimEnd());
}

/** Break prose at spaces into lines of at most `width` characters, continuation lines indented. */
function wrap(text: string, width = 110): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
