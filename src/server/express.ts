import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { spanInContext } from '../context/index.js';
import { IGNORED, requestSpanOf, ServerTracing } from './server-span.js';
import type { ServerTracingOptions } from './types.js';

/** Options of {@link expressTracing}. */
export type ExpressTracingOptions = ServerTracingOptions<Request, Response>;

/** What the route search reads of Express's router layers (never exported). */
interface LayerLike {
  readonly route?: unknown;
  readonly rawPath?: unknown;
  readonly handle?: { readonly stack?: unknown };
}

// Route object → its full template (mount paths included). Routes live as long as the app.
// (A router mounted at two paths reports the first one: the route object is the same.)
const templates = new WeakMap<object, string | null>();

/**
 * The mount-path templates above `route` (`/orgs/:org/api`), found by walking the app's
 * router stack (Express 5 keeps each layer's `rawPath`). `req.baseUrl` would give the
 * concrete path (`/orgs/acme/api`), and only until an error leaves the mounted router.
 */
function mountTemplate(stack: unknown, route: object, prefix: string, depth: number): string | undefined {
  if (!Array.isArray(stack) || depth > 16) return undefined;
  for (const layer of stack as LayerLike[]) {
    if (layer.route === route) return prefix;
    const inner = layer.handle?.stack;
    if (Array.isArray(inner) && typeof layer.rawPath === 'string') {
      const found = mountTemplate(inner, route, layer.rawPath === '/' ? prefix : prefix + layer.rawPath, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function appStack(request: Request): unknown {
  const app = request.app as unknown as { _router?: { stack?: unknown }; router?: { stack?: unknown } } | undefined;
  if (app === undefined) return undefined;
  // Express 4 keeps `_router` (and its `app.router` getter throws); Express 5 has `router`.
  return '_router' in app ? app._router?.stack : app.router?.stack;
}

/** The matched route's template with its mount paths, e.g. `/api/users/:id`; `undefined` before a route matched. */
function expressRoute(request: Request): string | undefined {
  const route = (request as { route?: { path?: unknown } }).route;
  if (route === undefined || route === null || typeof route !== 'object') return undefined;
  let template = templates.get(route);
  if (template === undefined) {
    const path = route.path;
    const own = typeof path === 'string' ? path : Array.isArray(path) ? path.join(',') : String(path);
    const mount = mountTemplate(appStack(request), route, '', 0);
    // Express 4 layers keep no path template: fall back to the concrete mount path.
    template = mount === undefined ? null : mount + own;
    if (template !== null) templates.set(route, template);
    else return `${request.baseUrl ?? ''}${own}`;
  }
  return template ?? undefined;
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
    if (handle === undefined) next();
    else if (handle === IGNORED) spanInContext(null, next);
    else {
      handle.routeOf ??= () => expressRoute(request);
      spanInContext(handle.span, next);
    }
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
