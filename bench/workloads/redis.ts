/** ioredis: `GET` of a small key, sequential and 64 in flight, and a 100-command pipeline. */
import type { Redis } from 'ioredis';
import { Tags } from 'opentracing';
import { endpoints, uniqueName } from '../../test/helpers/services.js';
import { tracedRedisWith } from '../traced/redis.js';
import { clientTags } from './floor-tags.js';
import { tracedFactory, type Workload } from './types.js';

const PIPELINE = 100;

export const redis: Workload = {
  name: 'ioredis',
  service: 'redis',
  scenarios: [
    { name: 'seq', concurrency: 1, title: 'ioredis `GET`, sequential' },
    { name: 'c64', concurrency: 64, title: 'ioredis `GET`, 64 in flight' },
    {
      name: 'pipeline100',
      concurrency: 1,
      title: `ioredis pipeline of ${PIPELINE} \`GET\`s (one op = one pipeline)`,
      // Ours and the floor: one span per pipeline; OTel's ioredis instrumentation: one per command.
      expectedSpans: { otel: PIPELINE },
    },
  ],
  async otel() {
    const { IORedisInstrumentation } = await import('@opentelemetry/instrumentation-ioredis');
    // Left at its default `requireParentSpan: true`: the worker runs every op under a parent.
    return [new IORedisInstrumentation()];
  },
  async setup(context) {
    const { scenario } = context;
    const wrap = await tracedFactory(context, tracedRedisWith);
    const { Redis: RedisClass } = context.require('ioredis') as typeof import('ioredis');
    const url = new URL(endpoints.redis);
    const raw: Redis = new RedisClass({ host: url.hostname, port: Number(url.port) || 6379, lazyConnect: true });
    await raw.connect();
    const key = uniqueName('bench:redis');
    await raw.set(key, 'x'.repeat(64), 'EX', 3600);
    const client = wrap ? wrap(raw) : raw;
    const pipelined = scenario.name === 'pipeline100';
    const op = pipelined
      ? () => {
          const pipeline = client.pipeline();
          for (let i = 0; i < PIPELINE; i++) pipeline.get(key);
          return pipeline.exec();
        }
      : () => client.get(key);
    // A pipeline's span has no single statement: the floor records only the database.
    const statement: Record<string, string> = pipelined ? {} : { [Tags.DB_STATEMENT]: `GET ${key}` };
    return {
      op,
      floorOp: {
        name: pipelined ? 'redis:PIPELINE' : 'redis:GET',
        tags: clientTags('ioredis', { [Tags.DB_TYPE]: 'redis', [Tags.DB_INSTANCE]: '0', ...statement }),
      },
      async close() {
        await raw.del(key);
        await raw.quit();
      },
    };
  },
};
