/**
 * End to end through a real exporter: the demo's tracer setup (OTel SDK behind the OpenTracing
 * shim, OTLP/HTTP JSON exporter) sends to a receiver of our own on 127.0.0.1, which decodes the
 * payload; trace ids, parents, tags and errors must arrive as recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../examples/demo/otlp-receiver.js';
import { setUpTracing } from '../../examples/demo/tracing.js';
import { spanInContext, tracedFunction } from '../../src/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

describe('OTLP/HTTP export', () => {
  it('delivers the span tree with ids, parents, tags and errors intact', async () => {
    process.env.DEMO_COLLECTOR_URL = receiver.url;
    const tracing = setUpTracing('export-test');
    const kv = tracedKv(new KvClient(), { peerService: 'kv-store' });
    const handle = tracedFunction(
      async () => {
        await kv.set('k', 'v');
        await kv.get('fail').catch((e: unknown) => e);
      },
      { name: 'handle', tags: { 'http.route': '/orders' } },
    );
    const root = tracing.tracer.startSpan('request');
    await spanInContext(root, () => handle());
    root.finish();
    await tracing.shutdown();
    await receiver.waitForSpans(4);

    const byName = (name: string) => receiver.spans.find((s) => s.name === name);
    const [request, handler, set, get] = ['request', 'handle', 'kv:set', 'kv:get'].map(byName);
    expect(receiver.requests).toBeGreaterThan(0);
    expect(request?.traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const span of [handler, set, get]) expect(span?.traceId).toBe(request?.traceId);
    expect(handler?.parentId).toBe(request?.spanId);
    expect(set?.parentId).toBe(handler?.spanId);
    expect(get?.parentId).toBe(handler?.spanId);
    expect(request?.service).toBe('export-test');
    expect(set?.attributes).toMatchObject({
      component: 'kv',
      'span.kind': 'client',
      'peer.service': 'kv-store',
      'db.statement': 'set k',
    });
    expect(handler?.attributes['http.route']).toBe('/orders');
    expect(get?.error).toBe(true);
    expect(get?.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'EFAIL',
      'exception.message': 'lookup failed',
    });
    expect(set?.error).toBe(false);
  });
});
