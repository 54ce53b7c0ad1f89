/**
 * The HTML reports in a real browser: headless Chromium (Debian's, driven by playwright-core) opens each
 * generated page from disk and must see no console error, no page error and no network request, and every
 * chart's canvas must hold painted pixels, data among them. Screenshots go to test-artifacts/ (git-ignored);
 * with UPDATE_DOCS_SCREENSHOTS=1 the README's docs/soak-report.png and docs/load-report.png are rewritten
 * too, from a 2-minute soak.
 *
 * The time until every chart has drawn is measured and written to test-artifacts/report-draw-times.json; it
 * is reported, not asserted, as wall-clock times depend on the machine.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunFlags } from '../src/cli/commands/run.js';
import { writeSoakReport } from '../src/report/html/soak.js';
import { runSoak } from '../src/stress/run.js';
import { artifactPath, canvasInk, launchChromium, openReport, writeRunDirFixture, type LaunchedBrowser } from './support/browser.js';
import { runCli, tempDir as newTempDir } from './support/cli.js';

const UPDATE_DOCS = process.env.UPDATE_DOCS_SCREENSHOTS === '1';
const DOCS = resolve(import.meta.dirname, '../docs');

let launched: Promise<LaunchedBrowser> | null = null;
const made: string[] = [];

/** A temporary folder removed after the tests (a 24-hour run directory is about 16 MB). */
function tempDir(prefix: string): string {
  const dir = newTempDir(prefix);
  made.push(dir);
  return dir;
}
const drawTimes: Record<string, { bytes: number; charts: number; draw_ms: number }> = {};

/**
 * The browser, started by the first test that needs it. Without /usr/bin/chromium this throws "run
 * scripts/install-browser.sh" in every test, so each one fails with that message rather than being skipped.
 */
async function browser(): Promise<Browser> {
  launched ??= launchChromium();
  return (await launched).browser;
}

afterAll(async () => {
  await (await launched?.catch(() => null))?.close();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  if (Object.keys(drawTimes).length > 0) {
    writeFileSync(artifactPath('report-draw-times.json'), `${JSON.stringify(drawTimes, null, 2)}\n`);
  }
});

/** How a report's README screenshot is taken: the whole page, or the page down to the end of an element. */
type DocsShot = { readonly until?: string };

/**
 * Open a report and check it drew; save a full-page screenshot as test-artifacts/`name`.png, and with
 * UPDATE_DOCS_SCREENSHOTS and `docs` given, docs/`name`.png as well.
 */
async function checkReport(path: string, name: string, expectedCharts: number, docs?: DocsShot, minPlotted = 100): Promise<void> {
  const opened = await openReport(await browser(), path);
  try {
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    expect(opened.chartsReady).toBe(expectedCharts);
    const inks = await canvasInk(opened.page);
    expect(inks).toHaveLength(expectedCharts);
    for (const ink of inks) {
      expect(ink.width, `${ink.id} has a canvas`).toBeGreaterThan(0);
      expect(ink.inked, `${ink.id} painted something`).toBeGreaterThan(1000);
      expect(ink.plotted, `${ink.id} drew data in colour`).toBeGreaterThan(minPlotted);
    }
    drawTimes[name] = { bytes: statSync(path).size, charts: opened.chartsReady, draw_ms: opened.drawMs };
    console.log(`${name}: ${(statSync(path).size / 1e6).toFixed(2)} MB, ${opened.chartsReady} charts drawn ${opened.drawMs.toFixed(0)} ms after navigation start`);
    await opened.page.screenshot({ path: artifactPath(`${name}.png`), fullPage: true });
    if (UPDATE_DOCS && docs) {
      mkdirSync(DOCS, { recursive: true });
      const target = join(DOCS, `${name}.png`);
      if (docs.until) {
        const box = await opened.page.locator(docs.until).boundingBox();
        const height = box ? Math.ceil(box.y + box.height + 8) : undefined;
        await opened.page.screenshot({ path: target, fullPage: true, ...(height ? { clip: { x: 0, y: 0, width: 1360, height } } : {}) });
      } else {
        await opened.page.screenshot({ path: target, fullPage: true });
      }
    }
  } finally {
    await opened.page.close();
  }
}

describe('HTML reports in headless Chromium', () => {
  it('the load report of a real `stress load --rows 1000,10000 --iterations 5`', async () => {
    const out = tempDir('browser-load-');
    const rows = UPDATE_DOCS ? ['--rows', '1000,10000,100000,1000000', '--seconds', '2'] : ['--rows', '1000,10000', '--iterations', '5'];
    const result = runCli(['load', ...rows, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const path = join(out, 'report.html');
    expect(readFileSync(path, 'utf8')).toContain('Latency against rows (log–log)');
    await checkReport(path, 'load-report', 3, {});
  });

  it('the soak report of a real run', async () => {
    const out = tempDir('browser-soak-');
    const command = parseRunFlags({ duration: UPDATE_DOCS ? '2m' : '20s', rows: '20000', out, quiet: true });
    const { dir } = await runSoak(command.soak);
    const path = writeSoakReport(dir);
    await checkReport(path, 'soak-report', 5, { until: 'section.charts' });
  }, 300_000);

  it('the soak report of a 24-hour run directory (17,280 samples, downsampled)', async () => {
    const dir = tempDir('browser-day-');
    writeRunDirFixture(dir, { durationS: 24 * 3600, sampleIntervalS: 5, workers: 2, valuesPerInterval: 20, leakMbPerHour: 0.5 });
    const path = writeSoakReport(dir);
    expect(statSync(path).size).toBeLessThan(5 * 1024 * 1024);
    await checkReport(path, 'soak-report-24h', 5);
  }, 300_000);

  it('the soak report of a run killed before its first sample: no data, still no error', async () => {
    const full = tempDir('browser-full-');
    writeRunDirFixture(full, { durationS: 60, sampleIntervalS: 1 });
    const dir = tempDir('browser-empty-');
    copyFileSync(join(full, 'run.json'), join(dir, 'run.json'));
    const path = writeSoakReport(dir);
    const opened = await openReport(await browser(), path);
    try {
      expect(opened.errors).toEqual([]);
      expect(opened.chartsReady).toBe(5);
      for (const ink of await canvasInk(opened.page)) expect(ink.inked, `${ink.id} drew its axes`).toBeGreaterThan(1000);
      expect(await opened.page.textContent('section.hero')).toContain('summary.json is missing');
    } finally {
      await opened.page.close();
    }
  });

  it('the load report copied elsewhere still opens: nothing in it points at its folder', async () => {
    const out = tempDir('browser-load-copy-');
    const result = runCli(['load', '--rows', '1000', '--iterations', '3', '--out', out]);
    expect(result.code).toBe(0);
    const moved = join(tempDir('browser-moved-'), 'copied report.html');
    copyFileSync(join(out, 'report.html'), moved);
    // One size: the charts hold single points, no lines, a marker of a few dozen coloured pixels each. The
    // memory chart drew 102 of them in one run and exactly 100 in another (its peak RSS and RSS before can
    // be the same value, one marker over the other), so the usual "more than 100" does not fit; more than
    // 40 is still a marker in a series colour, i.e. data drawn.
    await checkReport(moved, 'load-report-one-size', 3, undefined, 40);
  });
});
