import type { Span } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, resetConfig, startChildSpan, traced, tracedFunction } from '../../src/core/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';
import { createTestTracing, errorLog, expectChildOf, idsOf } from '../helpers/tracing.js';

const tracing = createTestTracing();
beforeEach(() => {
  tracing.reset();
  configure({ tracer: tracing.tracer });
});
afterEach(() => resetConfig());

describe('tracedFunction', () => {
  it('runs a sync function in a span that is current for the body; same return value and this', () => {
    let inside: Span | undefined;
    const obj = {
      factor: 3,
      times: tracedFunction(
        function (this: { factor: number }, x: number) {
          inside = getCurrentSpan();
          return x * this.factor;
        },
        { name: 'times', tags: { layer: 'math' } },
      ),
    };
    expect(obj.times(2)).toBe(6);
    const span = tracing.one('times');
    expect(inside && idsOf(inside).spanId).toBe(span.spanId);
    expect(span.tags).toMatchObject({ layer: 'math' });
    expect(span.tags['span.kind']).toBeUndefined();
    expect(getCurrentSpan()).toBeUndefined();
  });

  it('async: nested traced calls become children; the span ends when the promise settles', async () => {
    const kv = tracedKv(new KvClient());
    const load = tracedFunction(async function loadUser(id: string) {
      await kv.set(id, 'v');
      return kv.get(id);
    });
    const parent = tracing.tracer.startSpan('request');
    expect(await spanInContext(parent, () => load('u1'))).toBe('v');
    const fn = tracing.one('loadUser');
    expectChildOf(fn, idsOf(parent));
    expectChildOf(tracing.one('kv:set'), fn);
    expectChildOf(tracing.one('kv:get'), fn);
    expect(fn.durationMs).toBeGreaterThanOrEqual(tracing.one('kv:get').durationMs);
  });

  it('tags and re-raises errors unchanged, sync and async', async () => {
    const error = new TypeError('bad');
    const sync = tracedFunction(() => {
      throw error;
    });
    expect(() => sync()).toThrow(error);
    const rejected = tracedFunction(async () => {
      throw error;
    });
    await expect(rejected()).rejects.toBe(error);
    const spans = tracing.named('anonymous');
    expect(spans.map((s) => s.error)).toEqual([true, true]);
    expect(errorLog(spans[0] as never)).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'bad' });
    tracing.expectAllFinishedOnce();
  });

  it('onStart sees the span and the arguments', () => {
    const fn = tracedFunction((a: number, b: string) => `${a}${b}`, {
      name: 'f',
      onStart: (span, a, b) => {
        span.setTag('args', `${a}-${b}`);
      },
    });
    expect(fn(1, 'x')).toBe('1x');
    expect(tracing.one('f').tags.args).toBe('1-x');
  });

  it('requireActiveTrace skips the span when there is no current span', () => {
    const fn = tracedFunction(() => 1, { name: 'f', requireActiveTrace: true });
    expect(fn()).toBe(1);
    expect(tracing.spans()).toHaveLength(0);
    spanInContext(tracing.tracer.startSpan('p'), () => fn());
    expect(tracing.named('f')).toHaveLength(1);
  });

  it('keeps the name and length; rejects a non-function', () => {
    function original(_a: number, _b: number) {
      return 0;
    }
    const fn = tracedFunction(original);
    expect(fn.name).toBe('original');
    expect(fn.length).toBe(2);
    expect(() => tracedFunction(5 as never)).toThrow(/expects a function/);
  });
});

describe('@traced', () => {
  class Orders {
    placed = 0;
    #secret = 'private';
    @traced()
    async place(id: string): Promise<string> {
      this.placed++;
      await new Promise((r) => setTimeout(r, 1));
      return `${id}:${this.#secret}`;
    }
    @traced({ name: 'orders.cancel', tags: { kind: 'write' } })
    cancel(): never {
      throw new Error('cannot');
    }
    @traced()
    static count(): number {
      return 1;
    }
  }
  class RushOrders extends Orders {}

  it('names the span Class.method, runs with the real this, and reports subclasses as themselves', async () => {
    const orders = new Orders();
    expect(await orders.place('o1')).toBe('o1:private');
    expect(orders.placed).toBe(1);
    await new RushOrders().place('o2');
    expect(Orders.count()).toBe(1);
    expect(
      tracing
        .spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['Orders.count', 'Orders.place', 'RushOrders.place']);
  });

  it('uses the given name and tags, and records errors', () => {
    expect(() => new Orders().cancel()).toThrow('cannot');
    const span = tracing.one('orders.cancel');
    expect(span.tags.kind).toBe('write');
    expect(span.error).toBe(true);
  });
});

describe('startChildSpan', () => {
  it('starts a child of the current span, or of an explicit parent, or a root with null', () => {
    const parent = tracing.tracer.startSpan('parent');
    const child = spanInContext(parent, () => startChildSpan('child', { tags: { a: 1, b: undefined } }));
    const root = spanInContext(parent, () => startChildSpan('root', { parent: null }));
    const explicit = startChildSpan('explicit', { parent });
    for (const s of [child, root, explicit, parent]) s.finish();
    expectChildOf(tracing.one('child'), idsOf(parent));
    expectChildOf(tracing.one('explicit'), idsOf(parent));
    expect(tracing.one('root').parentId).toBeUndefined();
    expect(tracing.one('child').tags).toEqual({ a: 1 });
  });
});
