/**
 * tracedRedis without any server: real ioredis `Redis` and `Redis.Cluster` objects pointed at
 * a closed port, so the offline queue, connection failures, the proxy rules and fault
 * isolation are driven deterministically. (Against real servers: test/integration/ioredis*.)
 */
import { Cluster, Redis } from 'ioredis';
import { type Span, Tracer } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distinctNames } from '../../src/clients/ioredis/batch.js';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, untraced } from '../../src/core/index.js';
import { tracedRedis } from '../../src/ioredis.js';
import { createTestTracing, errorLog, expectChildOf, idsOf } from '../helpers/tracing.js';

const tracing = createTestTracing();
const clients: { disconnect(): void }[] = [];

beforeEach(() => {
  tracing.reset();
  configure({ tracer: tracing.tracer });
});
afterEach(() => {
  resetConfig();
  for (const c of clients.splice(0)) c.disconnect();
});

function deadRedis(): Redis {
  const raw = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, retryStrategy: () => null });
  raw.on('error', () => {});
  clients.push(raw);
  return raw;
}

function deadCluster(): Cluster {
  const raw = new Cluster(
    [
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ],
    { lazyConnect: true, clusterRetryStrategy: () => null },
  );
  raw.on('error', () => {});
  clients.push(raw);
  return raw;
}

describe('Cluster (no cluster running)', () => {
  it('same type, seed-list tag, commands queued before ready keep their parents and fail unchanged', async () => {
    const raw = deadCluster();
    const cluster = tracedRedis(raw, { peerService: 'sessions' });
    expect(cluster).toBeInstanceOf(Cluster);
    expect(untraced(cluster)).toBe(raw);
    const a = tracing.tracer.startSpan('a');
    const b = tracing.tracer.startSpan('b');
    const rawError = await deadCluster()
      .get('k')
      .catch((e: unknown) => e);
    const results = await Promise.all([
      spanInContext(a, () => cluster.set('k', 'secret-value').catch((e: unknown) => [e, getCurrentSpan()])),
      new Promise<[unknown, Span | undefined]>((resolve) =>
        spanInContext(b, () => cluster.get('k', (e) => resolve([e, getCurrentSpan()]))),
      ),
    ]);
    const [[errorA, currentA], [errorB, currentB]] = results as [
      [unknown, Span | undefined],
      [unknown, Span | undefined],
    ];
    expect(currentA).toBe(a);
    expect(currentB).toBe(b);
    expect((errorA as Error).message).toBe((rawError as Error).message);
    expect((errorB as Error).message).toBe((rawError as Error).message);
    const set = tracing.one('redis:SET');
    const get = tracing.one('redis:GET');
    expectChildOf(set, idsOf(a));
    expectChildOf(get, idsOf(b));
    expect(set.tags).toMatchObject({
      'span.kind': 'client',
      component: 'ioredis',
      'db.type': 'redis',
      'db.instance': '0',
      'db.statement': 'SET k ?',
      'peer.service': 'sessions',
      'redis.cluster.seeds': '127.0.0.1:1,127.0.0.1:2',
    });
    expect(set.error).toBe(true);
    expect(errorLog(set)?.['exception.message']).toBe((errorA as Error).message);
    a.finish();
    b.finish();
    tracing.expectAllFinishedOnce();
  });

  it('a pipeline on a Cluster that never becomes ready: one span, failed with the same error', async () => {
    const cluster = tracedRedis(deadCluster());
    const error = await cluster
      .pipeline()
      .set('{t}a', '1')
      .get('{t}a')
      .exec()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const span = tracing.one('redis:PIPELINE');
    expect(span.tags).toMatchObject({ 'redis.batch.size': 2, 'redis.batch.commands': 'SET,GET' });
    expect(span.error).toBe(true);
    tracing.expectAllFinishedOnce();
  });
});

