import { Writable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { MockTracer, type Span } from 'opentracing';
import {
  Agent,
  Client,
  type Dispatcher,
  getGlobalDispatcher,
  Pool,
  pipeline,
  request,
  setGlobalDispatcher,
  stream,
  fetch as undiciFetch,
} from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, isTraced, resetConfig, untraced } from '../../src/core/index.js';
import { tracedFetch } from '../../src/fetch.js';
import { setResponseHandlerHook, tracedDispatcher } from '../../src/undici.js';
import { closedPort, startHttpServer, type TestHttpServer } from '../helpers/http-server.js';
import { createTestTracing, errorLog, expectChildOf, idsOf } from '../helpers/tracing.js';

const tracing = createTestTracing();
let server: TestHttpServer;
let agent: Agent;
let traced: Agent;

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
  agent = new Agent();
  traced = tracedDispatcher(agent);
});
afterEach(async () => {
  resetConfig();
  setResponseHandlerHook();
  await agent.close();
});

function parentSpan(name = 'parent'): Span {
  return tracing.tracer.startSpan(name);
}

async function get(url: string, options: Omit<Parameters<typeof request>[1] & object, 'dispatcher'> = {}) {
  const response = await request(url, { ...options, dispatcher: traced });
  const body = await response.body.text();
  return { status: response.statusCode, body };
}

describe('tracedDispatcher: a real Dispatcher', () => {
  it('same class, idempotent, untraced() gives it back, methods stable, close works', async () => {
    expect(traced).toBeInstanceOf(Agent);
    expect(tracedDispatcher(traced)).toBe(traced);
    expect(isTraced(traced)).toBe(true);
    expect(untraced(traced)).toBe(agent);
    expect(traced.request).toBe(traced.request);
    expect(traced.dispatch).toBe(traced.dispatch);
    expect(() => tracedDispatcher({} as Agent)).toThrow(TypeError);
    const own = new Agent();
    await tracedDispatcher(own).close();
    expect(own.closed).toBe(true);
  });
});

