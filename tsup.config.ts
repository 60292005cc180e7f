import { defineConfig } from 'tsup';

// One entry per public subpath. Splitting keeps shared core code in common chunks; state that
// must be process-wide lives on globalThis anyway (src/context/state.ts), so even two copies
// of the package (ESM + CJS) agree on the current span and the config.
export default defineConfig({
  entry: { index: 'src/index.ts', aws: 'src/aws.ts', dynamodb: 'src/dynamodb.ts', pg: 'src/pg.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  treeshake: true,
});
