/**
 * "The app" of the client-specific reliability tests: a node:http server traced with
 * `tracedRequestListener`, whose handler for `/r/<id>` calls, in parallel, PostgreSQL (pg),
 * MariaDB (mysql2), Redis (ioredis), DynamoDB (dynalite), an HTTP peer (fetch) and an AMQP
 * round trip (publish to a queue, the traced consumer answers), each through its traced
 * client with default options plus the test's.
 *
 * Ground truth for parents: every client span gets a `test.request` tag from a request hook
 * that reads the test's OWN AsyncLocalStorage (not the library's), set by the handler; the
 * consumer span is tagged from the message's correlation id. Together with the inbound
 * `traceparent` of each request (lib/load.ts), that says where every span belongs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as amqplib from 'amqplib';
import { Redis, type RedisOptions } from 'ioredis';
import * as mysql from 'mysql2';
import type { Span, Tracer } from 'opentracing';
import pg from 'pg';
import {
  tracedAmqp,
  tracedDynamoDB,
  tracedFetch,
  tracedMysql,
  tracedPg,
  tracedRedis,
  tracedRequestListener,
} from '../../../../src/index.js';
import { endpoints, startDynamo, uniqueName } from '../../../helpers/services.js';
import { dynamoConfig } from './dynamo.js';

export const REQUEST_TAG = 'test.request';

/** The test's own context: which request a piece of code works for. */
export const requestStore = new AsyncLocalStorage<string>();

/** The request hook every client gets: tags the span with the request it was made for. */
export function tagRequest(span: Span): void {
  const id = requestStore.getStore();
  if (id !== undefined) span.setTag(REQUEST_TAG, id);
}

/** Options given to every traced client (the test tracer comes from `configure`). */
export interface ClientOptions {
  // biome-ignore lint/suspicious/noExplicitAny: one hook for clients with different info types.
  readonly requestHook?: (span: Span, info: any) => void;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  readonly responseHook?: (span: Span, info: any) => void;
  readonly tracer?: Tracer;
}

export interface AppOptions {
  /** Client options; `requestHook` runs after the request tagging. */
  readonly clients?: ClientOptions;
  /** Options of the server adapter. */
  readonly server?: Parameters<typeof tracedRequestListener>[1];
  readonly redis?: RedisOptions;
  readonly pgPoolSize?: number;
}

/** What one request did, as the handler saw it (compared with what the raw clients give). */
export interface WorkResult {
  readonly pg: unknown;
  readonly mysql: unknown;
  readonly redis: unknown;
  readonly dynamo: unknown;
  readonly fetch: unknown;
  readonly amqp: unknown;
}

export interface App {
  readonly port: number;
  readonly server: Server;
  /** `traceparent` headers the HTTP peer received, by request id. */
  readonly peerTraceparents: Map<string, string | undefined>;
  readonly table: string;
  readonly queue: string;
  readonly keyPrefix: string;
  readonly pool: pg.Pool;
  readonly mysqlPool: mysql.Pool;
  readonly redis: Redis;
  readonly dynamo: DynamoDBClient;
  readonly channel: amqplib.Channel;
  readonly fetch: typeof globalThis.fetch;
  readonly dynamoEndpoint: string;
  /** The work of one request, in the caller's context. */
  work(id: string): Promise<WorkResult>;
  /** One failing call per client (`/f/<id>`): the error codes or names the app saw. */
  failingWork(): Promise<string[]>;
  close(): Promise<void>;
}

/** The HTTP peer fetch talks to: answers `/echo/<id>` with `<id>`, remembering the trace header. */
async function startPeer(seen: Map<string, string | undefined>): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const id = (req.url ?? '').split('/').pop()?.split('?')[0] ?? '';
    const header = req.headers.traceparent;
    seen.set(id, Array.isArray(header) ? header[0] : header);
    res.setHeader('content-type', 'text/plain');
    res.end(id);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('peer did not listen');
  return { server, port: address.port };
}

