import { isIP } from 'node:net';
import { FORMAT_HTTP_HEADERS, Span, type Tracer } from 'opentracing';
import {
  extractSafely,
  getConfig,
  headerTags,
  Instrumentation,
  type InstrumentationErrorHandler,
  redactUrl,
  SPAN_KIND,
  TAG,
  type TagMap,
  type TagValue,
} from '../core/index.js';
import { addTagsSafely, resolveTracer } from '../core/span-ops.js';
import type { RequestWrapper } from './types.js';

/** Prefix of the tags recorded for allow-listed request headers. */
export const REQUEST_HEADER_TAG_PREFIX = 'http.request.header';

/** The tags of a server span that come from the request itself. Built once per request. */
export function requestTags(
  request: RequestWrapper,
  headerAllowList: readonly string[] | undefined,
): Record<string, TagValue | undefined> {
  const ip = request.remoteIp;
  const family = ip === undefined ? 0 : isIP(ip);
  const tags: Record<string, TagValue | undefined> = {
    [TAG.HTTP_METHOD]: request.method,
    [TAG.HTTP_URL]: redactUrl(request.fullUrl),
    [TAG.PEER_HOST_IPV4]: family === 4 ? ip : undefined,
    [TAG.PEER_HOST_IPV6]: family === 6 ? ip : undefined,
    [TAG.PEER_PORT]: request.remotePort,
    [TAG.PEER_SERVICE]: request.callerName,
  };
  if (headerAllowList !== undefined && headerAllowList.length > 0) {
    Object.assign(tags, headerTags(request.headers, headerAllowList, REQUEST_HEADER_TAG_PREFIX));
  }
  return tags;
}

/**
 * Starts the server span of one request: a child of the trace context extracted from its
 * headers, or a new root when there is none, it is malformed, or the tracer's `extract`
 * throws. `undefined` when nothing is recorded (no-op tracer, a tracer that threw), decided
 * before any per-request tag is computed: that is the fast path.
 */
export function startServerSpan(
  instrumentation: Instrumentation<unknown, unknown>,
  headers: RequestWrapper['headers'],
  operationName: string,
): Span | undefined {
  // The same tracer `instrumentation.start` will use (read now: `configure` may have changed it).
  const tracer = resolveTracer(instrumentation.options.tracer ?? getConfig().tracer);
  const parent = extractSafely(tracer, FORMAT_HTTP_HEADERS, headers, instrumentation.onError);
  // `null`: never the current span of whoever created the server; a server span starts
  // from what the caller sent, or starts a trace.
  return instrumentation.start(operationName, undefined, { parent: parent ?? null });
}

/** Options of {@link beforeRequest}. */
export interface BeforeRequestOptions {
  /** @default `configure({ tracer })`, else `opentracing.globalTracer()` */
  readonly tracer?: Tracer;
  /** `component` tag. @default 'http' */
  readonly component?: string;
  /** Extra tags. */
  readonly tags?: TagMap;
  /** Request headers to record as `http.request.header.<name>` (never `authorization`/`cookie`). @default [] */
  readonly headerTags?: readonly string[];
  /** @default `configure({ onInstrumentationError })` */
  readonly onInstrumentationError?: InstrumentationErrorHandler;
}

const NOOP_SPAN = new Span();

/**
 * Starts a server span for an inbound request, like the Python original's `before_request`:
 * it continues the caller's trace (`tracer.extract(FORMAT_HTTP_HEADERS, headers)`) or starts
 * a new one when there is no context or extraction fails; it never throws. Tags: `span.kind`
 * server, `component`, `http.method`, `http.url` (redacted), `peer.ipv4`/`peer.ipv6`,
 * `peer.port`, `peer.service` (the caller's name). The caller makes it current
 * (`spanInContext`) and finishes it. When nothing is recorded (no-op tracer, a tracer that
 * threw) it returns a no-op span, so the caller's code path stays the same.
 *
 * @example
 * server.on('request', (req, res) => {
 *   const span = beforeRequest(new IncomingMessageRequest(req));
 *   res.on('close', () => span.finish());
 *   spanInContext(span, () => handle(req, res));
 * });
 */
export function beforeRequest(request: RequestWrapper, options: BeforeRequestOptions = {}): Span {
  const instrumentation = new Instrumentation({
    component: options.component ?? 'http',
    spanKind: SPAN_KIND.SERVER,
    options: {
      tracer: options.tracer,
      tags: options.tags,
      onInstrumentationError: options.onInstrumentationError,
      requireParentSpan: false,
    },
  });
  const span = startServerSpan(instrumentation, request.headers, request.operation);
  if (span === undefined) return NOOP_SPAN;
  addTagsSafely(span, requestTags(request, options.headerTags), instrumentation.onError);
  return span;
}
