/**
 * What the demo talks to, with embedded defaults so it runs on a machine with nothing else
 * installed: PostgreSQL through PGlite behind `@electric-sql/pglite-socket` (the real `pg`
 * driver speaks the wire protocol to it) unless `DATABASE_URL` is set; DynamoDB through
 * in-process `dynalite` unless `DYNAMODB_ENDPOINT` is set; Redis and RabbitMQ when they answer
 * at `REDIS_URL` / `AMQP_URL` (defaults on localhost).
 */
import { connect } from 'node:net';

export interface Endpoint {
  readonly url: string;
  readonly reachable: boolean;
  /** One line for the terminal: what is used, and from where. */
  readonly description: string;
}

export interface Infra {
  readonly postgres: Endpoint;
  readonly dynamodb: Endpoint;
  readonly redis: Endpoint;
  readonly amqp: Endpoint;
  stop(): Promise<void>;
}

export function tcpReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const parsed = new URL(url);
  const defaults: Record<string, number> = { 'redis:': 6379, 'amqp:': 5672, 'postgres:': 5432, 'http:': 80 };
  const port = Number(parsed.port) || defaults[parsed.protocol] || 80;
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const redact = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

export async function startInfra(): Promise<Infra> {
  const stops: (() => Promise<void>)[] = [];

  let postgres: Endpoint;
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    postgres = { url, reachable: true, description: `PostgreSQL at ${redact(url)} (DATABASE_URL)` };
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const db = await PGlite.create();
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    stops.push(async () => {
      await server.stop();
      await db.close();
    });
    postgres = {
      url,
      reachable: true,
      description: `PostgreSQL: embedded PGlite on ${server.getServerConn()} (set DATABASE_URL to use yours)`,
    };
  }

  let dynamodb: Endpoint;
  if (process.env.DYNAMODB_ENDPOINT) {
    const url = process.env.DYNAMODB_ENDPOINT;
    dynamodb = { url, reachable: true, description: `DynamoDB at ${url} (DYNAMODB_ENDPOINT)` };
  } else {
    const { default: dynalite } = await import('dynalite');
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    dynamodb = {
      url: `http://127.0.0.1:${port}`,
      reachable: true,
      description: `DynamoDB: in-process dynalite on 127.0.0.1:${port} (set DYNAMODB_ENDPOINT to use yours)`,
    };
  }

  const probe = async (name: string, variable: string, fallback: string): Promise<Endpoint> => {
    const url = process.env[variable] ?? fallback;
    const reachable = await tcpReachable(url);
    return {
      url,
      reachable,
      description: reachable
        ? `${name} at ${redact(url)}`
        : `${name}: not reachable at ${redact(url)} (set ${variable}); its calls will show as error spans`,
    };
  };
  const [redis, amqp] = await Promise.all([
    probe('Redis', 'REDIS_URL', 'redis://127.0.0.1:6379'),
    probe('RabbitMQ', 'AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672'),
  ]);

  return {
    postgres,
    dynamodb,
    redis,
    amqp,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
    },
  };
}
