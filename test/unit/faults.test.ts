import { globalTracer, initGlobalTracer, MockTracer, type Span, type SpanOptions, Tracer } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spanInContext } from '../../src/context/index.js';
import {
  configure,
  extractSafely,
  guard,
  Instrumentation,
  injectSafely,
  reportFault,
  resetConfig,
  resetWarnings,
  SPAN_KIND,
  traceCall,
  tracedFunction,
  warnOncePerSource,
} from '../../src/core/index.js';
import { KvClient, KvError, tracedKv } from '../helpers/kv-client.js';
import { createTestTracing } from '../helpers/tracing.js';

const tracing = createTestTracing();
let faults: [unknown, string][] = [];

beforeEach(() => {
  tracing.reset();
  faults = [];
  resetConfig();
  configure({ tracer: tracing.tracer, onInstrumentationError: (e, source) => faults.push([e, source]) });
});
afterEach(() => {
  resetConfig();
  resetWarnings();
  vi.restoreAllMocks();
});

/** A tracer whose chosen operation throws. */
function brokenTracer(broken: 'startSpan' | 'setTag' | 'log' | 'finish' | 'inject' | 'extract'): Tracer {
  const inner = createTestTracing().tracer;
  class Broken extends Tracer {
    override startSpan(name: string, options?: SpanOptions): Span {
      if (broken === 'startSpan') throw new Error('startSpan exploded');
      const span = inner.startSpan(name, options);
      if (broken === 'setTag' || broken === 'log' || broken === 'finish') {
        span[broken] = () => {
          throw new Error(`${broken} exploded`);
        };
      }
      return span;
    }
    protected override _inject(): void {
      throw new Error('inject exploded');
    }
    protected override _extract(): never {
      throw new Error('extract exploded');
    }
  }
  return new Broken();
}

describe('a tracer that throws never changes the call', () => {
  for (const broken of ['startSpan', 'setTag', 'log', 'finish'] as const) {
    it(`${broken} throwing: results and errors are the raw client's, the fault is reported`, async () => {
      const kv = tracedKv(new KvClient(), { tracer: brokenTracer(broken) });
      expect(await kv.set('a', '1')).toBe('OK');
      expect(await kv.get('a')).toBe('1');
      await expect(kv.get('fail')).rejects.toBeInstanceOf(KvError);
      expect(kv.getSync('a')).toBe('1');
      const viaCallback = await new Promise((resolve) => kv.getCb('a', (e, v) => resolve([e, v])));
      expect(viaCallback).toEqual([null, '1']);
      await new Promise((r) => setTimeout(r, 5));
      expect(faults.length).toBeGreaterThan(0);
      expect(faults.every(([e]) => e instanceof Error && e.message === `${broken} exploded`)).toBe(true);
      expect(faults[0]?.[1]).toBe(`span.${broken}`.replace('span.startSpan', 'tracer.startSpan'));
    });
  }

  it('inject and extract throwing are reported, and extraction falls back to no context', () => {
    const tracer = brokenTracer('inject');
    injectSafely(tracer, tracing.tracer.startSpan('x'), 'http_headers', {});
    expect(extractSafely(tracer, 'http_headers', { traceparent: 'garbage' })).toBeUndefined();
    expect(faults.map(([, s]) => s)).toEqual(['tracer.inject', 'tracer.extract']);
  });

  it('a tracedFunction body still runs and returns with a throwing tracer', async () => {
    const fn = tracedFunction(async (x: number) => x * 2, { tracer: brokenTracer('startSpan') });
    expect(await fn(21)).toBe(42);
  });
});

