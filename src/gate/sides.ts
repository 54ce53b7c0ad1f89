/** A side of a comparison as seen from the gate: a child process running side.js over one build's dist/. */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastLines } from './base.js';
import type { SideReply, SideRequest } from './side.js';

/**
 * The compiled side runner beside this file. A child process loads plain JavaScript, so when this module runs
 * from its TypeScript source (under the test runner) the runner is taken from dist/.
 */
function sideRunnerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? resolve(dirname(here), '../../dist/gate/side.js') : join(dirname(here), 'side.js');
  if (!existsSync(file)) throw new Error(`gate side runner ${file} is missing: run "npm run build"`);
  return file;
}

/** The package folder (holding dist/) of the code running now. */
export function currentPackageRoot(): string {
  const here = fileURLToPath(import.meta.url);
  return resolve(dirname(here), '../..');
}

export class SideProcess {
  private readonly child: ChildProcess;
  private stderr = '';
  private pending: { resolve(reply: SideReply): void; reject(error: Error): void } | null = null;
  private exited = false;

  private constructor(
    readonly label: string,
    dist: string,
    dataDir: string,
  ) {
    // no inherited --inspect or loader flags: both sides start the same way
    this.child = fork(sideRunnerFile(), [dist, dataDir], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      // the end is what explains a failure
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.child.on('message', (reply: SideReply) => {
      const pending = this.pending;
      this.pending = null;
      if (pending === null) return;
      if (reply.type === 'error') pending.reject(new Error(`${this.label} side: ${reply.message}`));
      else pending.resolve(reply);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const pending = this.pending;
      this.pending = null;
      const why = lastLines(this.stderr, 3);
      pending?.reject(new Error(`${this.label} side exited (${signal ?? code})${why ? `: ${why}` : ''}`));
    });
  }

  /** Start the runner over `dist` and wait until it has loaded the build's modules. */
  static async start(label: string, dist: string, dataDir: string): Promise<SideProcess> {
    const side = new SideProcess(label, dist, dataDir);
    await side.next();
    return side;
  }

  private next(): Promise<SideReply> {
    if (this.exited) return Promise.reject(new Error(`${this.label} side is not running`));
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  /** One request, one reply; requests are never overlapped. */
  async request<T extends SideReply['type']>(request: SideRequest, expect: T): Promise<Extract<SideReply, { type: T }>> {
    const reply = this.next();
    this.child.send(request);
    const answer = await reply;
    if (answer.type !== expect) throw new Error(`${this.label} side answered ${answer.type} to ${request.type}`);
    return answer as Extract<SideReply, { type: T }>;
  }

  /** Close the pools and end the process; kill it if it does not end in time. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const ended = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    try {
      await this.request({ type: 'close' }, 'closed');
    } catch {
      this.child.kill('SIGKILL');
    }
    await ended;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
