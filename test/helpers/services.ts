/**
 * Endpoints of the real services the integration tests use, read from the environment with
 * the defaults of this machine and of docker-compose.yml. Under `CI=true` a service that does
 * not answer is a failure; elsewhere its tests are skipped with the reason shown.
 */
import { connect } from 'node:net';

export const endpoints = {
  pg: process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  amqp: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  /** Unset: the tests start `dynalite` in-process. */
  dynamodb: process.env.DYNAMODB_ENDPOINT,
} as const;

export type ServiceName = keyof typeof endpoints;

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'mysql:': 3306, 'redis:': 6379, 'amqp:': 5672 };

/** True when a TCP connection to the URL's host and port opens within `timeoutMs`. */
export function tcpReachable(url: string, timeoutMs = 2000): Promise<boolean> {
  const parsed = new URL(url);
  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol] || 80;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether the service's tests can run. Under CI a service that does not answer throws, so
 * the run fails instead of silently skipping; locally the tests are skipped with a warning.
 */
export async function serviceAvailable(name: Exclude<ServiceName, 'dynamodb'>): Promise<boolean> {
  const url = endpoints[name];
  if (await tcpReachable(url)) return true;
  const message = `${name} is not reachable at ${url}`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${message} (CI=true: a missing service is a failure; run \`make services\`)`);
  }
  console.warn(`skipping ${name} tests: ${message} (run \`make services\`)`);
  return false;
}

/** Whether every one of the services is available, asked in order (see `serviceAvailable`). */
export async function servicesAvailable(...names: Exclude<ServiceName, 'dynamodb'>[]): Promise<boolean> {
  for (const name of names) if (!(await serviceAvailable(name))) return false;
  return true;
}

/** A DynamoDB endpoint: `DYNAMODB_ENDPOINT` when set, else a fresh in-memory dynalite on 127.0.0.1. */
export async function startDynamo(): Promise<{ endpoint: string; close(): Promise<void> }> {
  if (endpoints.dynamodb !== undefined) return { endpoint: endpoints.dynamodb, close: async () => {} };
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not listen on TCP');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A unique name for tables, keys and queues, so test files never collide on shared servers. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
