import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Span } from 'opentracing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bindToCurrentContext,
  getContextSpan,
  getCurrentParent,
  getCurrentSpan,
  setCurrentSpanFunc,
  spanInContext,
} from '../../src/context/index.js';
import { state } from '../../src/context/state.js';
import { createTestTracing } from '../helpers/tracing.js';

const tracing = createTestTracing();
const span = (name: string): Span => tracing.tracer.startSpan(name);

afterEach(() => setCurrentSpanFunc());

describe('spanInContext', () => {
  it('returns what a sync function returns, with the span current inside only', () => {
    const s = span('a');
    expect(getCurrentSpan()).toBeUndefined();
    const result = spanInContext(s, () => {
      expect(getCurrentSpan()).toBe(s);
      return 42;
    });
    expect(result).toBe(42);
    expect(getCurrentSpan()).toBeUndefined();
  });

  it('returns the very promise an async function returns, and keeps the span across awaits', async () => {
    const s = span('a');
    const promise = spanInContext(s, async () => {
      await sleep(2);
      expect(getCurrentSpan()).toBe(s);
      await Promise.resolve();
      return 'done';
    });
    expect(promise).toBeInstanceOf(Promise);
    expect(await promise).toBe('done');
  });

  it('propagates a sync throw unchanged', () => {
    const error = new Error('boom');
    expect(() =>
      spanInContext(span('a'), () => {
        throw error;
      }),
    ).toThrow(error);
  });

  it('runs with no current span when given null, and nesting restores the outer span', () => {
    const outer = span('outer');
    const inner = span('inner');
    spanInContext(outer, () => {
      spanInContext(null, () => expect(getCurrentSpan()).toBeUndefined());
      expect(getCurrentSpan()).toBe(outer);
      spanInContext(inner, () => expect(getCurrentSpan()).toBe(inner));
      expect(getCurrentSpan()).toBe(outer);
    });
  });

  it('keeps 1,000 concurrent async tasks on their own span through awaits, timers and callbacks', async () => {
    const spans = Array.from({ length: 1000 }, (_, i) => span(`task-${i}`));
    const seen: boolean[] = await Promise.all(
      spans.map((s, i) =>
        spanInContext(s, async () => {
          const checks: boolean[] = [];
          await sleep(i % 7);
          checks.push(getCurrentSpan() === s);
          await new Promise<void>((resolve) =>
            setTimeout(() => {
              checks.push(getCurrentSpan() === s);
              resolve();
            }, i % 5),
          );
          await new Promise<void>((resolve) =>
            setImmediate(() => {
              checks.push(getCurrentSpan() === s);
              resolve();
            }),
          );
          await new Promise<void>((resolve) =>
            process.nextTick(() => {
              checks.push(getCurrentSpan() === s);
              resolve();
            }),
          );
          return checks.every(Boolean) && checks.length === 4;
        }),
      ),
    );
    expect(seen.filter((ok) => !ok)).toHaveLength(0);
    expect(getCurrentSpan()).toBeUndefined();
  });
});

describe('setCurrentSpanFunc', () => {
  it('wins over the AsyncLocalStorage span and is restored by a call with no argument', () => {
    const custom = span('custom');
    const local = span('local');
    setCurrentSpanFunc(() => custom);
    spanInContext(local, () => {
      expect(getCurrentSpan()).toBe(custom);
      expect(getContextSpan()).toBe(local);
    });
    setCurrentSpanFunc();
    spanInContext(local, () => expect(getCurrentSpan()).toBe(local));
  });

  it('accepts a function that returns a SpanContext: a parent, but not a span', () => {
    const context = span('remote').context();
    setCurrentSpanFunc(() => context);
    expect(getCurrentParent()).toBe(context);
    expect(getCurrentSpan()).toBeUndefined();
  });

  it('treats null from the function as no span', () => {
    setCurrentSpanFunc(() => null);
    expect(getCurrentParent()).toBeUndefined();
  });

  it('rejects a non-function with a clear error', () => {
    expect(() => setCurrentSpanFunc(42 as never)).toThrow(/expects a function/);
  });
});

describe('bindToCurrentContext', () => {
  it('runs a callback in the context it was bound in, wherever it is called from', async () => {
    const a = span('a');
    const b = span('b');
    const bound = spanInContext(a, () => bindToCurrentContext((x: number) => [getCurrentSpan(), x] as const));
    const result = spanInContext(b, () => bound(7));
    expect(result).toEqual([a, 7]);
    const later = await spanInContext(b, () => new Promise((r) => setTimeout(() => r(bound(1)), 1)));
    expect(later).toEqual([a, 1]);
  });

  it("carries the caller's other AsyncLocalStorage values too, and the call's own this, arguments and throw", () => {
    const requestId = new AsyncLocalStorage<string>();
    const a = span('a');
    const bound = requestId.run('req-1', () =>
      spanInContext(a, () =>
        bindToCurrentContext(function (this: unknown, x: number, y: number) {
          if (x < 0) throw new RangeError('negative');
          return [getCurrentSpan(), requestId.getStore(), this, x + y] as const;
        }),
      ),
    );
    const receiver = { name: 'receiver' };
    const result = requestId.run('req-2', () => spanInContext(span('b'), () => bound.call(receiver, 1, 2)));
    expect(result).toEqual([a, 'req-1', receiver, 3]);
    expect(() => bound(-1, 0)).toThrow(RangeError);
  });
});

describe('shared state', () => {
  it('lives on globalThis under a registry symbol, so every copy of the package shares it', () => {
    const holder = globalThis as unknown as Record<symbol, unknown>;
    expect(holder[Symbol.for('traced-clients.state.v1')]).toBe(state);
  });
});
