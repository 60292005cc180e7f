/**
 * The bench's own processes (variant workers, the soak) run as plain JavaScript, bundled here
 * before a run, not through the tsx loader: users run built code, and under tsx every frame of
 * a captured stack costs more and its objects outlive young-generation GCs. mysql2's promise
 * API captures the caller's stack on every query, so under tsx any wrapper frame — ours or a
 * hand-written Proxy — cost ~5 µs of CPU and 8x the GC per query that it does not cost in a
 * built app (bench/README.md, "Findings").
 *
 * Packages stay external (resolved from node_modules at run time, as in an app); traced-clients
 * itself is loaded from `dist/` at run time by `traced/load.ts`.
 */
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

/** Scripts under bench/ that run as processes of their own, by the name of their bundle. */
const ENTRIES = { worker: 'bench/worker.ts', soak: 'bench/soak.ts' } as const;

export type BenchScript = keyof typeof ENTRIES;

/**
 * Where a bundle is written. One level below bench/, like the sources, so that the relative
 * `import.meta.url` paths they use (`../servers/…`, `../../dist/…`) resolve the same.
 */
export function bundlePath(script: BenchScript): string {
  return `bench/.build/${script}.mjs`;
}

/** Bundles every bench process script (a fraction of a second); run from the repository root. */
export async function bundleScripts(repoRoot: string): Promise<void> {
  await build({
    absWorkingDir: repoRoot,
    entryPoints: { ...ENTRIES },
    outdir: 'bench/.build',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

/**
 * Node flags every bench process needs: none for the build, tsx only when `BENCH_SRC` points at
 * another checkout's TypeScript `src/` (which `traced/load.ts` then imports as source).
 */
export function nodeFlags(): string[] {
  const folder = process.env.BENCH_SRC?.replace(/\/$/, '');
  return folder !== undefined && folder !== '' && existsSync(`${folder}/index.ts`) ? ['--import', 'tsx'] : [];
}