describe('tracedDispatcher: spans and propagation', () => {
  it('undici.request: one client span, child of the current span, context received by the server', async () => {
    const parent = parentSpan();
    const result = await spanInContext(parent, () => get(`${server.origin}/hello?x=1`));
    parent.finish();
    expect(result).toEqual({ status: 200, body: 'ok' });
    const span = tracing.one('GET');
    expectChildOf(span, idsOf(parent));
    expect(server.received[0]?.extracted).toEqual({ traceId: span.traceId, spanId: span.spanId });
    expect(span.tags).toMatchObject({
      'span.kind': 'client',
      component: 'undici',
      'http.method': 'GET',
      'http.url': `${server.origin}/hello?x=1`,
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
      'peer.port': server.port,
    });
    tracing.expectAllFinishedOnce();
  });

  it('finishes when the response head arrives, even if the body is never read', async () => {
    const response = await request(`${server.origin}/hello`, { dispatcher: traced });
    expect(tracing.named('GET')).toHaveLength(1);
    expect(tracing.unfinished()).toBe(0);
    await response.body.dump();
  });

  it('dispatcher.request / stream / pipeline on the traced dispatcher itself', async () => {
    const viaMethod = await traced.request({ origin: server.origin, path: '/m', method: 'GET' });
    await viaMethod.body.text();
    const chunks: Buffer[] = [];
    await stream(
      `${server.origin}/s`,
      { dispatcher: traced, method: 'GET' },
      () =>
        new Writable({
          write(chunk, _encoding, callback) {
            chunks.push(chunk);
            callback();
          },
        }),
    );
    const duplex = pipeline(`${server.origin}/p`, { dispatcher: traced, method: 'GET' }, ({ body }) => body);
    duplex.end();
    await pipelineAsync(duplex, new Writable({ write: (_c, _e, callback) => callback() }));
    expect(Buffer.concat(chunks).toString()).toBe('ok');
    const spans = tracing.named('GET');
    expect(spans.map((s) => s.tags['http.url'])).toEqual([
      `${server.origin}/m`,
      `${server.origin}/s`,
      `${server.origin}/p`,
    ]);
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual(spans.map((s) => s.spanId));
  });

  it('dispatch() with a handler of either API: each gets its own events unchanged, one span each', async () => {
    const seen: string[] = [];
    const statuses: number[] = [];
    configure({ tracer: tracing.tracer });
    const hooked = tracedDispatcher(agent, {
      responseHook: (_span, { response }) => {
        seen.push(`hook ${response.status} ${response.headers.get('content-type')}`);
      },
    });
    // The handler API of undici 7 (`onRequestStart`…): undici converts it itself, as untraced.
    await new Promise<void>((resolve, reject) => {
      hooked.dispatch({ origin: server.origin, path: '/new', method: 'GET' }, {
        onRequestStart: () => seen.push('new start'),
        onResponseStart: (_controller, status) => {
          statuses.push(status);
          seen.push('new head');
        },
        onResponseData: () => {},
        onResponseEnd: () => resolve(),
        onResponseError: (_controller, error) => reject(error),
      } as Dispatcher.DispatchHandler);
    });
    // The legacy API (`onConnect`/`onHeaders`…, what `request` and `stream` use): raw headers,
    // and the return value of `onHeaders`/`onData` (flow control) passed back to undici.
    const returned: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      hooked.dispatch({ origin: server.origin, path: '/old', method: 'GET' }, {
        onConnect: () => seen.push('old connect'),
        onHeaders: (status: number, rawHeaders: Buffer[]) => {
          statuses.push(status);
          seen.push(`old head ${rawHeaders.length > 0 && Buffer.isBuffer(rawHeaders[0])}`);
          returned.push(true);
          return true;
        },
        onData: () => true,
        onComplete: () => resolve(),
        onError: reject,
      } as unknown as Dispatcher.DispatchHandler);
    });
    expect(statuses).toEqual([200, 200]);
    expect(seen).toEqual([
      'new start',
      'hook 200 text/plain',
      'new head',
      'old connect',
      'hook 200 text/plain',
      'old head true',
    ]);
    expect(tracing.named('GET').map((s) => [s.tags['http.url'], s.tags['http.status_code']])).toEqual([
      [`${server.origin}/new`, 200],
      [`${server.origin}/old`, 200],
    ]);
    expect(tracing.unfinished()).toBe(0);
  });

  it("undici's callbacks run in the caller's context, never inside the client span", async () => {
    const parent = parentSpan();
    const seen: unknown[] = [];
    await spanInContext(parent, async () => {
      await stream(`${server.origin}/ctx`, { dispatcher: traced, method: 'GET' }, () => {
        seen.push(getCurrentSpan());
        return new Writable({ write: (_c, _e, callback) => callback() });
      });
      seen.push(getCurrentSpan());
    });
    expect(seen).toEqual([parent, parent]);
    expectChildOf(tracing.one('GET'), idsOf(parent));
  });

  it('a Pool or Client whose requests name no origin: URL and peer tags from its own origin', async () => {
    const pool = tracedDispatcher(new Pool(server.origin));
    const client = tracedDispatcher(new Client(server.origin));
    await (await pool.request({ path: '/pool', method: 'GET' })).body.text();
    await (await client.request({ path: '/client', method: 'PUT', body: 'x' })).body.text();
    expect(tracing.one('GET').tags).toMatchObject({
      'http.url': `${server.origin}/pool`,
      'peer.ipv4': '127.0.0.1',
      'peer.port': server.port,
    });
    expect(tracing.one('PUT').tags['http.url']).toBe(`${server.origin}/client`);
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual([
      tracing.one('GET').spanId,
      tracing.one('PUT').spanId,
    ]);
    await pool.close();
    await client.close();
  });

  it('header forms (object, flat array, iterable) are kept, the caller objects untouched', async () => {
    const object = { 'X-Obj': '1' };
    const flat = ['x-flat', '2'];
    const map = new Map([['x-map', '3']]);
    await get(`${server.origin}/a`, { headers: object });
    await get(`${server.origin}/b`, { headers: flat });
    await get(`${server.origin}/c`, { headers: map });
    expect(server.received.map((r) => [r.headers['x-obj'], r.headers['x-flat'], r.headers['x-map']])).toEqual([
      ['1', undefined, undefined],
      [undefined, '2', undefined],
      [undefined, undefined, '3'],
    ]);
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual(tracing.named('GET').map((s) => s.spanId));
    expect(object).toEqual({ 'X-Obj': '1' });
    expect(flat).toEqual(['x-flat', '2']);
    expect([...map]).toEqual([['x-map', '3']]);
  });

  it('never overwrites a trace header the caller set', async () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await get(`${server.origin}/a`, { headers: ['TraceParent', own] });
    expect(server.received[0]?.headers.traceparent).toBe(own);
  });
});

