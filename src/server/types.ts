import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Tracer } from 'opentracing';
import type { HeaderValue, InstrumentationErrorHandler, RequestHook, ResponseHook, TagMap } from '../core/index.js';

/** A request as Node's `http`/`https` server or the `http2` compatibility API gives it. */
export type NodeRequest = IncomingMessage | Http2ServerRequest;

/** A response as Node's `http`/`https` server or the `http2` compatibility API gives it. */
export type NodeResponse = ServerResponse | Http2ServerResponse;

/**
 * Who may set `X-Forwarded-Proto`/`-Host`/`-For` and `Forwarded`: nobody (`false`, the
 * default), every peer (`true`, when the app only ever sits behind a proxy), or the peers a
 * function accepts, given the socket's remote address.
 */
export type TrustProxy = boolean | ((remoteAddress: string | undefined) => boolean);

/**
 * What {@link beforeRequest} needs to know about an inbound request: the TypeScript
 * counterpart of the Python original's `AbstractRequestWrapper`. Implement it for any server
 * the adapters do not cover; `IncomingMessageRequest` implements it for Node's requests.
 */
export interface RequestWrapper {
  /** `GET`, `POST`… */
  readonly method: string;
  /** The URL the client asked for, scheme and host included (recorded redacted). */
  readonly fullUrl: string;
  /** Request headers, names in lower case; the trace context is extracted from them. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** The peer's IP address (IPv4 or IPv6). */
  readonly remoteIp: string | undefined;
  readonly remotePort: number | undefined;
  /** The calling service's name (`peer.service`), from `configure({ callerNameHeaders })`. */
  readonly callerName: string | undefined;
  /** The span's operation name. */
  readonly operation: string;
}

/** What `ignore`, `operationName` and the request hook of an adapter receive. */
export interface ServerRequestInfo<Req, Res> {
  /** The framework's request: `IncomingMessage`, Express `Request`, Koa `Context`, `FastifyRequest`. */
  readonly request: Req;
  /** The framework's response: `ServerResponse`, Express `Response`, Koa `Response`, `FastifyReply`. */
  readonly response: Res;
  readonly method: string;
  /** The route template (`/users/:id`), once the framework has matched one. */
  readonly route: string | undefined;
}

/** What the response hook of an adapter receives, when the response is over. */
export interface ServerResponseInfo<Req, Res> extends ServerRequestInfo<Req, Res> {
  /** The status sent; `undefined` when the client left before the headers went out. */
  readonly statusCode: number | undefined;
  /** The client disconnected before the response was sent. */
  readonly aborted: boolean;
  /** The handler's error, when one reached the adapter. */
  readonly error: unknown;
}

/** Options every server adapter accepts. */
export interface ServerTracingOptions<Req, Res> {
  /**
   * The tracer for server spans.
   * @default `configure({ tracer })`, else `opentracing.globalTracer()` read per request
   */
  readonly tracer?: Tracer;
  /** Extra tags on every server span. */
  readonly tags?: TagMap;
  /**
   * Requests to leave untraced (health checks): no span is started, and the handler runs with
   * no current span, so client calls made in it start new traces, or are skipped when
   * `configure({ requireParentSpan: true })` (or the client's `requireParentSpan`) is set.
   * @default none
   */
  readonly ignore?: (request: Req) => boolean;
  /**
   * The span's operation name, fixed or computed. A function is called when the span starts
   * and again when the route becomes known (Express, Koa), and may read `info.route`.
   * @default `METHOD /route/:template` when the framework matched a route, else `METHOD`
   */
  readonly operationName?: string | ((info: ServerRequestInfo<Req, Res>) => string);
  /** Runs when the span has started, before the handler. Isolated: a throw is reported, not raised. */
  readonly requestHook?: RequestHook<ServerRequestInfo<Req, Res>>;
  /** Runs when the response is over, before the span finishes. Isolated like `requestHook`. */
  readonly responseHook?: ResponseHook<ServerResponseInfo<Req, Res>>;
  /**
   * Request headers to record as `http.request.header.<name>` tags. Headers in
   * `configure({ redactedHeaders })` (`authorization`, `cookie`…) are never recorded.
   * @default []
   */
  readonly headerTags?: readonly string[];
  /**
   * Whether `X-Forwarded-Proto`/`-Host`/`-For` and `Forwarded` are believed when building
   * `http.url` and `peer.*`. Leave it off unless a proxy you control sets them.
   * @default false
   */
  readonly trustProxy?: TrustProxy;
  /**
   * Send the trace id back in this response header (`true` means `x-trace-id`).
   * @default false
   */
  readonly traceResponseHeader?: boolean | string;
  /**
   * Which response statuses mark the span as an error.
   * @default status >= 500
   */
  readonly isErrorStatus?: (statusCode: number) => boolean;
  /**
   * Which handler errors are recorded as errors (tag and log).
   * @default every error except those carrying an HTTP `status`/`statusCode` below 500
   */
  readonly isError?: (error: unknown) => boolean;
  /** Fault handler for this adapter. @default `configure({ onInstrumentationError })` */
  readonly onInstrumentationError?: InstrumentationErrorHandler;
}
