import type { Context, Middleware, Next } from 'koa';
import { spanInContext } from '../context/index.js';
import { IGNORED, ServerTracing } from './server-span.js';
import type { ServerTracingOptions } from './types.js';

/** Options of {@link koaTracing}: `ignore` and the hooks receive Koa's `Context`. */
export type KoaTracingOptions = ServerTracingOptions<Context, Context['response']>;

/** The route `@koa/router` matched (`ctx._matchedRoute`), when it is a template string. */
function koaRoute(context: Context): string | undefined {
  const route = (context as { _matchedRoute?: unknown })._matchedRoute;
  return typeof route === 'string' ? route : route instanceof RegExp ? String(route) : undefined;
}

/**
 * Koa (2 and 3) middleware that gives every request a server span (`component: koa`),
 * current for every middleware after it, named `METHOD /route/:template` when `@koa/router`
 * matched a route. Errors thrown downstream are recorded and re-thrown unchanged, so Koa's
 * own error handling answers as before. Add it first.
 *
 * @example
 * const app = new Koa();
 * app.use(koaTracing());
 * app.use(router.routes()); // router.get('/users/:id', …) → span "GET /users/:id"
 */
export function koaTracing(options: KoaTracingOptions = {}): Middleware {
  const tracing = new ServerTracing<Context, Context['response']>('koa', options);
  return function koaTracingMiddleware(context: Context, next: Next): Promise<unknown> | unknown {
    const handle = tracing.begin(context.req, context.res, context, context.response);
    if (handle === undefined) return next();
    if (handle === IGNORED) return spanInContext(null, next);
    handle.routeOf ??= () => koaRoute(context);
    return spanInContext(handle.span, next).then(undefined, (error: unknown) => {
      handle.fail(error);
      throw error;
    });
  };
}
