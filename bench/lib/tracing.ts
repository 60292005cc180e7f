/**
 * The tracers of the variants: the OpenTelemetry SDK every recording variant shares
 * (BasicTracerProvider + BatchSpanProcessor + an exporter that counts and drops), the
 * OpenTracing shim over it, and the opentracing no-op tracer.
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { TracerShim } from '@opentelemetry/shim-opentracing';

/**
 * Counts spans and their attributes (tags), and drops them: the SDK does all its work
 * (batching, export calls), nothing is kept.
 */
export class CountingExporter implements SpanExporter {
  count = 0;
  tags = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.count += spans.length;
    for (const span of spans) this.tags += Object.keys(span.attributes).length;
    done({ code: 0 });
  }
  reset(): void {
    this.count = 0;
    this.tags = 0;
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Sdk {
  readonly provider: BasicTracerProvider;
  readonly exporter: CountingExporter;
  /** The OpenTracing face of the provider, as a user of traced-clients would set it up. */
  readonly shim: TracerShim;
}

export function createSdk(): Sdk {
  const exporter = new CountingExporter();
  const provider = new BasicTracerProvider({
    // A queue large enough that nothing is dropped at full speed: a dropped span would be
    // cheaper than an exported one and flatter the variant. The span count proves it.
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 1 << 16, maxExportBatchSize: 512 })],
  });
  const propagator = new W3CTraceContextPropagator();
  const shim = new TracerShim(provider.getTracer('traced-clients-bench'), {
    textMapPropagator: propagator,
    httpHeadersPropagator: propagator,
  });
  return { provider, exporter, shim };
}
