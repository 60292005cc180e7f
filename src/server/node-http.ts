import { spanInContext } from '../context/index.js';
import { isThenable } from '../core/index.js';
import { IGNORED, ServerTracing } from './server-span.js';
import type { NodeRequest, NodeResponse, ServerTracingOptions } from './types.js';

/** Options of {@link tracedRequestListener}. */
export type RequestListenerTracingOptions = ServerTracingOptions<NodeRequest, NodeResponse>;

/** A `request` listener of `http`, `https` or the `http2` compatibility API (an Express or Koa `callback()` app too). */
// biome-ignore lint/suspicious/noExplicitAny: any listener signature; the traced one keeps it.
export type RequestListenerLike = (request: any, response: any, ...rest: any[]) => unknown;

/**
 * Traces every request a `request` listener handles, for `http.createServer`,
 * `https.createServer` and `http2.createServer`/`createSecureServer` (compatibility API).
 * The server span (`component: http`, named after the method) is the current span for
 * everything the listener does, also in its request and response event handlers; it
 * finishes when the response has been sent or the connection closed. The returned listener
 * has the same type; a listener that throws or rejects still does, with the same error.
 *
 * @example
 * const server = http.createServer(tracedRequestListener(async (req, res) => {
 *   const rows = await db.query('SELECT 1'); // a child of the server span
 *   res.end(JSON.stringify(rows));
 * }, { ignore: (req) => req.url === '/health' }));
 */
export function tracedRequestListener<L extends RequestListenerLike>(
  listener: L,
  options: RequestListenerTracingOptions = {},
): L {
  if (typeof listener !== 'function') {
    throw new TypeError(`tracedRequestListener expects a request listener function, got ${typeof listener}`);
  }
  const tracing = new ServerTracing<NodeRequest, NodeResponse>('http', options);
  const traced = function (this: unknown, request: NodeRequest, response: NodeResponse, ...rest: unknown[]): unknown {
    const args = [request, response, ...rest];
    const handle = tracing.begin(request, response, request, response);
    if (handle === undefined) return Reflect.apply(listener, this, args);
    if (handle === IGNORED) return spanInContext(null, () => Reflect.apply(listener, this, args));
    let result: unknown;
    try {
      result = spanInContext(handle.span, () => Reflect.apply(listener, this, args));
    } catch (error) {
      handle.fail(error);
      throw error;
    }
    if (!isThenable(result)) return result;
    // Whoever holds the result (an emitter with `captureRejections`, or nobody: an unhandled
    // rejection) sees the same error as without tracing.
    return result.then(undefined, (error: unknown) => {
      handle.fail(error);
      throw error;
    });
  };
  Object.defineProperty(traced, 'name', { value: listener.name });
  Object.defineProperty(traced, 'length', { value: listener.length });
  return traced as L;
}
