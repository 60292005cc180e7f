import { type ChainableCommander, Cluster, Redis } from 'ioredis';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type RedisRequestInfo,
  type RedisResponseInfo,
  type TracedRedisOptions,
  tracedRedis,
} from '../../src/ioredis.js';

describe('tracedRedis types', () => {
  it('returns exactly the type it was given', () => {
    expectTypeOf(tracedRedis(new Redis())).toEqualTypeOf<Redis>();
    expectTypeOf(tracedRedis(new Cluster([]))).toEqualTypeOf<Cluster>();
    const resp3 = new Redis({ protocol: 3 });
    expectTypeOf(tracedRedis(resp3)).toEqualTypeOf(resp3);
  });

  it('keeps command signatures, pipelines and duplicates typed', () => {
    const redis = tracedRedis(new Redis());
    expectTypeOf(redis.get('k')).toEqualTypeOf<Promise<string | null>>();
    expectTypeOf(redis.pipeline()).toEqualTypeOf<ChainableCommander>();
    expectTypeOf(redis.duplicate()).toEqualTypeOf<Redis>();
  });

  it('options are typed, hooks get one info object', () => {
    expectTypeOf<TracedRedisOptions['statement']>().toEqualTypeOf<
      'command' | 'key' | 'full' | ((command: string, args: readonly unknown[]) => string) | undefined
    >();
    tracedRedis(new Redis(), {
      pipelineCommandSpans: true,
      peerService: 'cache',
      requestHook: (_span, info) => expectTypeOf(info).toEqualTypeOf<RedisRequestInfo>(),
      responseHook: (_span, info) => expectTypeOf(info).toEqualTypeOf<RedisResponseInfo>(),
    });
    // @ts-expect-error: not a statement mode
    tracedRedis(new Redis(), { statement: 'values' });
    // @ts-expect-error: not an ioredis client
    tracedRedis({ get: () => 1 });
  });
});
