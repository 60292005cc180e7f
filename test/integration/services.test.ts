/**
 * One round trip per service, with the raw clients: the environment itself is tested, so a
 * broken service shows up here by name instead of as a confusing failure in a client's tests.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { endpoints, serviceAvailable, startDynamo, uniqueName } from '../helpers/services.js';

const [pgUp, mysqlUp, redisUp, amqpUp] = await Promise.all([
  serviceAvailable('pg'),
  serviceAvailable('mysql'),
  serviceAvailable('redis'),
  serviceAvailable('amqp'),
]);

describe('services answer', () => {
  it.runIf(pgUp)('PostgreSQL', async () => {
    const client = new pg.Client({ connectionString: endpoints.pg });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 + 1 AS two');
      expect(rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
    }
  });

  it.runIf(mysqlUp)('MariaDB / MySQL', async () => {
    const connection = await mysql.createConnection(endpoints.mysql);
    try {
      const [rows] = await connection.query('SELECT 1 + 1 AS two');
      expect(rows).toEqual([{ two: 2 }]);
    } finally {
      await connection.end();
    }
  });

  it.runIf(redisUp)('Redis', async () => {
    const redis = new Redis(endpoints.redis);
    const key = uniqueName('smoke');
    try {
      expect(await redis.set(key, 'v', 'EX', 10)).toBe('OK');
      expect(await redis.get(key)).toBe('v');
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });

  it.runIf(amqpUp)('RabbitMQ', async () => {
    const connection = await amqp.connect(endpoints.amqp);
    try {
      const channel = await connection.createChannel();
      const queue = uniqueName('smoke');
      await channel.assertQueue(queue, { autoDelete: true });
      channel.sendToQueue(queue, Buffer.from('ping'));
      let message: amqp.GetMessage | false = false;
      for (let i = 0; i < 50 && message === false; i++) {
        message = await channel.get(queue, { noAck: true });
        if (message === false) await new Promise((r) => setTimeout(r, 20));
      }
      expect(message === false ? undefined : message.content.toString()).toBe('ping');
      await channel.deleteQueue(queue);
    } finally {
      await connection.close();
    }
  });

  it('DynamoDB (dynalite in-process, or DYNAMODB_ENDPOINT)', async () => {
    const dynamo = await startDynamo();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const result = await client.send(new ListTablesCommand({}));
      expect(Array.isArray(result.TableNames)).toBe(true);
    } finally {
      client.destroy();
      await dynamo.close();
    }
  });

  it('HTTP on 127.0.0.1', async () => {
    const server = createServer((req, res) => res.end(`hello ${req.url}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const response = await fetch(`http://127.0.0.1:${port}/x`);
      expect(await response.text()).toBe('hello /x');
    } finally {
      server.close();
    }
  });
});
