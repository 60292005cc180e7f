import { defineConfig } from 'tsup';

// One entry per public subpath (see `entry`). Splitting keeps shared core code in common chunks; state that
// must be process-wide lives on globalThis anyway (src/context/state.ts), so even two copies
// of the package (ESM + CJS) agree on the current span and the config.
export default defineConfig({
  // Every file directly under src/ is a public entry (src/index.ts and one per subpath).
  entry: ['src/*.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  treeshake: true,
});
