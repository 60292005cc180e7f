/**
 * `tracedDispatcher`: an undici dispatcher (Agent, Pool, Client…) whose every dispatched
 * request is a client span. The result is the dispatcher itself behind a Proxy that differs
 * only in `dispatch` (the shape of undici's own `Dispatcher.compose`), so it is a real
 * `Dispatcher` of the same class: `request`, `stream`, `pipeline`, `fetch` (as `dispatcher`
 * or the global dispatcher) all go through it.
 *
 * Not `compose` itself: a composed dispatcher converts every legacy handler (`undici.request`'s,
 * fetch's) to the new handler API and back, response headers included, and measured with an
 * identity interceptor that alone costs ~8% of a pool's throughput at 64 in flight. The
 * caller's handler is wrapped in its own API instead, so undici sees the shape it would see
 * untraced.
 */
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { copyWith, isTraced, registerTraced } from '../../core/index.js';
import { type HttpCall, HttpClientTracing, type OutgoingRequest } from './http-span.js';
import { httpState } from './http-state.js';
import type { DispatchOptionsLike, OriginCarrier } from './internal-types.js';
import { HeaderView, httpRequestInfo, withDispatchHeaders } from './request-info.js';
import type { DispatcherTracingOptions, HttpHeaderReader, HttpRequestInfo, HttpResponseLike } from './types.js';

/**
 * The origin a Pool or Client sends to when the dispatch options name none. undici keeps it
 * under a private `Symbol('url')`; read once, when wrapping. An Agent has none (every request
 * names its origin).
 */
function ownOrigin(dispatcher: object): string | undefined {
  for (const key of Object.getOwnPropertySymbols(dispatcher)) {
    if (key.description !== 'url') continue;
    const value = (dispatcher as OriginCarrier)[key];
    if (value instanceof URL) return value.origin;
  }
  return undefined;
}

function originText(origin: DispatchOptionsLike['origin'], fallback: string | undefined): string | undefined {
  if (origin === undefined || origin === null) return fallback;
  if (typeof origin !== 'string') return origin instanceof URL ? origin.origin : fallback;
  return origin.endsWith('/') ? origin.slice(0, -1) : origin;
}

/**
 * One dispatched request as the span needs it. Only the method is read up front; the URL,
 * origin and hook info are built on first read, which happens only when a span records (or
 * a hook asks): the no-op path allocates nothing else.
 */
class DispatchRequest implements OutgoingRequest {
  readonly method: string;
  readonly headers: unknown;
  private builtInfo: HttpRequestInfo | undefined;
  private builtOrigin: string | undefined;
  private builtUrl: string | undefined;

  constructor(
    private readonly opts: DispatchOptionsLike,
    private readonly fallbackOrigin: string | undefined,
  ) {
    this.method = typeof opts.method === 'string' ? opts.method : 'GET';
    this.headers = opts.headers;
  }

  get origin(): string {
    // Without an origin there is no peer (and the URL is the path alone, not parsed as one).
    this.builtOrigin ??= originText(this.opts.origin, this.fallbackOrigin) ?? '';
    return this.builtOrigin;
  }

  get target(): string {
    this.builtUrl ??= this.origin + (typeof this.opts.path === 'string' ? this.opts.path : '');
    return this.builtUrl;
  }

  get info(): HttpRequestInfo {
    this.builtInfo ??= httpRequestInfo(this.method, this.target, this.headers, 'undici');
    return this.builtInfo;
  }
}

/** The response head a dispatcher hands its hooks: `Response`'s shape, the body left alone. */
class DispatchResponse implements HttpResponseLike {
  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly rawHeaders: unknown,
    readonly url: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get headers(): HttpHeaderReader {
    return new HeaderView(this.rawHeaders);
  }
}

/**
 * Sits between undici and the caller's handler: settles the span when the response head
 * arrives (or the request fails), and forwards every event unchanged.
 */
class TracedHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly call: HttpCall,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    socket: Duplex,
  ): void {
    this.call.respond(new DispatchResponse(statusCode, '', headers, this.call.info.url));
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    // 1xx informational heads (103 Early Hints) come before the real one.
    if (statusCode >= 200) {
      this.call.respond(new DispatchResponse(statusCode, statusMessage ?? '', headers, this.call.info.url));
    }
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Record<string, string | string[] | undefined>,
  ): void {
    this.handler.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.call.fail(error, controller);
    this.handler.onResponseError?.(controller as Dispatcher.DispatchController, error);
  }
}

/** The handler API undici had before 7 (and still accepts, and uses for `request`/`stream`). */
interface LegacyHandler {
  // Called unconditionally by undici (a handler without one fails there, traced or not).
  onConnect(abort: (reason?: Error) => void, context?: unknown): unknown;
  onError(error: Error): unknown;
  onUpgrade(statusCode: number, rawHeaders: unknown, socket: Duplex): unknown;
  onHeaders(statusCode: number, rawHeaders: unknown, resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: unknown): unknown;
  // Called only when present.
  onResponseStarted?(): unknown;
  onBodySent?(chunk: unknown): unknown;
  onRequestSent?(): unknown;
}