describe('tracedDispatcher: outcomes', () => {
  it('status 200, 404 and 500; isError configurable', async () => {
    for (const code of [200, 404, 500]) await get(`${server.origin}/status/${code}`);
    expect(tracing.named('GET').map((s) => [s.tags['http.status_code'], s.error])).toEqual([
      [200, false],
      [404, false],
      [500, true],
    ]);
    tracing.reset();
    traced = tracedDispatcher(new Agent(), { isError: (status) => status === 404 });
    await get(`${server.origin}/status/404`);
    await get(`${server.origin}/status/500`);
    expect(tracing.named('GET').map((s) => s.error)).toEqual([true, false]);
    await untraced(traced).close();
  });

  it('invalid arguments fail exactly as on the raw dispatcher', async () => {
    const outcome = async (dispatcher: Dispatcher, options: object) =>
      request(`${server.origin}/a`, { dispatcher, ...options }).then(
        (r) => r.body.text(),
        (e: Error) => `${e.name}: ${e.message}`,
      );
    for (const options of [{ headers: 'nope' }, { headers: ['odd'] }, { method: 'BAD METHOD' }]) {
      expect(await outcome(traced, options)).toBe(await outcome(agent, options));
    }
    const errors: Error[] = [];
    const handler = { onError: (e: Error) => errors.push(e) } as unknown as Dispatcher.DispatchHandler;
    expect(traced.dispatch(null as never, handler)).toBe(agent.dispatch(null as never, handler));
    expect(errors.map((e) => e.message)).toEqual(['opts must be an object.', 'opts must be an object.']);
  });

  it('connection refused: an error span, the original error', async () => {
    const port = await closedPort();
    const error = (await request(`http://127.0.0.1:${port}/`, { dispatcher: traced }).catch((e: unknown) => e)) as {
      code?: string;
    };
    expect(error.code).toBe('ECONNREFUSED');
    const span = tracing.one('GET');
    expect(span.error).toBe(true);
    expect(span.tags.aborted).toBeUndefined();
    expect(errorLog(span)).toMatchObject({ event: 'error', 'exception.type': 'ECONNREFUSED' });
    tracing.expectAllFinishedOnce();
  });

  it('a DNS failure is an error span with its code', async () => {
    const failingDns = new Agent({
      connect: {
        lookup: (hostname, _options, callback) =>
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4),
      },
    });
    const error = await request('http://no-such-host.invalid/x', { dispatcher: tracedDispatcher(failingDns) }).catch(
      (e: unknown) => e,
    );
    expect((error as { code?: string }).code).toBe('ENOTFOUND');
    const span = tracing.one('GET');
    expect(span.tags).toMatchObject({ 'peer.hostname': 'no-such-host.invalid', 'peer.port': 80 });
    expect(errorLog(span)?.['exception.type']).toBe('ENOTFOUND');
    await failingDns.close();
  });

  it('abort before and during the request: aborted, the reason name as error.kind, the reason re-raised', async () => {
    const before = AbortSignal.abort();
    expect(await request(`${server.origin}/a`, { dispatcher: traced, signal: before }).catch((e: unknown) => e)).toBe(
      before.reason,
    );
    const controller = new AbortController();
    const arrived = server.nextRequest();
    const promise = request(`${server.origin}/slow?ms=5000`, { dispatcher: traced, signal: controller.signal });
    await arrived;
    const reason = Object.assign(new Error('stop'), { name: 'UserCancel' });
    controller.abort(reason);
    expect(await promise.catch((e: unknown) => e)).toBe(reason);
    const spans = tracing.named('GET');
    expect(spans.map((s) => [s.error, s.tags.aborted, errorLog(s)?.['exception.type']])).toEqual([
      [true, true, 'AbortError'],
      [true, true, 'UserCancel'],
    ]);
    tracing.expectAllFinishedOnce();
  });

  it('a headers timeout: aborted, error.kind HeadersTimeoutError', async () => {
    const slowAgent = new Agent({ headersTimeout: 50 });
    const error = await request(`${server.origin}/slow?ms=3000`, { dispatcher: tracedDispatcher(slowAgent) }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('HeadersTimeoutError');
    const span = tracing.one('GET');
    expect([span.error, span.tags.aborted, errorLog(span)?.['exception.type']]).toEqual([
      true,
      true,
      'HeadersTimeoutError',
    ]);
    await slowAgent.close();
  });

  it('200 parallel requests under different parents keep their own parents', async () => {
    const parents = Array.from({ length: 200 }, (_, i) => parentSpan(`parent-${i}`));
    await Promise.all(
      parents.map((parent, i) =>
        spanInContext(parent, async () => {
          await new Promise((r) => setTimeout(r, i % 5));
          await get(`${server.origin}/item/${i}`);
        }),
      ),
    );
    for (const parent of parents) parent.finish();
    const byParent = new Map(parents.map((p, i) => [idsOf(p).spanId, i]));
    const bySpan = new Map(server.received.map((r) => [r.extracted?.spanId, r.url]));
    const spans = tracing.named('GET');
    expect(spans).toHaveLength(200);
    for (const span of spans) {
      const index = byParent.get(span.parentId ?? '');
      expect(index).toBeDefined();
      expect(bySpan.get(span.spanId)).toBe(`/item/${index}`);
    }
    tracing.expectAllFinishedOnce();
  });
});

