/**
 * The HTTP client span, shared by `tracedFetch`, `tracedDispatcher` and
 * `beforeHttpRequest`: naming (`METHOD` or `METHOD:endpoint`), tags, hooks, trace-context
 * injection and settling. The client files only say how to read their request and response.
 *
 * Order of one request: (1) read method, URL and the caller's headers (cheaply: nothing is
 * parsed yet); (2) start the span, and only if it records, add its tags (URL parsed and
 * redacted, peer tags); (3) the user's `requestHook`; (4) inject the trace context (after the
 * hook, so no hook can tamper with it) into a copy of the headers; (5) on the response head:
 * status tags, `isError`, the response hook, finish; on a failure: abort/error tags, finish.
 */
import { FORMAT_HTTP_HEADERS, type Span, type SpanContext } from 'opentracing';
import { state } from '../../context/index.js';
import {
  getConfig,
  guard,
  Instrumentation,
  isThenable,
  redactUrl,
  type Settlement,
  SPAN_KIND,
  SpanSettler,
  TAG,
  type TagMap,
  type TagValue,
  watchSettlement,
} from '../../core/index.js';
import { addTagsSafely, injectSafely, recordError, resolveTracer, setTagSafely } from '../../core/span-ops.js';
import { type AbortState, classifyFailure } from './failure.js';
import { firstHeaderOf, peerTags } from './request-info.js';
import { getResponseHandlerHook } from './response-hook.js';
import type { HttpClientTracingOptions, HttpRequestInfo, HttpResponseInfo, HttpResponseLike } from './types.js';

/** The tag a request ended by an abort signal or a timeout gets. */
export const ABORTED_TAG = 'aborted';

const defaultIsError = (status: number): boolean => status >= 500;

/** What a client file knows about one request before its span starts. */
export interface OutgoingRequest {
  /** The request method, uppercase as sent: the span's default name. */
  readonly method: string;
  /**
   * What the user's hooks see. Read only when a hook needs it or a span records, so readers
   * may build it lazily (a getter): the no-op path then never allocates it.
   */
  readonly info: HttpRequestInfo;
  /**
   * The full URL for `http.url` and the peer tags. A string is parsed (normalised) only when
   * a span is recorded, so the no-op path never pays for it.
   */
  readonly target: string | URL;
  /** The origin (`http://host:port`) for the peer tags when known without parsing `target`. */
  readonly origin?: string | undefined;
  /** The caller's headers in whatever shape the client accepts (read, never written). */
  readonly headers: unknown;
  /** The peer service when the caller named it outright (`beforeHttpRequest`). */
  readonly serviceName?: string | undefined;
  /** Explicit peer tags (`beforeHttpRequest`'s host/port), instead of the origin's. */
  readonly peer?: TagMap | undefined;
  /** An explicit parent: `null` for none; `undefined` for the current span. */
  readonly parent?: Span | SpanContext | null | undefined;
}

/** `http.url` and peer tags of one request target. */
interface UrlTags {
  readonly url: string;
  /** `http.url` and the peer tags together, set on a span as they are. */
  readonly tags: TagMap;
  /**
   * By method, the start tags of a request to this target: the client's base tags,
   * `http.method`, `http.url` and the peer tags, handed to the tracer in one call.
   */
  readonly startTags: Map<string, Readonly<Record<string, TagValue>>>;
}

/** Targets whose URL tags one client keeps (then it starts over). */
const URL_CACHE_SIZE = 256;

/** One HTTP client's settings, merged once when it is wrapped. */
export class HttpClientTracing {
  readonly instrumentation: Instrumentation<HttpRequestInfo, HttpResponseInfo>;
  readonly settlement: Settlement<HttpResponseInfo>;
  private readonly options: HttpClientTracingOptions;
  private readonly urlCache = new Map<string, UrlTags>();
  private urlCacheVersion = -1;

