/**
 * `beforeHttpRequest` as a user would use it to trace an HTTP client we do not wrap: here
 * node:http's own `http.request`, against a node:http server on 127.0.0.1.
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Span, Tracer } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, resetConfig } from '../../src/core/index.js';
import { type BeforeHttpRequestOptions, beforeHttpRequest, type HttpRequestWrapper } from '../../src/fetch.js';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { createTestTracing, expectChildOf, idsOf } from '../helpers/tracing.js';

const tracing = createTestTracing();
let server: TestHttpServer;

beforeAll(async () => {
  server = await startHttpServer(tracing.tracer);
});
afterAll(async () => {
  await server.close();
  await tracing.shutdown();
});
beforeEach(() => {
  tracing.reset();
  server.received.length = 0;
  configure({ tracer: tracing.tracer });
});
afterEach(() => resetConfig());

/** A wrapper over a not-yet-sent node:http ClientRequest. */
function wrap(req: ClientRequest, url: string, extra: Partial<HttpRequestWrapper> = {}): HttpRequestWrapper {
  return {
    method: req.method,
    fullUrl: url,
    headers: req.getHeaders(),
    addHeader: (name, value) => req.setHeader(name, value),
    ...extra,
  };
}

/** Sends a GET with node:http, traced by beforeHttpRequest; finishes the span on the response. */
async function tracedGet(
  url: string,
  options: {
    headers?: Record<string, string>;
    extractor?: (() => Span | undefined) | null;
    wrapper?: Partial<HttpRequestWrapper>;
    tracing?: BeforeHttpRequestOptions;
  } = {},
): Promise<{ span: Span; status: number | undefined }> {
  const req = httpRequest(url, { method: 'GET', headers: options.headers });
  const span = beforeHttpRequest(wrap(req, url, options.wrapper), options.extractor, options.tracing);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve).on('error', reject);
    req.end();
  });
  response.resume();
  span.setTag('http.status_code', response.statusCode ?? 0);
  span.finish();
  return { span, status: response.statusCode };
}

describe('beforeHttpRequest', () => {
  it('starts a client span under the extracted parent and injects it through addHeader', async () => {
    const parent = tracing.tracer.startSpan('parent');
    const { status } = await tracedGet(`${server.origin}/hello?token=abc&x=1`, { extractor: () => parent });
    parent.finish();
    expect(status).toBe(200);
    const span = tracing.one('GET');
    expectChildOf(span, idsOf(parent));
    expect(server.received[0]?.extracted).toEqual({ traceId: span.traceId, spanId: span.spanId });
    expect(span.tags).toMatchObject({
      'span.kind': 'client',
      component: 'http',
      'http.method': 'GET',
      'http.url': `${server.origin}/hello?token=REDACTED&x=1`,
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
      'peer.port': server.port,
    });
    tracing.expectAllFinishedOnce();
  });

  it('without an extractor the current span is the parent; an extractor returning nothing means no parent', async () => {
    const parent = tracing.tracer.startSpan('parent');
    await spanInContext(parent, () => tracedGet(`${server.origin}/a`));
    await spanInContext(parent, () => tracedGet(`${server.origin}/b`, { extractor: () => undefined }));
    const [withCurrent, root] = tracing.named('GET');
    expectChildOf(withCurrent!, idsOf(parent));
    expect(root?.parentId).toBeUndefined();
    expect(root?.traceId).not.toBe(idsOf(parent).traceId);
  });

  it('callee-name and callee-endpoint headers (any case) give peer.service and METHOD:endpoint', async () => {
    configure({ calleeNameHeaders: ['x-callee-name'], calleeEndpointHeaders: ['X-Callee-Endpoint'] });
    await tracedGet(`${server.origin}/a`, {
      headers: { 'X-Callee-Name': 'billing', 'x-CALLEE-endpoint': 'getInvoice' },
    });
    expect(tracing.one('GET:getInvoice').tags['peer.service']).toBe('billing');
  });

  it('host, port and serviceName of the wrapper win; the component, tags and requestHook options apply', async () => {
    const hooked: unknown[] = [];
    const options: BeforeHttpRequestOptions = {
      component: 'node-http',
      tags: { team: 'core' },
      requestHook: (span, request) => {
        hooked.push(request.method);
        span.setTag('hooked', true);
      },
    };
    await tracedGet(`${server.origin}/a`, {
      wrapper: { host: 'api.internal', port: 8443, serviceName: 'edge' },
      tracing: options,
    });
    await tracedGet(`${server.origin}/b`, { wrapper: { host: '::1' }, tracing: options });
    const [named, ipv6] = tracing.named('GET');
    expect(named?.tags).toMatchObject({
      component: 'node-http',
      team: 'core',
      hooked: true,
      'peer.hostname': 'api.internal',
      'peer.port': 8443,
      'peer.service': 'edge',
    });
    expect(ipv6?.tags).toMatchObject({ 'peer.ipv6': '::1', 'peer.port': server.port });
    expect(hooked).toEqual(['GET', 'GET']);
  });

  it('a URL without a port gets the default port; userinfo never reaches a tag', () => {
    const added: string[] = [];
    const span = beforeHttpRequest(
      { method: 'GET', fullUrl: 'https://bob:s3cr3t@api.example.com/v1?q=1', addHeader: (name) => added.push(name) },
      null,
    );
    span.finish();
    const recorded = tracing.one('GET');
    expect(recorded.tags).toMatchObject({
      'http.url': 'https://api.example.com/v1?q=1',
      'peer.hostname': 'api.example.com',
      'peer.port': 443,
    });
    expect(JSON.stringify(recorded.tags)).not.toContain('s3cr3t');
    expect(added).toEqual(['traceparent']);
  });

  it('requireParentSpan without a parent, or the no-op tracer: a no-op span, no header added', async () => {
    const added: string[] = [];
    const wrapper: HttpRequestWrapper = {
      method: 'GET',
      fullUrl: 'http://127.0.0.1/',
      addHeader: (n) => added.push(n),
    };
    const skipped = beforeHttpRequest(wrapper, () => undefined, { requireParentSpan: true });
    skipped.setTag('x', 1).finish();
    configure({ tracer: new Tracer() }); // opentracing's base Tracer is the no-op one
    beforeHttpRequest(wrapper).finish();
    expect(added).toEqual([]);
    expect(tracing.spans()).toHaveLength(0);
    expect(getCurrentSpan()).toBeUndefined();
  });

  it('a throwing extractor, requestHook or addHeader never breaks the caller', () => {
    const faults: string[] = [];
    configure({ onInstrumentationError: (_e, source) => faults.push(source) });
    const span = beforeHttpRequest(
      {
        method: 'POST',
        fullUrl: 'http://127.0.0.1/x',
        addHeader: () => {
          throw new Error('headers already sent');
        },
      },
      () => {
        throw new Error('no context');
      },
      {
        requestHook: () => {
          throw new Error('hook');
        },
      },
    );
    span.finish();
    expect(faults).toEqual(['currentSpanExtractor', 'requestHook', 'addHeader']);
    expect(tracing.one('POST').parentId).toBeUndefined();
  });
});