export async function startApp(options: AppOptions = {}): Promise<App> {
  const clientOptions = options.clients ?? {};
  const userRequestHook = clientOptions.requestHook;
  // Returns what the user's hook returns: an async hook's promise must reach the core's guard.
  const requestHook = (span: Span, info: unknown): unknown => {
    tagRequest(span);
    const consumed = info as { operation?: string; message?: amqplib.ConsumeMessage } | undefined;
    if (consumed?.operation === 'consume' && consumed.message !== undefined) {
      const id = consumed.message.properties.correlationId as string | undefined;
      if (id !== undefined) span.setTag(REQUEST_TAG, id);
    }
    return userRequestHook?.(span, info);
  };
  const common = { ...clientOptions, requestHook };

  const peerTraceparents = new Map<string, string | undefined>();
  const peer = await startPeer(peerTraceparents);

  const rawPool = new pg.Pool({ connectionString: endpoints.pg, max: options.pgPoolSize ?? 8 });
  rawPool.on('error', () => {}); // an app's handler for idle-client errors (backend killed)
  const pool = tracedPg(rawPool, common);

  const rawMysql = mysql.createPool({ uri: endpoints.mysql, connectionLimit: 8 });
  const mysqlPool = tracedMysql(rawMysql, common);
  const mysqlPromise = mysqlPool.promise();

  const redis = tracedRedis(new Redis(endpoints.redis, { lazyConnect: false, ...options.redis }), common);
  redis.on('error', () => {}); // ioredis reconnects; an app listens so errors are not unhandled

  const dynamoServer = await startDynamo();
  const dynamo = tracedDynamoDB(new DynamoDBClient(dynamoConfig(dynamoServer.endpoint)), common);
  const table = uniqueName('rel');
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  const fetch = tracedFetch(globalThis.fetch, common);

  const connection = tracedAmqp(await amqplib.connect(endpoints.amqp), common);
  connection.on('error', () => {});
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  const queue = uniqueName('rel');
  await channel.assertQueue(queue, { exclusive: true, autoDelete: true });
  const waiting = new Map<string, (body: string) => void>();
  await channel.consume(queue, (message) => {
    if (message === null) return;
    channel.ack(message);
    const id = message.properties.correlationId as string;
    waiting.get(id)?.(message.content.toString());
    waiting.delete(id);
  });

  const keyPrefix = uniqueName('rel');

  const work = async (id: string): Promise<WorkResult> => {
    const amqpReply = new Promise<string>((resolve) => waiting.set(id, resolve));
    const [pgResult, mysqlResult, redisResult, dynamoResult, fetchResult, amqpResult] = await Promise.all([
      pool.query('SELECT $1::text AS req', [id]).then((r) => r.rows[0]?.req),
      mysqlPromise.query('SELECT ? AS req', [id]).then(([rows]) => (rows as { req: string }[])[0]?.req),
      redis.set(`${keyPrefix}:${id}`, id, 'EX', 60).then(() => redis.get(`${keyPrefix}:${id}`)),
      dynamo
        .send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }))
        .then(() => dynamo.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } })))
        .then((r) => r.Item?.id?.S),
      fetch(`http://127.0.0.1:${peer.port}/echo/${id}`).then((r) => r.text()),
      (async () => {
        channel.sendToQueue(queue, Buffer.from(id), { correlationId: id });
        return amqpReply;
      })(),
    ]);
    return {
      pg: pgResult,
      mysql: mysqlResult,
      redis: redisResult,
      dynamo: dynamoResult,
      fetch: fetchResult,
      amqp: amqpResult,
    };
  };

  const failingWork = async (): Promise<string[]> => {
    const kind = (e: unknown) => String((e as { code?: unknown }).code ?? (e as Error).name);
    return Promise.all([
      pool.query('SELECT 1/0').then(() => 'no error', kind),
      mysqlPromise.query('SELECT * FROM rel_no_such_table').then(() => 'no error', kind),
      redis
        .set(`${keyPrefix}:nan`, 'not a number', 'EX', 60)
        .then(() => redis.incr(`${keyPrefix}:nan`))
        .then(() => 'no error', kind),
      dynamo
        .send(new GetItemCommand({ TableName: `${table}-missing`, Key: { id: { S: 'x' } } }))
        .then(() => 'no error', kind),
      fetch('http://127.0.0.1:1/').then(() => 'no error', kind),
    ]);
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const [, route, rawId] = (req.url ?? '').split('/');
    const id = rawId?.split('?')[0] ?? '';
    try {
      const result = await requestStore.run(id, () => (route === 'f' ? failingWork() : work(id)));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    } catch (error) {
      res.statusCode = 500;
      res.end(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  };
  const serverOptions = options.server ?? {};
  const userServerHook = serverOptions.requestHook;
  const server = createServer(
    tracedRequestListener(handler, {
      ...serverOptions,
      requestHook: (span, info) => {
        const id = ((info.request as IncomingMessage).url ?? '').split('/')[2]?.split('?')[0];
        if (id !== undefined) span.setTag(REQUEST_TAG, id);
        return userServerHook?.(span, info) as undefined;
      },
    }),
  );
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('app did not listen');

  return {
    port: address.port,
    server,
    peerTraceparents,
    table,
    queue,
    keyPrefix,
    pool,
    mysqlPool,
    redis,
    dynamo,
    channel,
    fetch,
    dynamoEndpoint: dynamoServer.endpoint,
    work,
    failingWork,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => peer.server.close(() => resolve()));
      peer.server.closeAllConnections();
      await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      dynamo.destroy();
      await dynamoServer.close();
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
      await pool.end();
      await new Promise<void>((resolve) => mysqlPool.end(() => resolve()));
    },
  };
}
