import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditTrail, canonicalJson, eventHash, GENESIS_HASH, readTrail, verifyTrail } from '../src/audit/trail.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-trail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeThree(name: string): string {
  const path = join(dir, name);
  const trail = AuditTrail.open(path, 'test');
  trail.append('run.start', 'info', { duration_s: 60, nested: { b: 2, a: [1, 'x'] } });
  trail.append('run.checkpoint', 'ok', { checkpoint: '1H' });
  trail.append('run.complete', 'ok', {});
  trail.close();
  return path;
}

describe('audit trail', () => {
  it('writes one hash-chained event per line that verifies', () => {
    const path = writeThree('good.jsonl');
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const events = lines.map((line) => JSON.parse(line));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0].prev_hash).toBe(GENESIS_HASH);
    expect(events[1].prev_hash).toBe(events[0].hash);
    expect(events[2].prev_hash).toBe(events[1].hash);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual(['action', 'actor', 'details', 'hash', 'prev_hash', 'seq', 'status', 'timestamp']);
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
      const { hash, ...rest } = event;
      expect(eventHash(rest)).toBe(hash);
    }
    expect(verifyTrail(path)).toEqual({ ok: true, events: 3, last_hash: events[2].hash });
  });

  it('canonical JSON sorts keys at every level and is independent of insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
    expect(canonicalJson({ a: undefined, b: Number.NaN })).toBe('{"b":null}');
  });

  it('names the first edited line', () => {
    const path = writeThree('edited.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"1H"', '"2H"');
    writeFileSync(path, lines.join('\n'));
    expect(verifyTrail(path)).toMatchObject({ ok: false, line: 2, events: 1 });
  });

  it('names a removed line (the chain breaks at the next one)', () => {
    const path = writeThree('removed.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.splice(1, 1);
    writeFileSync(path, lines.join('\n'));
    const verdict = verifyTrail(path);
    expect(verdict).toMatchObject({ ok: false, line: 2 });
    expect(verdict.ok === false && verdict.reason).toMatch(/seq/);
  });

  it('names a reordered pair and a line that is not JSON', () => {
    const path = writeThree('reordered.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    [lines[0], lines[1]] = [lines[1]!, lines[0]!];
    writeFileSync(path, lines.join('\n'));
    expect(verifyTrail(path)).toMatchObject({ ok: false, line: 1 });

    const garbage = writeThree('garbage.jsonl');
    const text = readFileSync(garbage, 'utf8').split('\n');
    text[2] = '{not json';
    writeFileSync(garbage, text.join('\n'));
    expect(verifyTrail(garbage)).toMatchObject({ ok: false, line: 3, reason: 'not valid JSON' });
  });

  it('reports a torn last line, and a re-hashed edit that breaks the next link', () => {
    const path = writeThree('torn.jsonl');
    appendFileSync(path, '{"seq":4,"timest');
    expect(verifyTrail(path)).toMatchObject({ ok: false, line: 4, events: 3 });

    const rehashed = writeThree('rehashed.jsonl');
    const lines = readFileSync(rehashed, 'utf8').split('\n');
    const event = JSON.parse(lines[0]!);
    event.details.duration_s = 1;
    const { hash: _old, ...rest } = event;
    lines[0] = canonicalJson({ ...rest, hash: eventHash(rest) });
    writeFileSync(rehashed, lines.join('\n'));
    expect(verifyTrail(rehashed)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/prev_hash/) });
  });

  it('continues an existing trail and refuses to extend a broken one', () => {
    const path = writeThree('continued.jsonl');
    const trail = AuditTrail.open(path, 'test');
    expect(trail.events).toBe(3);
    trail.append('later', 'info');
    trail.close();
    const { events, verdict } = readTrail(path);
    expect(verdict.ok).toBe(true);
    expect(events.map((e) => e.action)).toEqual(['run.start', 'run.checkpoint', 'run.complete', 'later']);

    appendFileSync(path, 'oops\n');
    expect(() => AuditTrail.open(path, 'test')).toThrow(/line 5/);
  });

  it('a missing file does not verify; an empty one holds no events', () => {
    expect(verifyTrail(join(dir, 'nope.jsonl'))).toMatchObject({ ok: false, line: 0 });
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(verifyTrail(empty)).toEqual({ ok: true, events: 0, last_hash: GENESIS_HASH });
  });
});
