/**
 * Loads traced-clients' public API for the `noop` and `traced` variants. Each client's
 * factory is reached through its own module here (`traced/pg.ts`, …) that names the exact
 * export and its call, so a client that has not landed on this branch fails only its own
 * variants, with a clear message, and everything else still compiles and runs.
 *
 * By default the built package (`dist/index.js`, from `npm run build`): what users run. Source
 * run through tsx costs more than the build (esbuild's `keepNames` gives every closure a
 * `defineProperty` call), which the profiles showed as our own cost. `BENCH_SRC` points at
 * another checkout's `src/` or `dist/` (an absolute path), e.g. to measure a branch before it
 * is merged.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Span, Tracer } from 'opentracing';

function entry(): string {
  const folder = process.env.BENCH_SRC?.replace(/\/$/, '');
  if (folder === undefined || folder === '') {
    const built = new URL('../../dist/index.js', import.meta.url);
    if (!existsSync(built)) throw new Error('dist/index.js is missing: run `npm run build` first (make bench does)');
    return built.href;
  }
  return pathToFileURL(existsSync(`${folder}/index.ts`) ? `${folder}/index.ts` : `${folder}/index.js`).href;
}

const root = entry();

/** The folder of traced-clients' source the variants load (a `file:` URL): "our code" in a profile. */
export const librarySource = new URL('.', root).href;

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
