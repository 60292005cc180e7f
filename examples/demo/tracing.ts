/**
 * The tracer every demo process uses: the OpenTelemetry SDK reached through the OpenTracing API
 * (`@opentelemetry/shim-opentracing`), W3C Trace Context propagation, and OTLP/HTTP export —
 * to the demo's own receiver (`DEMO_COLLECTOR_URL`) and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is
 * set, to your Jaeger, Tempo or collector as well.
 */
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TracerShim } from '@opentelemetry/shim-opentracing';
import { initGlobalTracer } from 'opentracing';

export interface DemoTracing {
  readonly tracer: TracerShim;
  /** Exports every span still buffered; call before the process exits. */
  shutdown(): Promise<void>;
}

export function setUpTracing(serviceName: string): DemoTracing {
  const processors: SpanProcessor[] = [];
  const exportTo = (url: string) =>
    processors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url.replace(/\/$/, '')}/v1/traces` }), {
        scheduledDelayMillis: 100,
      }),
    );
  const collector = process.env.DEMO_COLLECTOR_URL;
  if (collector) exportTo(collector);
  // With no url option the exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT itself, by the
  // OpenTelemetry rules (the generic endpoint gets `/v1/traces` appended).
  if (process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: processors,
  });
  const propagator = new W3CTraceContextPropagator();
  const tracer = new TracerShim(provider.getTracer('traced-clients-demo'), {
    httpHeadersPropagator: propagator,
    textMapPropagator: propagator,
  });
  initGlobalTracer(tracer);
  return { tracer, shutdown: () => provider.shutdown() };
}
