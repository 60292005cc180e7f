/**
 * Every server adapter (node:http, Express, Koa, Fastify) against a real server on 127.0.0.1,
 * driven by Node's fetch (and node:http for the abort), traced by the real test tracer.
 */
import http from 'node:http';
import { FORMAT_HTTP_HEADERS, type Span } from 'opentracing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan } from '../../src/context/index.js';
import { configure, resetConfig, startChildSpan, tracedFunction } from '../../src/core/index.js';
import { KvClient, tracedKv } from '../helpers/kv-client.js';
import {
  type AdapterName,
  adapters,
  type Behaviour,
  listenerSpans,
  type RunningApp,
  userRoute,
} from '../helpers/server-apps.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';
import { sleep, waitFor } from '../helpers/wait.js';

const tracing = createTestTracing();
const COMPONENT: Record<AdapterName, string> = {
  http: 'http',
  express: 'express',
  express4: 'express',
  koa: 'koa',
  koa2: 'koa',
  fastify: 'fastify',
  fastify4: 'fastify',
};
/**
 * Express 4's router keeps no path templates for mounted routers: the mount path is recorded
 * as matched (`/api`), and an error leaving a mounted router loses it (Express has restored
 * `req.baseUrl` by then). Documented in docs/server.md.
 */
const EXPRESS_4_MOUNTS = (name: AdapterName) => name === 'express4';

const serverSpans = (): RecordedSpan[] => tracing.spans().filter((s) => s.tags['span.kind'] === 'server');

async function oneServerSpan(): Promise<RecordedSpan> {
  await waitFor(() => serverSpans().length >= 1, 'the server span');
  await sleep(20); // a second (wrong) server span would show up by now
  const found = serverSpans();
  expect(found).toHaveLength(1);
  return found[0] as RecordedSpan;
}

/** W3C headers of a fresh client span, built by the test tracer's own inject. */
function traceHeaders(parent: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  tracing.tracer.inject(parent.context(), FORMAT_HTTP_HEADERS, carrier);
  return carrier;
}

/** The work every traced request does inside its handler: children across awaits and timers. */
const kv = tracedKv(new KvClient());
async function nestedWork(n: number): Promise<{ seen: string | undefined }> {
  startChildSpan('child-sync').finish();
  await tracedFunction(
    async () => {
      await sleep(n % 7);
      startChildSpan('inner').finish();
    },
    { name: 'traced-fn' },
  )();
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      startChildSpan('child-timer').finish();
      resolve();
    }, n % 5),
  );
  await kv.set(`k${n}`, String(n));
  return { seen: getCurrentSpan()?.context().toSpanId() };
}

const behaviour: Behaviour & { onSlow: () => void; onHealth: () => Promise<void> } = {
  work: (n) => nestedWork(n),
  slowStarted: () => behaviour.onSlow(),
  health: () => behaviour.onHealth(),
  onSlow: () => {},
  onHealth: async () => {},
};

const SECRET = 's3cr3t-value';

beforeEach(() => {
  tracing.reset();
  configure({ tracer: tracing.tracer });
  behaviour.onSlow = () => {};
  behaviour.onHealth = async () => {};
});
afterEach(() => resetConfig());

