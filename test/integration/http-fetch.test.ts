import { MockTracer, type Span, type Tracer } from 'opentracing';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, untraced } from '../../src/core/index.js';
import { setResponseHandlerHook, tracedFetch } from '../../src/fetch.js';
import { closedPort, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';

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
afterEach(() => {
  resetConfig();
  setResponseHandlerHook();
});

function parentSpan(name = 'parent'): Span {
  return tracing.tracer.startSpan(name);
}

/** The one fetch span, asserted to be what the server extracted from the request. */
function expectPropagated(index = 0): RecordedSpan {
  const span = tracing.one('GET');
  expect(server.received[index]?.extracted).toEqual({ traceId: span.traceId, spanId: span.spanId });
  return span;
}

describe('tracedFetch: spans and propagation', () => {
  it('one client span per call, child of the current span, context received by the server', async () => {
    const fetch = tracedFetch();
    const parent = parentSpan();
    const response = await spanInContext(parent, () => fetch(`${server.origin}/hello?x=1`));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    parent.finish();
    const span = expectPropagated();
    expectChildOf(span, idsOf(parent));
    expect(span.tags).toMatchObject({
      'span.kind': 'client',
      component: 'fetch',
      'http.method': 'GET',
      'http.url': `${server.origin}/hello?x=1`,
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
      'peer.port': server.port,
    });
    expect(span.error).toBe(false);
    tracing.expectAllFinishedOnce();
  });

  it("the caller's continuation runs in its own context, not in the client span", async () => {
    const fetch = tracedFetch();
    const parent = parentSpan();
    const seen = await spanInContext(parent, async () => {
      const response = await fetch(`${server.origin}/ctx`);
      const during = getCurrentSpan();
      await response.text();
      return [during, getCurrentSpan()];
    });
    expect(seen).toEqual([parent, parent]);
    expect(getCurrentSpan()).toBeUndefined();
  });

  it('finishes when the response head arrives, even if the body is never read', async () => {
    const fetch = tracedFetch();
    const response = await fetch(`${server.origin}/hello`);
    expect(tracing.named('GET')).toHaveLength(1);
    expect(tracing.unfinished()).toBe(0);
    await response.body?.cancel();
  });

  it('resolves to the very response of the wrapped fetch; a promise carrying its own methods comes back as it is', async () => {
    const promises: Promise<Response>[] = [];
    const raw: typeof fetch = (input, init) => {
      const promise = fetch(input, init);
      promises.push(promise);
      return promise;
    };
    const traced = tracedFetch(raw);
    const response = await traced(`${server.origin}/hello`);
    expect(response).toBe(await promises[0]);
    await response.text();
    // A ky-style fetch-like: the caller needs the methods on the promise itself.
    const withJson = (input: string | URL | Request, init?: RequestInit) =>
      Object.assign(fetch(input, init), { text: () => Promise.resolve('from the promise') });
    const promise = tracedFetch(withJson)(`${server.origin}/hello`);
    expect(await promise.text()).toBe('from the promise');
    await (await promise).text();
    expect(tracing.named('GET')).toHaveLength(2);
  });

  it('is a drop-in: idempotent, untraced() gives the original back, same name', () => {
    const traced = tracedFetch(fetch);
    expect(tracedFetch(traced)).toBe(traced);
    expect(isTraced(traced)).toBe(true);
    expect(untraced(traced)).toBe(fetch);
    expect(traced.name).toBe('fetch');
    expect(tracedFetch()).not.toBe(fetch);
  });

  it('works for undici.fetch too', async () => {
    const fetch = tracedFetch(undiciFetch);
    const response = await fetch(`${server.origin}/status/201`);
    await response.text();
    const span = expectPropagated();
    expect(span.tags).toMatchObject({ component: 'fetch', 'http.status_code': 201 });
  });
});

describe('tracedFetch: every input form, caller objects untouched', () => {
  const url = () => `${server.origin}/forms`;

  async function send(...args: Parameters<typeof fetch>): Promise<void> {
    const response = await tracedFetch()(...args);
    await response.text();
  }

  it('URL string and URL object', async () => {
    await send(url());
    await send(new URL(url()));
    expect(server.received).toHaveLength(2);
    const spans = tracing.named('GET');
    expect(spans).toHaveLength(2);
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual(spans.map((s) => s.spanId));
  });

  it('a Request with its own headers: kept, context added, the Request not mutated', async () => {
    const request = new Request(url(), { method: 'POST', headers: { 'x-own': 'mine' }, body: 'payload' });
    const before = [...request.headers];
    await send(request);
    expect(server.received[0]?.method).toBe('POST');
    expect(server.received[0]?.headers['x-own']).toBe('mine');
    expect(server.received[0]?.extracted?.spanId).toBe(tracing.one('POST').spanId);
    expect([...request.headers]).toEqual(before);
    expect(request.headers.has('traceparent')).toBe(false);
  });

  it('a Request plus init.headers: init replaces the Request headers, as fetch does', async () => {
    const request = new Request(url(), { headers: { 'x-from-request': '1' } });
    await send(request, { headers: { 'x-from-init': '2' } });
    const got = server.received[0]?.headers ?? {};
    expect(got['x-from-init']).toBe('2');
    expect(got['x-from-request']).toBeUndefined();
    expect(got.traceparent).toBeDefined();
    expect([...request.headers.keys()]).toEqual(['x-from-request']);
  });

  it('init.headers as a plain object, array of pairs and Headers; none mutated', async () => {
    const init1 = { headers: { 'X-Plain': 'a' } };
    const pairs: [string, string][] = [['x-pairs', 'b']];
    const init2 = { headers: pairs };
    const headers = new Headers({ 'x-headers': 'c' });
    const init3 = { method: 'GET', headers };
    await send(url(), init1);
    await send(url(), init2);
    await send(url(), init3);
    expect(server.received.map((r) => [r.headers['x-plain'], r.headers['x-pairs'], r.headers['x-headers']])).toEqual([
      ['a', undefined, undefined],
      [undefined, 'b', undefined],
      [undefined, undefined, 'c'],
    ]);
    const spans = tracing.named('GET');
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual(spans.map((s) => s.spanId));
    expect(init1).toEqual({ headers: { 'X-Plain': 'a' } });
    expect(init2.headers).toBe(pairs);
    expect(pairs).toEqual([['x-pairs', 'b']]);
    expect(init3.headers).toBe(headers);
    expect([...headers.keys()]).toEqual(['x-headers']);
  });

  it('never overwrites a trace header the caller set', async () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await send(url(), { headers: { TraceParent: own } });
    expect(server.received[0]?.headers.traceparent).toBe(own);
    expect(tracing.named('GET')).toHaveLength(1);
  });
});

