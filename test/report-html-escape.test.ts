import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../src/report/html/escape.js';
import { renderSoakReport } from '../src/report/html/soak.js';
import { writeRunDirFixture } from './support/browser.js';

const HOSTILE = `</script><script>alert("x")</script><img src=x onerror=alert(1)> & <!-- \u2028`;

const root = mkdtempSync(join(tmpdir(), 'report-html-escape-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('escaping what comes from data', () => {
  it('escapes text for HTML', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('makes JSON that cannot close its script element and parses back to the same value', () => {
    const value = { group: HOSTILE, nested: [HOSTILE, 1.5, null] };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('keeps a run’s own text (workload, error kinds, options) from becoming markup in the report', () => {
    const dir = join(root, 'hostile');
    mkdirSync(dir);
    writeRunDirFixture(dir, { durationS: 60, sampleIntervalS: 1, hostileText: HOSTILE, seed: 3 });
    const html = renderSoakReport(dir);
    // the page's own three scripts, and nothing the data brought
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('alert("x")</script>');
    // the text is still there, readable
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('Error: &lt;/script&gt;');
  });
});
