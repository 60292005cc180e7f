/**
 * tracedRedis over a real Redis Cluster: three cluster-enabled `redis-server` masters started
 * for this file on free loopback ports (slots 0-5460, 5461-10922, 10923-16383), killed after.
 */
import { Cluster, Redis } from 'ioredis';
import type { Span } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, untraced } from '../../src/core/index.js';
import { tracedRedis } from '../../src/ioredis.js';
import { canStartRedisServer, type RedisServers, startCluster } from '../helpers/redis-servers.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';

const available = await canStartRedisServer();
if (!available && (process.env.CI === 'true' || process.env.CI === '1')) {
  throw new Error('redis-server is not installed (CI=true: a missing service is a failure)');
}
const tracing = createTestTracing();

describe.runIf(available)('tracedRedis (Redis Cluster of three local masters)', () => {
  let servers: RedisServers;
  let ports: readonly number[];
  const clusters: Cluster[] = [];
  const open = (lazyConnect = false) => {
    const raw = new Cluster([{ host: '127.0.0.1', port: ports[0] as number }], { lazyConnect });
    clusters.push(raw);
    return raw;
  };
  /** The master port of a key's slot, asked of the server itself. */
  const portOf = async (key: string): Promise<number> => {
    const probe = new Redis({ host: '127.0.0.1', port: ports[0] as number });
    const slot = (await probe.call('CLUSTER', 'KEYSLOT', key)) as number;
    probe.disconnect();
    return slot <= 5460 ? (ports[0] as number) : slot <= 10922 ? (ports[1] as number) : (ports[2] as number);
  };

  beforeAll(async () => {
    servers = await startCluster();
    ports = servers.ports;
  }, 60_000);
  afterAll(async () => {
    for (const c of clusters) c.disconnect();
    await servers?.stop();
  });
  beforeEach(() => {
    tracing.reset();
    configure({ tracer: tracing.tracer });
  });
  afterEach(() => resetConfig());

  const seeds = () => `127.0.0.1:${ports[0]}`;

  it('every command is a span tagged with the node that serves its key and the seed list', async () => {
    const raw = open();
    const cluster = tracedRedis(raw);
    expect(cluster).toBeInstanceOf(Cluster);
    await new Promise<void>((resolve) => raw.once('ready', () => resolve()));
    const keys = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    for (const key of keys) await cluster.set(`tc:${key}`, 'value');
    const values = await Promise.all(keys.map((key) => cluster.get(`tc:${key}`)));
    expect(values).toEqual(keys.map(() => 'value'));
    const sets = tracing.named('redis:SET');
    expect(sets).toHaveLength(keys.length);
    const ports = new Set<number>();
    for (const [i, key] of keys.entries()) {
      const span = sets[i] as RecordedSpan;
      const port = await portOf(`tc:${key}`);
      ports.add(port);
      expect(span.tags).toMatchObject({
        component: 'ioredis',
        'db.type': 'redis',
        'db.instance': '0',
        'db.statement': `SET tc:${key} ?`,
        'peer.ipv4': '127.0.0.1',
        'peer.port': port,
        'redis.cluster.seeds': seeds(),
      });
    }
    expect(ports.size).toBeGreaterThan(1); // the keys really were spread over nodes
    await cluster.del(...keys.map((key) => `{tc}:${key}`));
    tracing.expectAllFinishedOnce();
  });

  it('commands issued before the cluster is ready (offline queue) keep their parents and contexts', async () => {
    const raw = open(true);
    const cluster = tracedRedis(raw);
    expect(cluster.status).toBe('wait');
    const a = tracing.tracer.startSpan('a');
    const b = tracing.tracer.startSpan('b');
    const seen: [string, Span | undefined][] = [];
    const first = spanInContext(a, () => cluster.set('tc:offline', '1').then(() => seen.push(['a', getCurrentSpan()])));
    const second = new Promise<void>((resolve) =>
      spanInContext(b, () =>
        cluster.get('tc:offline', () => {
          seen.push(['b', getCurrentSpan()]);
          resolve();
        }),
      ),
    );
    expect(cluster.status).not.toBe('ready');
    await Promise.all([first, second]);
    // Each continuation in its own caller's context. (Their order is not compared: a traced
    // promise settles one microtask after the raw one, while callbacks keep their timing.)
    expect(new Map(seen)).toEqual(
      new Map([
        ['a', a],
        ['b', b],
      ]),
    );
    expect(seen).toHaveLength(2);
    expectChildOf(tracing.one('redis:SET'), idsOf(a));
    expectChildOf(tracing.one('redis:GET'), idsOf(b));
    // Issued before the slot map was known; the serving node is named once the command is served.
    expect(tracing.one('redis:SET').tags).toMatchObject({
      'redis.cluster.seeds': seeds(),
      'peer.port': await portOf('tc:offline'),
    });
    // Slot discovery (CLUSTER SLOTS) and ready checks are ioredis's own: no spans.
    expect(
      tracing
        .spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['redis:GET', 'redis:SET']);
  });

  it('a command redirected by MOVED names the node that finally served it', async () => {
    const raw = open();
    const cluster = tracedRedis(raw);
    await cluster.ping();
    const key = 'tc:moved';
    const right = await portOf(key);
    const wrong = ports.find((p) => p !== right) as number;
    const probe = new Redis({ host: '127.0.0.1', port: right });
    const slot = (await probe.call('CLUSTER', 'KEYSLOT', key)) as number;
    probe.disconnect();
    const wrongNode = new Redis({ host: '127.0.0.1', port: wrong });
    const movedReplies = async () => {
      const stats = (await wrongNode.info('errorstats')) as string;
      return Number(/errorstat_MOVED:count=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    const movedBefore = await movedReplies();
    // Make ioredis's slot map stale for this slot: the command goes to the wrong node first.
    raw.slots[slot] = [`127.0.0.1:${wrong}`];
    tracing.reset();
    expect(await cluster.set(key, '1')).toBe('OK');
    expect(await movedReplies()).toBe(movedBefore + 1); // it really was redirected
    wrongNode.disconnect();
    const span = tracing.one('redis:SET');
    expect(span.error).toBe(false);
    expect(span.tags['peer.port']).toBe(right);
    await cluster.del(key);
  });

  it('a pipeline redirected by MOVED (ioredis re-runs its own exec) is still one span, on the serving node', async () => {
    const raw = open();
    const cluster = tracedRedis(raw);
    await cluster.ping();
    const key = '{tc-moved-batch}:a';
    const right = await portOf(key);
    const wrong = ports.find((p) => p !== right) as number;
    const probe = new Redis({ host: '127.0.0.1', port: right });
    const slot = (await probe.call('CLUSTER', 'KEYSLOT', key)) as number;
    probe.disconnect();
    raw.slots[slot] = [`127.0.0.1:${wrong}`];
    tracing.reset();
    const result = await cluster.pipeline().set(key, '1').get(key).exec();
    expect(result).toEqual([
      [null, 'OK'],
      [null, '1'],
    ]);
    expect(tracing.spans().map((s) => s.name)).toEqual(['redis:PIPELINE']);
    expect(tracing.one('redis:PIPELINE').tags).toMatchObject({ 'redis.batch.size': 2, 'peer.port': right });
    expect(tracing.one('redis:PIPELINE').error).toBe(false);
    tracing.expectAllFinishedOnce();
    await cluster.del(key);
  });

  it('pipeline and multi on one hash tag: one span each, tagged with the serving node', async () => {
    const cluster = tracedRedis(open());
    const pipeline = await cluster.pipeline().set('{tc-user}:a', '1').incr('{tc-user}:a').get('{tc-user}:a').exec();
    expect(pipeline).toEqual([
      [null, 'OK'],
      [null, 2],
      [null, '2'],
    ]);
    const multi = await cluster.multi().incr('{tc-user}:a').del('{tc-user}:a').exec();
    expect(multi).toEqual([
      [null, 3],
      [null, 1],
    ]);
    const port = await portOf('{tc-user}:a');
    expect(tracing.one('redis:PIPELINE').tags).toMatchObject({
      'redis.batch.size': 3,
      'redis.batch.commands': 'SET,INCR,GET',
      'peer.port': port,
    });
    expect(tracing.one('redis:MULTI').tags).toMatchObject({ 'redis.batch.size': 2, 'peer.port': port });
    expect(tracing.spans()).toHaveLength(2);
  });

  it('cluster errors (CROSSSLOT) are tagged and re-raised unchanged', async () => {
    const cluster = tracedRedis(open());
    const rawCluster = open();
    const error = await cluster.mget('tc:alpha', 'tc:bravo').catch((e: unknown) => e);
    const rawError = await rawCluster.mget('tc:alpha', 'tc:bravo').catch((e: unknown) => e);
    expect((error as Error).message).toBe((rawError as Error).message);
    expect((error as Error).message).toMatch(/^CROSSSLOT/);
    const span = tracing.one('redis:MGET');
    expect(span.error).toBe(true);
    expect(errorLog(span)?.['exception.type']).toBe('CROSSSLOT');
  });

  it('nodes() and duplicate() hand out traced clients', async () => {
    const raw = open();
    const cluster = tracedRedis(raw, { peerService: 'cluster-cache' });
    await cluster.ping();
    const nodes = cluster.nodes('master');
    expect(nodes).toHaveLength(3);
    expect(nodes.every((n) => isTraced(n))).toBe(true);
    expect(cluster.nodes('master')[0]).toBe(nodes[0]);
    await nodes[0]?.dbsize();
    const dbsize = tracing.one('redis:DBSIZE');
    expect(dbsize.tags['peer.port']).toBe(untraced(nodes[0] as Redis).options.port);
    expect(dbsize.tags['peer.service']).toBe('cluster-cache');

    const copy = cluster.duplicate();
    clusters.push(untraced(copy));
    expect(isTraced(copy)).toBe(true);
    expect(copy).toBeInstanceOf(Cluster);
    await copy.set('tc:dup', '1');
    expect(tracing.one('redis:SET').tags['peer.service']).toBe('cluster-cache');
    await copy.del('tc:dup');
  });
});