describe('tracedDispatcher: hooks and options', () => {
  it('response hooks: the process-wide one (set after wrapping) and a per-client override', async () => {
    const seen: unknown[] = [];
    setResponseHandlerHook((response, span) => {
      seen.push({ status: response.status, ok: response.ok, id: response.headers.get('X-Request-Id') });
      span.setTag('hook', 'global');
    });
    await get(`${server.origin}/hello`);
    const own = tracedDispatcher(new Agent(), {
      responseHook: (span, info) => {
        span.setTag('hook', `own ${info.response.status} ${info.request.url}`);
      },
    });
    await (await request(`${server.origin}/status/404`, { dispatcher: own })).body.text();
    expect(seen).toEqual([{ status: 200, ok: true, id: 'req-42' }]);
    expect(tracing.named('GET').map((s) => s.tags.hook)).toEqual(['global', `own 404 ${server.origin}/status/404`]);
    await untraced(own).close();
  });

  it('requestHook runs before the request is sent; throwing hooks are isolated', async () => {
    const order: string[] = [];
    const faults: string[] = [];
    configure({ onInstrumentationError: (_e, source) => faults.push(source) });
    const own = tracedDispatcher(new Agent(), {
      requestHook: (span, info) => {
        order.push('requestHook');
        span.setTag('req.url', info.url);
        throw new Error('broken hook');
      },
    });
    setResponseHandlerHook(() => {
      throw new Error('broken too');
    });
    const arrived = server.nextRequest().then(() => order.push('server'));
    const response = await request(`${server.origin}/hello`, { dispatcher: own });
    expect(await response.body.text()).toBe('ok');
    await arrived;
    expect(order).toEqual(['requestHook', 'server']);
    expect(faults).toEqual(['requestHook', 'responseHandlerHook']);
    expect(tracing.one('GET').tags['req.url']).toBe(`${server.origin}/hello`);
    await untraced(own).close();
  });

  it('requireParentSpan: no span and no header without a parent', async () => {
    configure({ requireParentSpan: true });
    await get(`${server.origin}/a`);
    expect(tracing.spans()).toHaveLength(0);
    expect(server.received[0]?.headers.traceparent).toBeUndefined();
    const parent = parentSpan();
    await spanInContext(parent, () => get(`${server.origin}/b`));
    expectChildOf(tracing.one('GET'), idsOf(parent));
  });

  it('a target requested again is tagged the same; another method gets its own http.method', async () => {
    const url = `${server.origin}/again?id=7`;
    await get(url);
    await get(url);
    await get(url, { method: 'POST' });
    const [first, again] = tracing.named('GET');
    expect(first?.tags['http.url']).toBe(url);
    expect(again?.tags).toEqual(first?.tags);
    expect(tracing.one('POST').tags).toEqual({ ...first?.tags, 'http.method': 'POST' });
  });

  it('secret query parameters and userinfo never reach a tag', async () => {
    await get(`${server.origin}/q?id=1&token=s3cr3t&password=hunter2`);
    const origin = `http://bob:pa55w0rd@127.0.0.1:${server.port}`;
    await traced
      .request({ origin, path: '/u?api_key=k3y', method: 'GET' })
      .then((r) => r.body.text())
      .catch(() => undefined);
    const [first, second] = tracing.named('GET');
    expect(first?.tags['http.url']).toBe(`${server.origin}/q?id=1&token=REDACTED&password=REDACTED`);
    expect(second?.tags['http.url']).toBe(`${server.origin}/u?api_key=REDACTED`);
    const allTags = JSON.stringify(tracing.spans().map((s) => s.tags));
    for (const secret of ['s3cr3t', 'hunter2', 'pa55w0rd', 'bob', 'k3y']) expect(allTags).not.toContain(secret);
  });

  it('callee headers in a flat array, any case: peer.service and METHOD:endpoint', async () => {
    configure({ calleeNameHeaders: ['x-callee'], calleeEndpointHeaders: ['X-Endpoint'] });
    await get(`${server.origin}/a`, { method: 'DELETE', headers: ['X-CALLEE', 'orders', 'x-endpoint', 'cancel'] });
    expect(tracing.one('DELETE:cancel').tags['peer.service']).toBe('orders');
  });
});

