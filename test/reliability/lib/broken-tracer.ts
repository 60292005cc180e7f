/**
 * A tracer that breaks on purpose: the chosen methods throw, the rest delegate to a real
 * tracer (by default a fresh test tracer), so spans that can be recorded still are and the
 * ledger still counts them. Every throw is counted, so a test can prove the fault was hit.
 */
import { type Span, type SpanContext, type SpanOptions, Tracer } from 'opentracing';
import { createTestTracing, type TestTracing } from '../../helpers/tracing.js';

export type TracerMethod = 'startSpan' | 'inject' | 'extract' | 'setTag' | 'log' | 'finish';

export const TRACER_METHODS: readonly TracerMethod[] = ['startSpan', 'inject', 'extract', 'setTag', 'log', 'finish'];

export interface BrokenTracerOptions {
  /**
   * For `finish`: throw after the real finish (`after`, default: the span is recorded and a
   * retry would show as a double finish) or instead of it (`before`: the span is lost, as with
   * a tracer that really failed).
   */
  readonly finish?: 'before' | 'after';
  /** The tracer to delegate to. @default a fresh test tracer */
  readonly inner?: TestTracing;
}

/** The error every broken method throws; tests compare with it to tell it from the app's. */
export class TracerExploded extends Error {
  constructor(readonly method: TracerMethod) {
    super(`${method} exploded`);
    this.name = 'TracerExploded';
  }
}

export interface BrokenTracer {
  readonly tracer: Tracer;
  /** The real tracer behind it, with its spans. */
  readonly inner: TestTracing;
  /** How often each broken method threw. */
  readonly throws: Readonly<Record<TracerMethod, number>>;
  /** Total throws. */
  thrown(): number;
}

/** A tracer whose `broken` methods throw {@link TracerExploded}. */
export function brokenTracer(
  broken: TracerMethod | readonly TracerMethod[],
  options: BrokenTracerOptions = {},
): BrokenTracer {
  const set = new Set<TracerMethod>(typeof broken === 'string' ? [broken] : broken);
  const inner = options.inner ?? createTestTracing();
  const throws: Record<TracerMethod, number> = { startSpan: 0, inject: 0, extract: 0, setTag: 0, log: 0, finish: 0 };
  const explode = (method: TracerMethod): never => {
    throws[method]++;
    throw new TracerExploded(method);
  };

  const breakSpan = (span: Span): Span => {
    if (set.has('setTag')) {
      span.setTag = () => explode('setTag');
      span.addTags = () => explode('setTag');
    }
    if (set.has('log')) {
      span.log = () => explode('log');
      span.logEvent = () => explode('log');
    }
    if (set.has('finish')) {
      const finish = span.finish.bind(span);
      span.finish = (time?: number) => {
        if (options.finish !== 'before') finish(time);
        explode('finish');
      };
    }
    return span;
  };

  class Broken extends Tracer {
    override startSpan(name: string, spanOptions?: SpanOptions): Span {
      if (set.has('startSpan')) explode('startSpan');
      return breakSpan(inner.tracer.startSpan(name, spanOptions));
    }
    override inject(context: SpanContext | Span, format: string, carrier: unknown): void {
      if (set.has('inject')) explode('inject');
      inner.tracer.inject(context, format, carrier);
    }
    override extract(format: string, carrier: unknown): SpanContext | null {
      if (set.has('extract')) explode('extract');
      return inner.tracer.extract(format, carrier);
    }
  }

  return {
    tracer: new Broken(),
    inner,
    throws,
    thrown: () => Object.values(throws).reduce((a, b) => a + b, 0),
  };
}
