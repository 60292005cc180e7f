import { type Span, Tracer } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import {
  configure,
  Instrumentation,
  resetConfig,
  type Settlement,
  SPAN_KIND,
  settlementWith,
  traceCall,
} from '../../src/core/index.js';
import { KvClient, KvError, tracedKv } from '../helpers/kv-client.js';
import { createTestTracing, errorLog, expectChildOf, idsOf } from '../helpers/tracing.js';

const tracing = createTestTracing();

beforeEach(() => {
  tracing.reset();
  configure({ tracer: tracing.tracer });
});
afterEach(() => resetConfig());

function parentSpan(): Span {
  return tracing.tracer.startSpan('parent');
}

describe('promise calls', () => {
  it('one span, child of the current span, tagged, finished once; same result', async () => {
    const kv = tracedKv(new KvClient());
    const parent = parentSpan();
    await spanInContext(parent, () => kv.set('a', '1'));
    const value = await spanInContext(parent, () => kv.get('a'));
    parent.finish();
    expect(value).toBe('1');
    const get = tracing.one('kv:get');
    expectChildOf(get, idsOf(parent));
    expect(get.tags).toMatchObject({
      'span.kind': 'client',
      component: 'kv',
      'db.type': 'kv',
      'db.statement': 'get a',
      'kv.hit': true,
    });
    expect(get.error).toBe(false);
    tracing.expectAllFinishedOnce();
  });

  it('rejects with the very error; the span records it', async () => {
    const raw = new KvClient();
    const kv = tracedKv(raw);
    const promise = kv.get('fail');
    expect(Object.getPrototypeOf(promise)).toBe(Promise.prototype);
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvError);
    const span = tracing.one('kv:get');
    expect(span.error).toBe(true);
    expect(errorLog(span)).toMatchObject({
      'exception.type': 'EFAIL',
      'exception.message': 'lookup failed',
      event: 'error',
    });
    expect(String(errorLog(span)?.['exception.stacktrace'])).toContain('KvError');
    tracing.expectAllFinishedOnce();
  });

  describe('what the caller gets back', () => {
    const instrumentation = new Instrumentation({ component: 'kv' });
    const call = <T>(name: string, returned: T): T => {
      const span = instrumentation.start(name) as Span;
      return traceCall(
        instrumentation as Instrumentation,
        span,
        () => returned,
        undefined,
        [],
        undefined,
        'promise',
      ) as T;
    };

    it('a plain promise: the promise derived from our reactions, with the very value, after the span finished', async () => {
      const value = { rows: [] };
      const raw = Promise.resolve(value);
      const handedBack = call('kv:plain', raw);
      // A new promise that the caller alone holds: forgetting its rejection is reported (see
      // test/reliability/clients/forgotten-rejections.test.ts), ours on `raw` marks only `raw` handled.
      expect(handedBack).not.toBe(raw);
      expect(Object.getPrototypeOf(handedBack)).toBe(Promise.prototype);
      expect(await handedBack).toBe(value);
      expect(tracing.one('kv:plain').error).toBe(false);
    });

    it('a plain promise that rejects: the very error, the span recorded it first', async () => {
      const error = new KvError('lookup failed', 'EFAIL');
      let recordedFirst = false;
      const outcome = await call('kv:rejects', Promise.reject(error)).catch((e: unknown) => {
        recordedFirst = tracing.named('kv:rejects').length === 1;
        return e;
      });
      expect(outcome).toBe(error);
      expect(recordedFirst).toBe(true);
      expect(tracing.one('kv:rejects').error).toBe(true);
    });

    it('a promise carrying its own methods (ky, got), a subclass, a custom thenable: the very same object', async () => {
      const withMethods = Object.assign(Promise.resolve('body'), { json: async () => ({}) });
      class Cancelable<T> extends Promise<T> {}
      const subclass = Cancelable.resolve('sub');
      // biome-ignore lint/suspicious/noThenProperty: a custom thenable on purpose.
      const thenable = { then: (ok: (v: string) => void) => ok('lazy') };
      expect(call('kv:methods', withMethods)).toBe(withMethods);
      expect(call('kv:subclass', subclass)).toBe(subclass);
      expect(call('kv:thenable', thenable)).toBe(thenable);
      await withMethods;
      await subclass;
      await new Promise((r) => setTimeout(r, 1));
      expect(
        tracing
          .spans()
          .map((s) => s.name)
          .sort(),
      ).toEqual(['kv:methods', 'kv:subclass', 'kv:thenable']);
    });

    it('an AsyncLocalStorage store on the promise (Node keeps it under symbols) does not make it special', async () => {
      const parent = parentSpan();
      const inContext = spanInContext(parent, async () => 'in context');
      expect(Object.getOwnPropertySymbols(inContext).length).toBeGreaterThan(0);
      expect(call('kv:stored', inContext)).not.toBe(inContext);
      parent.finish();
    });
  });

  it('settles a lazy thenable by its own then, returning the same object', async () => {
    const kv = tracedKv(new KvClient());
    await kv.set('k', 'v');
    const thenable = kv.getLater('k');
    expect(typeof thenable.then).toBe('function');
    expect(await thenable).toBe('v');
    await new Promise((r) => setTimeout(r, 5));
    expect(tracing.named('kv:getLater')).toHaveLength(1);
  });

  it('continuations run in the caller context, not inside the client span', async () => {
    const kv = tracedKv(new KvClient());
    const parent = parentSpan();
    await spanInContext(parent, async () => {
      await kv.get('x');
      expect(getCurrentSpan()).toBe(parent);
    });
  });
});