  constructor(component: string, options: HttpClientTracingOptions | undefined) {
    this.options = options ?? {};
    this.instrumentation = new Instrumentation<HttpRequestInfo, HttpResponseInfo>({
      component,
      spanKind: SPAN_KIND.CLIENT,
      options: this.options,
    });
    const isError = this.options.isError ?? defaultIsError;
    const ownHook = this.options.responseHook !== undefined;
    const onError = () => this.instrumentation.onError;
    this.settlement = {
      onSuccess(span, { response }) {
        const status = response.status;
        setTagSafely(span, TAG.HTTP_STATUS_CODE, status, onError());
        if (guard('isError', () => isError(status), onError()) === true) setTagSafely(span, TAG.ERROR, true, onError());
        // A client's own responseHook replaces the process-wide one (the core runs it next).
        if (!ownHook) {
          const hook = getResponseHandlerHook();
          if (hook !== undefined) guard('responseHandlerHook', () => hook(response, span), onError());
        }
      },
    };
  }

  /**
   * True when nothing can be recorded (the no-op tracer, or no parent under
   * `requireParentSpan`): the caller goes straight to the original, reading nothing of the request.
   */
  recordsNothing(): boolean {
    if (this.instrumentation.hasNoopTracer()) return true;
    const required = this.options.requireParentSpan ?? getConfig().requireParentSpan;
    return required && this.instrumentation.parent() === undefined;
  }

  /**
   * Starts the span of one request (tags and `requestHook` included), or returns `undefined`
   * when nothing is recorded.
   */
  start(request: OutgoingRequest): Span | undefined {
    const { method } = request;
    const config = getConfig();
    const endpoint =
      config.calleeEndpointHeaders.length === 0
        ? undefined
        : firstHeaderOf(request.headers, config.calleeEndpointHeaders);
    const defaultName = endpoint === undefined ? method : `${method}:${endpoint}`;
    const name =
      this.options.operationName === undefined
        ? defaultName
        : this.instrumentation.operationName(defaultName, request.info);
    // A target seen before starts with all its tags; a new one gets them once something is
    // recorded, because parsing and redacting its URL is the costly part (measured with the
    // no-op tracer: ~6 µs per traced fetch call when done up front, ~0.3 µs when deferred).
    // Nothing is cached until a span records: until then the target (built on first read by
    // some clients) is not even read.
    const known = this.currentUrlCache();
    const startTags =
      request.peer === undefined && known.size > 0 && typeof request.target === 'string'
        ? known.get(request.target)?.startTags.get(method)
        : undefined;
    const { parent } = request;
    const span = this.instrumentation.start(
      name,
      undefined,
      parent === undefined && startTags === undefined ? undefined : { parent, startTags },
    );
    if (span === undefined) return undefined;
    if (startTags === undefined) this.tag(span, request);
    // A callee-name header names the service of this very request: it wins over the
    // client-wide `peerService` option (a start tag).
    const service =
      request.serviceName ??
      (config.calleeNameHeaders.length === 0 ? undefined : firstHeaderOf(request.headers, config.calleeNameHeaders));
    if (service !== undefined) setTagSafely(span, TAG.PEER_SERVICE, service, this.instrumentation.onError);
    if (this.options.requestHook !== undefined) this.instrumentation.requestHook(span, request.info);
    return span;
  }

  /**
   * `http.method`, `http.url` and the peer tags of a request whose target had no start tags
   * yet, set one by one; its target's start tags are made for the next request.
   */
  private tag(span: Span, request: OutgoingRequest): void {
    const onError = this.instrumentation.onError;
    setTagSafely(span, TAG.HTTP_METHOD, request.method, onError);
    const target = this.urlTags(request);
    if (request.peer === undefined) {
      addTagsSafely(span, target.tags, onError);
      if (typeof request.target === 'string') {
        const tags = { [TAG.HTTP_METHOD]: request.method, ...target.tags };
        target.startTags.set(request.method, this.instrumentation.startTagsWith(tags));
      }
    } else {
      setTagSafely(span, TAG.HTTP_URL, target.url, onError);
      addTagsSafely(span, request.peer, onError);
    }
  }

  /** The tags of the string targets seen, emptied first when `configure()` ran since. */
  private currentUrlCache(): Map<string, UrlTags> {
    if (this.urlCacheVersion !== state.configVersion) {
      this.urlCache.clear();
      this.urlCacheVersion = state.configVersion;
    }
    return this.urlCache;
  }

