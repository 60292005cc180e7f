/**
 * Each client's recorded path, warm: our traced client against the `span-floor` of the client
 * workloads (the same hand-made spans, `lib/floor.ts`, with the design's tags for the client,
 * context injected and extracted where the client propagates) and the raw call, on a stand-in
 * of the client that answers at once, in one process, interleaved round by round; medians in
 * µs per call.
 *
 * The client workloads measure against real servers on a machine whose idle vCPUs wake slowly,
 * which magnifies whatever the client does between wake-ups (bench/README, sessions 5 and 6):
 * there, "traced − span-floor" reads several times its warm size. This isolates the part that
 * is ours to cut. Only the transport is a stand-in: mysql2's promise layer is the real one (its
 * core pool answers at once), DynamoDB runs the SDK's whole middleware stack (signing,
 * serializing, parsing) over a request handler that answers at once, and amqplib's channel
 * hands each published message to the consumer on the next microtask, outside the publisher's
 * context, as a socket read would.
 *
 * With `--live`, ioredis, pg and mysql2 talk to the real servers instead (the others keep their
 * stand-ins), and a second table gives CPU per call (`process.cpuUsage`): in one process the
 * variants share the machine's state of the moment, which separate processes do not (bench/README,
 * session 13), so this is where "traced − span-floor" on a real round trip is read to a µs.
 *
 *   npm run build && npx tsx bench/warm.ts [rounds=7] [callsPerRound=40000] [--live] [fetch|ioredis|pg|mysql2|dynamodb|amqplib…]
 */
import { AsyncResource } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { ConsumeMessage } from 'amqplib';
import { Tracer } from 'opentracing';
import { endpoints } from '../test/helpers/services.js';
import { floorOn, inFloorSpan } from './lib/floor.js';
import { holdShallowIdle } from './lib/idle-latency.js';
import { median } from './lib/stats.js';
import { createSdk } from './lib/tracing.js';
import { tracedAmqpWith } from './traced/amqp.js';
import { tracedDynamoDBWith } from './traced/dynamodb.js';
import { tracedFetchWith } from './traced/http.js';
import { spanInContext, type Wrap } from './traced/load.js';
import { tracedMysqlWith } from './traced/mysql.js';
import { tracedPgWith } from './traced/pg.js';
import { tracedRedisWith } from './traced/redis.js';
import { amqpFloor } from './workloads/amqp.js';
import { dynamoFloorOp } from './workloads/dynamodb.js';
import { clientTags, mysqlTarget, pgTarget, sqlTags } from './workloads/floor-tags.js';
import { httpFloorOp, httpTags } from './workloads/http.js';
import type { FloorOp, FloorSpans } from './workloads/types.js';

type Call = () => Promise<unknown>;

interface Client {
  readonly name: string;
  readonly raw: Call;
  /** The call on the client traced with `tracer`. */
  readonly traced: (tracer: Tracer) => Promise<Call>;
  /** The raw call inside the floor's spans. */
  readonly floor: (spans: FloorSpans) => Call;
  /** Of `callsPerRound`, the share this client makes (its call costs ~100× the others'). */
  readonly callShare?: number;
  /** Ends its connections (`--live`). */
  readonly close?: () => Promise<unknown>;
}

const live = process.argv.includes('--live');
const positional = process.argv.slice(2).filter((arg) => arg !== '--live');
const rounds = Number(positional[0] ?? 7);
const calls = Number(positional[1] ?? 40_000);
const only = new Set(positional.slice(2));
const require = createRequire(import.meta.url);
const sdk = createSdk();
const floor = floorOn(sdk.shim);

/** A client whose call is the same raw and traced, inside one floor span made from `name` and `tags`. */
function plainClient<T extends object>(
  name: string,
  client: T,
  wrapWith: (tracer: Tracer) => Promise<Wrap>,
  floorOp: FloorOp,
  call: (client: T) => Promise<unknown>,
): Client {
  return {
    name,
    raw: () => call(client),
    async traced(tracer) {
      const traced = (await wrapWith(tracer))(client);
      return () => call(traced);
    },
    floor: (spans) => inFloorSpan(spans, floorOp, () => call(client)),
  };
}

function fetchClient(): Client {
  const url = 'http://127.0.0.1:3000/bench';
  const response = { status: 200, statusText: 'OK', ok: true, url, headers: new Headers() };
  const body = new ArrayBuffer(0);
  const fetch = async (_input: string, _init?: RequestInit) => response;
  return {
    name: 'fetch GET',
    raw: () => fetch(url),
    async traced(tracer) {
      const traced = (await tracedFetchWith(tracer))(fetch);
      return () => traced(url);
    },
    floor: (spans) =>
      httpFloorOp(spans, httpTags('fetch', url), async (headers) => ({
        status: (await fetch(url, { headers })).status,
        body,
      })),
  };
}

