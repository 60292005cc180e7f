import { type ChainableCommander, Command, Redis, type RedisOptions } from 'ioredis';
import type { Span } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, untraced } from '../../src/core/index.js';
import { type TracedRedisOptions, tracedRedis } from '../../src/ioredis.js';
import { endpoints, serviceAvailable, uniqueName } from '../helpers/services.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';

const available = await serviceAvailable('redis');
const tracing = createTestTracing();
const prefix = uniqueName('ioredis');
const k = (name: string) => `${prefix}:${name}`;
const url = endpoints.redis;

describe.runIf(available)('tracedRedis (standalone, real Redis)', () => {
  let raw: Redis;
  let redis: Redis;
  const extra: Redis[] = [];

  const client = (options: TracedRedisOptions = {}, redisOptions: RedisOptions = {}) => {
    const c = new Redis(url, redisOptions);
    extra.push(c);
    return tracedRedis(c, options);
  };

  beforeAll(async () => {
    raw = new Redis(url);
    redis = tracedRedis(raw);
    await raw.ping();
  });
  beforeEach(() => {
    tracing.reset();
    configure({ tracer: tracing.tracer });
  });
  afterEach(() => resetConfig());
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}:*`);
    if (keys.length > 0) await raw.del(...keys);
    raw.disconnect();
    for (const c of extra) c.disconnect();
  });

  const parent = (name = 'parent'): Span => tracing.tracer.startSpan(name);
  const statementOf = (span: RecordedSpan) => span.tags['db.statement'];

  describe('commands: one span redis:<CMD> per call, every form and style', () => {
    it('named methods in promise style: tags, parent, same result as the raw client', async () => {
      const p = parent();
      const result = await spanInContext(p, () => redis.set(k('a'), 'secret-value-1'));
      const value = await spanInContext(p, () => redis.get(k('a')));
      p.finish();
      expect(result).toBe('OK');
      expect(value).toBe(await raw.get(k('a')));
      const set = tracing.one('redis:SET');
      expectChildOf(set, idsOf(p));
      expect(set.tags).toEqual({
        'span.kind': 'client',
        component: 'ioredis',
        'db.type': 'redis',
        'db.instance': '0',
        'db.statement': `SET ${k('a')} ?`,
        'peer.ipv4': '127.0.0.1',
        'peer.port': 6379,
      });
      expect(statementOf(tracing.one('redis:GET'))).toBe(`GET ${k('a')}`);
      tracing.expectAllFinishedOnce();
    });

    it('callback style: same arguments, callback in the caller context, span finished first', async () => {
      await raw.set(k('cb'), 'v');
      const p = parent();
      const [args, current, finishedBefore] = await new Promise<[unknown[], Span | undefined, number]>((resolve) =>
        spanInContext(p, () =>
          redis.get(k('cb'), (...a: unknown[]) => resolve([a, getCurrentSpan(), tracing.named('redis:GET').length])),
        ),
      );
      expect(args).toEqual([null, 'v']);
      expect(current).toBe(p);
      expect(finishedBefore).toBe(1);
      expectChildOf(tracing.one('redis:GET'), idsOf(p));
    });

    it('callback style errors: the very error the raw client gives, span marked', async () => {
      await raw.set(k('str'), 'x');
      const rawError = await new Promise<Error>((resolve) => raw.incr(k('str'), (e) => resolve(e as Error)));
      const error = await new Promise<Error>((resolve) => redis.incr(k('str'), (e) => resolve(e as Error)));
      expect(error.constructor).toBe(rawError.constructor);
      expect(error.message).toBe(rawError.message);
      const span = tracing.one('redis:INCR');
      expect(span.error).toBe(true);
      expect(errorLog(span)).toMatchObject({
        event: 'error',
        'exception.type': 'ERR',
        'exception.message': error.message,
      });
    });

    it('promise rejections: the same ReplyError object reaches the caller, error.kind is the reply code', async () => {
      await raw.set(k('wrongtype'), 'x');
      const promise = redis.lpush(k('wrongtype'), 'a');
      const error = await promise.catch((e: unknown) => e);
      const rawError = await raw.lpush(k('wrongtype'), 'a').catch((e: unknown) => e);
      expect((error as Error).name).toBe('ReplyError');
      expect(error).toBeInstanceOf((rawError as Error).constructor);
      expect((error as Error).message).toBe((rawError as Error).message);
      // The very object: a handler attached later gets the same error.
      expect(await promise.catch((e: unknown) => e)).toBe(error);
      const span = tracing.one('redis:LPUSH');
      expect(span.error).toBe(true);
      expect(errorLog(span)?.['exception.type']).toBe('WRONGTYPE');
      tracing.expectAllFinishedOnce();
    });

    it('returns the very promise ioredis returns (no extra wrapper)', async () => {
      const promise = redis.ping();
      expect(promise).toBeInstanceOf(Promise);
      expect(await promise).toBe('PONG');
      expect(tracing.one('redis:PING').tags['db.statement']).toBe('PING');
    });

    it('Buffer variants, call, callBuffer, send_command and sendCommand(new Command)', async () => {
      await raw.set(k('buf'), 'bytes');
      const buffer = await redis.getBuffer(k('buf'));
      expect(Buffer.isBuffer(buffer)).toBe(true);
      expect(buffer?.toString()).toBe('bytes');
      expect(await redis.call('SET', k('c1'), 'value-x')).toBe('OK');
      const viaCallBuffer = (await redis.callBuffer('GET', k('c1'))) as Buffer;
      expect(viaCallBuffer.toString()).toBe('value-x');
      const viaSendCommand = await new Promise((resolve, reject) =>
        (redis as unknown as { send_command: (...a: unknown[]) => void }).send_command(
          'strlen',
          k('c1'),
          (e: unknown, v: unknown) => (e ? reject(e) : resolve(v)),
        ),
      );
      expect(viaSendCommand).toBe(7);
      const command = new Command('get', [k('c1')], { replyEncoding: 'utf8' });
      expect(await redis.sendCommand(command)).toBe('value-x');
      expect(tracing.spans().map((s) => [s.name, statementOf(s)])).toEqual([
        ['redis:GET', `GET ${k('buf')}`],
        ['redis:SET', `SET ${k('c1')} ?`],
        ['redis:GET', `GET ${k('c1')}`],
        ['redis:STRLEN', `STRLEN ${k('c1')}`],
        ['redis:GET', `GET ${k('c1')}`],
      ]);
      tracing.expectAllFinishedOnce();
    });

    it('object and Map arguments (hset, mset) are flattened like ioredis sends them', async () => {
      await redis.hset(k('h'), { name: 'Ada', city: 'London' });
      await redis.mset(
        new Map([
          [k('m1'), 'one'],
          [k('m2'), 'two'],
        ]),
      );
      expect(await raw.hgetall(k('h'))).toEqual({ name: 'Ada', city: 'London' });
      expect(statementOf(tracing.one('redis:HSET'))).toBe(`HSET ${k('h')} ? ? ? ?`);
      expect(statementOf(tracing.one('redis:MSET'))).toBe(`MSET ${k('m1')} ? ${k('m2')} ?`);
    });

    it('Lua: eval, evalsha, and defineCommand scripts (promise, callback, Buffer)', async () => {
      const lua = "return redis.call('GET', KEYS[1]) .. ARGV[1]";
      await raw.set(k('lua'), 'x');
      expect(await redis.eval(lua, 1, k('lua'), '-arg')).toBe('x-arg');
      const sha = (await raw.script('LOAD', lua)) as string;
      expect(await redis.evalsha(sha, 1, k('lua'), '-sha')).toBe('x-sha');
      redis.defineCommand('tracedEcho', { numberOfKeys: 1, lua });
      const traced = redis as Redis & {
        tracedEcho(key: string, arg: string, cb?: (e: Error | null, v?: string) => void): Promise<string>;
        tracedEchoBuffer(key: string, arg: string): Promise<Buffer>;
      };
      expect(await traced.tracedEcho(k('lua'), '-custom')).toBe('x-custom');
      const viaCallback = await new Promise((resolve) => traced.tracedEcho(k('lua'), '-cb', (_e, v) => resolve(v)));
      expect(viaCallback).toBe('x-cb');
      expect((await traced.tracedEchoBuffer(k('lua'), '-buf')).toString()).toBe('x-buf');
      expect(statementOf(tracing.one('redis:EVAL'))).toBe(`EVAL ? 1 ${k('lua')} ?`);
      expect(statementOf(tracing.one('redis:EVALSHA'))).toBe(`EVALSHA ${sha} 1 ${k('lua')} ?`);
      expect(tracing.named('redis:TRACEDECHO').map(statementOf)).toEqual([
        `TRACEDECHO ${k('lua')} ?`,
        `TRACEDECHO ${k('lua')} ?`,
        `TRACEDECHO ${k('lua')} ?`,
      ]);
      tracing.expectAllFinishedOnce();
    });

    it('addBuiltinCommand: the added command is traced; unknown commands record no argument', async () => {
      const c = client();
      c.addBuiltinCommand('tracedclientsnosuchcommand');
      const typed = c as Redis & { tracedclientsnosuchcommand(...args: string[]): Promise<unknown> };
      const error = await typed.tracedclientsnosuchcommand('secret-arg').catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/unknown command/i);
      const span = tracing.one('redis:TRACEDCLIENTSNOSUCHCOMMAND');
      expect(span.tags['db.statement']).toBe('TRACEDCLIENTSNOSUCHCOMMAND ?');
      expect(span.error).toBe(true);
    });

    it('a script named like a built-in command replaces it, traced as the script', async () => {
      const c = client();
      c.defineCommand('echo', { numberOfKeys: 1, lua: 'return KEYS[1]' });
      expect(await (c as unknown as { echo(key: string): Promise<string> }).echo(k('echo-key'))).toBe(k('echo-key'));
      expect(tracing.one('redis:ECHO').tags['db.statement']).toBe(`ECHO ${k('echo-key')}`);
    });

    it('a script defined on the raw client before wrapping is traced too', async () => {
      const rawClient = new Redis(url);
      extra.push(rawClient);
      rawClient.defineCommand('preDefined', { numberOfKeys: 1, lua: 'return KEYS[1]' });
      const traced = tracedRedis(rawClient) as Redis & { preDefined(key: string): Promise<string> };
      expect(await traced.preDefined(k('pre'))).toBe(k('pre'));
      expect(statementOf(tracing.one('redis:PREDEFINED'))).toBe(`PREDEFINED ${k('pre')}`);
    });
  });

  describe('pipeline() and multi()', () => {
    it('a chained pipeline is one span with the count and distinct names; same results as raw', async () => {
      const p = parent();
      const result = await spanInContext(p, () =>
        redis.pipeline().set(k('p1'), 'v1').get(k('p1')).set(k('p2'), 'v2').del(k('p2')).exec(),
      );
      const rawResult = await raw.pipeline().set(k('p1'), 'v1').get(k('p1')).set(k('p2'), 'v2').del(k('p2')).exec();
      expect(result).toEqual(rawResult);
      expect(tracing.spans()).toHaveLength(1);
      const span = tracing.one('redis:PIPELINE');
      expectChildOf(span, idsOf(p));
      expect(span.tags).toMatchObject({
        'redis.batch.size': 4,
        'redis.batch.commands': 'SET,GET,DEL',
        'db.instance': '0',
      });
      expect(span.error).toBe(false);
    });

    it('the array form, and a failing command inside (counted, batch not failed)', async () => {
      await raw.set(k('pstr'), 'x');
      const result = await redis
        .pipeline([
          ['incr', k('pstr')],
          ['set', k('p3'), '1'],
        ])
        .exec();
      expect(result?.[0]?.[0]).toBeInstanceOf(Error);
      expect(result?.[1]).toEqual([null, 'OK']);
      const span = tracing.one('redis:PIPELINE');
      expect(span.tags).toMatchObject({
        'redis.batch.size': 2,
        'redis.batch.commands': 'INCR,SET',
        'redis.batch.failed': 1,
      });
      expect(span.error).toBe(false);
    });

    it('pipeline exec with a callback settles the span and calls back in the caller context', async () => {
      const p = parent();
      const [error, result, current] = await new Promise<[unknown, unknown, Span | undefined]>((resolve) =>
        spanInContext(p, () =>
          redis
            .pipeline()
            .ping()
            .exec((e, r) => resolve([e, r, getCurrentSpan()])),
        ),
      );
      expect(error).toBeNull();
      expect(result).toEqual([[null, 'PONG']]);
      expect(current).toBe(p);
      expectChildOf(tracing.one('redis:PIPELINE'), idsOf(p));
    });

    it('1,000 pipelined commands produce one span, and no span per queued command', async () => {
      const pipeline = redis.pipeline();
      for (let i = 0; i < 1000; i++) pipeline.set(k(`bulk:${i}`), String(i));
      expect(tracing.startedCount).toBe(0);
      const result = await pipeline.exec();
      expect(result).toHaveLength(1000);
      expect(tracing.spans().map((s) => s.name)).toEqual(['redis:PIPELINE']);
      expect(tracing.one('redis:PIPELINE').tags).toMatchObject({
        'redis.batch.size': 1000,
        'redis.batch.commands': 'SET',
      });
      expect(tracing.startedCount).toBe(1);
    });

    it('a batch is traced in place: the very object ioredis made, nothing shared changed, exec twice is one span', async () => {
      const execBefore = Object.getPrototypeOf(raw.pipeline()).exec;
      const pipeline = redis.pipeline();
      expect(Object.getPrototypeOf(pipeline)).toBe(Object.getPrototypeOf(raw.pipeline()));
      expect(untraced(pipeline)).toBe(pipeline);
      expect(isTraced(pipeline)).toBe(true);
      expect(pipeline.set(k('inplace'), '1')).toBe(pipeline);
      // The prototype and pipelines of the raw client stay untraced.
      expect(Object.getPrototypeOf(pipeline).exec).toBe(execBefore);
      expect(isTraced(raw.pipeline())).toBe(false);
      await raw.pipeline().get(k('inplace')).exec();
      expect(tracing.spans()).toHaveLength(0);
      const first = pipeline.exec();
      const second = pipeline.exec();
      expect(await first).toEqual([[null, 'OK']]);
      expect(await second).toEqual([[null, 'OK']]);
      expect(tracing.spans().map((s) => s.name)).toEqual(['redis:PIPELINE']);
      tracing.expectAllFinishedOnce();
    });

    it('multi(): one span redis:MULTI; chained and array form; results as raw', async () => {
      const chained = await redis.multi().set(k('m1'), '1').incr(k('m1')).exec();
      const array = await redis
        .multi([
          ['set', k('m2'), '5'],
          ['get', k('m2')],
        ])
        .exec();
      expect(chained).toEqual([
        [null, 'OK'],
        [null, 2],
      ]);
      expect(array).toEqual([
        [null, 'OK'],
        [null, '5'],
      ]);
      const spans = tracing.named('redis:MULTI');
      expect(spans.map((s) => [s.tags['redis.batch.size'], s.tags['redis.batch.commands'], s.error])).toEqual([
        [2, 'SET,INCR', false],
        [2, 'SET,GET', false],
      ]);
      expect(tracing.spans()).toHaveLength(2);
    });

    it('a multi whose EXEC fails (EXECABORT) marks its span as an error and rejects unchanged', async () => {
      const m = redis.multi().set(k('ea'), '1');
      (m as unknown as { call: (...a: unknown[]) => unknown }).call('SET'); // wrong arity: queued error
      const error = await m.exec().catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/^EXECABORT/);
      const span = tracing.one('redis:MULTI');
      expect(span.error).toBe(true);
      expect(errorLog(span)?.['exception.type']).toBe('EXECABORT');
      expect(await raw.exists(k('ea'))).toBe(0);
    });

    it('a failing command inside an executed multi is counted; the multi itself succeeded', async () => {
      await raw.set(k('mstr'), 'x');
      const result = await redis.multi().incr(k('mstr')).set(k('mok'), '1').exec();
      expect(result?.[0]?.[0]).toBeInstanceOf(Error);
      const span = tracing.one('redis:MULTI');
      expect(span.tags['redis.batch.failed']).toBe(1);
      expect(span.error).toBe(false);
    });

    it('EXEC aborted by WATCH: null result as raw, span tagged aborted (not an error)', async () => {
      const watcher = client();
      await watcher.watch(k('w'));
      await raw.set(k('w'), 'changed-by-someone-else');
      const result = await watcher.multi().set(k('w'), 'mine').exec();
      expect(result).toBeNull();
      expect(await raw.get(k('w'))).toBe('changed-by-someone-else');
      const span = tracing.one('redis:MULTI');
      expect(span.tags['redis.transaction.aborted']).toBe(true);
      expect(span.error).toBe(false);
    });

    it('multi({ pipeline: false }): one span from MULTI to EXEC, commands in between not separate spans', async () => {
      const c = client();
      await c.ping();
      tracing.reset();
      const p = parent();
      const result = await spanInContext(p, async () => {
        await c.multi({ pipeline: false });
        await c.set(k('np'), '1');
        await c.incr(k('np'));
        return c.exec();
      });
      expect(result).toEqual([
        [null, 'OK'],
        [null, 2],
      ]);
      expect(tracing.spans().map((s) => s.name)).toEqual(['redis:MULTI']);
      const span = tracing.one('redis:MULTI');
      expectChildOf(span, idsOf(p));
      expect(span.tags).toMatchObject({ 'redis.batch.size': 2, 'redis.batch.commands': 'SET,INCR' });
      // After the transaction, commands are spans again.
      await c.get(k('np'));
      expect(tracing.named('redis:GET')).toHaveLength(1);
    });

    it('multi({ pipeline: false }) ended by discard()', async () => {
      const c = client();
      await c.multi({ pipeline: false });
      await c.set(k('nd'), '1');
      expect(await c.discard()).toBe('OK');
      const span = tracing.one('redis:MULTI');
      expect(span.tags).toMatchObject({ 'redis.transaction.discarded': true, 'redis.batch.size': 1 });
      expect(await raw.exists(k('nd'))).toBe(0);
    });

    it('a transaction inside a pipeline, pipeline().multi()…exec().exec(): one redis:PIPELINE span', async () => {
      type WithMulti = ChainableCommander & { multi(): ChainableCommander };
      const transactionIn = (c: Redis, key: string) =>
        (c.pipeline().get(key) as WithMulti).multi().set(key, '1').get(key).exec() as unknown as ChainableCommander;
      const chain = transactionIn(redis, k('pm'));
      expect(tracing.startedCount).toBe(0); // the first exec() only queued EXEC
      const result = await chain.exec();
      const rawResult = await transactionIn(raw, k('pm-raw')).exec();
      expect(result).toEqual(rawResult);
      expect(result?.at(-1)).toEqual([null, ['OK', '1']]);
      expect(tracing.spans().map((s) => s.name)).toEqual(['redis:PIPELINE']);
      expect(tracing.one('redis:PIPELINE').tags).toMatchObject({
        'redis.batch.size': 5,
        'redis.batch.commands': 'GET,MULTI,SET,EXEC',
      });
    });

    it('enableAutoPipelining: every command is still its own span with its own parent', async () => {
      const c = client({}, { enableAutoPipelining: true });
      await c.ping();
      tracing.reset();
      const parents = [parent('x'), parent('y'), parent('z')];
      const values = await Promise.all(
        parents.map((p, i) => spanInContext(p, () => c.set(k(`auto${i}`), String(i)).then(() => c.get(k(`auto${i}`))))),
      );
      expect(values).toEqual(['0', '1', '2']);
      const gets = tracing.named('redis:GET');
      expect(gets).toHaveLength(3);
      parents.forEach((p, i) => {
        const span = gets.find((s) => s.parentId === idsOf(p).spanId);
        expect(span?.tags['db.statement']).toBe(`GET ${k(`auto${i}`)}`);
      });
      expect(tracing.named('redis:PIPELINE')).toHaveLength(0);
    });

    it('pipelineCommandSpans on a multi: child spans under redis:MULTI', async () => {
      const c = client({ pipelineCommandSpans: true });
      await c.multi().set(k('mc'), '1').incr(k('mc')).exec();
      const batch = tracing.one('redis:MULTI');
      expect(tracing.childrenOf(batch).map((s) => [s.name, s.error])).toEqual([
        ['redis:SET', false],
        ['redis:INCR', false],
      ]);
      tracing.expectAllFinishedOnce();
    });

    it('multi({ pipeline: false }) with pipelineCommandSpans: commands are children of redis:MULTI', async () => {
      const c = client({ pipelineCommandSpans: true });
      await c.ping();
      tracing.reset();
      await c.multi({ pipeline: false });
      expect(await c.set(k('npc'), '1')).toBe('QUEUED');
      expect(await c.exec()).toEqual([[null, 'OK']]);
      const batch = tracing.one('redis:MULTI');
      expect(tracing.childrenOf(batch).map((s) => [s.name, s.tags['db.statement']])).toEqual([
        ['redis:SET', `SET ${k('npc')} ?`],
      ]);
      tracing.expectAllFinishedOnce();
    });

    it('multi({ pipeline: false }) refused (connection closed): the span fails, later commands are spans', async () => {
      const c = client();
      await c.ping();
      c.disconnect();
      tracing.reset();
      const error = await c.multi({ pipeline: false }).catch((e: unknown) => e);
      expect((error as Error).message).toBe('Connection is closed.');
      const span = tracing.one('redis:MULTI');
      expect(span.error).toBe(true);
      await c.get(k('after')).catch(() => undefined);
      expect(tracing.named('redis:GET')).toHaveLength(1);
      tracing.expectAllFinishedOnce();
    });

    it('batches get the operationName function and hooks with the command names', async () => {
      const seen: unknown[] = [];
      const c = client({
        operationName: (info) => `cache.${info.command.toLowerCase()}`,
        requestHook: (span, info) => {
          seen.push(info);
          span.setTag('hook.batch', String(info.batch));
        },
        responseHook: (_span, info) => {
          seen.push(info);
        },
      });
      await c.pipeline().set(k('hb'), '1').get(k('hb')).exec();
      expect(tracing.one('cache.pipeline').tags['hook.batch']).toBe('SET,GET');
      expect(seen).toEqual([
        { command: 'PIPELINE', args: [], batch: ['SET', 'GET'] },
        {
          command: 'PIPELINE',
          result: [
            [null, 'OK'],
            [null, '1'],
          ],
        },
      ]);
    });

    it('pipelineCommandSpans: a child span per command, with its own statement and outcome', async () => {
      await raw.set(k('cstr'), 'x');
      const c = client({ pipelineCommandSpans: true });
      await c.pipeline().set(k('c1'), 'hidden').incr(k('cstr')).exec();
      const batch = tracing.one('redis:PIPELINE');
      const children = tracing.childrenOf(batch);
      expect(children.map((s) => [s.name, statementOf(s), s.error])).toEqual([
        ['redis:SET', `SET ${k('c1')} ?`, false],
        ['redis:INCR', `INCR ${k('cstr')}`, true],
      ]);
      tracing.expectAllFinishedOnce();
    });
  });

  describe('context and parents', () => {
    it('commands queued before ready (offline queue) keep their caller parents and contexts', async () => {
      const c = client({}, { lazyConnect: true });
      expect(c.status).toBe('wait');
      const a = parent('a');
      const b = parent('b');
      const seen: [string, Span | undefined][] = [];
      const first = spanInContext(a, () =>
        c.set(k('offline'), '1').then(() => seen.push(['a-then', getCurrentSpan()])),
      );
      const second = new Promise<void>((resolve) =>
        spanInContext(b, () =>
          c.get(k('offline'), () => {
            seen.push(['b-callback', getCurrentSpan()]);
            resolve();
          }),
        ),
      );
      expect(c.status).not.toBe('ready');
      await Promise.all([first, second]);
      // Each continuation in its own caller's context. (Their order is not compared: a traced
      // promise settles one microtask after the raw one, while callbacks keep their timing.)
      expect(new Map(seen)).toEqual(
        new Map([
          ['a-then', a],
          ['b-callback', b],
        ]),
      );
      expect(seen).toHaveLength(2);
      expectChildOf(tracing.one('redis:SET'), idsOf(a));
      expectChildOf(tracing.one('redis:GET'), idsOf(b));
      // ioredis's own connection-time commands (INFO ready check) are not user calls: no span.
      expect(
        tracing
          .spans()
          .map((s) => s.name)
          .sort(),
      ).toEqual(['redis:GET', 'redis:SET']);
    });

    it('500 concurrent commands under different parents keep their parents', async () => {
      const parents = Array.from({ length: 500 }, (_, i) => parent(`p${i}`));
      const results = await Promise.all(
        parents.map((p, i) =>
          spanInContext(p, async () => {
            const value = await (i % 2 === 0 ? redis.incr(k('concurrent')) : redis.get(k('concurrent')));
            return { value, current: getCurrentSpan() };
          }),
        ),
      );
      results.forEach((r, i) => {
        expect(r.current).toBe(parents[i]);
      });
      for (const p of parents) p.finish();
      const spans = tracing.spans().filter((s) => s.name === 'redis:INCR' || s.name === 'redis:GET');
      expect(spans).toHaveLength(500);
      const byParent = new Map(spans.map((s) => [s.parentId, s]));
      parents.forEach((p, i) => {
        const span = byParent.get(idsOf(p).spanId);
        expect(span?.name).toBe(i % 2 === 0 ? 'redis:INCR' : 'redis:GET');
        expect(span?.traceId).toBe(idsOf(p).traceId);
      });
      tracing.expectAllFinishedOnce();
    });

    it('requireParentSpan defaults to false (spans without a parent); true skips them', async () => {
      await redis.ping();
      expect(tracing.one('redis:PING').parentId).toBeUndefined();
      const strict = client({ requireParentSpan: true });
      await strict.ping();
      expect(tracing.named('redis:PING')).toHaveLength(1);
      await spanInContext(parent(), () => strict.ping());
      expect(tracing.named('redis:PING')).toHaveLength(2);
    });
  });

  describe('drop-in: the client works as before', () => {
    it('same type and instance, properties, events, status, options; untraced() gives the original', async () => {
      const c = new Redis(url, { lazyConnect: true });
      extra.push(c);
      const traced = tracedRedis(c);
      expect(traced).toBeInstanceOf(Redis);
      expect(isTraced(traced)).toBe(true);
      expect(untraced(traced)).toBe(c);
      expect(tracedRedis(traced)).toBe(traced);
      expect(traced.get).toBe(traced.get);
      expect(traced.options).toBe(c.options);
      const ready = new Promise<void>((resolve) => traced.once('ready', () => resolve()));
      await traced.connect();
      await ready;
      expect(traced.status).toBe('ready');
      const closed = new Promise<void>((resolve) => traced.once('end', () => resolve()));
      expect(await traced.quit()).toBe('OK');
      await closed;
      expect(traced.status).toBe('end');
      expect(tracing.named('redis:QUIT')).toHaveLength(1);
    });

    it('duplicate() returns a traced client with the same options', async () => {
      const c = client({ peerService: 'cache' });
      const copy = c.duplicate();
      extra.push(untraced(copy));
      expect(isTraced(copy)).toBe(true);
      expect(copy).not.toBe(c);
      await copy.set(k('dup'), '1');
      expect(tracing.one('redis:SET').tags['peer.service']).toBe('cache');
    });

    it('pub/sub: subscribe commands are spans, message events are untouched', async () => {
      const sub = client();
      const channel = k('chan');
      const message = new Promise<[string, string]>((resolve) => sub.on('message', (ch, msg) => resolve([ch, msg])));
      expect(await sub.subscribe(channel)).toBe(1);
      await redis.publish(channel, 'hello-secret');
      expect(await message).toEqual([channel, 'hello-secret']);
      expect(statementOf(tracing.one('redis:SUBSCRIBE'))).toBe(`SUBSCRIBE ${channel}`);
      expect(statementOf(tracing.one('redis:PUBLISH'))).toBe(`PUBLISH ${channel} ?`);
      await sub.psubscribe(`${channel}*`);
      expect(tracing.named('redis:PSUBSCRIBE')).toHaveLength(1);
      await sub.unsubscribe(channel);
      expect(tracing.spans().every((s) => !s.name.includes('MESSAGE'))).toBe(true);
    });

    it('disconnect(): pending and later commands fail exactly as raw ones, spans record it', async () => {
      const c = client();
      await c.ping();
      c.disconnect();
      const error = await c.get(k('x')).catch((e: unknown) => e);
      expect((error as Error).message).toBe('Connection is closed.');
      expect(tracing.named('redis:GET')[0]?.error).toBe(true);
    });

    it('db.instance follows the selected database', async () => {
      const c = client({}, { db: 3 });
      await c.ping();
      expect(tracing.one('redis:PING').tags['db.instance']).toBe('3');
      await c.select(4);
      await c.ping();
      expect(tracing.named('redis:PING')[1]?.tags['db.instance']).toBe('4');
    });
  });

  describe('statements and safety', () => {
    it('values never reach a tag or log by default', async () => {
      const secret = 'v4lue-that-must-not-leak';
      await redis.set(k('s1'), secret);
      await redis.hset(k('s2'), 'field', secret);
      await redis.lpush(k('s3'), secret);
      await redis.publish(k('s4'), secret);
      await redis.pipeline().set(k('s5'), secret).exec();
      await redis.eval(`return '${secret}'`, 0);
      await redis.incr(k('s1')).catch(() => undefined);
      // A failing command whose arguments hold the value (ioredis puts them on the error).
      const failed = await redis.lpush(k('s1'), secret).catch((e: unknown) => e);
      expect(JSON.stringify((failed as { command?: unknown }).command)).toContain(secret);
      const dump = JSON.stringify(tracing.spans().map((s) => [s.tags, s.logs]));
      expect(tracing.spans().length).toBeGreaterThanOrEqual(8);
      expect(dump).not.toContain(secret);
    });

    it("statement: 'command', 'full', a function; a custom operationName, tags and hooks", async () => {
      await client({ statement: 'command' }).set(k('st'), 'val');
      expect(statementOf(tracing.one('redis:SET'))).toBe('SET');
      tracing.reset();
      await client({ statement: 'full' }).set(k('st'), 'val');
      expect(statementOf(tracing.one('redis:SET'))).toBe(`SET ${k('st')} val`);
      tracing.reset();
      const responses: unknown[] = [];
      await client({
        statement: (command, args) => `${command}/${args.length}`,
        operationName: (info) => `cache.${info.command.toLowerCase()}`,
        tags: { team: 'core' },
        requestHook: (span, info) => {
          span.setTag('hook.args', info.args.length);
        },
        responseHook: (_span, info) => {
          responses.push(info);
        },
      }).set(k('st'), 'val');
      const span = tracing.one('cache.set');
      expect(span.tags).toMatchObject({ 'db.statement': 'SET/2', team: 'core', 'hook.args': 2 });
      expect(responses).toEqual([{ command: 'SET', result: 'OK' }]);
    });

    it('statements are capped', async () => {
      const c = client({ maxStatementLength: 64 });
      await c.del(...Array.from({ length: 200 }, (_, i) => k(`cap:${i}`)));
      const statement = String(statementOf(tracing.one('redis:DEL')));
      expect(statement.length).toBe(64);
      expect(statement.endsWith('…[truncated]')).toBe(true);
    });
  });

  describe('errors', () => {
    it('connection errors and MaxRetriesPerRequestError are tagged and re-raised unchanged', async () => {
      const dead = new Redis({ port: 1, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
      dead.on('error', () => {});
      extra.push(dead);
      const traced = tracedRedis(dead);
      const error = await traced.get(k('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const span = tracing.one('redis:GET');
      expect(span.error).toBe(true);
      expect(errorLog(span)?.['exception.message']).toBe((error as Error).message);

      const retrying = new Redis({ port: 1, host: '127.0.0.1', maxRetriesPerRequest: 1, retryStrategy: () => 10 });
      retrying.on('error', () => {});
      extra.push(retrying);
      const error2 = await tracedRedis(retrying)
        .get(k('y'))
        .catch((e: unknown) => e);
      retrying.disconnect();
      expect((error2 as Error).name).toBe('MaxRetriesPerRequestError');
      const span2 = tracing.named('redis:GET')[1] as RecordedSpan;
      expect(span2.error).toBe(true);
      expect(errorLog(span2)?.['exception.type']).toBe('MaxRetriesPerRequestError');
      tracing.expectAllFinishedOnce();
    });
  });
});