describe('callback calls', () => {
  it('settles on the callback, passes the same arguments, and runs it in the caller context', async () => {
    const kv = tracedKv(new KvClient());
    await kv.set('a', '1');
    const parent = parentSpan();
    const [args, current] = await new Promise<[unknown[], Span | undefined]>((resolve) =>
      spanInContext(parent, () => kv.getCb('a', (...a: unknown[]) => resolve([a, getCurrentSpan()]))),
    );
    expect(args).toEqual([null, '1']);
    expect(current).toBe(parent);
    const span = tracing.one('kv:getCb');
    expectChildOf(span, idsOf(parent));
    expect(span.error).toBe(false);
  });

  it('records the callback error and passes the very error object', async () => {
    const kv = tracedKv(new KvClient());
    const error = await new Promise((resolve) => kv.getCb('fail', (e) => resolve(e)));
    expect(error).toBeInstanceOf(KvError);
    expect(tracing.one('kv:getCb').error).toBe(true);
    tracing.expectAllFinishedOnce();
  });
});

describe("driver callbacks (a driver's own callback that settles its promise)", () => {
  type Done = (error: Error | null, value?: string) => void;
  // A driver that answers at once; its callback is the driver's promise bridge.
  const driver = (key: string, done: Done) => done(key === 'bad' ? new Error('boom') : null, `value of ${key}`);

  it('the callback runs first, then the span settles on its arguments (it sees the error as the callback left it)', () => {
    const instrumentation = new Instrumentation({ component: 'kv' });
    const finishedWhenCalled: number[] = [];
    const done: Done = (error) => {
      finishedWhenCalled.push(tracing.spans().length);
      // mysql2/promise puts the caller's stack on the error here.
      if (error) error.stack = 'Error: boom\n    at theCaller';
    };
    for (const key of ['good', 'bad']) {
      const span = instrumentation.start(`kv:${key}`) as Span;
      traceCall(
        instrumentation as Instrumentation,
        span,
        driver as never,
        undefined,
        [key, done],
        undefined,
        'driver-callback',
      );
    }
    expect(finishedWhenCalled).toEqual([0, 1]);
    expect(tracing.one('kv:good').error).toBe(false);
    const bad = tracing.one('kv:bad');
    expect(bad.error).toBe(true);
    expect(errorLog(bad)?.['exception.stacktrace']).toBe('Error: boom\n    at theCaller');
    tracing.expectAllFinishedOnce();
  });

  it('a callback that throws: the driver gets the throw, the span still settles once', () => {
    const instrumentation = new Instrumentation({ component: 'kv' });
    const span = instrumentation.start('kv:get') as Span;
    const thrown = new Error('callback threw');
    const done: Done = () => {
      throw thrown;
    };
    expect(() =>
      traceCall(
        instrumentation as Instrumentation,
        span,
        driver as never,
        undefined,
        ['good', done],
        undefined,
        'driver-callback',
      ),
    ).toThrow(thrown);
    expect(tracing.one('kv:get').error).toBe(false);
    tracing.expectAllFinishedOnce();
  });
});