function redisClient(): Client {
  const Redis = require('ioredis') as typeof import('ioredis').default;
  const tags = clientTags('ioredis', { 'db.type': 'redis', 'db.instance': '0', 'db.statement': 'GET bench:key' });
  const floorOp = { name: 'redis:GET', tags };
  if (live) {
    const url = new URL(endpoints.redis);
    const redis = new Redis({ host: url.hostname, port: Number(url.port) || 6379 });
    const client = plainClient('ioredis GET (live)', redis, tracedRedisWith, floorOp, (r) => r.get('bench:key'));
    return { ...client, close: () => redis.quit() };
  }
  const client = Object.create(new Redis({ lazyConnect: true })) as InstanceType<typeof Redis>;
  // Answers at once; everything else (options, command table) is the real client's.
  Object.assign(client, { get: async (_key: string) => 'value' });
  return plainClient('ioredis GET', client, tracedRedisWith, floorOp, (redis) => redis.get('bench:key'));
}

function pgClient(): Client {
  const { Pool } = require('pg') as typeof import('pg');
  const url = new URL(endpoints.pg);
  const target = pgTarget(url);
  const floorOp = { name: 'pg:SELECT', tags: sqlTags('pg', target, 'SELECT ?') };
  if (live) {
    const pool = new Pool({ connectionString: endpoints.pg, max: 1 });
    const client = plainClient('pg SELECT 1 (live)', pool, tracedPgWith, floorOp, (pg) => pg.query('SELECT 1'));
    return { ...client, close: () => pool.end() };
  }
  const pool = new Pool({ ...target, max: 1 });
  const result = { rows: [{ one: 1 }], rowCount: 1, command: 'SELECT', fields: [], oid: 0 };
  Object.assign(pool, { query: async (_text: string) => result });
  return plainClient('pg SELECT 1', pool, tracedPgWith, floorOp, (pg) => pg.query('SELECT 1'));
}

function mysqlClient(): Client {
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const url = new URL(endpoints.mysql);
  const target = mysqlTarget(url);
  const pool = mysql.createPool({ ...target, password: decodeURIComponent(url.password), connectionLimit: 1 });
  const floorOp = { name: 'mysql2:SELECT', tags: sqlTags('mysql2', target, 'SELECT ?') };
  if (live) {
    const name = 'mysql2 SELECT 1 (live)';
    const client = plainClient(name, pool, tracedMysqlWith, floorOp, (mysql2) => mysql2.query('SELECT 1'));
    return { ...client, close: () => pool.end() };
  }
  type Done = (error: Error | null, rows: unknown, fields: unknown) => void;
  // The core pool answers at once; the promise layer above it (and its stack capture) is mysql2's.
  Object.assign(pool.pool, {
    query: (_sql: string, values: unknown, done?: Done) =>
      ((typeof values === 'function' ? values : done) as Done)(null, [{ one: 1 }], []),
  });
  return plainClient('mysql2 SELECT 1 (promise)', pool, tracedMysqlWith, floorOp, (mysql2) => mysql2.query('SELECT 1'));
}

/** `GetItem` through the real SDK client; only the HTTP exchange is a stand-in. */
function dynamoClient(): Client {
  const { DynamoDBClient, GetItemCommand } =
    require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const table = 'bench_items';
  const region = 'us-east-1';
  const item = Buffer.from(JSON.stringify({ Item: { id: { S: 'k' }, v: { S: 'x'.repeat(64) } } }));
  const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'warm-request' };
  const client = new DynamoDBClient({
    endpoint: 'http://127.0.0.1:4567',
    region,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    // The SDK reads the body as bytes (a Uint8Array is taken as it is); nothing touches a socket.
    requestHandler: {
      handle: async () => ({ response: { statusCode: 200, reason: 'OK', headers: { ...headers }, body: item } }),
    },
  });
  const command = new GetItemCommand({ TableName: table, Key: { id: { S: 'k' } } });
  return {
    name: 'DynamoDB GetItem',
    callShare: 0.05,
    raw: () => client.send(command),
    async traced(tracer) {
      const traced = (await tracedDynamoDBWith(tracer))(client);
      return () => traced.send(command);
    },
    floor: (spans) => inFloorSpan(spans, dynamoFloorOp(table, region), () => client.send(command)),
  };
}

/**
 * A publish → consume round trip on a stand-in channel (one per variant): `sendToQueue` hands
 * the message to the consumer on the next microtask, in the context the channel was made in (a
 * socket read's, not the publisher's), and the call resolves when the consumer has it.
 */
