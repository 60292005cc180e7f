/**
 * Faults: Redis `CLIENT KILL` of our own connection during a blocking command, and a Redis
 * restart during a pipeline (on a private redis-server: the shared one is never restarted).
 * The app sees what the raw client gives, every span finishes once, no unhandled rejection,
 * and the client serves again once Redis is back.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { spanInContext, tracedRedis } from '../../../src/index.js';
import { endpoints, serviceAvailable, uniqueName } from '../../helpers/services.js';
import { canStartRedisServer, type PrivateRedis, startPrivateRedis } from '../lib/redis-server.js';
import { errorShape, faultBook, faultTracing, settle, sleep, startServing } from './lib/fault.js';

const SOURCE = 'faults: Redis';
const rig = faultTracing(SOURCE);
const fault = faultBook(SOURCE);
const available = await serviceAvailable('redis');

function connect(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, options);
  client.on('error', () => {}); // an app listens: ioredis reports reconnects as errors
  return client;
}

describe.runIf(available)('Redis CLIENT KILL during a blocking command', () => {
  let admin: Redis;
  beforeAll(() => {
    admin = connect(endpoints.redis);
  });
  afterAll(async () => {
    await admin.quit();
  });

  /** BLPOP on an empty key, then the connection is killed from another connection. */
  async function killDuringBlpop(client: Redis) {
    const id = await client.client('ID');
    const pending = settle(client.blpop(uniqueName('rel:blpop'), 1));
    await sleep(100);
    await admin.client('KILL', 'ID', String(id));
    return pending;
  }

  // Default options (autoResendUnfulfilledCommands: true): the command is sent again after
  // the reconnect and settles. With `false`, ioredis 6 itself leaves the killed command
  // pending forever, raw or traced (measured), so there is no outcome to compare.
  for (const resend of [true]) {
    fault(
      `autoResendUnfulfilledCommands: ${resend}: the raw client's outcome, spans finished once, serving again`,
      async () => {
        const options = { autoResendUnfulfilledCommands: resend };
        const raw = connect(endpoints.redis, options);
        const traced = tracedRedis(connect(endpoints.redis, options));
        const rawOutcome = await killDuringBlpop(raw);
        const parent = rig.tracing.tracer.startSpan('request');
        const tracedOutcome = await spanInContext(parent, () => killDuringBlpop(traced));
        parent.finish();
        expect(tracedOutcome.ok).toBe(rawOutcome.ok);
        if (rawOutcome.ok) expect(tracedOutcome.value).toEqual(rawOutcome.value);
        else expect(errorShape(tracedOutcome.error)).toEqual(errorShape(rawOutcome.error));

        const served = await startServing(() => traced.ping());
        expect(await served.request()).toEqual({ status: 200, body: '"PONG"' });
        await served.close();
        await raw.quit();
        await traced.quit();
        const spans = await rig.settled();
        const blpop = spans.filter((s) => s.name === 'redis:BLPOP');
        expect(blpop).toHaveLength(1);
        expect(blpop[0]?.error).toBe(!rawOutcome.ok);
      },
    );
  }
});

describe.runIf(await canStartRedisServer())('Redis restart during a pipeline (private redis-server)', () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  fault(
    'the pipeline settles, its span finishes once, the client serves again after the restart',
    async () => {
      const traced = tracedRedis(connect(server.url, { retryStrategy: () => 50 }));
      await traced.ping();
      const parent = rig.tracing.tracer.startSpan('request');
      const outcome = spanInContext(parent, () => {
        const pipeline = traced.pipeline();
        for (let i = 0; i < 2000; i++) pipeline.set(`rel:${i}`, 'x');
        return settle(pipeline.exec());
      });
      await server.stop();
      await sleep(100);
      await server.start();
      const result = await outcome;
      parent.finish();
      if (result.ok) expect(Array.isArray(result.value)).toBe(true);
      else expect(result.error).toBeInstanceOf(Error);

      const served = await startServing(() => traced.ping());
      expect(await served.request()).toEqual({ status: 200, body: '"PONG"' });
      await served.close();
      await traced.quit();
      const spans = await rig.settled();
      expect(spans.filter((s) => s.name === 'redis:PIPELINE')).toHaveLength(1);
    },
    30_000,
  );
});
