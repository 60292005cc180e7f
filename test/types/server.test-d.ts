import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import Router from '@koa/router';
import express, { type Request, type RequestHandler } from 'express';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import Koa, { type Context, type Middleware } from 'koa';
import type { Span } from 'opentracing';
import { describe, expectTypeOf, it } from 'vitest';
import {
  beforeRequest,
  expressErrorTracing,
  expressTracing,
  fastifyTracing,
  IncomingMessageRequest,
  koaTracing,
  type RequestWrapper,
  serverSpanOf,
  tracedRequestListener,
} from '../../src/index.js';

describe('server types', () => {
  it('tracedRequestListener returns the listener type it was given', () => {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      res.end(req.url);
    };
    expectTypeOf(tracedRequestListener(listener)).toEqualTypeOf(listener);
    http.createServer(tracedRequestListener(listener));
    const app = express();
    expectTypeOf(tracedRequestListener(app)).toEqualTypeOf(app);
    http.createServer(tracedRequestListener(app));
    const h2 = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => res.end(req.url);
    http2.createServer(tracedRequestListener(h2));
    tracedRequestListener(listener, {
      ignore: (request) => {
        expectTypeOf(request.url).toEqualTypeOf<string | undefined>();
        return false;
      },
    });
  });

  it('expressTracing is Express middleware; options see Express requests', () => {
    const app = express();
    expectTypeOf(expressTracing()).toEqualTypeOf<RequestHandler>();
    app.use(expressTracing({ ignore: (req) => req.path === '/health', headerTags: ['x-request-id'] }));
    app.use(expressErrorTracing());
    expressTracing({
      ignore: (req) => {
        expectTypeOf(req).toEqualTypeOf<Request>();
        return false;
      },
      responseHook: (span, info) => {
        expectTypeOf(span).toEqualTypeOf<Span>();
        expectTypeOf(info.statusCode).toEqualTypeOf<number | undefined>();
        expectTypeOf(info.route).toEqualTypeOf<string | undefined>();
      },
    });
  });

  it('koaTracing is Koa middleware; options see the Koa context', () => {
    const app = new Koa();
    expectTypeOf(koaTracing()).toEqualTypeOf<Middleware>();
    app.use(koaTracing({ ignore: (ctx) => ctx.path === '/health' }));
    app.use(new Router().routes());
    koaTracing({
      ignore: (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<Context>();
        return false;
      },
    });
  });

  it('fastifyTracing registers with typed options', async () => {
    const app = Fastify();
    await app.register(fastifyTracing, { ignore: (request) => request.url === '/health', trustProxy: true });
    await app.register(fastifyTracing, {
      requestHook: (_span, info) => {
        expectTypeOf(info.request).toEqualTypeOf<FastifyRequest>();
        expectTypeOf(info.response).toEqualTypeOf<FastifyReply>();
      },
    });
    // @ts-expect-error: not an option
    await app.register(fastifyTracing, { notAnOption: true });
  });

  it('beforeRequest takes any RequestWrapper and returns a Span', () => {
    const wrapper: RequestWrapper = new IncomingMessageRequest({} as IncomingMessage);
    expectTypeOf(beforeRequest(wrapper)).toEqualTypeOf<Span>();
    expectTypeOf(serverSpanOf({} as IncomingMessage)).toEqualTypeOf<Span | undefined>();
  });
});
