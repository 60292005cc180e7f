/**
 * The real test tracer: `@opentelemetry/shim-opentracing` over an OpenTelemetry SDK provider
 * with an in-memory exporter and the W3C propagator. Parents, tags, logs and propagation are
 * the real thing; on top of it this rig counts how often each span's `finish` is called, so
 * "finished exactly once" is asserted, not assumed.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { TracerShim } from '@opentelemetry/shim-opentracing';
import type { Span, SpanOptions, Tracer } from 'opentracing';
import { expect } from 'vitest';

/** A finished span as tests read it. */
export interface RecordedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | undefined;
  readonly tags: Readonly<Record<string, unknown>>;
  readonly error: boolean;
  readonly logs: readonly { readonly name: string; readonly fields: Readonly<Record<string, unknown>> }[];
  readonly startMs: number;
  readonly durationMs: number;
  readonly raw: ReadableSpan;
}

export interface TestTracing {
  /** The OpenTracing tracer to hand to clients (or `initGlobalTracer`). */
  readonly tracer: Tracer;
  /** Finished spans, in finish order. */
  spans(): RecordedSpan[];
  /** Finished spans with this name. */
  named(name: string): RecordedSpan[];
  /** The single finished span with this name (fails otherwise). */
  one(name: string): RecordedSpan;
  /** Direct children of `span` among the finished spans. */
  childrenOf(span: RecordedSpan): RecordedSpan[];
  /** Spans started through `tracer` so far. */
  readonly startedCount: number;
  /** Started spans not finished yet. */
  unfinished(): number;
  /** Spans whose `finish` was called more than once. */
  doubleFinished(): number;
  /** Fails unless every started span was finished exactly once. */
  expectAllFinishedOnce(): void;
  /** Forget everything recorded so far. */
  reset(): void;
  shutdown(): Promise<void>;
}

function toRecorded(span: ReadableSpan): RecordedSpan {
  const context = span.spanContext();
  const toMs = (t: readonly [number, number]) => t[0] * 1e3 + t[1] / 1e6;
  return {
    name: span.name,
    traceId: context.traceId,
    spanId: context.spanId,
    parentId: span.parentSpanContext?.spanId,
    tags: { ...span.attributes },
    error: span.status.code === SpanStatusCode.ERROR,
    logs: span.events.map((e) => ({ name: e.name, fields: { ...e.attributes } })),
    startMs: toMs(span.startTime),
    durationMs: toMs(span.duration),
    raw: span,
  };
}

/** Builds a fresh test tracer with its own provider and exporter. */
export function createTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const propagator = new W3CTraceContextPropagator();
  const finishCounts = new Map<Span, number>();
  let started = 0;

  class CountingTracer extends TracerShim {
    override startSpan(name: string, options?: SpanOptions): Span {
      const span = super.startSpan(name, options);
      started++;
      finishCounts.set(span, 0);
      const finish = span.finish.bind(span);
      span.finish = (finishTime?: number) => {
        finishCounts.set(span, (finishCounts.get(span) ?? 0) + 1);
        finish(finishTime);
      };
      return span;
    }
  }

  const tracer = new CountingTracer(provider.getTracer('traced-clients-test'), {
    textMapPropagator: propagator,
    httpHeadersPropagator: propagator,
  });

  const spans = () => exporter.getFinishedSpans().map(toRecorded);
  const counts = () => [...finishCounts.values()];
  return {
    tracer,
    spans,
    named: (name) => spans().filter((s) => s.name === name),
    one(name) {
      const found = spans().filter((s) => s.name === name);
      expect(found, `exactly one finished span named ${name}`).toHaveLength(1);
      return found[0] as RecordedSpan;
    },
    childrenOf: (parent) => spans().filter((s) => s.parentId === parent.spanId && s.traceId === parent.traceId),
    get startedCount() {
      return started;
    },
    unfinished: () => counts().filter((c) => c === 0).length,
    doubleFinished: () => counts().filter((c) => c > 1).length,
    expectAllFinishedOnce() {
      const all = counts();
      expect({
        started: all.length,
        unfinished: all.filter((c) => c === 0).length,
        doubleFinished: all.filter((c) => c > 1).length,
      }).toEqual({
        started: all.length,
        unfinished: 0,
        doubleFinished: 0,
      });
    },
    reset() {
      exporter.reset();
      finishCounts.clear();
      started = 0;
    },
    shutdown: () => provider.shutdown(),
  };
}

/** The `error` log of a span, as the shim records it (an `exception` event). */
export function errorLog(span: RecordedSpan): Readonly<Record<string, unknown>> | undefined {
  return span.logs.find((l) => l.name === 'exception')?.fields;
}

/** Asserts `child` is a direct child of `parent` in the same trace. */
export function expectChildOf(child: RecordedSpan, parent: RecordedSpan | { spanId: string; traceId: string }): void {
  expect({ traceId: child.traceId, parentId: child.parentId }).toEqual({
    traceId: parent.traceId,
    parentId: parent.spanId,
  });
}

/** The OTel ids of a live shim span (to compare with recorded spans before it finishes). */
export function idsOf(span: Span): { traceId: string; spanId: string } {
  return { traceId: span.context().toTraceId(), spanId: span.context().toSpanId() };
}
