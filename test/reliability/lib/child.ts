/**
 * Runs a script in a child Node process (TypeScript through tsx, `--expose-gc` on) and tells
 * whether it exited ON ITS OWN within a deadline: a listener, timer, socket or interval left
 * behind keeps the event loop alive and the child past its deadline. `process.exit` is
 * forbidden in the child (see forbid-exit.ts), so exiting early by force cannot hide a leak.
 *
 * The child reports by printing one line `RESULT <json>` on stdout.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FORBID_EXIT = fileURLToPath(new URL('./forbid-exit.ts', import.meta.url));

export interface ChildOutcome<R> {
  /** Exited by itself before the deadline. */
  readonly exitedOnItsOwn: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  readonly result: R | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildOptions {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child (and report it as not exited) after this long. */
  readonly deadlineMs: number;
  /** Extra V8 flags, e.g. `--max-old-space-size=256`. */
  readonly nodeFlags?: readonly string[];
}

export function runChild<R = unknown>(script: string, options: ChildOptions): Promise<ChildOutcome<R>> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      '--import',
      FORBID_EXIT,
      ...(options.nodeFlags ?? []),
      script,
      ...(options.args ?? []),
    ],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.deadlineMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('RESULT '));
      resolve({
        exitedOnItsOwn: !timedOut && signal === null,
        code,
        signal,
        durationMs: performance.now() - started,
        result: line === undefined ? undefined : (JSON.parse(line.slice('RESULT '.length)) as R),
        stdout,
        stderr,
      });
    });
  });
}

/** In a child: prints the result line the parent reads. */
export function reportResult(result: unknown): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}
