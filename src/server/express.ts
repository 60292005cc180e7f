import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { spanInContext } from '../context/index.js';
import { IGNORED, requestSpanOf, ServerTracing } from './server-span.js';
import type { ServerTracingOptions } from './types.js';

/** Options of {@link expressTracing}. */
export type ExpressTracingOptions = ServerTracingOptions<Request, Response>;

/** `req.baseUrl` + the matched route's path, e.g. `/api/users/:id`; `undefined` before a route matched. */
function expressRoute(request: Request): string | undefined {
  const route = (request as { route?: { path?: unknown } }).route;
  if (route === undefined || route === null) return undefined;
  const path = route.path;
  const template = typeof path === 'string' ? path : Array.isArray(path) ? path.join(',') : String(path);
  return `${request.baseUrl ?? ''}${template}`;
}

/**
 * Express (4 and 5) middleware that gives every request a server span (`component: express`),
 * current for every middleware and handler after it, named `METHOD /route/:template`
 * (mount paths included) once a route has matched. Add it first. Statuses >= 500 mark the
 * span as an error; add {@link expressErrorTracing} after your routes to also record the
 * handler's error itself.
 *
 * @example
 * const app = express();
 * app.use(expressTracing({ ignore: (req) => req.path === '/health' }));
 * app.get('/users/:id', async (req, res) => res.json(await db.query('…'))); // span "GET /users/:id"
 * app.use(expressErrorTracing());
 */
export function expressTracing(options: ExpressTracingOptions = {}): RequestHandler {
  const tracing = new ServerTracing<Request, Response>('express', options);
  return function expressTracingMiddleware(request: Request, response: Response, next: NextFunction): void {
    const handle = tracing.begin(request, response, request, response);
    if (handle === undefined) return next();
    if (handle === IGNORED) return spanInContext(null, next);
    handle.routeOf ??= () => expressRoute(request);
    spanInContext(handle.span, next);
  };
}

/**
 * Express error middleware that records the handler's error (tag `error` and an error log) on
 * the request's server span, then passes it on unchanged. Add it after your routes and
 * before your own error handlers.
 *
 * @example
 * app.use(expressErrorTracing());
 * app.use((err, req, res, next) => res.status(500).json({ message: 'oops' }));
 */
export function expressErrorTracing(): ErrorRequestHandler {
  return function expressErrorTracingMiddleware(
    error: unknown,
    request: Request,
    _response: Response,
    next: NextFunction,
  ): void {
    requestSpanOf(request)?.fail(error);
    next(error);
  };
}
