/**
 * traced-clients with the tracers users actually run: OpenTelemetry's own active context
 * (spans from OTel instrumentations parent ours), an OpenTracing tracer with its own scope
 * manager (the shape of dd-trace's `tracer.scope().active()`), and the legacy `jaeger-client`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TracerShim } from '@opentelemetry/shim-opentracing';
import { initTracer, type Reporter } from 'jaeger-client';
import { FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP, type Span, type SpanContext } from 'opentracing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setCurrentSpanFunc, spanInContext, tracedFunction } from '../../src/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';

afterEach(() => setCurrentSpanFunc());

describe('OpenTelemetry active context', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const otel = provider.getTracer('otel-instrumentation');
  const propagator = new W3CTraceContextPropagator();
  const shim = new TracerShim(provider.getTracer('shim'), {
    httpHeadersPropagator: propagator,
    textMapPropagator: propagator,
  });
  const manager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
    propagation.setGlobalPropagator(propagator);
  });
  afterAll(() => {
    context.disable();
    propagation.disable();
  });
  afterEach(() => exporter.reset());

  const byName = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name);

  it('with no OpenTracing span current, a span of OTel’s own instrumentation is the parent', async () => {
    const kv = tracedKv(new KvClient(), { tracer: shim });
    await otel.startActiveSpan('GET /otel-http', async (span) => {
      await kv.get('a');
      span.end();
    });
    const parent = byName('GET /otel-http');
    const child = byName('kv:get');
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
  });

  it('setCurrentSpanFunc bridge: OTel’s active span wins even under an OpenTracing span', async () => {
    // The documented bridge: hand the active OTel context to the shim through W3C propagation.
    setCurrentSpanFunc((): SpanContext | undefined => {
      if (trace.getActiveSpan() === undefined) return undefined;
      const carrier: Record<string, string> = {};
      propagation.inject(context.active(), carrier);
      return shim.extract(FORMAT_TEXT_MAP, carrier) ?? undefined;
    });
    const kv = tracedKv(new KvClient(), { tracer: shim });
    const outer = shim.startSpan('opentracing-outer');
    await spanInContext(outer, () =>
      otel.startActiveSpan('otel-inner', async (span) => {
        await kv.get('a');
        span.end();
      }),
    );
    outer.finish();
    expect(byName('kv:get')?.parentSpanContext?.spanId).toBe(byName('otel-inner')?.spanContext().spanId);
  });
});

describe('an OpenTracing tracer with its own scope manager (dd-trace shape)', () => {
  /** The part of dd-trace's API the bridge uses: `tracer.scope().active()` and `activate`. */
  class ScopedTracer extends TracerShim {
    readonly #active = new AsyncLocalStorage<Span>();
    scope() {
      return {
        active: (): Span | null => this.#active.getStore() ?? null,
        activate: <T>(span: Span, fn: () => T): T => this.#active.run(span, fn),
      };
    }
  }
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = new ScopedTracer(provider.getTracer('scoped'));

  it('setCurrentSpanFunc(() => tracer.scope().active()) parents our spans on the framework’s span', async () => {
    setCurrentSpanFunc(() => tracer.scope().active());
    const kv = tracedKv(new KvClient(), { tracer });
    const request = tracer.startSpan('web.request');
    await tracer.scope().activate(request, async () => {
      await kv.set('a', '1');
      await new Promise((r) => setTimeout(r, 2));
      await kv.get('a');
    });
    request.finish();
    const spans = exporter.getFinishedSpans();
    const parent = spans.find((s) => s.name === 'web.request');
    const children = spans.filter((s) => s.name.startsWith('kv:'));
    expect(children).toHaveLength(2);
    for (const child of children) expect(child.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });
});

describe('jaeger-client (legacy)', () => {
  // An in-memory reporter (what jaeger-client's own InMemoryReporter does), sampling everything.
  const reported: Span[] = [];
  const reporter: Reporter = { report: (span) => reported.push(span), close: (done) => done?.(), setProcess: () => {} };
  const jaeger = initTracer(
    { serviceName: 'legacy-service', sampler: { type: 'const', param: 1 } },
    { reporter, logger: { info: () => {}, error: () => {} } },
  );

  it('records parents and tags, and propagates uber-trace-id across a process boundary', async () => {
    const kv = tracedKv(new KvClient(), { tracer: jaeger });
    const handler = tracedFunction(async () => kv.get('a'), { name: 'handler', tracer: jaeger });
    const root = jaeger.startSpan('root');
    await spanInContext(root, () => handler());

    // The other side of an HTTP call: headers out, context back in.
    const headers: Record<string, string> = {};
    jaeger.inject(root.context(), FORMAT_HTTP_HEADERS, headers);
    expect(headers['uber-trace-id']).toMatch(/^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+:1$/);
    const remote = jaeger.extract(FORMAT_HTTP_HEADERS, headers);
    const kvRemote = tracedKv(new KvClient(), { tracer: jaeger, currentSpan: () => remote });
    await kvRemote.set('b', '1');
    root.finish();

    type JSpan = { operationName: string; context(): { spanIdStr: string; parentIdStr: string; traceIdStr: string } };
    const spans = reported as unknown as JSpan[];
    const find = (name: string) => spans.find((s) => s.operationName === name);
    const rootCtx = find('root')?.context();
    expect(find('handler')?.context().parentIdStr).toBe(rootCtx?.spanIdStr);
    expect(find('kv:get')?.context().parentIdStr).toBe(find('handler')?.context().spanIdStr);
    expect(find('kv:set')?.context().parentIdStr).toBe(rootCtx?.spanIdStr);
    expect(find('kv:set')?.context().traceIdStr).toBe(rootCtx?.traceIdStr);
    const tags = (find('kv:get') as unknown as { _tags: { key: string; value: unknown }[] })._tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { key: 'component', value: 'kv' },
        { key: 'span.kind', value: 'client' },
        { key: 'db.statement', value: 'get a' },
      ]),
    );
    jaeger.close();
  });
});
