/**
 * Adapter options and edge cases, through real servers on 127.0.0.1: hooks, naming, error
 * policies, trustProxy, HTTP/1.0 without Host, http2, nesting of two adapters, and servers
 * created inside someone else's span.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import express from 'express';
import type { Span } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getCurrentSpan, spanInContext } from '../../src/context/index.js';
import { configure, resetConfig } from '../../src/core/index.js';
import {
  expressTracing,
  type RequestListenerTracingOptions,
  type ServerResponseInfo,
  serverSpanOf,
  tracedRequestListener,
} from '../../src/server/index.js';
import { createTestTracing, errorLog, expectChildOf, idsOf, type RecordedSpan } from '../helpers/tracing.js';
import { sleep } from '../helpers/wait.js';

const tracing = createTestTracing();
const servers: { close(): Promise<void> }[] = [];

beforeEach(() => {
  tracing.reset();
  configure({ tracer: tracing.tracer });
});
afterEach(async () => {
  resetConfig();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function waitForServerSpans(count: number): Promise<RecordedSpan[]> {
  const deadline = Date.now() + 5000;
  const find = () => tracing.spans().filter((s) => s.tags['span.kind'] === 'server');
  while (find().length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} server spans, got ${find().length}`);
    await sleep(5);
  }
  await sleep(20);
  return find();
}

async function serve(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
  host = '127.0.0.1',
): Promise<{ url: string; port: number }> {
  const server = http.createServer((req, res) => {
    Promise.resolve()
      .then(() => listener(req, res))
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port };
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('ok');

describe('hooks and naming', () => {
  it('requestHook and responseHook see the request, the status, the route and the error', async () => {
    const seen: ServerResponseInfo<IncomingMessage, ServerResponse>[] = [];
    const options: RequestListenerTracingOptions = {
      requestHook: (span, info) => span.setTag('hook.url', info.request.url ?? ''),
      responseHook: (span, info) => {
        seen.push(info as ServerResponseInfo<IncomingMessage, ServerResponse>);
        span.setTag('hook.status', info.statusCode ?? -1);
      },
      operationName: (info) => `${info.method} ${(info.request as IncomingMessage).url?.split('?')[0]}`,
    };
    const failure = new Error('nope');
    const { url } = await serve(
      tracedRequestListener(async (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === '/fail') throw failure;
        ok(req, res);
      }, options),
    );
    const first = await fetch(`${url}/a?b=1`);
    await first.text();
    expect(first.headers.get('x-trace-id'), 'traceResponseHeader is off by default').toBeNull();
    await (await fetch(`${url}/fail`)).text();
    const spans = await waitForServerSpans(2);
    const a = spans.find((s) => s.name === 'GET /a') as RecordedSpan;
    expect(a.tags).toMatchObject({ 'hook.url': '/a?b=1', 'hook.status': 200 });
    const fail = spans.find((s) => s.name === 'GET /fail') as RecordedSpan;
    expect(fail.tags['hook.status']).toBe(500);
    expect(seen.find((i) => i.statusCode === 500)).toMatchObject({ aborted: false, error: failure, method: 'GET' });
    tracing.expectAllFinishedOnce();
  });

  it('hooks, operationName, ignore and isError that throw never break the request', async () => {
    const faults: string[] = [];
    configure({ tracer: tracing.tracer, onInstrumentationError: (_e, source) => faults.push(source) });
    const boom = () => {
      throw new Error('hook bug');
    };
    const { url } = await serve(
      tracedRequestListener(ok, {
        requestHook: boom,
        responseHook: boom,
        operationName: boom,
        ignore: boom,
        isErrorStatus: boom,
      }),
    );
    const response = await fetch(url);
    expect(await response.text()).toBe('ok');
    const [span] = await waitForServerSpans(1);
    expect(span?.name).toBe('GET');
    expect(faults.sort()).toEqual(['ignore', 'isErrorStatus', 'operationName', 'requestHook', 'responseHook']);
    tracing.expectAllFinishedOnce();
  });

  it('isErrorStatus and isError choose what counts as an error', async () => {
    const { url } = await serve(
      tracedRequestListener(
        async (req: IncomingMessage, res: ServerResponse) => {
          if (req.url === '/teapot') return res.writeHead(418).end();
          if (req.url === '/expected') throw Object.assign(new Error('expected'), { status: 409 });
          throw new Error('ignored by policy');
        },
        { isErrorStatus: (status) => status >= 400 && status !== 500, isError: (e) => !String(e).includes('policy') },
      ),
    );
    await (await fetch(`${url}/teapot`)).text();
    await (await fetch(`${url}/policy`)).text();
    const spans = await waitForServerSpans(2);
    const teapot = spans.find((s) => s.tags['http.status_code'] === 418) as RecordedSpan;
    expect(teapot.error).toBe(true);
    const policy = spans.find((s) => s.tags['http.status_code'] === 500) as RecordedSpan;
    expect(policy.error).toBe(false);
    expect(errorLog(policy)).toBeUndefined();
  });

  it('by default, a handler error carrying an HTTP status below 500 is not an error', async () => {
    const { url } = await serve(
      tracedRequestListener(async () => {
        throw Object.assign(new Error('conflict'), { status: 409 });
      }),
    );
    await (await fetch(url)).text();
    const [span] = await waitForServerSpans(1);
    expect(errorLog(span as RecordedSpan)).toBeUndefined();
  });

  it('traceResponseHeader can name the header; serverSpanOf gives the span to the handler', async () => {
    let fromRequest: Span | undefined;
    let current: Span | undefined;
    const { url } = await serve(
      tracedRequestListener(
        (req: IncomingMessage, res: ServerResponse) => {
          fromRequest = serverSpanOf(req);
          current = getCurrentSpan();
          ok(req, res);
        },
        { traceResponseHeader: 'trace-id' },
      ),
    );
    const response = await fetch(url);
    const [span] = await waitForServerSpans(1);
    expect(response.headers.get('trace-id')).toBe(span?.traceId);
    expect(response.headers.get('x-trace-id')).toBeNull();
    expect(fromRequest).toBe(current);
    expect(fromRequest && idsOf(fromRequest).spanId).toBe(span?.spanId);
  });
});

describe('addresses', () => {
  it('trustProxy: URL and peer from X-Forwarded-*; ignored without it', async () => {
    const headers = {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'shop.example.com',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
    };
    const trusted = await serve(tracedRequestListener(ok, { trustProxy: true }));
    const untrusted = await serve(tracedRequestListener(ok));
    await (await fetch(`${trusted.url}/cart?id=3`, { headers })).text();
    await (await fetch(`${untrusted.url}/cart?id=3`, { headers })).text();
    const spans = await waitForServerSpans(2);
    expect(spans.map((s) => [s.tags['http.url'], s.tags['peer.ipv4']]).sort()).toEqual(
      [
        ['https://shop.example.com/cart?id=3', '203.0.113.9'],
        [`${untrusted.url}/cart?id=3`, '127.0.0.1'],
      ].sort(),
    );
  });

  it('https: the scheme comes from the TLS socket, :443 is dropped', async () => {
    const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
    const cert = fixture('localhost-cert.pem');
    const server = https.createServer({ key: fixture('localhost-key.pem'), cert }, tracedRequestListener(ok));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const get = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        https
          .get(
            { host: '127.0.0.1', port, path: '/secure?x=1', ca: cert, headers: { host }, servername: 'localhost' },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode));
            },
          )
          .on('error', reject);
      });
    expect(await get(`localhost:${port}`)).toBe(200);
    expect(await get('secure.example:443')).toBe(200);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const spans = await waitForServerSpans(2);
    expect(spans.map((s) => s.tags['http.url']).sort()).toEqual(
      [`https://localhost:${port}/secure?x=1`, 'https://secure.example/secure?x=1'].sort(),
    );
  });

  it('HTTP/1.0 without a Host header: the URL uses the local address', async () => {
    const { port } = await serve(tracedRequestListener(ok));
    const socket = connect(port, '127.0.0.1');
    socket.end('GET /old?x=1 HTTP/1.0\r\n\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await once(socket, 'close');
    expect(Buffer.concat(chunks).toString()).toMatch(/^HTTP\/1\.1 200/);
    const [span] = await waitForServerSpans(1);
    expect(span?.tags['http.url']).toBe(`http://127.0.0.1:${port}/old?x=1`);
  });

  it('IPv6: bracketed host in http.url and peer.ipv6', async (context) => {
    let server: { url: string; port: number };
    try {
      server = await serve(tracedRequestListener(ok), '::1');
    } catch {
      context.skip();
      return;
    }
    await (await fetch(`${server.url}/v6`)).text();
    const [span] = await waitForServerSpans(1);
    expect(span?.tags['http.url']).toBe(`http://[::1]:${server.port}/v6`);
    expect(span?.tags['peer.ipv6']).toBe('::1');
  });
});

describe('fast path', () => {
  it('with the no-op tracer nothing is computed or bound: the listener runs as it is', async () => {
    resetConfig(); // no tracer configured: opentracing's no-op global tracer
    let bound: boolean | undefined;
    let faults = 0;
    const { url } = await serve(
      tracedRequestListener(
        (req: IncomingMessage, res: ServerResponse) => {
          bound = Object.hasOwn(req, 'emit') || Object.hasOwn(res, 'emit');
          ok(req, res);
        },
        { traceResponseHeader: true, onInstrumentationError: () => faults++ },
      ),
    );
    const response = await fetch(url);
    expect(await response.text()).toBe('ok');
    expect(response.headers.get('x-trace-id')).toBeNull();
    expect(bound).toBe(false);
    expect(faults).toBe(0);
    expect(tracing.startedCount).toBe(0);
  });
});

describe('composition and context', () => {
  it('tracedRequestListener around an Express app with expressTracing: one span, named by the route', async () => {
    const app = express();
    app.use(expressTracing());
    app.get('/items/:id', (_req, res) => {
      res.send('ok');
    });
    const { url } = await serve(tracedRequestListener(app));
    await (await fetch(`${url}/items/5`)).text();
    const spans = await waitForServerSpans(1);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ name: 'GET /items/:id' });
    expect(spans[0]?.tags).toMatchObject({ component: 'http', 'http.route': '/items/:id' });
  });

  it('Express without expressErrorTracing: a thrown error still marks the span by its 500', async () => {
    const app = express();
    app.use(expressTracing());
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use((_e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).end();
    });
    const { url } = await serve(app);
    expect((await fetch(`${url}/boom`)).status).toBe(500);
    const [span] = await waitForServerSpans(1);
    expect(span).toMatchObject({ name: 'GET /boom', error: true });
    expect(span?.tags['http.status_code']).toBe(500);
  });

  it('a server created inside another span: its requests, ignored ones too, do not inherit it', async () => {
    const outer = tracing.tracer.startSpan('startup');
    let inIgnored: Span | undefined | null = null;
    const { url } = await spanInContext(outer, () =>
      serve(
        tracedRequestListener(
          (req: IncomingMessage, res: ServerResponse) => {
            if (req.url === '/health') inIgnored = getCurrentSpan();
            ok(req, res);
          },
          { ignore: (req) => req.url === '/health' },
        ),
      ),
    );
    outer.finish();
    await (await fetch(url)).text();
    await (await fetch(`${url}/health`)).text();
    const [span] = await waitForServerSpans(1);
    expect(span?.parentId).toBeUndefined();
    expect(span?.traceId).not.toBe(idsOf(outer).traceId);
    expect(inIgnored).toBeUndefined();
  });

  it('http2 compatibility API: continues the trace, tags and finishes once', async () => {
    const server = http2.createServer(
      tracedRequestListener((req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
        res.setHeader('x-span', getCurrentSpan()?.context().toSpanId() ?? '');
        res.end(`ok ${req.url}`);
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const parent = tracing.tracer.startSpan('h2-client');
    const headers: Record<string, string> = {};
    tracing.tracer.inject(parent.context(), 'http_headers', headers);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const stream = session.request({ ':path': '/h2/path?q=1', ...headers });
    let body = '';
    let spanHeader: unknown;
    stream.on('response', (h) => {
      spanHeader = h['x-span'];
    });
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      body += c;
    });
    await once(stream, 'end');
    session.close();
    parent.finish();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(body).toBe('ok /h2/path?q=1');
    const [span] = await waitForServerSpans(1);
    expectChildOf(span as RecordedSpan, idsOf(parent));
    expect(spanHeader).toBe(span?.spanId);
    expect(span?.tags).toMatchObject({
      'http.url': `http://127.0.0.1:${port}/h2/path?q=1`,
      'http.status_code': 200,
      'peer.ipv4': '127.0.0.1',
    });
    tracing.expectAllFinishedOnce();
  });
});