  /**
   * `http.url` (parsed, normalised, redacted) and the peer tags of a target. Parsing and
   * redaction were the largest part of a recorded request's own cost, and services call the
   * same URLs over and over: a string target's tags are cached per client, bounded, and
   * dropped when `configure()` changes the redaction settings.
   */
  private urlTags(request: OutgoingRequest): UrlTags {
    const { target } = request;
    const cache = this.currentUrlCache();
    const known = typeof target === 'string' ? cache.get(target) : undefined;
    if (known !== undefined) return known;
    let href: string;
    let origin = request.origin;
    if (typeof target !== 'string') {
      href = target.href;
      origin ??= target.origin;
    } else if (origin === undefined && URL.canParse(target)) {
      const url = new URL(target);
      href = url.href;
      origin = url.origin;
    } else {
      href = target;
    }
    const url = redactUrl(href, {
      secretQueryParams: this.options.secretQueryParams,
      maxLength: this.options.maxStatementLength,
    });
    const peer = origin === undefined || origin === '' ? undefined : peerTags(origin);
    const tags: UrlTags = { url, tags: Object.freeze({ [TAG.HTTP_URL]: url, ...peer }), startTags: new Map() };
    // Within one client a string target decides its origin (undici's is its prefix).
    if (typeof target === 'string') {
      if (cache.size >= URL_CACHE_SIZE) cache.clear();
      cache.set(target, tags);
    }
    return tags;
  }

  /** The trace-context headers of `span`, as the tracer injects them. */
  inject(span: Span): Record<string, string> {
    const carrier: Record<string, string> = {};
    const { instrumentation } = this;
    injectSafely(resolveTracer(instrumentation.tracer), span, FORMAT_HTTP_HEADERS, carrier, instrumentation.onError);
    return carrier;
  }

  /** The settling state of one request whose span was started. */
  call(span: Span, info: HttpRequestInfo, signal?: AbortState | null): HttpCall {
    return new HttpCall(this, span, info, signal ?? undefined);
  }
}

/** Settles one request's span exactly once: on its response headers or on its failure. */
export class HttpCall {
  private readonly settler: SpanSettler<HttpResponseInfo>;

  constructor(
    private readonly tracing: HttpClientTracing,
    readonly span: Span,
    readonly info: HttpRequestInfo,
    private readonly signal: AbortState | undefined,
  ) {
    this.settler = new SpanSettler(
      tracing.instrumentation as Instrumentation<unknown, unknown>,
      span,
      tracing.settlement,
    );
  }

  get settled(): boolean {
    return this.settler.settled;
  }

  /** The response headers arrived: status tags, hooks, finish. */
  respond(response: HttpResponseLike): void {
    this.settler.succeed({ request: this.info, response });
  }

  /**
   * Runs the request (`fn` with `this` = `self`), and fails the span if it throws; the very
   * error is rethrown (the core's "record on the span, rethrow unchanged" mode).
   */
  run<R>(fn: (...args: never[]) => R, self: unknown, args: readonly unknown[]): R {
    try {
      return Reflect.apply(fn, self, args) as R;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  /** A fetch-like resolved to its response (an `Outcome` for `watchSettlement`). */
  succeed(response: unknown): void {
    this.respond(response as HttpResponseLike);
  }

  /**
   * Settles on what the request returned (fetch) and returns what the caller gets: a plain
   * promise as the promise derived from it (see `watchSettlement`).
   */
  watch<R>(promise: R): R {
    // A fetch-like that returns a plain value (not a promise) settles on it at once.
    if (!isThenable(promise)) {
      this.respond(promise as HttpResponseLike);
      return promise;
    }
    return watchSettlement(this, promise) as R;
  }

  /**
   * The request failed: the error (and `aborted`) tags, then finish. `controller` is undici's
   * dispatch controller, which knows whether the caller aborted.
   */
  fail(error: unknown, controller?: AbortState | null): void {
    if (this.settler.settled) return;
    const { instrumentation } = this.tracing;
    const onError = instrumentation.onError;
    guard(
      instrumentation.errorsFault,
      () => {
        const failure = classifyFailure(error, this.signal, controller);
        if (failure.aborted) setTagSafely(this.span, ABORTED_TAG, true, onError);
        recordError(this.span, error, { kind: failure.kind, onError });
      },
      onError,
    );
    // The outcome is recorded above (with a kind the core's settler cannot know); this only finishes.
    this.settler.close();
  }
}
