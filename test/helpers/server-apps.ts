/**
 * The same small app written for each server adapter, served on 127.0.0.1, so one test table
 * drives node:http, Express, Koa and Fastify alike. Routes (mounted under `/api` through each
 * framework's own mounting: an Express router, a Koa router prefix, a Fastify child plugin):
 *
 * - `GET  /api/users/:id`     → 200 `{ id, traceId, spanId }` of the current span
 * - `POST /api/work/:n`       → reads the JSON body (the framework's own parser), runs
 *                                `behaviour.work`, → 200 `{ n, body, result }`
 * - `GET  /api/fail/sync`     → the handler throws
 * - `GET  /api/fail/async`    → the handler rejects after an await
 * - `GET  /api/status/500`    → answers 500 itself
 * - `GET  /api/slow`          → never answers; resolves when the client has gone
 * - `GET  /health`            → runs `behaviour.health`, → 200 'ok'
 * - anything else             → 404
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import express, { type NextFunction, type Request, type Response } from 'express';
import express4 from 'express4';
import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import Koa from 'koa';
import Koa2 from 'koa2';
import { getCurrentSpan } from '../../src/context/index.js';
import {
  expressErrorTracing,
  expressTracing,
  fastifyTracing,
  koaTracing,
  type ServerTracingOptions,
  tracedRequestListener,
} from '../../src/server/index.js';

export interface Behaviour {
  work(n: number, body: unknown): Promise<unknown>;
  slowStarted(): void;
  health(): Promise<void>;
}

export interface RunningApp {
  readonly url: string;
  close(): Promise<void>;
}

/** Node's default limit is 16 KB for all headers; the tests send a 16 KB trace header on top. */
export const MAX_HEADER_SIZE = 64 * 1024;

export type AdapterName = 'http' | 'express' | 'express4' | 'koa' | 'koa2' | 'fastify' | 'fastify4';

// biome-ignore lint/suspicious/noExplicitAny: each adapter's options have their own request type.
export type AnyServerOptions = ServerTracingOptions<any, any>;

function currentIds(): { traceId: string | undefined; spanId: string | undefined } {
  const span = getCurrentSpan();
  return { traceId: span?.context().toTraceId(), spanId: span?.context().toSpanId() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listen(server: Server): Promise<RunningApp> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when the client has gone (the response closed without being sent). */
function clientGone(response: ServerResponse): Promise<void> {
  return response.destroyed ? Promise.resolve() : once(response, 'close').then(() => undefined);
}

// ---------------------------------------------------------------- node:http

/** The current span's id as a request event listener sees it (`undefined`: context lost). */
export const listenerSpans = new Map<string, string | undefined>();

function readBody(request: IncomingMessage): Promise<string> {
  // Plain listeners on the request's events: they run in Node's socket context unless the
  // adapter binds them, which is what the nesting tests prove.
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => {
      listenerSpans.set(request.url ?? '', currentIds().spanId);
      resolve(text);
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', typeof body === 'string' ? 'text/plain' : 'application/json');
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export async function startHttp(behaviour: Behaviour, options: AnyServerOptions = {}): Promise<RunningApp> {
  const listener = tracedRequestListener(async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] as string;
    const user = /^\/api\/users\/([^/]+)$/.exec(path);
    const work = /^\/api\/work\/(\d+)$/.exec(path);
    if (user !== null) return send(response, 200, { id: user[1], ...currentIds() });
    if (work !== null && request.method === 'POST') {
      const body: unknown = JSON.parse(await readBody(request));
      const result = await behaviour.work(Number(work[1]), body);
      return send(response, 200, { n: Number(work[1]), body, result });
    }
    if (path === '/api/fail/sync') throw new Error('sync boom');
    if (path === '/api/fail/async') {
      await sleep(1);
      throw new Error('async boom');
    }
    if (path === '/api/status/500') return send(response, 500, 'no');
    if (path === '/api/slow') {
      behaviour.slowStarted();
      return clientGone(response);
    }
    if (path === '/health') {
      await behaviour.health();
      return send(response, 200, 'ok');
    }
    return send(response, 404, 'not found');
  }, options);
  // The smallest "framework": what a listener throws or rejects with becomes a 500.
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_SIZE }, (request, response) => {
    const fail = () => {
      if (!response.headersSent) send(response, 500, 'error');
    };
    try {
      (listener(request, response) as Promise<unknown>).then(undefined, fail);
    } catch {
      fail();
    }
  });
  return listen(server);
}

// ---------------------------------------------------------------- Express

/** Express 4 does not catch rejected handlers: pass them on, which works the same on 5. */
const caught =
  (handler: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };

