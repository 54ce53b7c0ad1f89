import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyTrail } from '../src/audit/trail.js';
import { MAIN, runCli, startProcess, tempDir, writeLenientCriteria } from './support/cli.js';

/**
 * A disk that fills up, simulated with the shell's file-size limit (`ulimit -f`, in blocks of 512 bytes in
 * dash, 1024 in bash): a write past it fails with EFBIG (Node ignores SIGXFSZ), after taking what still fit,
 * as a write to a full disk does.
 */
const root = resolve(import.meta.dirname, '..');
const dir = tempDir('cli-run-disk-full-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lenient = writeLenientCriteria(dir);

/** `stress run` for a minute with every file it writes limited to `blocks` blocks. */
function runWithFileLimit(blocks: number, out: string) {
  const args = ['run', '--duration', '1m', '--sample-interval', '250ms', '--rows', '5000', '--threads', '1', '--criteria', lenient, '--out', out, '--json'];
  return startProcess('/bin/sh', ['-c', `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, MAIN, ...args], { cwd: root });
}

const linesOf = (path: string) => readFileSync(path, 'utf8').split('\n');

describe('stress run on a disk that fills up', () => {
  it('mid-run: stops with one line naming the file, exit 1, and leaves whole lines that `stress report` rebuilds', async () => {
    const out = join(dir, 'full');
    // 16 blocks hold run.json (about 4 KB) and a few seconds of samples (about 0.8 KB each, 4 a second)
    const { code, signal, stdout, stderr } = await runWithFileLimit(16, out);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^stress: run stopped after \d+\.\d s: cannot write (samples\.jsonl|latency\.hlog|checkpoints\.jsonl|audit\.jsonl) in .*\(EFBIG: file too large/);
    expect(stderr).toContain(`stress report ${out}`);
    expect(existsSync(join(out, 'summary.json'))).toBe(false);

    // every file ends with a whole line: the part of the line that did not fit was cut off again
    for (const name of ['samples.jsonl', 'checkpoints.jsonl', 'audit.jsonl', 'latency.hlog']) {
      const text = readFileSync(join(out, name), 'utf8');
      if (text.length > 0) expect(text.endsWith('\n'), name).toBe(true);
    }
    const samples = linesOf(join(out, 'samples.jsonl')).filter(Boolean).map((line) => JSON.parse(line) as { iterations: number; elapsed_s: number });
    expect(samples.length).toBeGreaterThan(2);
    expect(verifyTrail(join(out, 'audit.jsonl'))).toMatchObject({ ok: true });

    // with room again (no limit), the summary is rebuilt from the files, up to the last sample written
    const report = runCli(['report', out, '--json'], { cwd: root });
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const summary = JSON.parse(report.stdout);
    expect(summary.status).toBe('INTERRUPTED');
    expect(summary.iterations.total).toBe(samples.at(-1)!.iterations);
    expect(summary.iterations.total).toBeGreaterThan(0);
    expect(summary.duration.actual_s).toBe(samples.at(-1)!.elapsed_s);
    expect(summary.latency_ms.p99).toBeGreaterThan(0);
  });

  it('before the run: a run.json that cannot be written is an unwritable folder, exit 2, and the folder is given back', async () => {
    const out = join(dir, 'full-at-start');
    // 2 blocks (1 or 2 KiB) cannot hold run.json (about 4 KB)
    const { code, stdout, stderr } = await runWithFileLimit(2, out);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/run folder .*: cannot write run\.json \(EFBIG/);
    expect(existsSync(out)).toBe(false);
  });
});
