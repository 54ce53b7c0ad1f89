/**
 * The frame of every report page: one self-contained HTML document with the chart library, the styles, the
 * data island and the drawing script inlined. A Content-Security-Policy forbids every network request, so
 * the file behaves the same from disk, from a CI artifact or from a mail attachment: it cannot load
 * anything, and it does not try.
 */
import { chartLibrary } from './assets.js';
import type { ChartSpec } from './chart-spec.js';
import { CLIENT_SCRIPT } from './client.js';
import { escapeHtml, jsonForScript } from './escape.js';

export interface PageInput {
  readonly title: string;
  /** trusted HTML, built by the renderers with escapeHtml around every piece of data */
  readonly body: string;
  readonly charts: readonly ChartSpec[];
  /** e.g. "loan-kpi-stress 0.1.0" */
  readonly generator: string;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export function renderPage(input: PageInput): string {
  const lib = chartLibrary();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="generator" content="${escapeHtml(input.generator)}; charts: uPlot ${escapeHtml(lib.version)}">
<title>${escapeHtml(input.title)}</title>
<style>${lib.css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${input.body}
<noscript><p class="muted">The charts need JavaScript; every figure they show is also in the tables.</p></noscript>
</main>
<script type="application/json" id="report-data">${jsonForScript({ charts: input.charts })}</script>
<script>${lib.js}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** A placeholder that the page's script fills with the chart of this id. */
export function chartBox(chart: ChartSpec, wide = false): string {
  return `<div class="card chart${wide ? ' wide' : ''}" id="chart-${escapeHtml(chart.id)}"></div>`;
}

/** A coloured verdict label: PASS green, WARN amber, FAIL red, anything else grey. */
export function badge(text: string, size: 'small' | 'large' = 'small'): string {
  const tone = VERDICT_TONE[text] ?? 'neutral';
  return `<span class="badge ${tone}${size === 'large' ? ' large' : ''}">${escapeHtml(text)}</span>`;
}

const VERDICT_TONE: Readonly<Record<string, string>> = {
  PASS: 'pass',
  WARN: 'warn',
  FAIL: 'fail',
  INTERRUPTED: 'neutral',
  continue: 'pass',
  investigate: 'warn',
  'roll back': 'fail',
  stable: 'pass',
  growing: 'fail',
  inconclusive: 'warn',
  running: 'pass',
  degraded: 'warn',
  stopped: 'fail',
};

/** Colours with a meaning, shared by badges (CSS) and the charts' threshold lines. */
export const TONE = {
  pass: '#15803d',
  warn: '#b45309',
  fail: '#b91c1c',
} as const;

/** Series colours with no verdict meaning (no green, amber or red), distinct for readers with colour-vision deficiencies. */
export const PALETTE = ['#1d4ed8', '#7c3aed', '#0891b2', '#c026d3', '#475569', '#0f766e', '#9333ea', '#2563eb', '#db2777', '#64748b'] as const;

const PAGE_CSS = `
:root {
  --pass: ${TONE.pass}; --pass-bg: #dcfce7; --warn: ${TONE.warn}; --warn-bg: #fef3c7; --fail: ${TONE.fail}; --fail-bg: #fee2e2;
  --neutral: #374151; --neutral-bg: #e5e7eb; --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f3f4f6;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 18px 24px 40px; }
h1 { font-size: 22px; margin: 0; font-weight: 650; }
h2 { font-size: 17px; margin: 0 0 10px; font-weight: 650; }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.card { background: #fff; border-radius: 10px; padding: 14px 18px; margin: 14px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,.06), 0 0 0 1px rgba(0,0,0,.05); }
.hero { display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
.hero .what { flex: 1 1 480px; }
.hero.pass { border-left: 8px solid var(--pass); }
.hero.warn { border-left: 8px solid var(--warn); }
.hero.fail { border-left: 8px solid var(--fail); }
.hero.neutral { border-left: 8px solid var(--neutral); }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-weight: 700; font-size: 12px;
  letter-spacing: .03em; white-space: nowrap; border: 1px solid transparent; }
.badge.large { font-size: 26px; padding: 4px 18px; border-radius: 10px; }
.badge.pass { color: var(--pass); background: var(--pass-bg); border-color: #86efac; }
.badge.warn { color: var(--warn); background: var(--warn-bg); border-color: #fcd34d; }
.badge.fail { color: var(--fail); background: var(--fail-bg); border-color: #fca5a5; }
.badge.neutral { color: var(--neutral); background: var(--neutral-bg); border-color: #d1d5db; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px 18px; margin-top: 12px; }
.fact .k { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
.fact .v { font-size: 17px; font-weight: 650; font-variant-numeric: tabular-nums; }
.fact .s { color: var(--muted); font-size: 12px; }
.table-wrap { overflow-x: auto; }
.table-wrap table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.table-wrap th, .table-wrap td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
.table-wrap th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; white-space: nowrap; }
.table-wrap td.num, .table-wrap th.num { text-align: right; white-space: nowrap; }
td.detail { color: #374151; font-size: 13px; }
tr.reasons td { font-size: 12.5px; color: #374151; padding-top: 0; }
tr.row-pass td:first-child { box-shadow: inset 4px 0 0 var(--pass); }
tr.row-warn td:first-child { box-shadow: inset 4px 0 0 var(--warn); }
tr.row-fail td:first-child { box-shadow: inset 4px 0 0 var(--fail); }
tr.decision td { background: #f8fafc; }
tr.decision td.cp { font-weight: 700; }
tr.not-reached td { color: #9ca3af; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 0 14px; }
.charts .card { margin: 7px 0; }
.chart.wide { grid-column: 1 / -1; }
.chart-title { font-weight: 650; font-size: 15px; }
.chart-note { color: var(--muted); font-size: 12px; }
.chart-plot { margin-top: 8px; min-height: 120px; }
.uplot { font-family: inherit; width: 100%; }
.u-legend { font-size: 12px; text-align: left; margin-top: 2px; font-variant-numeric: tabular-nums; }
.u-legend th { font-weight: 600; }
.u-legend.u-inline .u-series th::after { content: ""; }
.u-legend.u-inline .u-series td { padding-left: 4px; }
.u-legend .u-marker { width: 1em; height: 3px; }
dl.env { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.env dt { color: var(--muted); }
dl.env dd { margin: 0; font-variant-numeric: tabular-nums; word-break: break-word; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
footer { color: var(--muted); font-size: 12px; margin-top: 18px; }
@media print { body { background: #fff; } .card { box-shadow: none; border: 1px solid #ddd; break-inside: avoid; } }
`;