describe('sync calls', () => {
  it('returns and throws exactly as the raw client', () => {
    const kv = tracedKv(new KvClient());
    expect(kv.getSync('missing')).toBeUndefined();
    let thrown: unknown;
    try {
      kv.getSync('fail');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KvError);
    expect(tracing.named('kv:getSync').map((s) => s.error)).toEqual([false, true]);
    tracing.expectAllFinishedOnce();
  });
});

describe('emitter calls', () => {
  it('finishes on end, and on error without swallowing an unhandled error', async () => {
    const kv = tracedKv(new KvClient());
    await kv.set('a', '1');
    const keys: string[] = [];
    await new Promise<void>((resolve) => {
      kv.scan()
        .on('data', (k: string) => keys.push(k))
        .on('end', resolve);
    });
    expect(keys).toEqual(['a']);
    expect(tracing.one('kv:scan').error).toBe(false);

    // With a user error listener: the user gets the error, the span records it.
    const error = await new Promise((resolve) => kv.scan(true).on('error', resolve));
    expect(error).toBeInstanceOf(KvError);
    expect(tracing.named('kv:scan').filter((s) => s.error)).toHaveLength(1);
    tracing.expectAllFinishedOnce();
  });

  it('an error event with no user listener still throws as Node would', () => {
    const kv = tracedKv(new KvClient());
    const stream = kv.scan();
    const error = new KvError('late', 'ELATE');
    expect(() => stream.emit('error', error)).toThrow(error);
    expect(tracing.one('kv:scan').error).toBe(true);
  });

  it('a close before end finishes the span once, without an error', () => {
    const kv = tracedKv(new KvClient());
    const stream = kv.scan();
    stream.emit('close');
    stream.emit('end');
    expect(tracing.one('kv:scan').error).toBe(false);
    tracing.expectAllFinishedOnce();
    expect(stream.listenerCount('end')).toBe(0);
    expect(stream.listenerCount('error')).toBe(0);
  });
});

