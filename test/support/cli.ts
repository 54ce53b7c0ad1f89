/** Run the real built `stress` command in a child process. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const MAIN = resolve(import.meta.dirname, '../../dist/cli/main.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const child = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

export function tempDir(prefix = 'stress-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write `content` to a new file in a fresh temporary folder and return its path. */
export function tempFile(name: string, content: string | Uint8Array): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Start `command` now, without waiting for it; resolves to its exit and everything it printed. */
export function startProcess(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<ProcessExit> {
  const child = spawn(command, args, { cwd: options.cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': only then has all the output been read
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Start the built `stress` command now, without waiting for it. */
export function startCli(args: readonly string[], options: { cwd?: string } = {}): Promise<ProcessExit> {
  return startProcess(process.execPath, [MAIN, ...args], options);
}

/**
 * A criteria file in `dir` that only data integrity, errors and the audit trail can fail: short test runs on a
 * shared machine must not fail on latency, CPU or memory.
 */
export function writeLenientCriteria(dir: string): string {
  const path = join(dir, 'lenient.json');
  writeFileSync(path, JSON.stringify({ latency_ms: { pass: 60_000, fail: 120_000 }, cpu_percent: { pass: 99.9, fail: 100 }, rss_mb: { pass: 4000, fail: 8000 } }));
  return path;
}
