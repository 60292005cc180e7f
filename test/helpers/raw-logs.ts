/**
 * A tracer over the test tracer that keeps every `span.log` call's fields exactly as the
 * instrumentation passed them (before the OpenTelemetry shim maps or drops them), so secret
 * scans also see what a tracer that serializes `error.object` would record.
 */
import type { Span, SpanOptions, Tracer } from 'opentracing';

export interface RawLogTracer {
  readonly tracer: Tracer;
  /** The fields of every `span.log` call so far. */
  readonly logs: unknown[];
  /** The logs as JSON, error objects spelled out (own fields, name, message, stack). */
  serialized(): string;
}

export function rawLogTracer(base: Tracer): RawLogTracer {
  const logs: unknown[] = [];
  const tracer: Tracer = Object.create(base, {
    startSpan: {
      value(name: string, options?: SpanOptions): Span {
        const span = base.startSpan(name, options);
        const log = span.log.bind(span);
        span.log = (fields: Record<string, unknown>, timestamp?: number) => {
          logs.push(fields);
          return log(fields, timestamp);
        };
        return span;
      },
    },
  });
  return {
    tracer,
    logs,
    serialized: () =>
      JSON.stringify(logs, (_key, v: unknown) =>
        v instanceof Error ? { ...v, name: v.name, message: v.message, stack: v.stack } : v,
      ),
  };
}