function amqpClient(): Client {
  const queue = 'bench.warm';
  const body = Buffer.from('x'.repeat(64));
  type OnMessage = (message: ConsumeMessage | null) => void;
  type StandIn = ReturnType<typeof standInChannel>;

  function standInChannel() {
    const delivery = new AsyncResource('warm-delivery');
    let consumer: OnMessage | undefined;
    let tag = 0;
    return {
      publish: (_exchange: string, _key: string, _content: Buffer, _options?: object) => true,
      sendToQueue(routingKey: string, content: Buffer, options: { headers?: Record<string, unknown> } = {}) {
        const message = {
          content,
          fields: { consumerTag: 'warm', deliveryTag: ++tag, redelivered: false, exchange: '', routingKey },
          properties: { headers: {}, ...options },
        } as unknown as ConsumeMessage;
        const deliver = consumer;
        if (deliver !== undefined) queueMicrotask(() => delivery.runInAsyncScope(deliver, null, message));
        return true;
      },
      async consume(_queue: string, onMessage: OnMessage, _options?: object) {
        consumer = onMessage;
        return { consumerTag: 'warm' };
      },
    };
  }

  /** Round trips through `channel` (raw or traced) to its own consumer; `spans` adds the floor's spans. */
  function roundTrips(channel: StandIn, spans?: FloorSpans): Call {
    let received: (() => void) | undefined;
    const floor = spans === undefined ? undefined : amqpFloor(spans, queue);
    const onMessage: OnMessage = () => received?.();
    void channel.consume(queue, floor === undefined ? onMessage : floor.consumer(onMessage), { noAck: true });
    return () =>
      new Promise<void>((resolve) => {
        received = resolve;
        if (floor === undefined) channel.sendToQueue(queue, body);
        else floor.publish(channel, body);
      });
  }

  return {
    name: 'amqplib publish → consume',
    raw: roundTrips(standInChannel()),
    async traced(tracer) {
      return roundTrips((await tracedAmqpWith(tracer))(standInChannel()));
    },
    floor: (spans) => roundTrips(standInChannel(), spans),
  };
}

/** µs per call: elapsed, and CPU used by the whole process (user + system). */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

async function time(call: Call, count: number): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await call();
  const wall = Number(process.hrtime.bigint() - started) / count / 1000;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / count };
}

/** By the name `[client…]` picks them with. */
const clients: Record<string, () => Client> = {
  fetch: fetchClient,
  ioredis: redisClient,
  pg: pgClient,
  mysql2: mysqlClient,
  dynamodb: dynamoClient,
  amqplib: amqpClient,
};
const inContext = await spanInContext();
const parent = sdk.shim.startSpan('bench-parent'); // never finished, so never exported
const names = ['raw', 'noop', 'span-floor', 'traced'] as const;
const header = 'client                       raw    noop−raw  floor−raw  traced−raw  traced−floor';
const cell = (x: number, width: number) => x.toFixed(2).padStart(width);
/** One table row from the medians of each variant. */
const row = (name: string, m: Record<(typeof names)[number], number>) =>
  `${name.padEnd(26)} ${cell(m.raw, 6)} ${cell(m.noop - m.raw, 10)} ${cell(m['span-floor'] - m.raw, 10)} ${cell(m.traced - m.raw, 11)} ${cell(m.traced - m['span-floor'], 13)}`;
const cpuRows: string[] = [];
// A round trip to a server leaves the CPU idle; kept polling, it measures the clients, not wake-ups.
const idle = holdShallowIdle();
console.log(
  `${live ? 'live' : 'warm'}, ${rounds} rounds × ${calls} calls, medians (µs per call), idle CPUs ${idle.held ? 'kept polling' : `left to halt (${idle.reason})`}\n\nelapsed\n${header}`,
);
for (const [key, make] of Object.entries(clients)) {
  if (only.size > 0 && !only.has(key)) continue;
  const client = make();
  // Each variant runs as a recording app would: under a current span (ours, or the floor's own).
  const count = Math.max(100, Math.round(calls * (client.callShare ?? 1)));
  const floorCall = client.floor(floor.spans);
  const variants: Record<(typeof names)[number], () => Promise<Timing>> = {
    raw: () => time(client.raw, count),
    noop: await client.traced(new Tracer()).then((call) => () => time(call, count)),
    'span-floor': () => floor.inParent(() => time(floorCall, count)),
    traced: await client.traced(sdk.shim).then((call) => () => inContext(parent, () => time(call, count))),
  };
  const samples: Record<(typeof names)[number], Timing[]> = { raw: [], noop: [], 'span-floor': [], traced: [] };
  for (const run of Object.values(variants)) await run(); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const name of names) samples[name].push(await variants[name]());
  }
  const medians = (of: keyof Timing) =>
    Object.fromEntries(names.map((name) => [name, median(samples[name].map((t) => t[of]))])) as Record<
      (typeof names)[number],
      number
    >;
  console.log(row(client.name, medians('wall')));
  cpuRows.push(row(client.name, medians('cpu')));
  await client.close?.();
}
// In the stand-ins' figures CPU is elapsed time; against a server, it is what each call costs the machine.
if (live) console.log(`\nCPU (process)\n${header}\n${cpuRows.join('\n')}`);
idle.release();
await sdk.provider.forceFlush();
console.log(
  `\nspans exported: ${sdk.exporter.count}, tags per span: ${(sdk.exporter.tags / sdk.exporter.count).toFixed(1)}`,
);
await sdk.provider.shutdown();
