/**
 * Loads traced-clients' public API for the `noop` and `traced` variants. Each client's
 * factory is reached through its own module here (`traced/pg.ts`, …) that names the exact
 * export and its call, so a client that has not landed on this branch fails only its own
 * variants, with a clear message, and everything else still compiles and runs.
 *
 * `BENCH_SRC` points at another checkout's `src/` (an absolute path), e.g. to measure a branch
 * before it is merged; by default this repository's `src/`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Span, Tracer } from 'opentracing';

const root = process.env.BENCH_SRC
  ? pathToFileURL(`${process.env.BENCH_SRC.replace(/\/$/, '')}/index.ts`).href
  : new URL('../../src/index.ts', import.meta.url).href;

/** A traced-client factory with its options bound: same object type in, traced drop-in out. */
export type Wrap = <T extends object>(client: T) => T;

let loaded: Promise<Record<string, unknown>> | undefined;

/** The root entry of traced-clients (`src/index.ts`), loaded once. */
export function library(): Promise<Record<string, unknown>> {
  loaded ??= import(root) as Promise<Record<string, unknown>>;
  return loaded;
}

/** A named export of the root entry, which must be a function. */
export async function exported<F>(name: string): Promise<F> {
  const value = (await library())[name];
  if (typeof value !== 'function') {
    throw new Error(
      `traced-clients does not export ${name} from ${root} (has that client landed on this branch?); set BENCH_SRC to a checkout that has it`,
    );
  }
  return value as F;
}

/** `spanInContext` of the same module instance the traced clients read their parent from. */
export async function spanInContext(): Promise<<R>(span: Span | null | undefined, fn: () => R) => R> {
  return exported('spanInContext');
}

/**
 * The opentracing no-op tracer from the `opentracing` package the library itself resolves:
 * the library recognises no-op spans by their prototype, so with `BENCH_SRC` pointing at
 * another checkout a tracer from this checkout's copy would not be taken for the no-op one.
 */
export function noopTracer(): Tracer {
  const opentracing = createRequire(fileURLToPath(root))('opentracing') as typeof import('opentracing');
  return new opentracing.Tracer();
}
