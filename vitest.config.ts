import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/** Every client and the node:http server adapter: what the whole-app files need. */
const ALL_CLIENTS = [
  'tracedRequestListener',
  'tracedPg',
  'tracedMysql',
  'tracedRedis',
  'tracedDynamoDB',
  'tracedFetch',
  'tracedAmqp',
] as const;

/**
 * The client-specific reliability files, each with what it needs from the library: names
 * exported by src/index.ts or files in src/. A file runs once everything it needs has landed,
 * so the suite grows as the clients are merged and never fails for a client not there yet.
 */
const RELIABILITY_CLIENT_FILES: Record<string, readonly string[]> = {
  'test/reliability/clients/hostile-sql.test.ts': ['file:src/core/sql/sanitize.ts'],
  'test/reliability/clients/hostile-inbound.test.ts': ['tracedRequestListener', 'tracedAmqp'],
  'test/reliability/clients/isolation.test.ts': ALL_CLIENTS,
  'test/reliability/clients/faults-pg.test.ts': ['tracedPg', 'tracedRequestListener'],
  'test/reliability/clients/faults-redis.test.ts': ['tracedRedis', 'tracedRequestListener'],
  'test/reliability/clients/faults-amqp.test.ts': ['tracedAmqp', 'tracedRequestListener'],
  'test/reliability/clients/faults-http.test.ts': ['tracedFetch', 'tracedRequestListener'],
  'test/reliability/clients/faults-dynamodb.test.ts': ['tracedDynamoDB', 'tracedRequestListener'],
  'test/reliability/clients/faults-tracer.test.ts': ALL_CLIENTS,
  'test/reliability/clients/secrets.test.ts': ALL_CLIENTS,
  'test/reliability/clients/memory.test.ts': ALL_CLIENTS,
};

function landed(needs: readonly string[]): boolean {
  const root = readFileSync(new URL('./src/index.ts', import.meta.url), 'utf8');
  return needs.every((need) =>
    need.startsWith('file:')
      ? existsSync(new URL(`./${need.slice(5)}`, import.meta.url))
      : new RegExp(`\\b${need}\\b`).test(root),
  );
}

const landedClientFiles = Object.keys(RELIABILITY_CLIENT_FILES).filter((file) =>
  landed(RELIABILITY_CLIENT_FILES[file] ?? []),
);
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
          include: landedClientFiles.length > 0 ? landedClientFiles : ['test/reliability/clients/none-landed-yet'],
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