describe('tracedFetch: outcomes', () => {
  it('status 200, 404 and 500: status tag; only >= 500 is an error by default', async () => {
    const fetch = tracedFetch();
    for (const code of [200, 404, 500]) await (await fetch(`${server.origin}/status/${code}`)).text();
    const spans = tracing.named('GET');
    expect(spans.map((s) => [s.tags['http.status_code'], s.error])).toEqual([
      [200, false],
      [404, false],
      [500, true],
    ]);
    expect(spans.every((s) => errorLog(s) === undefined)).toBe(true);
  });

  it('isError decides which statuses are errors', async () => {
    const fetch = tracedFetch(undefined, { isError: (status) => status >= 400 });
    await (await fetch(`${server.origin}/status/404`)).text();
    expect(tracing.one('GET').error).toBe(true);
  });

  it('a redirect followed by fetch is one span with the final status; both hops carry its context', async () => {
    const fetch = tracedFetch();
    const response = await fetch(`${server.origin}/redirect?to=/status/200`);
    await response.text();
    expect(response.redirected).toBe(true);
    const span = tracing.one('GET');
    expect(span.tags['http.status_code']).toBe(200);
    expect(server.received.map((r) => r.url)).toEqual(['/redirect?to=/status/200', '/status/200']);
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual([span.spanId, span.spanId]);
  });

  it('invalid headers fail exactly as on the raw fetch, recorded as an error', async () => {
    const init = { headers: { 'bad header': 'x' } };
    const raw = await fetch(`${server.origin}/a`, init).catch((e: Error) => `${e.name}: ${e.message}`);
    const traced = await tracedFetch()(`${server.origin}/a`, init).catch((e: Error) => `${e.name}: ${e.message}`);
    expect(traced).toBe(raw);
    expect(raw).toMatch(/^TypeError/);
    expect(tracing.one('GET').error).toBe(true);
    expect(server.received).toHaveLength(0);
  });

  it('connection refused: an error span, the original rejection unchanged', async () => {
    const port = await closedPort();
    const fetch = tracedFetch();
    const error = (await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e)) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
    const span = tracing.one('GET');
    expect(span.error).toBe(true);
    expect(span.tags['peer.port']).toBe(port);
    expect(span.tags.aborted).toBeUndefined();
    expect(errorLog(span)).toMatchObject({ event: 'error', 'exception.type': 'ECONNREFUSED' });
    tracing.expectAllFinishedOnce();
  });

  it('a DNS failure is an error span with its code', async () => {
    const dispatcher = new Agent({
      connect: {
        lookup: (hostname, _options, callback) =>
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4),
      },
    });
    const fetch = tracedFetch(undiciFetch);
    const error = await fetch('http://no-such-host.invalid/', { dispatcher }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const span = tracing.one('GET');
    expect(span.error).toBe(true);
    expect(span.tags['peer.hostname']).toBe('no-such-host.invalid');
    expect(errorLog(span)?.['exception.type']).toBe('ENOTFOUND');
    await dispatcher.close();
  });

  it('abort before the request: aborted, error.kind AbortError, the signal reason re-raised', async () => {
    const fetch = tracedFetch();
    const signal = AbortSignal.abort();
    const error = await fetch(`${server.origin}/hello`, { signal }).catch((e: unknown) => e);
    expect(error).toBe(signal.reason);
    const span = tracing.one('GET');
    expect(span.error).toBe(true);
    expect(span.tags.aborted).toBe(true);
    expect(errorLog(span)?.['exception.type']).toBe('AbortError');
  });

  it('abort during the request: aborted, the reason name as error.kind', async () => {
    class Cancelled extends Error {
      override name = 'Cancelled';
    }
    const fetch = tracedFetch();
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const promise = fetch(`${server.origin}/slow?ms=5000`, { signal: controller.signal });
    await arrived;
    const reason = new Cancelled('user left');
    controller.abort(reason);
    expect(await promise.catch((e: unknown) => e)).toBe(reason);
    const span = tracing.one('GET');
    expect(span.tags.aborted).toBe(true);
    expect(errorLog(span)?.['exception.type']).toBe('Cancelled');
    tracing.expectAllFinishedOnce();
  });

  it('a Request carrying its own signal is watched too', async () => {
    const fetch = tracedFetch();
    const controller = new AbortController();
    const request = new Request(`${server.origin}/slow?ms=5000`, { signal: controller.signal });
    const arrived = server.nextRequest();
    const promise = fetch(request);
    await arrived;
    controller.abort();
    await promise.catch(() => undefined);
    expect(tracing.one('GET').tags.aborted).toBe(true);
  });

  it('timeouts: AbortSignal.timeout and undici headersTimeout', async () => {
    const fetch = tracedFetch(undiciFetch);
    const timedOut = await fetch(`${server.origin}/slow?ms=3000`, { signal: AbortSignal.timeout(50) }).catch(
      (e: unknown) => e,
    );
    expect((timedOut as Error).name).toBe('TimeoutError');
    const dispatcher = new Agent({ headersTimeout: 50 });
    const headers = await fetch(`${server.origin}/slow?ms=3000`, { dispatcher }).catch((e: unknown) => e);
    expect(((headers as Error).cause as Error).name).toBe('HeadersTimeoutError');
    const spans = tracing.named('GET');
    expect(spans.map((s) => [s.error, s.tags.aborted, errorLog(s)?.['exception.type']])).toEqual([
      [true, true, 'TimeoutError'],
      [true, true, 'HeadersTimeoutError'],
    ]);
    await dispatcher.close();
  });
});

