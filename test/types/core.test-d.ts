import type { Span, SpanContext } from 'opentracing';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CurrentSpanFunc,
  getCurrentParent,
  getCurrentSpan,
  spanInContext,
  tracedFunction,
  untraced,
} from '../../src/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';

describe('public types', () => {
  it('a traced client is still its own type', () => {
    const kv = tracedKv(new KvClient());
    expectTypeOf(kv).toEqualTypeOf<KvClient>();
    expectTypeOf(untraced(kv)).toEqualTypeOf<KvClient>();
  });

  it('tracedFunction keeps the exact function type', () => {
    const fn = tracedFunction(async (id: string, n: number) => ({ id, n }));
    expectTypeOf(fn).toEqualTypeOf<(id: string, n: number) => Promise<{ id: string; n: number }>>();
    // @ts-expect-error wrong argument type is still rejected
    fn(1, 2);
  });

  it('spanInContext returns what the function returns', () => {
    expectTypeOf(spanInContext(null, () => 1)).toEqualTypeOf<number>();
    expectTypeOf(spanInContext(null, async () => 'x')).toEqualTypeOf<Promise<string>>();
  });

  it('getCurrentSpan is a Span; getCurrentParent may be a SpanContext', () => {
    expectTypeOf(getCurrentSpan()).toEqualTypeOf<Span | undefined>();
    expectTypeOf(getCurrentParent()).toEqualTypeOf<Span | SpanContext | undefined>();
    expectTypeOf<() => SpanContext>().toExtend<CurrentSpanFunc>();
  });
});
