/**
 * The one lifecycle every server adapter shares: decide (ignored / not recorded / traced),
 * start the span from the request's headers, make it the current span for every event of
 * the request and the response, and finish it exactly once when the response has been sent
 * or the connection closed. Adapters only say where the request, the route and the errors
 * come from.
 *
 * Order per request: (1) `ignore`; (2) extract + start: when nothing records, stop here and
 * run the handler as it is; (3) the request's tags (URL, peer, caller, allow-listed headers);
 * (4) request hook; (5) trace response header; (6) bind the request's and response's events
 * to the span's context; (7) the handler runs inside `spanInContext(span)`; (8) on `finish`
 * or `close`: route name, status, error, `aborted`, response hook, finish.
 */
import type { Span } from 'opentracing';
import { bindToCurrentContext, spanInContext } from '../context/index.js';
import { guard, Instrumentation, recordError, SPAN_KIND, TAG } from '../core/index.js';
import { addTagsSafely, finishSafely, setOperationNameSafely, setTagSafely, traceIdOf } from '../core/span-ops.js';
import { requestTags, startServerSpan } from './before-request.js';
import { IncomingMessageRequest } from './request-wrapper.js';
import type {
  NodeRequest,
  NodeResponse,
  ServerRequestInfo,
  ServerResponseInfo,
  ServerTracingOptions,
} from './types.js';

/** `begin` result for a request the user's `ignore` matched. */
export const IGNORED: unique symbol = Symbol('traced-clients.server.ignored');

type AnyInstrumentation = Instrumentation<unknown, unknown>;

// Raw request → its traced request, so an inner adapter (Express under `tracedRequestListener`)
// reuses the outer span instead of nesting a second server span. Beside the object, never on it.
const active = new WeakMap<object, RequestSpan<unknown, unknown>>();

/** The server span of a request while it is being handled (`req`, Koa's `ctx.req`, Fastify's `request.raw`). */
export function serverSpanOf(request: NodeRequest): Span | undefined {
  return active.get(request)?.span;
}

/** The in-flight traced request of a raw request, if any. */
export function requestSpanOf(request: NodeRequest): RequestSpan<unknown, unknown> | undefined {
  return active.get(request);
}

const DEFAULT_TRACE_HEADER = 'x-trace-id';

function httpStatusOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' ? value : undefined;
}

const defaultIsError = (error: unknown): boolean => {
  const status = httpStatusOf(error);
  return status === undefined || status >= 500;
};
const defaultIsErrorStatus = (statusCode: number): boolean => statusCode >= 500;

/** One adapter's settings, merged once when the adapter is built. */
export class ServerTracing<Req, Res> {
  readonly instrumentation: AnyInstrumentation;
  readonly options: ServerTracingOptions<Req, Res>;
  private readonly traceHeader: string | undefined;
  readonly isError: (error: unknown) => boolean;
  readonly isErrorStatus: (statusCode: number) => boolean;

