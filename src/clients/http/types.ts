import type { Span } from 'opentracing';
import type { CurrentSpanResult } from '../../context/index.js';
import type { ClientTracingOptions, RequestHook, TagMap, TracingOptions } from '../../core/index.js';

/** Read access to headers, case-insensitive; the shape of `Headers.get`. */
export interface HttpHeaderReader {
  /** The header's value (several values joined with `, `), or `null` when absent. */
  get(name: string): string | null;
}

/** What the hooks and the operation-name function learn about an outgoing request. */
export interface HttpRequestInfo {
  /** The method as sent (`GET`, `POST`…). */
  readonly method: string;
  /**
   * The full URL as requested, **not** redacted (hooks are your own code; only tags are
   * redacted). For a dispatcher without a known origin, just the path.
   */
  readonly url: string;
  /** The headers the caller set, before the trace context is added. */
  readonly headers: HttpHeaderReader;
  /** `fetch`, `undici`, or the `component` given to `beforeHttpRequest`. */
  readonly component: string;
}

/**
 * The response as hooks see it: a `Response` for `tracedFetch` (the very object fetch
 * resolved with), a light object of the same shape for dispatchers, whose body is still the
 * caller's to read.
 */
export interface HttpResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  /** The final URL (after redirects, for fetch). */
  readonly url: string;
  readonly headers: HttpHeaderReader;
}

/** The info object of a per-client `responseHook`. */
export interface HttpResponseInfo {
  readonly request: HttpRequestInfo;
  readonly response: HttpResponseLike;
}

/**
 * The process-wide response handler (the Python original's `set_response_handler_hook`):
 * called with every response of every traced HTTP client that has no `responseHook` of its
 * own, before the span finishes. A hook that throws is reported and the request goes on.
 */
export type ResponseHandlerHook = (response: HttpResponseLike, span: Span) => void;

/** Options of `tracedFetch` and `tracedDispatcher`. */
export interface HttpClientTracingOptions extends ClientTracingOptions<HttpRequestInfo, HttpResponseInfo> {
  /**
   * Which HTTP statuses mark the span as an error (tag `error: true`, no log: the request
   * itself worked).
   * @default (status) => status >= 500
   */
  readonly isError?: (status: number) => boolean;
  /**
   * Query parameters whose values are masked in the `http.url` tag.
   * @default `configure({ secretQueryParams })`
   */
  readonly secretQueryParams?: readonly (string | RegExp)[];
}

/** Options of `tracedFetch`. */
export type FetchTracingOptions = HttpClientTracingOptions;

/** Options of `tracedDispatcher`. */
export type DispatcherTracingOptions = HttpClientTracingOptions;

/** Header sources `beforeHttpRequest` can read: a `Headers`, a plain object or `[name, value]` pairs. */
export type HttpHeadersSource =
  | HttpHeaderReader
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>;

/**
 * The small request wrapper `beforeHttpRequest` works on (the Python original's
 * `AbstractRequestWrapper`). Adapt your HTTP client's request to it.
 */
export interface HttpRequestWrapper {
  /** The method, e.g. `GET`. */
  readonly method: string;
  /** The full URL; recorded redacted. */
  readonly fullUrl: string | URL;
  /** The headers set so far: read for the callee-name and callee-endpoint headers. */
  readonly headers?: HttpHeadersSource;
  /** Adds one outgoing header; called once per trace-context header. */
  addHeader(name: string, value: string): void;
  /** The peer host. @default the URL's host */
  readonly host?: string;
  /** The peer port. @default the URL's port, else the scheme's default port */
  readonly port?: number;
  /** `peer.service`. @default the first callee-name header present, else the `peerService` option */
  readonly serviceName?: string;
}

/** Tells `beforeHttpRequest` which span is current. */
export type CurrentSpanExtractor = () => CurrentSpanResult;

/** Options of `beforeHttpRequest`; pass the same object on every call (it is cached by identity). */
export interface BeforeHttpRequestOptions extends TracingOptions {
  /** `component` tag. @default 'http' */
  readonly component?: string;
  /** Runs after the span starts and before the trace context is added (the Python interceptors). */
  readonly requestHook?: RequestHook<HttpRequestWrapper>;
  /** Extra tags on every span. */
  readonly tags?: TagMap;
  /** @default `configure({ secretQueryParams })` */
  readonly secretQueryParams?: readonly (string | RegExp)[];
}
