/**
 * The smallest working example: an OpenTelemetry SDK tracer behind the OpenTracing shim, a
 * node:http server whose handler calls traced functions, and the finished trace drawn in the
 * terminal. Run it with `make demo`. (The full two-service demo grows from this one.)
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TracerShim } from '@opentelemetry/shim-opentracing';
import { FORMAT_HTTP_HEADERS, initGlobalTracer, Tags } from 'opentracing';
import { getCurrentSpan, spanInContext, startChildSpan, tracedFunction } from '../src/index.js';
import { drawWaterfall, fromReadableSpan } from './lib/waterfall.js';

// 1. A real tracer: the OTel SDK, reached through the OpenTracing API.
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const propagator = new W3CTraceContextPropagator();
const tracer = new TracerShim(provider.getTracer('minimal-example'), {
  httpHeadersPropagator: propagator,
  textMapPropagator: propagator,
});
initGlobalTracer(tracer);

// 2. Application code, traced by wrapping: no patching.
const loadPrice = tracedFunction(
  async (sku: string) => {
    await new Promise((r) => setTimeout(r, 5));
    if (sku === 'missing') throw new Error(`no price for ${sku}`);
    return 42;
  },
  { name: 'loadPrice', onStart: (span, sku) => span.setTag('sku', sku) },
);

const quote = tracedFunction(async function quote(skus: string[]) {
  const prices = await Promise.allSettled(skus.map((sku) => loadPrice(sku)));
  const audit = startChildSpan('audit-log');
  await new Promise((r) => setTimeout(r, 2));
  audit.finish();
  return prices.filter((p) => p.status === 'fulfilled').length;
});

// 3. An inbound request continues the caller's trace and makes its span current.
const server = createServer((req, res) => {
  const parent = tracer.extract(FORMAT_HTTP_HEADERS, req.headers) ?? undefined;
  const span = tracer.startSpan(`${req.method} /quote`, {
    childOf: parent,
    tags: { [Tags.SPAN_KIND]: Tags.SPAN_KIND_RPC_SERVER, [Tags.HTTP_METHOD]: req.method ?? 'GET' },
  });
  spanInContext(span, async () => {
    const found = await quote(['apple', 'pear', 'missing']);
    getCurrentSpan()?.setTag(Tags.HTTP_STATUS_CODE, 200);
    res.end(JSON.stringify({ found }));
  }).finally(() => span.finish());
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as { port: number };

// 4. A client request with the trace context in its headers.
const client = tracer.startSpan('client: GET /quote');
const headers: Record<string, string> = {};
tracer.inject(client.context(), FORMAT_HTTP_HEADERS, headers);
const body = await (await fetch(`http://127.0.0.1:${port}/quote`, { headers })).text();
client.finish();
server.close();

console.log(`response: ${body}\n`);
console.log(drawWaterfall(exporter.getFinishedSpans().map(fromReadableSpan)));
await provider.shutdown();