describe('tracedFetch: concurrency', () => {
  it('200 parallel calls under different parents keep their own parents', async () => {
    const fetch = tracedFetch();
    const parents = Array.from({ length: 200 }, (_, i) => parentSpan(`parent-${i}`));
    await Promise.all(
      parents.map((parent, i) =>
        spanInContext(parent, async () => {
          await new Promise((r) => setTimeout(r, i % 7));
          const response = await fetch(`${server.origin}/item/${i}`);
          await response.text();
        }),
      ),
    );
    for (const parent of parents) parent.finish();
    const spans = tracing.named('GET');
    expect(spans).toHaveLength(200);
    const byParent = new Map(parents.map((p, i) => [idsOf(p).spanId, i]));
    const bySpan = new Map(server.received.map((r) => [r.extracted?.spanId, r.url]));
    for (const span of spans) {
      const index = byParent.get(span.parentId ?? '');
      expect(index).toBeDefined();
      // The request this span propagated into is the one its own parent made.
      expect(bySpan.get(span.spanId)).toBe(`/item/${index}`);
      expect(span.tags['http.url']).toBe(`${server.origin}/item/${index}`);
    }
    tracing.expectAllFinishedOnce();
  });
});

describe('tracedFetch: hooks', () => {
  it('the responseHook sees the very response and the span; the requestHook runs before sending', async () => {
    const order: string[] = [];
    let seen: { response: unknown; request: unknown; span: Span } | undefined;
    const arrived = server.nextRequest().then(() => order.push('server'));
    const fetch = tracedFetch(undefined, {
      requestHook: (span, request) => {
        order.push('requestHook');
        span.setTag('req.method', request.method);
        span.setTag('req.header', request.headers.get('X-Own') ?? 'none');
      },
      responseHook: (span, info) => {
        seen = { response: info.response, request: info.request, span };
        span.setTag('res.request_id', info.response.headers.get('x-request-id') ?? '');
      },
    });
    const response = await fetch(`${server.origin}/hello`, { headers: { 'x-own': 'v' } });
    await arrived;
    await response.text();
    expect(order).toEqual(['requestHook', 'server']);
    expect(seen?.response).toBe(response);
    expect(seen?.request).toMatchObject({ method: 'GET', url: `${server.origin}/hello`, component: 'fetch' });
    expect(tracing.one('GET').tags).toMatchObject({
      'req.method': 'GET',
      'req.header': 'v',
      'res.request_id': 'req-42',
    });
  });

  it('setResponseHandlerHook set after wrapping still runs; a per-client responseHook overrides it', async () => {
    const fetch = tracedFetch();
    const own = tracedFetch(undefined, { responseHook: (span) => span.setTag('hook', 'own') });
    const calls: [number, boolean][] = [];
    setResponseHandlerHook((response, span) => {
      calls.push([response.status, typeof span.setTag === 'function']);
      span.setTag('hook', 'global');
    });
    await (await fetch(`${server.origin}/status/404`)).text();
    await (await own(`${server.origin}/status/200`)).text();
    expect(calls).toEqual([[404, true]]);
    expect(tracing.named('GET').map((s) => s.tags.hook)).toEqual(['global', 'own']);
  });

  it('hooks that throw are isolated: the request succeeds, the fault is reported', async () => {
    const faults: string[] = [];
    configure({ onInstrumentationError: (_error, source) => faults.push(source) });
    const fetch = tracedFetch(undefined, {
      requestHook: () => {
        throw new Error('request hook broke');
      },
    });
    setResponseHandlerHook(() => {
      throw new Error('response hook broke');
    });
    const response = await fetch(`${server.origin}/hello`);
    expect(await response.text()).toBe('ok');
    expect(faults).toEqual(['requestHook', 'responseHandlerHook']);
    expect(server.received[0]?.extracted?.spanId).toBe(tracing.one('GET').spanId);
  });
});

