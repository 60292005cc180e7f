/**
 * Child of the forgotten-rejection check. For every promise-returning client, one call that
 * rejects and that the caller never handles: raw, traced, and traced with the rejection
 * handled. Node must report the forgotten ones exactly as it reports the raw client's (the
 * promise the caller holds, the same kind of error), and nothing when the caller handles it.
 * Runs in its own process because an unhandled rejection is process-wide.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mysql from 'mysql2';
import pg from 'pg';
import {
  configure,
  tracedAmqp,
  tracedDynamoDB,
  tracedFetch,
  tracedFunction,
  tracedMysql,
  tracedPg,
  tracedRedis,
} from '../../../../src/index.js';
import { endpoints, startDynamo, uniqueName } from '../../../helpers/services.js';
import { createTestTracing } from '../../../helpers/tracing.js';
import { reportResult } from '../../lib/child.js';
import { quiesce } from '../../lib/watchdog.js';
import { dynamoConfig } from '../lib/dynamo.js';

const tracing = createTestTracing();
configure({ tracer: tracing.tracer, onInstrumentationError: () => {} });

/** What Node reported for one call. */
export interface Report {
  /** `unhandledRejection` events. */
  readonly reported: number;
  /** The reported promise is the one the call returned. */
  readonly samePromise: boolean;
  /** The reason's class, code and message. */
  readonly reason: string | undefined;
  /** Spans the call recorded, and how many of them are marked as errors. */
  readonly spans: number;
  readonly errorSpans: number;
}

export type Mode = 'raw' | 'traced' | 'traced, handled';

/** A case: the raw client's call and the traced client's call, each rejecting. */
type Call = () => Promise<unknown>;

function describeReason(reason: unknown): string {
  if (!(reason instanceof Error)) return String(reason);
  const code = (reason as { code?: unknown }).code;
  return `${reason.constructor.name} ${code === undefined ? '' : String(code)} ${reason.message}`;
}

async function observe(call: Call, handled: boolean): Promise<Report> {
  tracing.reset();
  const events: { reason: unknown; promise: Promise<unknown> }[] = [];
  const listener = (reason: unknown, promise: Promise<unknown>) => events.push({ reason, promise });
  process.on('unhandledRejection', listener);
  const promise = call();
  let outcome: unknown;
  if (handled)
    outcome = await promise.then(
      () => 'resolved',
      (error: unknown) => error,
    );
  else {
    // The call is never awaited; wait (bounded) for Node to report it, or long enough to know it will not.
    for (let waited = 0; events.length === 0 && waited < 3000; waited += 25) await quiesce(5);
  }
  await quiesce();
  process.removeListener('unhandledRejection', listener);
  const spans = tracing.spans();
  return {
    reported: events.length,
    samePromise: events.length === 1 && events[0]?.promise === promise,
    reason: describeReason(handled ? outcome : events[0]?.reason),
    spans: spans.length,
    errorSpans: spans.filter((s) => s.error).length,
  };
}

const results: Record<string, Record<Mode, Report>> = {};
async function check(name: string, raw: Call, traced: Call): Promise<void> {
  results[name] = {
    raw: await observe(raw, false),
    traced: await observe(traced, false),
    'traced, handled': await observe(traced, true),
  };
}

const closers: (() => Promise<unknown>)[] = [];

const pool = new pg.Pool({ connectionString: endpoints.pg, max: 1 });
closers.push(() => pool.end());
const tracedPool = tracedPg(pool);
await check(
  'pg',
  () => pool.query('SELEC 1'),
  () => tracedPool.query('SELEC 1'),
);

const refusedPool = new pg.Pool({ host: '127.0.0.1', port: 1 });
closers.push(() => refusedPool.end());
const tracedRefusedPool = tracedPg(refusedPool, { traceConnect: true });
await check(
  'pg connect',
  () => refusedPool.connect(),
  () => tracedRefusedPool.connect(),
);

const mysqlPool = mysql.createPool({ uri: endpoints.mysql, connectionLimit: 1 });
closers.push(() => mysqlPool.promise().end());
const rawMysql = mysqlPool.promise();
const tracedMysqlPool = tracedMysql(mysqlPool.promise());
await check(
  'mysql2',
  () => rawMysql.query('SELEC 1'),
  () => tracedMysqlPool.query('SELEC 1'),
);

const redis = new Redis(endpoints.redis, { lazyConnect: false });
closers.push(() => redis.quit());
const tracedRedisClient = tracedRedis(redis);
const stringKey = uniqueName('forgotten');
await redis.set(stringKey, 'a string', 'EX', 60);
await check(
  'ioredis',
  () => redis.lpush(stringKey, 'x'),
  () => tracedRedisClient.lpush(stringKey, 'x'),
);

const dynamo = await startDynamo();
closers.push(() => dynamo.close());
const dynamoClient = new DynamoDBClient(dynamoConfig(dynamo.endpoint));
closers.push(async () => dynamoClient.destroy());
const tracedDynamoClient = tracedDynamoDB(dynamoClient);
const missingItem = new GetItemCommand({ TableName: uniqueName('missing'), Key: { id: { S: '1' } } });
await check(
  'DynamoDB',
  () => dynamoClient.send(missingItem),
  () => tracedDynamoClient.send(missingItem),
);

const connection = await amqp.connect(endpoints.amqp);
closers.push(() => connection.close());
// `get` on a missing queue: the broker closes the channel (404) and the call rejects. One
// channel per call, opened beforehand, so the caller holds the very promise `get` returns.
const channels: amqp.Channel[] = [];
for (let i = 0; i < 3; i++) {
  const channel = await connection.createChannel();
  channel.on('error', () => {}); // an app's handler: the broker closes the channel
  channels.push(channel);
}
const missingQueue = uniqueName('missing-queue');
const channelGet = (traced: boolean) => () => {
  const channel = channels.shift() as amqp.Channel;
  return (traced ? tracedAmqp(channel) : channel).get(missingQueue);
};
await check('amqplib', channelGet(false), channelGet(true));

const refused = 'http://127.0.0.1:1/';
const tracedGlobalFetch = tracedFetch();
await check(
  'fetch',
  () => fetch(refused),
  () => tracedGlobalFetch(refused),
);

async function failing(): Promise<never> {
  throw new TypeError('failing on purpose');
}
const tracedFailing = tracedFunction(failing);
await check('tracedFunction', failing, tracedFailing);

for (const close of closers.reverse()) await close();
reportResult(results);
