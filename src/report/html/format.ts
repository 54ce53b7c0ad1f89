/** Number and time formatting for report pages: fixed en-US grouping, so reports read the same on every machine. */

/** 1234567 → "1,234,567" */
export function group(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A measured figure with about three significant digits: 0.0123, 1.23, 12.3, 123, 1,234. */
export function num(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const a = Math.abs(value);
  if (a === 0) return '0';
  if (a >= 1000) return group(value);
  if (a >= 100) return value.toFixed(1);
  if (a >= 10) return value.toFixed(2);
  if (a >= 1) return value.toFixed(3);
  return String(Number(value.toPrecision(3)));
}

/** Seconds as "1h 02m 03s", "2m 05s", "12.3 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Number(seconds.toPrecision(3))} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m ${pad(s)}s` : `${m}m ${pad(s)}s`;
}

/** 10000 → "10k", 1500000 → "1.5M" */
export function compactRows(rows: number): string {
  if (rows >= 1e6) return `${Number((rows / 1e6).toPrecision(3))}M`;
  if (rows >= 1e3) return `${Number((rows / 1e3).toPrecision(3))}k`;
  return String(rows);
}

/** The unit a time axis is drawn in, chosen so that its ticks read as round numbers. */
export interface TimeUnit {
  readonly name: 's' | 'min' | 'h';
  readonly seconds: number;
}

export function timeUnitFor(spanSeconds: number): TimeUnit {
  if (spanSeconds <= 600) return { name: 's', seconds: 1 };
  if (spanSeconds <= 4 * 3600) return { name: 'min', seconds: 60 };
  return { name: 'h', seconds: 3600 };
}

/** A configured figure (a threshold) as written: 80, 0.1, 12.5 — no padding zeros. */
export function plain(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : '—';
}