describe('hooks and tag computations that throw are isolated', () => {
  it('requestHook, responseHook and operationName throwing: the call still returns the right value', async () => {
    const kv = tracedKv(new KvClient(), {
      requestHook: () => {
        throw new Error('request hook');
      },
      responseHook: () => {
        throw new Error('response hook');
      },
      operationName: () => {
        throw new Error('name');
      },
    });
    expect(await kv.set('a', '1')).toBe('OK');
    expect(faults.map(([, source]) => source)).toEqual(['operationName', 'requestHook', 'responseHook']);
    expect(tracing.one('kv:set').error).toBe(false);
    tracing.expectAllFinishedOnce();
  });

  it('a hook that returns a rejected promise is reported, not an unhandled rejection', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const kv = tracedKv(new KvClient(), {
        requestHook: async () => {
          throw new Error('async hook');
        },
      });
      expect(await kv.set('a', '1')).toBe('OK');
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).not.toHaveBeenCalled();
      expect(faults.map(([, s]) => s)).toEqual(['requestHook']);
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('a tag computation that throws (a getter on the result, a hook reading a throwing getter) is isolated', async () => {
    const evil = new Proxy(
      {},
      {
        get() {
          throw new Error('getter');
        },
      },
    );
    const instrumentation = new Instrumentation({ component: 'kv', spanKind: SPAN_KIND.CLIENT });
    const span = instrumentation.start('kv:evil');
    expect(span).toBeDefined();
    const result = traceCall(instrumentation, span as Span, () => evil, undefined, [], {
      onSuccess: (s, value) => {
        s.setTag('size', (value as { size: number }).size);
      },
    });
    expect(result).toBe(evil);
    const withEvil = tracedKv(new KvClient(), {
      requestHook: (s) => {
        s.setTag('evil', (evil as { x: string }).x);
      },
    });
    expect(await withEvil.set('b', 'v')).toBe('OK');
    expect(faults.map(([, s]) => s)).toEqual(['tags.kv', 'requestHook']);
    tracing.expectAllFinishedOnce();
  });

  it('a custom current-span function that throws is reported and the call goes on as a root', async () => {
    const kv = tracedKv(new KvClient(), {
      currentSpan: () => {
        throw new Error('lookup');
      },
    });
    expect(await kv.set('a', '1')).toBe('OK');
    expect(tracing.one('kv:set').parentId).toBeUndefined();
    expect(faults.map(([, s]) => s)).toEqual(['currentSpan']);
  });
});

describe('fault reporting', () => {
  it('the default handler warns once per distinct source', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    warnOncePerSource(new Error('a'), 'tracer.startSpan');
    warnOncePerSource(new Error('b'), 'tracer.startSpan');
    warnOncePerSource(new Error('c'), 'span.finish');
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toContain('tracer.startSpan failed (Error: a)');
  });

  it('is the default when configure() names no handler', async () => {
    resetConfig();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const kv = tracedKv(new KvClient(), { tracer: brokenTracer('startSpan') });
    await kv.set('a', '1');
    await kv.set('b', '1');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('a handler that throws falls back to the default warning and never reaches the app', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    expect(() =>
      reportFault(new Error('x'), 'src', () => {
        throw new Error('handler broke');
      }),
    ).not.toThrow();
    expect(String(warn.mock.calls[0]?.[0])).toContain('onInstrumentationError failed');
  });

  it('guard returns the value, or undefined after reporting', () => {
    expect(guard('ok', () => 5)).toBe(5);
    expect(
      guard('bad', () => {
        throw new Error('x');
      }),
    ).toBeUndefined();
    expect(faults.map(([, s]) => s)).toEqual(['bad']);
  });
});

describe('other tracers', () => {
  it('the opentracing no-op tracer: calls work and nothing is recorded', async () => {
    resetConfig();
    const kv = tracedKv(new KvClient());
    expect(await kv.set('a', '1')).toBe('OK');
    expect(await kv.get('a')).toBe('1');
    const noop = tracedKv(new KvClient(), { tracer: new Tracer() });
    expect(await noop.get('a')).toBeUndefined();
    expect(tracing.spans()).toHaveLength(0);
  });

  it('a global tracer registered after wrapping is used from the next call on', async () => {
    resetConfig();
    const kv = tracedKv(new KvClient());
    await kv.set('a', '1');
    initGlobalTracer(tracing.tracer);
    try {
      await kv.get('a');
      expect(tracing.spans().map((s) => s.name)).toEqual(['kv:get']);
    } finally {
      initGlobalTracer(new Tracer());
    }
    expect(globalTracer()).toBeDefined();
  });

  it('MockTracer works without errors (it throws on inject: reported, not raised)', async () => {
    const mock = new MockTracer();
    const kv = tracedKv(new KvClient(), { tracer: mock });
    const parent = mock.startSpan('parent');
    expect(await spanInContext(parent, () => kv.set('a', '1'))).toBe('OK');
    await expect(kv.get('fail')).rejects.toBeInstanceOf(KvError);
    const names = mock
      .report()
      .spans.map((s) => s.operationName())
      .sort();
    expect(names).toEqual(['kv:get', 'kv:set', 'parent']);
    injectSafely(mock, parent, 'http_headers', {});
    expect(faults.map(([, s]) => s)).toEqual(['tracer.inject']);
  });
});