describe('standalone (no server)', () => {
  it('the offline queue keeps each caller parent; rejection is the raw client error', async () => {
    const redis = tracedRedis(deadRedis());
    const parents = Array.from({ length: 20 }, (_, i) => tracing.tracer.startSpan(`p${i}`));
    const outcomes = await Promise.all(
      parents.map((p, i) =>
        spanInContext(p, () =>
          redis
            .incr(`k${i}`)
            .then(
              () => undefined,
              (e: unknown) => e,
            )
            .then((e) => [e, getCurrentSpan()] as const),
        ),
      ),
    );
    outcomes.forEach(([error, current], i) => {
      expect(error).toBeInstanceOf(Error);
      expect(current).toBe(parents[i]);
    });
    const spans = tracing.named('redis:INCR');
    expect(spans).toHaveLength(20);
    parents.forEach((p, i) => {
      expect(spans.find((s) => s.parentId === idsOf(p).spanId)?.tags['db.statement']).toBe(`INCR k${i}`);
    });
    for (const p of parents) p.finish();
    tracing.expectAllFinishedOnce();
  });

  it('a method read twice is the same function; untouched members are the raw ones', () => {
    const raw = deadRedis();
    const redis = tracedRedis(raw);
    expect(redis.get).toBe(redis.get);
    expect(redis.pipeline).toBe(redis.pipeline);
    expect(redis.status).toBe('wait');
    expect(redis.options).toBe(raw.options);
    expect(redis.on('ready', () => {})).toBe(redis);
    expect(tracedRedis(redis)).toBe(redis);
    expect(isTraced(redis.pipeline())).toBe(true);
    expect(isTraced(redis.multi())).toBe(true);
    expect(isTraced(redis)).toBe(true);
  });

  it('rejects what is not an ioredis client', () => {
    expect(() => tracedRedis({} as Redis)).toThrow(TypeError);
  });
});

describe('instrumentation never breaks the app', () => {
  it('a throwing tracer, statement function or hooks: the call still happens and returns normally', async () => {
    const faults: string[] = [];
    configure({
      tracer: {
        startSpan: () => {
          throw new Error('tracer down');
        },
      } as never,
      onInstrumentationError: (_e, source) => faults.push(source),
    });
    const redis = tracedRedis(deadRedis());
    const error = await redis.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(faults).toContain('tracer.startSpan');

    configure({ tracer: tracing.tracer });
    faults.length = 0;
    const hooked = tracedRedis(deadRedis(), {
      statement: () => {
        throw new Error('statement bug');
      },
      requestHook: () => {
        throw new Error('hook bug');
      },
      operationName: () => {
        throw new Error('name bug');
      },
    });
    const error2 = await hooked.get('k').catch((e: unknown) => e);
    expect(error2).toBeInstanceOf(Error);
    expect(faults.sort()).toEqual(['operationName', 'requestHook', 'tags.ioredis']);
    expect(tracing.one('redis:GET').error).toBe(true);
  });

  it('the no-op tracer (nothing recorded) runs the original call directly', async () => {
    resetConfig();
    const redis = tracedRedis(deadRedis());
    const error = await redis.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(tracing.startedCount).toBe(0);
  });

  it("opentracing's no-op tracer: pipeline() and multi() hand out the batch untouched", () => {
    configure({ tracer: new Tracer() });
    const raw = deadRedis();
    const redis = tracedRedis(raw);
    const batches = [
      [redis.pipeline(), raw.pipeline()],
      [redis.multi(), raw.multi()],
    ] as const;
    for (const [batch, rawBatch] of batches) {
      expect(isTraced(batch)).toBe(false);
      expect(Object.keys(batch).sort()).toEqual(Object.keys(rawBatch).sort());
    }
    configure({ tracer: tracing.tracer });
    const traced = redis.pipeline();
    expect(isTraced(traced)).toBe(true);
    expect(Object.hasOwn(traced, 'execBuffer')).toBe(true);
  });
});

describe('distinctNames (a batch span’s redis.batch.commands)', () => {
  it('uppercase, each once in first-seen order, whatever the case or container', () => {
    expect(distinctNames(['get', 'GET', 'set', 'get', 'Set', 'del'])).toBe('GET,SET,DEL');
    expect(distinctNames(new Set(['get']))).toBe('GET');
    expect(distinctNames(new Set(['get', 'Get']))).toBe('GET');
    expect(distinctNames([])).toBe('');
  });
});