describe('no double spans with tracedFetch and traced dispatchers', () => {
  let previous: Dispatcher;
  let globalAgent: Agent;
  beforeEach(() => {
    previous = getGlobalDispatcher();
    globalAgent = new Agent();
    setGlobalDispatcher(tracedDispatcher(globalAgent));
  });
  afterEach(async () => {
    setGlobalDispatcher(previous);
    await globalAgent.close();
  });

  it('global fetch through a traced global dispatcher: one undici span per request', async () => {
    const response = await fetch(`${server.origin}/plain`);
    await response.text();
    const span = tracing.one('GET');
    expect(span.tags.component).toBe('undici');
    expect(server.received[0]?.extracted?.spanId).toBe(span.spanId);
  });

  it('tracedFetch(globalThis.fetch) + traced global dispatcher: only the fetch span', async () => {
    const parent = parentSpan();
    const response = await spanInContext(parent, () => tracedFetch()(`${server.origin}/both`));
    await response.text();
    expect(tracing.spans().map((s) => s.tags.component)).toEqual(['fetch']);
    const span = tracing.one('GET');
    expectChildOf(span, idsOf(parent));
    expect(server.received[0]?.extracted?.spanId).toBe(span.spanId);
  });

  it('tracedFetch(undici.fetch) with a traced init.dispatcher, redirects included: one span', async () => {
    const response = await tracedFetch(undiciFetch)(`${server.origin}/redirect?to=/status/200`, {
      dispatcher: traced,
    });
    await response.text();
    const span = tracing.one('GET');
    expect(span.tags.component).toBe('fetch');
    expect(server.received.map((r) => r.extracted?.spanId)).toEqual([span.spanId, span.spanId]);
  });

  it('the dispatcher outside a fetch call still traces (the flag is scoped to the call)', async () => {
    const fetch = tracedFetch();
    await (await fetch(`${server.origin}/one`)).text();
    await get(`${server.origin}/two`);
    expect(tracing.spans().map((s) => s.tags.component)).toEqual(['fetch', 'undici']);
  });
});

describe('tracedDispatcher: a broken tracer never breaks the request', () => {
  it('inject throwing (MockTracer): same response, fault reported, span still recorded', async () => {
    const faults: string[] = [];
    const mock = new MockTracer();
    configure({ tracer: mock, onInstrumentationError: (_e, source) => faults.push(source) });
    expect(await get(`${server.origin}/a`)).toEqual({ status: 200, body: 'ok' });
    expect(faults).toEqual(['tracer.inject']);
    expect(server.received[0]?.headers.traceparent).toBeUndefined();
    expect(mock.report().spans.map((s) => s.tags()['http.status_code'])).toEqual([200]);
  });
});