/**
 * {@link TracedHandler} for a legacy handler: the same settling, every call forwarded as it
 * came (return values included: `false` from `onHeaders`/`onData` pauses the response). The
 * methods undici calls unconditionally are called the same way here, so a handler that lacks
 * one fails as it would untraced.
 */
class TracedLegacyHandler implements LegacyHandler {
  constructor(
    private readonly handler: LegacyHandler,
    private readonly call: HttpCall,
  ) {}

  onConnect(abort: (reason?: Error) => void, context?: unknown): unknown {
    return this.handler.onConnect(abort, context);
  }

  onError(error: Error): unknown {
    this.call.fail(error);
    // undici raises the error itself when a handler has no onError (so does its own WrapHandler).
    if (typeof this.handler.onError !== 'function') throw error;
    return this.handler.onError(error);
  }

  onUpgrade(statusCode: number, rawHeaders: unknown, socket: Duplex): unknown {
    this.call.respond(new DispatchResponse(statusCode, '', rawHeaders, this.call.info.url));
    return this.handler.onUpgrade(statusCode, rawHeaders, socket);
  }

  onResponseStarted(): unknown {
    return this.handler.onResponseStarted?.();
  }

  onHeaders(statusCode: number, rawHeaders: unknown, resume: () => void, statusText: string): boolean {
    // 1xx informational heads (103 Early Hints) come before the real one.
    if (statusCode >= 200) {
      this.call.respond(new DispatchResponse(statusCode, statusText ?? '', rawHeaders, this.call.info.url));
    }
    return this.handler.onHeaders(statusCode, rawHeaders, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    return this.handler.onData(chunk);
  }

  onComplete(trailers: unknown): unknown {
    return this.handler.onComplete(trailers);
  }

  onBodySent(chunk: unknown): unknown {
    return this.handler.onBodySent?.(chunk);
  }

  onRequestSent(): unknown {
    return this.handler.onRequestSent?.();
  }
}

function isNewStyleHandler(handler: object): handler is Dispatcher.DispatchHandler {
  return typeof (handler as Dispatcher.DispatchHandler).onRequestStart === 'function';
}

/**
 * Returns `dispatcher` traced: the same object, class and type behind a Proxy that replaces
 * only `dispatch` (as undici's own `compose` does), every dispatched request a client span named after its
 * method (`GET`, or `GET:endpoint` with a callee-endpoint header), child of the current span,
 * with the trace context added to a copy of the request headers. The span finishes when the
 * response head arrives or the request fails. Requests made by a `tracedFetch` call pass
 * through without a second span (the fetch span is theirs).
 *
 * @example
 * import { Agent, request, setGlobalDispatcher } from 'undici';
 * const agent = tracedDispatcher(new Agent(), { peerService: 'inventory' });
 * await request('http://inventory.internal/items', { dispatcher: agent });
 * setGlobalDispatcher(tracedDispatcher(new Agent())); // also traces Node's global fetch
 */
export function tracedDispatcher<T extends Dispatcher>(dispatcher: T, options?: DispatcherTracingOptions): T {
  if (isTraced(dispatcher)) return dispatcher;
  if (dispatcher === null || typeof dispatcher !== 'object' || typeof dispatcher.dispatch !== 'function') {
    throw new TypeError(
      `tracedDispatcher expects an undici Dispatcher (Agent, Pool, Client…), got ${dispatcher === null ? 'null' : typeof dispatcher}`,
    );
  }
  const tracing = new HttpClientTracing('undici', options);
  httpState.dispatcherTraced = true;
  const fallbackOrigin = ownOrigin(dispatcher);
  const { fetchScope } = httpState;
  const target = dispatcher as unknown as { dispatch: (opts: unknown, handler: unknown) => boolean };
  const rawDispatch = (opts: unknown, handler: unknown): boolean => target.dispatch(opts, handler);

  const tracedDispatch = function dispatch(opts: DispatchOptionsLike, handler: object): boolean {
    if (
      opts === null ||
      typeof opts !== 'object' ||
      handler === null ||
      typeof handler !== 'object' ||
      fetchScope.getStore() === true ||
      tracing.recordsNothing()
    ) {
      // Invalid arguments go to undici untouched, to fail exactly as they would untraced.
      return target.dispatch(opts, handler);
    }
    const request = new DispatchRequest(opts, fallbackOrigin);
    const span = tracing.start(request);
    if (span === undefined) return target.dispatch(opts, handler);
    const call = tracing.call(span, request.info, opts.signal);
    const headers = withDispatchHeaders(opts.headers, tracing.inject(span));
    const tracedOpts = headers === opts.headers ? opts : copyWith(opts, 'headers', headers);
    const tracedHandler = isNewStyleHandler(handler)
      ? new TracedHandler(handler, call)
      : new TracedLegacyHandler(handler as LegacyHandler, call);
    return call.run(rawDispatch, undefined, [tracedOpts, tracedHandler]);
  };

  // Everything but `dispatch` is the dispatcher's own, called with `this` = the proxy, so
  // `request`, `stream`, `pipeline` and the global fetch reach the traced `dispatch`.
  const traced = new Proxy(dispatcher, {
    get: (object, key) => (key === 'dispatch' ? tracedDispatch : Reflect.get(object, key)),
  });
  return registerTraced(traced, dispatcher);
}
