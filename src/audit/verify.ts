/**
 * `stress audit verify`: the chain check of trail.ts, plus the one thing a hash chain cannot see by itself —
 * lines cut from the end. Every line left still verifies, so a trail of a run (`run.start` …) or of a compute
 * (`compute.start` …) must also end with its closing event (`.complete`, `.fail` or `.interrupted` of the
 * same kind); one that does not was cut short, or belongs to a run still going or killed outright. Trails of
 * other kinds are checked by their chain alone. An empty file is not a trail.
 */
import { readTrail, type TrailVerdict } from './trail.js';

const CLOSING = ['complete', 'fail', 'interrupted'] as const;
/** the kinds of trail whose first event opens what a closing event must end */
const OPENED_KINDS = ['run', 'compute'] as const;

export type AuditVerdict = TrailVerdict & { readonly file: string };

export function verifyAuditFile(path: string): AuditVerdict {
  const { events, verdict } = readTrail(path);
  if (!verdict.ok) return { file: path, ...verdict };
  if (events.length === 0) return { file: path, ok: false, line: 1, reason: 'no events: an empty trail', events: 0 };
  const kind = OPENED_KINDS.find((k) => events[0]!.action === `${k}.start`);
  if (kind !== undefined) {
    const last = events[events.length - 1]!;
    if (!CLOSING.some((c) => last.action === `${kind}.${c}`)) {
      return {
        file: path,
        ok: false,
        line: events.length + 1,
        reason: `the trail ends after "${last.action}" without a closing ${kind}.${CLOSING.join('/')} event (lines cut from the end, or the ${kind} never finished)`,
        events: events.length,
      };
    }
  }
  return { file: path, ...verdict };
}