describe('parents and options', () => {
  it('requireParentSpan skips spans without a parent and records them with one', async () => {
    const kv = tracedKv(new KvClient(), { requireParentSpan: true });
    await kv.get('a');
    expect(tracing.spans()).toHaveLength(0);
    const parent = parentSpan();
    await spanInContext(parent, () => kv.get('a'));
    expect(tracing.named('kv:get')).toHaveLength(1);
  });

  it('a per-client currentSpan function overrides the process-wide one', async () => {
    const mine = parentSpan();
    const kv = tracedKv(new KvClient(), { currentSpan: () => mine });
    await spanInContext(parentSpan(), () => kv.get('a'));
    expectChildOf(tracing.one('kv:get'), idsOf(mine));
  });

  it('a per-client tracer overrides configure({ tracer })', async () => {
    const other = createTestTracing();
    const kv = tracedKv(new KvClient(), { tracer: other.tracer });
    await kv.get('a');
    expect(tracing.spans()).toHaveLength(0);
    expect(other.named('kv:get')).toHaveLength(1);
  });

  it('configure() after wrapping reaches clients wrapped before', async () => {
    const kv = tracedKv(new KvClient());
    configure({ requireParentSpan: true });
    await kv.get('a');
    expect(tracing.spans()).toHaveLength(0);
    configure({ requireParentSpan: false });
    await kv.get('a');
    expect(tracing.spans()).toHaveLength(1);
  });

  it("opentracing's no-op tracer is never asked for a span, nor is the current span looked up", async () => {
    const noop = new Tracer();
    const startSpan = vi.spyOn(noop, 'startSpan');
    let lookups = 0;
    const kv = tracedKv(new KvClient(), {
      tracer: noop,
      currentSpan: () => {
        lookups++;
        return undefined;
      },
    });
    await kv.set('a', '1');
    expect(await kv.get('a')).toBe('1');
    expect(startSpan).not.toHaveBeenCalled();
    expect(lookups).toBe(0);
    // A tracer of its own class (any real one) is asked as usual.
    class Recording extends Tracer {}
    const real = new Recording();
    const realStart = vi.spyOn(real, 'startSpan');
    await tracedKv(new KvClient(), { tracer: real }).get('a');
    expect(realStart).toHaveBeenCalledOnce();
  });

  it("startTags replace the client's base tags at start; startTagsWith adds to them, leaving them as they were", () => {
    const instrumentation = new Instrumentation({
      component: 'kv',
      spanKind: SPAN_KIND.CLIENT,
      options: { tags: { team: 'checkout' } },
    });
    const base = { 'span.kind': 'client', component: 'kv', team: 'checkout' };
    const startTags = instrumentation.startTagsWith({ 'db.instance': 'one', 'db.user': undefined, team: 'cart' });
    expect(startTags).toEqual({ ...base, 'db.instance': 'one', team: 'cart' });
    instrumentation.start('kv:get', undefined, { startTags })?.finish();
    instrumentation.start('kv:set')?.finish();
    expect(tracing.one('kv:get').tags).toEqual(startTags);
    expect(tracing.one('kv:set').tags).toEqual(base);
    expect(instrumentation.baseTags).toEqual(base);
  });

  it("settlementWith: the response hook sees the call's info; the shared settlement's tagging and error handling still run", async () => {
    const seen: unknown[] = [];
    const instrumentation = new Instrumentation<unknown, unknown>({
      component: 'kv',
      options: { responseHook: (_span, info) => seen.push(info) },
    });
    const shared: Settlement<string> = {
      onSuccess: (span, value) => span.setTag('kv.value', value),
      errorKind: () => 'KV_DOWN',
      errorMessage: () => 'kv is down',
      isError: (error) => error !== 'benign',
      onError: (span) => span.setTag('kv.failed', true),
    };
    const settlement = settlementWith(shared, { responseInfo: (value) => ({ command: 'get', value }) });
    const run = (name: string, fn: () => Promise<string>) =>
      traceCall(
        instrumentation as Instrumentation,
        instrumentation.start(name) as Span,
        fn,
        undefined,
        [],
        settlement,
      ) as Promise<string>;
    await run('kv:ok', async () => 'v');
    await run('kv:fails', () => Promise.reject(new Error('boom'))).catch(() => undefined);
    await run('kv:benign', () => Promise.reject('benign')).catch(() => undefined);
    expect(seen).toEqual([{ command: 'get', value: 'v' }]);
    expect(tracing.one('kv:ok').tags).toMatchObject({ 'kv.value': 'v' });
    const failed = tracing.one('kv:fails');
    expect(failed.error).toBe(true);
    expect(failed.tags).toMatchObject({ 'kv.failed': true });
    expect(errorLog(failed)).toMatchObject({ 'exception.type': 'KV_DOWN', 'exception.message': 'kv is down' });
    expect(tracing.one('kv:benign').error).toBe(false);
    expect(Object.keys(settlement).sort()).toEqual([...Object.keys(shared), 'responseInfo'].sort());
  });

  it('operationName, tags, peerService, requestHook and responseHook options apply', async () => {
    const seen: unknown[] = [];
    const kv = tracedKv(new KvClient(), {
      operationName: (info) => `custom:${info.command}`,
      tags: { team: 'checkout' },
      peerService: 'kv-store',
      requestHook: (span, info) => {
        span.setTag('hook.key', info.key);
      },
      responseHook: (_span, info) => {
        seen.push(info);
      },
    });
    await kv.set('k', 'v');
    const span = tracing.one('custom:set');
    expect(span.tags).toMatchObject({ team: 'checkout', 'peer.service': 'kv-store', 'hook.key': 'k' });
    expect(seen).toEqual(['OK']);
  });
});