export async function startExpress(
  behaviour: Behaviour,
  options: AnyServerOptions = {},
  framework: typeof express = express,
): Promise<RunningApp> {
  const app = framework();
  app.use(expressTracing(options));
  const api = framework.Router();
  api.get('/users/:id', (req: Request, res: Response) => {
    res.json({ id: req.params.id, ...currentIds() });
  });
  api.post(
    '/work/:n',
    framework.json({ limit: '10mb' }),
    caught(async (req: Request, res: Response) => {
      // Runs from body-parser's `end` listener: no await since, so this is the listener's context.
      listenerSpans.set(req.originalUrl, currentIds().spanId);
      const n = Number(req.params.n);
      const result = await behaviour.work(n, req.body);
      res.json({ n, body: req.body, result });
    }),
  );
  api.get('/fail/sync', () => {
    throw new Error('sync boom');
  });
  api.get(
    '/fail/async',
    caught(async () => {
      await sleep(1);
      throw new Error('async boom');
    }),
  );
  api.get('/status/500', (_req: Request, res: Response) => {
    res.status(500).send('no');
  });
  api.get(
    '/slow',
    caught(async (_req: Request, res: Response) => {
      behaviour.slowStarted();
      await clientGone(res);
    }),
  );
  app.use('/api', api);
  const orgs = framework.Router({ mergeParams: true });
  orgs.get('/items/:id', (req: Request<{ org: string; id: string }>, res: Response) => {
    res.json({ org: req.params.org, id: req.params.id });
  });
  app.use('/orgs/:org', orgs);
  app.get(
    '/health',
    caught(async (_req: Request, res: Response) => {
      await behaviour.health();
      res.send('ok');
    }),
  );
  app.use(expressErrorTracing());
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).send('error');
  });
  return listen(http.createServer({ maxHeaderSize: MAX_HEADER_SIZE }, app));
}

// ---------------------------------------------------------------- Koa

async function readKoaBody(request: IncomingMessage): Promise<unknown> {
  return JSON.parse(await readBody(request));
}

export async function startKoa(
  behaviour: Behaviour,
  options: AnyServerOptions = {},
  framework: typeof Koa = Koa,
): Promise<RunningApp> {
  const app = new framework();
  app.silent = true;
  app.use(koaTracing(options));
  const router = new Router({ prefix: '/api' });
  router.get('/users/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, ...currentIds() };
  });
  router.post('/work/:n', async (ctx) => {
    const n = Number(ctx.params.n);
    const body = await readKoaBody(ctx.req);
    const result = await behaviour.work(n, body);
    ctx.body = { n, body, result };
  });
  router.get('/fail/sync', () => {
    throw new Error('sync boom');
  });
  router.get('/fail/async', async () => {
    await sleep(1);
    throw new Error('async boom');
  });
  router.get('/status/500', (ctx) => {
    ctx.status = 500;
    ctx.body = 'no';
  });
  router.get('/slow', async (ctx) => {
    behaviour.slowStarted();
    await clientGone(ctx.res);
  });
  app.use(router.routes());
  const orgs = new Router({ prefix: '/orgs/:org' });
  orgs.get('/items/:id', (ctx) => {
    ctx.body = { org: ctx.params.org, id: ctx.params.id };
  });
  app.use(orgs.routes());
  const health = new Router();
  health.get('/health', async (ctx) => {
    await behaviour.health();
    ctx.body = 'ok';
  });
  app.use(health.routes());
  return listen(http.createServer({ maxHeaderSize: MAX_HEADER_SIZE }, app.callback()));
}

// ---------------------------------------------------------------- Fastify

export async function startFastify(
  behaviour: Behaviour,
  options: AnyServerOptions = {},
  framework: typeof Fastify = Fastify,
): Promise<RunningApp> {
  const app = framework({ http: { maxHeaderSize: MAX_HEADER_SIZE }, bodyLimit: 10 * 1024 * 1024 });
  await app.register(fastifyTracing, options);
  // An encapsulated child plugin with a prefix: the tracing plugin must reach its routes.
  await app.register(
    async (api) => {
      api.get<{ Params: { id: string } }>('/users/:id', async (request) => ({
        id: request.params.id,
        ...currentIds(),
      }));
      api.post<{ Params: { n: string } }>('/work/:n', async (request) => {
        listenerSpans.set(request.url, currentIds().spanId);
        const n = Number(request.params.n);
        const result = await behaviour.work(n, request.body);
        return { n, body: request.body, result };
      });
      api.get('/fail/sync', () => {
        throw new Error('sync boom');
      });
      api.get('/fail/async', async () => {
        await sleep(1);
        throw new Error('async boom');
      });
      api.get('/status/500', async (_request, reply) => reply.code(500).send('no'));
      api.get('/slow', async (_request, reply) => {
        behaviour.slowStarted();
        await clientGone(reply.raw);
        return reply.hijack();
      });
    },
    { prefix: '/api' },
  );
  await app.register(
    async (orgs) => {
      orgs.get<{ Params: { org: string; id: string } }>('/items/:id', async (request) => request.params);
    },
    { prefix: '/orgs/:org' },
  );
  app.get('/health', async () => {
    await behaviour.health();
    return 'ok';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export const adapters: Record<AdapterName, (behaviour: Behaviour, options?: AnyServerOptions) => Promise<RunningApp>> =
  {
    http: startHttp,
    express: startExpress,
    express4: (behaviour, options) => startExpress(behaviour, options, express4),
    koa: startKoa,
    koa2: (behaviour, options) => startKoa(behaviour, options, Koa2),
    fastify: startFastify,
    fastify4: (behaviour, options) => startFastify(behaviour, options, Fastify4 as unknown as typeof Fastify),
  };

/** Route template each adapter reports for `/api/users/:id` (node:http has no router). */
export const userRoute: Record<AdapterName, string | undefined> = {
  http: undefined,
  express: '/api/users/:id',
  express4: '/api/users/:id',
  koa: '/api/users/:id',
  koa2: '/api/users/:id',
  fastify: '/api/users/:id',
  fastify4: '/api/users/:id',
};
