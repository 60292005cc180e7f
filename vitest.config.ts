import { defineConfig } from 'vitest/config';

const STRESS = process.env.STRESS === '1' || process.env.STRESS === 'true';

export default defineConfig({
  // Vite 7 (pinned in devDependencies) transforms with esbuild, which lowers standard TC39
  // decorators; Vite 8's oxc does not yet, and `@traced` is tested as TypeScript 5 users use it.
  esbuild: { target: 'es2022' },
  test: {
    // The AWS SDK's notice about its future Node 22 requirement is noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/types/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/types/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Services are shared; files run one at a time so their load does not interleave.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          // `make reliability` (fast counts, part of `make test`) and `make stress` (STRESS=1).
          name: 'reliability',
          include: ['test/reliability/*.test.ts'],
          testTimeout: STRESS ? 600_000 : 60_000,
          hookTimeout: 60_000,
          // Children and load share 2 cores with everyone: one file at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability-clients',
          include: ['test/reliability/clients/**/*.test.ts'],
          testTimeout: STRESS ? 600_000 : 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        'src/context/**': { lines: 90 },
        'src/core/**': { lines: 90 },
      },
    },
  },
});
