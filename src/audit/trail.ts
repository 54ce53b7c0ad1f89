/**
 * An append-only, hash-chained audit trail in JSON Lines: one event per line, each fsynced as it is written.
 *
 * Every event carries the hash of the one before it (`prev_hash`; 64 zeros for the first) and its own
 * `hash`, the SHA-256 (hex) of `prev_hash` followed by the canonical JSON of the event without `hash`. So a
 * line that was edited, removed, reordered or half-written breaks the chain at that line, and `verifyTrail`
 * names it. The chain proves integrity against accidents and casual edits, not against someone who rewrites
 * the whole file from the edited line on: it is not signed.
 *
 * Why synchronous writes: an event is the record that something happened, so `append` returns only once the
 * line is on disk; events are rare (a run writes a few dozen) so the fsync costs nothing that matters.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendWhole } from '../io/atomic-write.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface AuditEvent {
  /** 1-based position in the trail */
  readonly seq: number;
  /** wall-clock time of the event, ISO 8601 UTC */
  readonly timestamp: string;
  /** who or what acted, e.g. "stress run" */
  readonly actor: string;
  /** what happened, e.g. "run.start", "run.checkpoint" */
  readonly action: string;
  readonly status: AuditStatus;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prev_hash: string;
  readonly hash: string;
}

export type TrailVerdict =
  | { readonly ok: true; readonly events: number; readonly last_hash: string }
  /** `line` is 1-based; `events` counts the good events before it */
  | { readonly ok: false; readonly line: number; readonly reason: string; readonly events: number };

/**
 * JSON with object keys sorted at every level and no whitespace, so that equal values always give equal
 * text. Non-finite numbers become null (as JSON.stringify does); undefined members are left out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // undefined, functions and symbols have no JSON form; inside arrays JSON.stringify writes null for them
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
}

/** The hash of an event: SHA-256 over its prev_hash and the canonical JSON of everything but `hash`. */
export function eventHash(event: Omit<AuditEvent, 'hash'>): string {
  const { seq, timestamp, actor, action, status, details, prev_hash } = event;
  return createHash('sha256')
    .update(prev_hash)
    .update(canonicalJson({ seq, timestamp, actor, action, status, details, prev_hash }))
    .digest('hex');
}

export class AuditTrail {
  private fd: number | null;
  private seq: number;
  private lastHash: string;

  private constructor(
    readonly path: string,
    readonly actor: string,
    fd: number,
    seq: number,
    lastHash: string,
  ) {
    this.fd = fd;
    this.seq = seq;
    this.lastHash = lastHash;
  }

  /**
   * Open a trail for appending: a new file, or an existing one whose chain is verified first and continued.
   * A trail that does not verify is not extended (an error names the bad line), since every later hash
   * would vouch for a broken history.
   */
  static open(path: string, actor: string): AuditTrail {
    let seq = 0;
    let lastHash = GENESIS_HASH;
    if (existsSync(path)) {
      const verdict = verifyTrail(path);
      if (!verdict.ok) throw new Error(`audit trail ${path} is broken at line ${verdict.line}: ${verdict.reason}`);
      seq = verdict.events;
      lastHash = verdict.last_hash;
    }
    const created = !existsSync(path);
    const fd = openSync(path, 'a');
    // the new file's directory entry must survive a crash too, or the first fsynced line could be lost with it
    if (created) fsyncDirectory(dirname(path));
    return new AuditTrail(path, actor, fd, seq, lastHash);
  }

  /** events written so far, including those found in the file when it was opened */
  get events(): number {
    return this.seq;
  }

  /** Append one event and fsync it; returns the event as written. */
  append(action: string, status: AuditStatus, details: Readonly<Record<string, unknown>> = {}): AuditEvent {
    if (this.fd === null) throw new Error(`audit trail ${this.path} is closed`);
    const unhashed = {
      seq: this.seq + 1,
      timestamp: new Date().toISOString(),
      actor: this.actor,
      action,
      status,
      // a plain copy through JSON, so that what is hashed is exactly what a reader will parse back
      details: JSON.parse(canonicalJson(details)) as Record<string, unknown>,
      prev_hash: this.lastHash,
    };
    const event: AuditEvent = { ...unhashed, hash: eventHash(unhashed) };
    appendWhole(this.fd, `${canonicalJson(event)}\n`, this.path);
    fsyncSync(this.fd);
    this.seq = event.seq;
    this.lastHash = event.hash;
    return event;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

const FIELDS: ReadonlyArray<readonly [keyof AuditEvent, string]> = [
  ['seq', 'number'],
  ['timestamp', 'string'],
  ['actor', 'string'],
  ['action', 'string'],
  ['status', 'string'],
  ['details', 'object'],
  ['prev_hash', 'string'],
  ['hash', 'string'],
];

/** The events of a trail that verifies up to its first bad line, and the verdict. */
export function readTrail(path: string): { readonly events: readonly AuditEvent[]; readonly verdict: TrailVerdict } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { events: [], verdict: { ok: false, line: 0, reason: 'file not found or not readable', events: 0 } };
  }
  const events: AuditEvent[] = [];
  const bad = (line: number, reason: string) => ({ events, verdict: { ok: false as const, line, reason, events: events.length } });
  const lines = text.split('\n');
  // a complete file ends with a newline, so the last element is empty; anything else is a torn write
  const torn = lines.pop() ?? '';
  let prev = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return bad(lineNo, 'not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return bad(lineNo, 'not a JSON object');
    const event = parsed as Record<string, unknown>;
    for (const [field, type] of FIELDS) {
      const value = event[field];
      if (typeof value !== type || value === null || (type === 'object' && Array.isArray(value))) {
        return bad(lineNo, `field "${field}" is missing or not a${type === 'object' ? 'n object' : ` ${type}`}`);
      }
    }
    const extra = Object.keys(event).filter((key) => !FIELDS.some(([field]) => field === key));
    if (extra.length > 0) return bad(lineNo, `unexpected field "${extra[0]}"`);
    const typed = event as unknown as AuditEvent;
    if (typed.seq !== events.length + 1) return bad(lineNo, `seq is ${typed.seq}, expected ${events.length + 1}`);
    if (typed.prev_hash !== prev) return bad(lineNo, 'prev_hash does not match the hash of the previous event');
    if (eventHash(typed) !== typed.hash) return bad(lineNo, 'hash does not match the event (edited?)');
    events.push(typed);
    prev = typed.hash;
  }
  if (torn.length > 0) return bad(lines.length + 1, 'incomplete last line (torn write)');
  return { events, verdict: { ok: true, events: events.length, last_hash: prev } };
}

/** Verify a trail: ok with the number of events, or the first bad line (1-based) and why. */
export function verifyTrail(path: string): TrailVerdict {
  return readTrail(path).verdict;
}

/** fsync a directory, so that a file just created in it is still listed after a crash (best effort). */
export function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some platforms (Windows) cannot open or fsync a directory; the file's own fsync still holds its data
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
