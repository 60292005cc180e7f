/**
 * One variant's worker process (`bench/worker.ts`) as the orchestrator drives it: start it
 * and wait until it has set up and warmed up, ask it for measured windows one at a time,
 * close it. Every step is bounded in time; a worker that dies or hangs fails loudly with the
 * tail of its stderr.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { bundlePath, nodeFlags } from './bundle.js';
import { READY_MARKER, RESULT_MARKER, type WindowCommand, type WorkerResult, type WorkerSpec } from './protocol.js';

export class WorkerFailure extends Error {
  constructor(
    message: string,
    /** The worker's exit code, when it exited. */
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export class VariantProcess {
  private stderr = '';
  private readonly lines: string[] = [];
  private waiting: (() => void) | undefined;
  private exited: { code: number | null } | undefined;

  private constructor(private readonly child: Child) {
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.wake();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      // Only the tail matters (for the failure message); keep memory bounded.
      this.stderr = (this.stderr + chunk).slice(-8192);
    });
    child.on('close', (code) => {
      this.exited = { code };
      this.wake();
    });
  }

  /** Starts the bundled `bench/worker.ts` for `spec`; resolves once it is warmed up and waiting. */
  static async start(repoRoot: string, flags: readonly string[], spec: WorkerSpec, timeoutMs: number) {
    const child = spawn(process.execPath, [...flags, ...nodeFlags(), bundlePath('worker'), JSON.stringify(spec)], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const worker = new VariantProcess(child);
    await worker.next((line) => line === READY_MARKER, timeoutMs, 'set-up and warm-up');
    return worker;
  }

  /** Runs one measured window in the worker and returns its figures. */
  async window(command: WindowCommand, timeoutMs: number): Promise<WorkerResult> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    const line = await this.next((l) => l.startsWith(RESULT_MARKER), timeoutMs, `a ${command.ms} ms window`);
    return JSON.parse(line.slice(RESULT_MARKER.length)) as WorkerResult;
  }

  /** Asks the worker to close its client and exit; kills it if it has not within `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    if (this.exited !== undefined) return;
    this.child.stdin.end(`${JSON.stringify({ close: true })}\n`);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    while (this.exited === undefined) await new Promise<void>((resolve) => (this.waiting = resolve));
    clearTimeout(timer);
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** The next stdout line matching `wanted` (other lines are the worker's own logs). */
  private async next(wanted: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeoutMs);
    try {
      for (;;) {
        const line = this.lines.shift();
        if (line !== undefined) {
          if (wanted(line)) return line;
          continue;
        }
        if (this.exited !== undefined) {
          const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with code ${this.exited.code}`;
          throw new WorkerFailure(`${why} during ${what}`, timedOut ? null : this.exited.code, this.stderr.trim());
        }
        await new Promise<void>((resolve) => (this.waiting = resolve));
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