  constructor(component: string, options: ServerTracingOptions<Req, Res> = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${component} tracing expects an options object, got ${typeof options}`);
    }
    this.options = options;
    this.instrumentation = new Instrumentation<ServerRequestInfo<Req, Res>, ServerResponseInfo<Req, Res>>({
      component,
      spanKind: SPAN_KIND.SERVER,
      options: {
        tracer: options.tracer,
        tags: options.tags,
        onInstrumentationError: options.onInstrumentationError,
        operationName: options.operationName,
        requestHook: options.requestHook,
        responseHook: options.responseHook,
        // A server span is what gives the handler's client calls a parent: never skipped.
        requireParentSpan: false,
      },
    }) as AnyInstrumentation;
    const header = options.traceResponseHeader;
    this.traceHeader = header === true ? DEFAULT_TRACE_HEADER : typeof header === 'string' ? header : undefined;
    this.isError = options.isError ?? defaultIsError;
    this.isErrorStatus = options.isErrorStatus ?? defaultIsErrorStatus;
  }

  /**
   * Starts tracing one request. Returns `IGNORED` (run the handler with no current span),
   * `undefined` (nothing recorded: run the handler as it is), or the traced request.
   */
  begin(
    rawRequest: NodeRequest,
    rawResponse: NodeResponse,
    request: Req,
    response: Res,
    route?: string,
  ): RequestSpan<Req, Res> | typeof IGNORED | undefined {
    const outer = active.get(rawRequest);
    if (outer !== undefined) return outer as unknown as RequestSpan<Req, Res>;
    const ignore = this.options.ignore;
    if (ignore !== undefined && guard('ignore', () => ignore(request), this.instrumentation.onError) === true) {
      bindEvents(rawRequest, rawResponse, null);
      return IGNORED;
    }
    const info: ServerRequestInfo<Req, Res> = { request, response, method: rawRequest.method ?? 'GET', route };
    const name = this.operationName(info);
    const onError = this.instrumentation.onError;
    const span = startServerSpan(this.instrumentation, rawRequest.headers, name);
    if (span === undefined) return undefined;
    // Only now, with a span that records, is the request's URL and peer worked out.
    const wrapper = new IncomingMessageRequest(rawRequest, { trustProxy: this.options.trustProxy });
    addTagsSafely(span, requestTags(wrapper, this.options.headerTags), onError);
    const traced = new RequestSpan<Req, Res>(this, span, rawRequest, rawResponse, info, name);
    active.set(rawRequest, traced as unknown as RequestSpan<unknown, unknown>);
    if (route !== undefined) setTagSafely(span, TAG.HTTP_ROUTE, route, onError);
    this.instrumentation.requestHook(span, info);
    if (this.traceHeader !== undefined) this.sendTraceId(span, rawResponse, this.traceHeader);
    bindEvents(rawRequest, rawResponse, span);
    // `finish`: the response was handed to the OS. `close` without `finish`: the client left.
    rawResponse.once('finish', () => traced.end(false));
    rawResponse.once('close', () => traced.end(rawResponse.writableFinished !== true));
    return traced;
  }

  /** The operation name for what is known of the request now. */
  operationName(info: ServerRequestInfo<Req, Res>): string {
    const fallback = info.route === undefined ? info.method : `${info.method} ${info.route}`;
    return this.instrumentation.operationName(fallback, info);
  }

  private sendTraceId(span: Span, response: NodeResponse, header: string): void {
    const traceId = traceIdOf(span, this.instrumentation.onError);
    if (traceId === undefined || response.headersSent) return;
    guard('traceResponseHeader', () => response.setHeader(header, traceId), this.instrumentation.onError);
  }
}

/**
 * Every listener of the request's and the response's events (a body parser's `data`/`end`,
 * `finish`) runs in the span's context, whoever added it and whenever: Node emits them from
 * the socket's context, where the span would be lost. One bound `emit` per object, made with
 * `AsyncLocalStorage.bind` so the user's own stores travel along too.
 */
function bindEvents(request: NodeRequest, response: NodeResponse, span: Span | null): void {
  spanInContext(span, () => {
    request.emit = bindToCurrentContext(request.emit);
    response.emit = bindToCurrentContext(response.emit);
  });
}

/** One traced request in flight. */
export class RequestSpan<Req, Res> {
  private ended = false;
  private error: unknown;
  /** Set by adapters whose framework matches the route after the span started (Express, Koa). */
  routeOf: (() => string | undefined) | undefined;

  constructor(
    private readonly tracing: ServerTracing<Req, Res>,
    readonly span: Span,
    private readonly request: NodeRequest,
    private readonly response: NodeResponse,
    private info: ServerRequestInfo<Req, Res>,
    private name: string,
  ) {}

  /** Records a handler error (once; the first one wins). The span stays open until the response is over. */
  fail(error: unknown): void {
    if (this.ended || this.error !== undefined) return;
    this.error = error;
    const { instrumentation, isError } = this.tracing;
    if (guard('isError', () => isError(error), instrumentation.onError) === true) {
      recordError(this.span, error, { onError: instrumentation.onError });
    }
  }

  /** Finishes the span, exactly once. */
  end(aborted: boolean): void {
    if (this.ended) return;
    this.ended = true;
    active.delete(this.request);
    const { span, response, tracing } = this;
    const { instrumentation } = tracing;
    const onError = instrumentation.onError;
    const routeOf = this.routeOf;
    if (routeOf !== undefined && this.info.route === undefined) {
      const route = guard('route', routeOf, onError);
      if (route !== undefined && route !== '') {
        // A spread that only replaces a key (`route` is one, as `undefined`) stays fast.
        this.info = { ...this.info, route };
        setTagSafely(span, TAG.HTTP_ROUTE, route, onError);
        const name = tracing.operationName(this.info);
        if (name !== this.name) {
          this.name = name;
          setOperationNameSafely(span, name, onError);
        }
      }
    }
    // A status only counts once it was sent: an aborted request may have set one it never sent.
    const statusCode = response.headersSent ? response.statusCode : undefined;
    if (statusCode !== undefined) {
      setTagSafely(span, TAG.HTTP_STATUS_CODE, statusCode, onError);
      if (guard('isErrorStatus', () => tracing.isErrorStatus(statusCode), onError) === true) {
        setTagSafely(span, TAG.ERROR, true, onError);
      }
    }
    if (aborted) setTagSafely(span, 'aborted', true, onError);
    if (instrumentation.options.responseHook !== undefined) {
      // Spelled out, not a spread that adds keys (V8's slow path, see extensibleCopy: ~3 µs for
      // these three); every key is required, so none can be forgotten.
      const { request, response: res, method, route } = this.info;
      const info: ServerResponseInfo<Req, Res> = {
        request,
        response: res,
        method,
        route,
        statusCode,
        aborted,
        error: this.error,
      };
      instrumentation.responseHook(span, info);
    }
    finishSafely(span, onError);
  }
}
