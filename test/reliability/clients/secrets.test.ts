/**
 * Secrets: a corpus of marker secrets placed where secrets live, with DEFAULT options on every
 * client: SQL literals (string, numeric) and parameters, a duplicate-key error carrying a
 * value, connection-string and URL passwords, Redis values, script arguments and AUTH
 * passwords, DynamoDB items, keys and expression values, AMQP bodies and headers, URL query
 * strings, `authorization` / `cookie` / `x-api-key` headers and bodies, outbound and inbound.
 * Every tag, log field and operation name of every exported span is scanned; none may hold
 * any marker.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as amqplib from 'amqplib';
import { Redis } from 'ioredis';
import * as mysql from 'mysql2';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configure,
  resetConfig,
  spanInContext,
  tracedAmqp,
  tracedDynamoDB,
  tracedFetch,
  tracedMysql,
  tracedPg,
  tracedRedis,
  tracedRequestListener,
} from '../../../src/index.js';
import { endpoints, servicesAvailable, startDynamo, uniqueName } from '../../helpers/services.js';
import { createTestTracing } from '../../helpers/tracing.js';
import { FIGURE, recordFigure } from '../lib/figures.js';
import { canStartRedisServer, type PrivateRedis, startPrivateRedis } from '../lib/redis-server.js';
import { SecretCorpus, scanForSecrets } from '../lib/secrets.js';
import { startWatchdog } from '../lib/watchdog.js';
import { dynamoConfig } from './lib/dynamo.js';
import { settle, sleep } from './lib/fault.js';

const SOURCE = 'secrets corpus';
const available = (await servicesAvailable('pg', 'mysql', 'amqp')) && canStartRedisServer();

/** `scheme://user:password@host…` from an endpoint URL. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.href;
}

describe.runIf(available)('no marker secret in any exported span, with default options', () => {
  const tracing = createTestTracing();
  const corpus = new SecretCorpus();
  let redisServer: PrivateRedis;
  let redisPassword: string;

  beforeAll(async () => {
    configure({ tracer: tracing.tracer, onInstrumentationError: () => {} });
    redisPassword = corpus.text('Redis requirepass / AUTH / URL userinfo');
    redisServer = await startPrivateRedis(['--requirepass', redisPassword]);
  });
  afterAll(async () => {
    await redisServer?.stop();
    resetConfig();
  });

  const inRequest = <T>(fn: () => Promise<T>): Promise<T> => {
    const parent = tracing.tracer.startSpan('request');
    return spanInContext(parent, fn).finally(() => parent.finish());
  };

  it('pg: literals, parameters, a duplicate-key error and the connection-string password', async () => {
    const pool = tracedPg(
      new pg.Pool({
        connectionString: withPassword(endpoints.pg, corpus.text('pg connection-string password')),
        max: 1,
      }),
    );
    await inRequest(async () => {
      await pool.query(
        `SELECT $1::text AS a, '${corpus.text('pg string literal')}' AS b, ${corpus.number('pg numeric literal')}::bigint AS c`,
        [corpus.text('pg parameter')],
      );
      await pool.query(
        `SELECT E'it\\'s ${corpus.text('pg escape string')}' AS d, $tag$${corpus.text('pg dollar-quoted')}$tag$ AS e`,
      );
      const client = await pool.connect();
      const table = uniqueName('rel_secret');
      await client.query(`CREATE TEMP TABLE ${table} (id text PRIMARY KEY)`);
      const duplicate = corpus.text('pg duplicate key value (error detail)');
      await client.query(`INSERT INTO ${table} VALUES ($1)`, [duplicate]);
      const failed = await settle(client.query(`INSERT INTO ${table} VALUES ('${duplicate}')`));
      expect(failed.ok).toBe(false);
      client.release();
    });
    await pool.end();
  });

  it('mysql2: literals, parameters and a duplicate-entry error', async () => {
    const pool = tracedMysql(mysql.createPool({ uri: endpoints.mysql, connectionLimit: 1 }));
    const db = pool.promise();
    await inRequest(async () => {
      await db.query(
        `SELECT '${corpus.text('mysql string literal')}' AS a, ? AS b, ${corpus.number('mysql numeric literal')} AS c`,
        [corpus.text('mysql parameter')],
      );
      await db.execute('SELECT ? AS a', [corpus.text('mysql execute parameter')]);
      await db.query(`SELECT "${corpus.text('mysql double-quoted string')}" AS d`);
      const connection = await db.getConnection();
      const table = uniqueName('rel_secret');
      await connection.query(`CREATE TEMPORARY TABLE ${table} (id VARCHAR(64) PRIMARY KEY)`);
      const duplicate = corpus.text('mysql duplicate entry (error message)');
      await connection.query(`INSERT INTO ${table} VALUES (?)`, [duplicate]);
      const failed = await settle(connection.query(`INSERT INTO ${table} VALUES ('${duplicate}')`));
      expect(failed.ok).toBe(false);
      connection.release();
    });
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  });

  it('ioredis: values, hash fields, script arguments, AUTH and the URL password', async () => {
    const url = `redis://:${redisPassword}@127.0.0.1:${redisServer.port}/0`;
    const redis = tracedRedis(new Redis(url));
    redis.on('error', () => {});
    await inRequest(async () => {
      const key = uniqueName('rel:secret');
      await redis.set(key, corpus.text('redis SET value'), 'EX', 60);
      await redis.hset(`${key}:h`, 'field', corpus.text('redis HSET value'));
      await redis.eval('return ARGV[1]', 0, corpus.text('redis EVAL argument'));
      await redis.auth(redisPassword);
      const pipeline = redis.pipeline();
      pipeline.set(`${key}:p`, corpus.text('redis pipeline value'), 'EX', 60);
      pipeline.lpush(`${key}:l`, corpus.text('redis LPUSH value'));
      await pipeline.exec();
      await redis.del(key, `${key}:h`, `${key}:p`, `${key}:l`);
    });
    await redis.quit();
  });

  it('DynamoDB: item attributes, keys and expression values', async () => {
    const server = await startDynamo();
    const dynamo = tracedDynamoDB(new DynamoDBClient(dynamoConfig(server.endpoint)));
    const table = uniqueName('rel_secret');
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await inRequest(async () => {
      const id = corpus.text('DynamoDB key value');
      await dynamo.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            id: { S: id },
            secret: { S: corpus.text('DynamoDB item string') },
            n: { N: corpus.number('DynamoDB item number') },
          },
        }),
      );
      await dynamo.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
      await dynamo.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: id } },
          UpdateExpression: 'SET secret = :v',
          ExpressionAttributeValues: { ':v': { S: corpus.text('DynamoDB update value') } },
        }),
      );
      await dynamo.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'id = :id',
          ExpressionAttributeValues: { ':id': { S: corpus.text('DynamoDB query value') } },
        }),
      );
    });
    await dynamo.send(new DeleteTableCommand({ TableName: table }));
    dynamo.destroy();
    await server.close();
  });

  it('amqplib: message bodies and headers, published and consumed', async () => {
    const connection = tracedAmqp(await amqplib.connect(endpoints.amqp));
    const channel = await connection.createChannel();
    const queue = uniqueName('rel_secret');
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true });
    const received = new Promise<void>((resolve) => {
      void channel.consume(queue, (message) => {
        if (message !== null) channel.ack(message);
        resolve();
      });
    });
    await inRequest(async () => {
      channel.sendToQueue(queue, Buffer.from(corpus.text('AMQP body')), {
        headers: {
          'x-token': corpus.text('AMQP header'),
          authorization: `Bearer ${corpus.text('AMQP authorization header')}`,
        },
      });
    });
    await received;
    await sleep(50);
    await channel.close();
    await connection.close();
  });

  it('HTTP: query strings, credential headers and bodies, outbound (fetch) and inbound (server adapter)', async () => {
    const watchdog = startWatchdog();
    const fetch = tracedFetch(globalThis.fetch);
    // The server fetches from itself: an inbound span per request and an outbound one.
    const server: Server = createServer(
      tracedRequestListener(async (req: IncomingMessage, res: ServerResponse) => {
        for await (const _chunk of req) {
          // drain the body
        }
        res.setHeader('set-cookie', `session=${corpus.text('response set-cookie')}`);
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const base = `http://127.0.0.1:${address.port}`;
    await inRequest(async () => {
      const query = `token=${corpus.text('fetch ?token')}&access_token=${corpus.text('fetch ?access_token')}&password=${corpus.text('fetch ?password')}&q=1`;
      const response = await fetch(`${base}/out?${query}#${corpus.text('fetch #fragment')}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${corpus.text('fetch authorization header')}`,
          cookie: `sid=${corpus.text('fetch cookie header')}`,
          'x-api-key': corpus.text('fetch x-api-key header'),
        },
        body: corpus.text('fetch body'),
      });
      await response.text();
    });
    // Inbound straight from node:http (no fetch span): the server adapter alone.
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${base}/in?api_key=${corpus.text('inbound ?api_key')}&secret=${corpus.text('inbound ?secret')}`,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`user:${corpus.text('inbound basic auth')}`).toString('base64')}`,
            cookie: `sid=${corpus.text('inbound cookie')}`,
            'proxy-authorization': corpus.text('inbound proxy-authorization'),
          },
        },
        (res) => res.resume().on('end', resolve),
      );
      req.on('error', reject);
      req.end(corpus.text('inbound body'));
    });
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    expect((await watchdog.stop()).crashes).toBe(0);
  });

  it('none of the markers appears in any span (scan of every name, tag and log field)', async () => {
    await sleep(100);
    const spans = tracing.spans();
    const leaks = scanForSecrets(spans, corpus.markers);
    console.log(
      `secrets: ${corpus.markers.length} markers placed, ${spans.length} spans scanned, ${leaks.length} leaked`,
    );
    recordFigure(FIGURE.SECRETS_PLACED, corpus.markers.length, SOURCE);
    recordFigure(FIGURE.SECRETS_SCANNED, spans.length, SOURCE);
    recordFigure(FIGURE.SECRETS_LEAKED, leaks.length, SOURCE);
    expect(spans.length).toBeGreaterThan(20);
    expect(leaks).toEqual([]);
    tracing.expectAllFinishedOnce();
  });
});
