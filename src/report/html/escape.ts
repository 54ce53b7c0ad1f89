/**
 * Escaping for the two places where data enters a report page: HTML text and attributes, and the JSON
 * island that the page's script reads. Anything that comes from a run (a loan tape's group value, a
 * workload's error kind, a file path) can hold `<`, `&` or `</script>`, so nothing is inserted unescaped.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for `<script type="application/json">`: `<`, `>` and `&` become \u escapes, so the text can close
 * neither the script element (`</script>`) nor start a comment (`<!--`) that the HTML parser would act on;
 * U+2028/U+2029 are escaped too, as some older parsers treat them as line ends. `JSON.parse` of the
 * element's text gives back the original value exactly.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Code or style text inlined into `<script>` or `<style>`: it must not contain the element's end tag,
 * which would end the element early. The inlined library is checked rather than rewritten, because a
 * rewrite inside minified code could change its meaning.
 */
export function assertInlineable(text: string, element: 'script' | 'style', what: string): string {
  if (text.toLowerCase().includes(`</${element}`)) throw new Error(`${what} contains "</${element}" and cannot be inlined`);
  return text;
}