describe.each(Object.keys(adapters) as AdapterName[])('%s adapter', (name) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await adapters[name](behaviour, {
      ignore: (request: { url?: string }) => request.url === '/health',
      headerTags: ['x-request-id', 'authorization', 'cookie', 'x-api-key'],
      traceResponseHeader: true,
    });
  });
  afterAll(() => app.close());

  it('continues the caller trace from traceparent and tags the span', async () => {
    configure({ tracer: tracing.tracer, callerNameHeaders: ['x-caller'] });
    const parent = tracing.tracer.startSpan('caller');
    const response = await fetch(`${app.url}/api/users/42?x=1`, {
      headers: { ...traceHeaders(parent), 'x-request-id': 'req-1', 'x-caller': 'checkout' },
    });
    parent.finish();
    const body = (await response.json()) as { id: string; traceId: string; spanId: string };
    const span = await oneServerSpan();
    expectChildOf(span, idsOf(parent));
    const route = userRoute[name];
    expect(span.name).toBe(route === undefined ? 'GET' : `GET ${route}`);
    expect(span.tags).toMatchObject({
      'span.kind': 'server',
      component: COMPONENT[name],
      'http.method': 'GET',
      'http.url': `${app.url}/api/users/42?x=1`,
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
      'http.request.header.x-request-id': 'req-1',
      'peer.service': 'checkout',
    });
    expect(span.tags['peer.port']).toEqual(expect.any(Number));
    if (route !== undefined) expect(span.tags['http.route']).toBe(route);
    expect(span.error).toBe(false);
    // The handler saw the server span as its current span; the trace id went back out.
    expect(body).toMatchObject({ id: '42', traceId: span.traceId, spanId: span.spanId });
    expect(response.headers.get('x-trace-id')).toBe(span.traceId);
    tracing.expectAllFinishedOnce();
  });

  // node:http has no router, so no route template to name the span from.
  if (name !== 'http') {
    it('names the span from the route template, mount parameters included', async () => {
      const response = await fetch(`${app.url}/orgs/acme/items/9`);
      expect(await response.json()).toMatchObject({ org: 'acme', id: '9' });
      const span = await oneServerSpan();
      const route = EXPRESS_4_MOUNTS(name) ? '/orgs/acme/items/:id' : '/orgs/:org/items/:id';
      expect(span.name).toBe(`GET ${route}`);
      expect(span.tags['http.route']).toBe(route);
      expect(span.tags['http.url']).toBe(`${app.url}/orgs/acme/items/9`);
    });
  }

  it('starts a root span when the request carries no trace context', async () => {
    const response = await fetch(`${app.url}/api/users/7`);
    expect(response.status).toBe(200);
    const span = await oneServerSpan();
    expect(span.parentId).toBeUndefined();
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    tracing.expectAllFinishedOnce();
  });

  const hostile: [string, Record<string, string>][] = [
    ['malformed', { traceparent: 'not-a-trace-header' }],
    ['oversized (16 KB)', { traceparent: `00-${'a'.repeat(16 * 1024)}-00f067aa0ba902b7-01` }],
    ['oversized tracestate (16 KB)', { tracestate: 'k='.padEnd(16 * 1024, 'x'), traceparent: 'junk' }],
    ['all-zero ids', { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' }],
    ['version ff', { traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
    ['uppercase hex and extra fields', { traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01-zz' }],
    ['__proto__ and constructor junk', { traceparent: '__proto__', constructor: 'x', 'x-__proto__': '{}' }],
  ];
  it.each(hostile)('a %s trace header starts a root and the request succeeds', async (_label, headers) => {
    const response = await fetch(`${app.url}/api/users/1`, { headers });
    expect(response.status).toBe(200);
    const span = await oneServerSpan();
    expect(span.parentId).toBeUndefined();
    expect(span.tags['http.status_code']).toBe(200);
    tracing.expectAllFinishedOnce();
  });

  it('starts a root and serves the request when the tracer extract throws', async () => {
    const broken = Object.create(tracing.tracer) as typeof tracing.tracer;
    broken.extract = () => {
      throw new Error('extract exploded');
    };
    const faults: string[] = [];
    configure({ tracer: broken, onInstrumentationError: (_e, source) => faults.push(source) });
    const parent = tracing.tracer.startSpan('caller');
    const response = await fetch(`${app.url}/api/users/1`, { headers: traceHeaders(parent) });
    parent.finish();
    expect(response.status).toBe(200);
    await waitFor(() => serverSpans().length === 1, 'server span');
    expect(serverSpans()[0]?.parentId).toBeUndefined();
    expect(faults).toContain('tracer.extract');
  });

  it('a request no route matches is a 404, named after the method, not an error', async () => {
    const response = await fetch(`${app.url}/nowhere/at/all`);
    expect(response.status).toBe(404);
    const span = await oneServerSpan();
    expect(span.name).toBe('GET');
    expect(span.tags['http.status_code']).toBe(404);
    expect(span.tags['http.route']).toBeUndefined();
    expect(span.error).toBe(false);
    tracing.expectAllFinishedOnce();
  });

  it('a 500 the handler sends itself marks the span as an error', async () => {
    const response = await fetch(`${app.url}/api/status/500`);
    expect(response.status).toBe(500);
    const span = await oneServerSpan();
    expect(span.tags['http.status_code']).toBe(500);
    expect(span.error).toBe(true);
    if (name !== 'http') expect(span.name).toBe('GET /api/status/500');
    tracing.expectAllFinishedOnce();
  });

  it.each([
    ['thrown', '/api/fail/sync', 'sync boom'],
    ['async', '/api/fail/async', 'async boom'],
  ])('a %s handler error is recorded, the app still answers 500', async (_label, path, message) => {
    const response = await fetch(`${app.url}${path}`);
    expect(response.status).toBe(500);
    const span = await oneServerSpan();
    expect(span.error).toBe(true);
    expect(span.tags['http.status_code']).toBe(500);
    expect(errorLog(span)).toMatchObject({ 'exception.message': message, 'exception.type': 'Error' });
    if (name !== 'http') expect(span.name).toBe(`GET ${EXPRESS_4_MOUNTS(name) ? path.slice(4) : path}`);
    tracing.expectAllFinishedOnce();
  });

  it('a client that disconnects finishes the span once, tagged aborted', async () => {
    const started = new Promise<void>((resolve) => {
      behaviour.onSlow = resolve;
    });
    const request = http.get(`${app.url}/api/slow`);
    request.on('error', () => {}); // the socket hang-up we cause
    await started;
    request.destroy();
    const span = await oneServerSpan();
    expect(span.tags.aborted).toBe(true);
    expect(span.tags['http.status_code']).toBeUndefined();
    expect(span.error).toBe(false);
    await sleep(50);
    tracing.expectAllFinishedOnce();
    expect(serverSpans()).toHaveLength(1);
  });

  it('ignore: no span; calls in the handler start new traces', async () => {
    let inner: string | undefined;
    behaviour.onHealth = async () => {
      inner = getCurrentSpan()?.context().toSpanId();
      await tracedFunction(async () => sleep(1), { name: 'health-work' })();
    };
    const parent = tracing.tracer.startSpan('caller');
    const response = await fetch(`${app.url}/health`, { headers: traceHeaders(parent) });
    parent.finish();
    expect(await response.text()).toBe('ok');
    await sleep(30);
    expect(serverSpans()).toHaveLength(0);
    expect(inner).toBeUndefined();
    const work = tracing.one('health-work');
    expect(work.parentId).toBeUndefined();
    expect(work.traceId).not.toBe(idsOf(parent).traceId);
  });

  it('ignore: with requireParentSpan, client calls in the handler are not traced', async () => {
    configure({ requireParentSpan: true });
    behaviour.onHealth = async () => {
      await kv.set('health', '1');
    };
    const response = await fetch(`${app.url}/health`);
    expect(response.status).toBe(200);
    await sleep(30);
    expect(tracing.spans()).toHaveLength(0);
  });

  it('records no secret header or query value in any tag or log', async () => {
    const parent = tracing.tracer.startSpan('caller');
    const response = await fetch(
      `${app.url}/api/users/1?token=${SECRET}&password=${SECRET}&api_key=${SECRET}&session=${SECRET}&ok=1`,
      {
        headers: {
          ...traceHeaders(parent),
          authorization: `Bearer ${SECRET}`,
          cookie: `sid=${SECRET}`,
          'x-api-key': SECRET,
          'x-request-id': 'visible',
        },
      },
    );
    parent.finish();
    expect(response.status).toBe(200);
    const span = await oneServerSpan();
    expect(JSON.stringify([span.tags, span.logs])).not.toContain(SECRET);
    expect(span.tags['http.url']).toBe(
      `${app.url}/api/users/1?token=REDACTED&password=REDACTED&api_key=REDACTED&session=REDACTED&ok=1`,
    );
    expect(span.tags['http.request.header.x-request-id']).toBe('visible');
    expect(Object.keys(span.tags).filter((k) => /authorization|cookie|api-key/.test(k))).toEqual([]);
  });

  it('500 concurrent requests: each in its own trace, every call in the handler under its own server span', async () => {
    const N = 500;
    listenerSpans.clear();
    const parents = Array.from({ length: N }, (_, i) => tracing.tracer.startSpan(`caller-${i}`));
    const responses = await Promise.all(
      parents.map(async (parent, i) => {
        const response = await fetch(`${app.url}/api/work/${i}`, {
          method: 'POST',
          headers: { ...traceHeaders(parent), 'content-type': 'application/json' },
          // Every third body is large, so it arrives over several socket reads after the
          // handler started: its `data`/`end` events come from Node's socket context.
          body: JSON.stringify({ i, pad: 'x'.repeat(i % 3 === 0 ? 100_000 : 10) }),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { n: number; body: { i: number }; result: { seen: string } };
      }),
    );
    for (const parent of parents) parent.finish();
    await waitFor(() => serverSpans().length >= N, `${N} server spans`, 20_000);

    const spans = tracing.spans();
    const byParent = new Map<string, RecordedSpan[]>();
    for (const span of spans) {
      if (span.parentId === undefined) continue;
      const list = byParent.get(span.parentId) ?? [];
      list.push(span);
      byParent.set(span.parentId, list);
    }
    const servers = serverSpans();
    expect(servers).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      const parent = idsOf(parents[i] as Span);
      const response = responses[i];
      expect(response?.n).toBe(i);
      expect(response?.body.i).toBe(i);
      const mine = (byParent.get(parent.spanId) ?? []).filter((s) => s.tags['span.kind'] === 'server');
      expect(mine, `server span of request ${i}`).toHaveLength(1);
      const server = mine[0] as RecordedSpan;
      expectChildOf(server, parent);
      expect(response?.result.seen, 'the handler saw its own span after every await').toBe(server.spanId);
      expect(listenerSpans.get(`/api/work/${i}`), 'request event listeners ran in the server span').toBe(server.spanId);
      const children = byParent.get(server.spanId) ?? [];
      expect(children.map((c) => c.name).sort(), `children of request ${i}`).toEqual(
        ['child-sync', 'child-timer', 'kv:set', 'traced-fn'].sort(),
      );
      for (const child of children) expect(child.traceId).toBe(parent.traceId);
      const fn = children.find((c) => c.name === 'traced-fn') as RecordedSpan;
      const inner = byParent.get(fn.spanId) ?? [];
      expect(inner.map((s) => s.name)).toEqual(['inner']);
      expect(inner[0]?.traceId).toBe(parent.traceId);
    }
    tracing.expectAllFinishedOnce();
  });
});
