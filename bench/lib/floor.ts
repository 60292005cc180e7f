/**
 * The `span-floor` variant's hand-made spans, shared by the client workloads (`worker.ts`)
 * and the warm comparison (`warm.ts`), so both measure exactly the same floor: the parent
 * found with one AsyncLocalStorage read, a shim span started with the design's tags in one
 * object, W3C headers through the shim where the client propagates, finished when the op
 * settles. No hooks, no tags beyond the design's table.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { FORMAT_HTTP_HEADERS, type Span, type SpanContext, type Tracer } from 'opentracing';
import type { FloorOp, FloorSpans } from '../workloads/types.js';

export interface Floor {
  readonly spans: FloorSpans;
  /** Runs `fn` with `parent` current, as a recording app runs its work under a span. */
  inParent<R>(fn: () => R): R;
}

/** The floor's spans on `shim`, under one `bench-parent` span that is never finished (never counted). */
export function floorOn(shim: Tracer): Floor {
  const current = new AsyncLocalStorage<Span>();
  const parent = shim.startSpan('bench-parent');
  return {
    spans: {
      startSpan: (name, tags, parent) =>
        shim.startSpan(name, { childOf: (parent as SpanContext | undefined) ?? current.getStore(), tags }),
      inject: (span, carrier) => shim.inject((span as Span).context(), FORMAT_HTTP_HEADERS, carrier),
      extract: (carrier) =>
        carrier === undefined ? undefined : (shim.extract(FORMAT_HTTP_HEADERS, carrier) ?? undefined),
    },
    inParent: (fn) => current.run(parent, fn),
  };
}

/** `op` inside one floor span: started with `floorOp`'s tags, its result tags added, finished when it settles. */
export function inFloorSpan<T>(spans: FloorSpans, floorOp: FloorOp, op: () => Promise<T>): () => Promise<T> {
  const { name, tags, onResult } = floorOp;
  return () => {
    const span = spans.startSpan(name, tags);
    return op().then(
      (value) => {
        onResult?.(span, value);
        span.finish();
        return value;
      },
      (error: unknown) => {
        span.finish();
        throw error;
      },
    );
  };
}