describe('tracedFetch: options and safety', () => {
  it('requireParentSpan: no span and no header without a parent; traced with one', async () => {
    const fetch = tracedFetch(undefined, { requireParentSpan: true });
    await (await fetch(`${server.origin}/a`)).text();
    expect(tracing.spans()).toHaveLength(0);
    expect(server.received[0]?.headers.traceparent).toBeUndefined();
    const parent = parentSpan();
    await spanInContext(parent, async () => (await fetch(`${server.origin}/b`)).text());
    expectChildOf(tracing.one('GET'), idsOf(parent));
    expect(server.received[1]?.extracted?.spanId).toBe(tracing.one('GET').spanId);
  });

  it('configure({ requireParentSpan }) applies to fetches wrapped before', async () => {
    const fetch = tracedFetch();
    configure({ requireParentSpan: true });
    await (await fetch(`${server.origin}/a`)).text();
    expect(tracing.spans()).toHaveLength(0);
  });

  it('secret query parameters are masked; a URL with userinfo records nothing', async () => {
    const fetch = tracedFetch(undefined, { secretQueryParams: ['api_key', 'sessionid'] });
    await (await fetch(`${server.origin}/q?user=7&api_key=s3cr3t&SessionId=abc123`)).text();
    expect(tracing.one('GET').tags['http.url']).toBe(`${server.origin}/q?user=7&api_key=REDACTED&SessionId=REDACTED`);
    // The default list applies without the option.
    tracing.reset();
    await (await tracedFetch()(`${server.origin}/q?access_token=s3cr3t`)).text();
    expect(tracing.one('GET').tags['http.url']).toBe(`${server.origin}/q?access_token=REDACTED`);

    tracing.reset();
    const withUser = `http://bob:pa55w0rd@127.0.0.1:${server.port}/x`;
    const raw = await fetch(withUser).catch((e: unknown) => e);
    const traced = await tracedFetch()(withUser).catch((e: unknown) => e);
    expect(String(traced)).toBe(String(raw));
    expect(tracing.spans()).toHaveLength(0);
  });

  it('a URL called again is tagged the same, and configure() changing the secret list applies to it at once', async () => {
    const fetch = tracedFetch();
    const url = `${server.origin}/again?id=7&ticket=t1`;
    await (await fetch(url)).text();
    await (await fetch(url)).text();
    await (await fetch(url, { method: 'POST' })).text();
    expect(tracing.spans().map((s) => s.tags['http.url'])).toEqual([url, url, url]);
    expect(tracing.spans().map((s) => s.tags['peer.port'])).toEqual([server.port, server.port, server.port]);
    // Once a target is known its tags are start tags: the same set, each request its own method.
    const [first, again, post] = tracing.spans();
    expect(again?.tags).toEqual(first?.tags);
    expect(post?.name).toBe('POST');
    expect(post?.tags).toEqual({ ...first?.tags, 'http.method': 'POST' });
    tracing.reset();
    configure({ tracer: tracing.tracer, secretQueryParams: ['ticket'] });
    await (await fetch(url)).text();
    expect(tracing.one('GET').tags['http.url']).toBe(`${server.origin}/again?id=7&ticket=REDACTED`);
  });

  it('a URL fetch cannot parse goes through untraced (its error quotes the input) and fails as usual', async () => {
    const raw = await fetch('/relative?token=s3cr3t').catch((e: unknown) => e);
    const traced = await tracedFetch()('/relative?token=s3cr3t').catch((e: unknown) => e);
    expect(String(traced)).toBe(String(raw));
    expect(traced).toBeInstanceOf(TypeError);
    expect(tracing.spans()).toHaveLength(0);
  });

  it('callee-name and callee-endpoint headers give peer.service and METHOD:endpoint, any case', async () => {
    configure({ calleeNameHeaders: ['X-Callee-Service'], calleeEndpointHeaders: ['x-callee-endpoint'] });
    const fetch = tracedFetch(undefined, { peerService: 'fallback' });
    await (
      await fetch(`${server.origin}/invoice`, {
        method: 'post',
        headers: { 'X-CALLEE-SERVICE': 'billing', 'X-Callee-Endpoint': 'createInvoice' },
      })
    ).text();
    await (await fetch(`${server.origin}/other`)).text();
    expect(tracing.one('POST:createInvoice').tags).toMatchObject({ 'peer.service': 'billing', 'http.method': 'POST' });
    expect(tracing.one('GET').tags['peer.service']).toBe('fallback');
    // A target called before: the header still wins over the client's peerService.
    await (await fetch(`${server.origin}/other`, { headers: { 'x-callee-service': 'shipping' } })).text();
    expect(tracing.named('GET').map((s) => s.tags['peer.service'])).toEqual(['fallback', 'shipping']);
  });

  it('operationName and tags options apply', async () => {
    const fetch = tracedFetch(undefined, {
      operationName: (request) => `http ${request.method} ${new URL(request.url).pathname}`,
      tags: { team: 'checkout' },
    });
    await (await fetch(`${server.origin}/orders`)).text();
    expect(tracing.one('http GET /orders').tags.team).toBe('checkout');
  });
});

describe('tracedFetch: a broken tracer never breaks the request', () => {
  it('startSpan throwing, or inject throwing (MockTracer): same response, faults reported', async () => {
    const faults: string[] = [];
    const throwing = {
      startSpan: () => {
        throw new Error('tracer down');
      },
    } as unknown as Tracer;
    configure({ tracer: throwing, onInstrumentationError: (_e, source) => faults.push(source) });
    const fetch = tracedFetch();
    expect(await (await fetch(`${server.origin}/a`)).text()).toBe('ok');
    const mock = new MockTracer();
    configure({ tracer: mock });
    expect(await (await fetch(`${server.origin}/b`)).text()).toBe('ok');
    expect(faults).toEqual(['tracer.startSpan', 'tracer.inject']);
    expect(server.received.map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
    expect(mock.report().spans.map((s) => [s.operationName(), s.tags()['http.status_code']])).toEqual([['GET', 200]]);
  });
});
