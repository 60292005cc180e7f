import { isIP } from 'node:net';
import type { Span } from 'opentracing';
import { guard, NOOP_SPAN, TAG, type TagMap } from '../../core/index.js';
import { HttpClientTracing } from './http-span.js';
import { httpRequestInfo, peerTags } from './request-info.js';
import type { BeforeHttpRequestOptions, CurrentSpanExtractor, HttpRequestWrapper } from './types.js';

// One settings object per options object (callers pass the same one each time), so the
// per-call cost is the span itself.
const byOptions = new WeakMap<BeforeHttpRequestOptions, HttpClientTracing>();
const NO_OPTIONS: BeforeHttpRequestOptions = Object.freeze({});

function tracingFor(options: BeforeHttpRequestOptions): HttpClientTracing {
  let tracing = byOptions.get(options);
  if (tracing === undefined) {
    // The request hook here receives the wrapper, not an HttpRequestInfo: it is run below.
    tracing = new HttpClientTracing(options.component ?? 'http', { ...options, requestHook: undefined });
    byOptions.set(options, tracing);
  }
  return tracing;
}

function explicitPeer(request: HttpRequestWrapper, fullUrl: string): TagMap | undefined {
  const { host } = request;
  if (host === undefined || host === '') return undefined;
  const url = request.port === undefined && URL.canParse(fullUrl) ? new URL(fullUrl) : undefined;
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  const hostTag = family === 4 ? TAG.PEER_HOST_IPV4 : family === 6 ? TAG.PEER_HOST_IPV6 : TAG.PEER_HOSTNAME;
  const port = request.port ?? (url === undefined ? undefined : peerTags(url.origin)[TAG.PEER_PORT]);
  return { [hostTag]: bare, [TAG.PEER_PORT]: port };
}

/**
 * The building block for tracing any HTTP client (the Python original's
 * `before_http_request`): starts the client span of one outgoing request, as a child of what
 * `currentSpanExtractor` returns, tags it (`span.kind`, `component`, `http.method`, redacted
 * `http.url`, `peer.*`, `peer.service` from `serviceName` or a callee-name header), runs the
 * `requestHook`, and adds the trace-context headers through `request.addHeader`. The operation
 * name is the method, or `METHOD:endpoint` when a callee-endpoint header (see
 * `configure({ calleeEndpointHeaders })`) is set. You finish the span (and may tag
 * `http.status_code`) when the response arrives.
 *
 * When nothing is recorded (`requireParentSpan` with no parent, the no-op tracer) it returns
 * a no-op span and adds no header, so `span.finish()` needs no check.
 *
 * @param currentSpanExtractor Returns the parent; `undefined`/`null` from it means no parent.
 * @default currentSpanExtractor the current span (`getCurrentParent`)
 * @example
 * const span = beforeHttpRequest(
 *   { method: 'GET', fullUrl: url, headers, addHeader: (name, value) => { headers[name] = value; } },
 *   () => getCurrentSpan(),
 * );
 * try {
 *   const res = await myClient.get(url, { headers });
 *   span.setTag('http.status_code', res.status);
 * } finally {
 *   span.finish();
 * }
 */
export function beforeHttpRequest(
  request: HttpRequestWrapper,
  currentSpanExtractor?: CurrentSpanExtractor | null,
  options: BeforeHttpRequestOptions = NO_OPTIONS,
): Span {
  const tracing = tracingFor(options);
  const { instrumentation } = tracing;
  const fullUrl = String(request.fullUrl);
  const parent =
    typeof currentSpanExtractor === 'function'
      ? (guard('currentSpanExtractor', currentSpanExtractor, instrumentation.onError) ?? null)
      : undefined;
  const span = tracing.start({
    method: request.method,
    info: httpRequestInfo(request.method, fullUrl, request.headers, instrumentation.component),
    target: fullUrl,
    headers: request.headers,
    serviceName: request.serviceName,
    peer: explicitPeer(request, fullUrl),
    parent,
  });
  if (span === undefined) return NOOP_SPAN;
  const { requestHook } = options;
  if (requestHook !== undefined) guard('requestHook', () => requestHook(span, request), instrumentation.onError);
  const carrier = tracing.inject(span);
  for (const name of Object.keys(carrier)) {
    guard('addHeader', () => request.addHeader(name, carrier[name] as string), instrumentation.onError);
  }
  return span;
}
