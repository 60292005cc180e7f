/**
 * `tracedFetch`: a fetch of the same type whose every call is a client span, with the trace
 * context added to a copy of the caller's headers. Works for Node's global fetch,
 * `undici.fetch` and any function with fetch's signature.
 */
import { copyWith, extensibleCopy, guard, isPlainObject, isTraced, registerTraced } from '../../core/index.js';
import { HttpClientTracing, type OutgoingRequest } from './http-span.js';
import { httpState } from './http-state.js';
import { fetchMethod, httpRequestInfo, isFetchableUrl } from './request-info.js';
import type { FetchTracingOptions, HttpRequestInfo } from './types.js';

/** Any function with fetch's shape: `(input, init?) => Promise<response>`. */
export type FetchLike = (input: never, init?: never) => Promise<unknown>;

type AnyFetch = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** The members of a `Request` (global or undici's) this file reads. */
interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: unknown;
  readonly signal?: AbortSignal | null;
}

/** The members of a `RequestInit` this file reads. */
interface InitLike {
  readonly method?: unknown;
  readonly headers?: unknown;
  readonly signal?: AbortSignal | null;
}

/**
 * One fetch call as the span needs it. The hook info is built on first read, which happens
 * only when a span records (or a hook asks): the no-op path allocates nothing else.
 */
class FetchRequest implements OutgoingRequest {
  private builtInfo: HttpRequestInfo | undefined;

  constructor(
    readonly method: string,
    private readonly url: string,
    readonly target: string | URL,
    readonly headers: unknown,
    readonly signal: AbortSignal | null | undefined,
  ) {}

  get info(): HttpRequestInfo {
    this.builtInfo ??= httpRequestInfo(this.method, this.url, this.headers, 'fetch');
    return this.builtInfo;
  }
}

function isRequestLike(input: unknown): input is RequestLike {
  return (
    input !== null &&
    typeof input === 'object' &&
    typeof (input as RequestLike).url === 'string' &&
    typeof (input as RequestLike).method === 'string' &&
    'headers' in input
  );
}

/**
 * Method, URL, headers and signal of a fetch call, as fetch itself resolves them: `init`
 * wins over a `Request` input field by field, and `init.headers` replaces the Request's
 * headers wholesale. `undefined` for input fetch would reject anyway (the call then goes to
 * fetch untouched, so it fails exactly as it would untraced).
 */
function readFetchRequest(input: unknown, init: unknown): FetchRequest | undefined {
  const request = isRequestLike(input) ? input : undefined;
  let url: string;
  let target: string | URL;
  if (request !== undefined) {
    // A Request's url is already parsed, absolute and free of credentials.
    url = target = request.url;
  } else if (typeof input === 'string') {
    if (!isFetchableUrl(input)) return undefined;
    url = target = input;
  } else if (input instanceof URL) {
    if (hasCredentials(input)) return undefined;
    url = input.href;
    target = input;
  } else {
    return undefined;
  }
  const options = init !== null && typeof init === 'object' ? (init as InitLike) : undefined;
  return new FetchRequest(
    fetchMethod(options?.method ?? request?.method),
    url,
    target,
    options?.headers !== undefined ? options.headers : request?.headers,
    options !== undefined && 'signal' in options ? options.signal : request?.signal,
  );
}

/**
 * fetch rejects URLs with credentials, quoting the whole URL (password included) in its
 * message and stack: such calls get no span, so neither can reach a log. Likewise for URLs
 * fetch cannot parse ("Failed to parse URL from …" quotes the input).
 */
function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

const IGNORE = (): void => {};

/**
 * The init to call fetch with: the caller's, or a copy whose `headers` holds the caller's
 * headers plus the trace-context headers the caller did not set. The caller's `Request`,
 * `init` and `Headers` objects are never written to.
 */
function initWithTraceHeaders(init: unknown, headers: unknown, carrier: Readonly<Record<string, string>>): unknown {
  const names = Object.keys(carrier);
  if (names.length === 0) return init;
  // No headers, or a plain `{ name: value }` object, is what most calls pass.
  const merged =
    headers === undefined || isPlainObject(headers)
      ? mergedRecord(headers, carrier, names)
      : mergedHeaders(headers, carrier, names);
  if (merged === undefined) return init;
  return init !== null && typeof init === 'object' ? copyWith(init, 'headers', merged) : { headers: merged };
}

/**
 * A plain object of the caller's headers and the missing trace headers; `undefined` when the
 * caller set them all. fetch copies whatever it is given into the request, so a `Headers`
 * object built here would be copied twice, and validating it first costs as much again
 * (fetch validates a plain object the same way and rejects what `Headers` would).
 */
function mergedRecord(
  headers: Readonly<Record<PropertyKey, unknown>> | undefined,
  carrier: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<PropertyKey, unknown> | undefined {
  if (headers === undefined) return { ...carrier };
  const own = Object.keys(headers);
  // Header names are case-insensitive: `TraceParent` set by the caller is `traceparent`.
  const taken = new Set(own.map((name) => name.toLowerCase()));
  let merged: Record<PropertyKey, unknown> | undefined;
  for (const name of names) {
    if (taken.has(name.toLowerCase())) continue;
    merged ??= extensibleCopy(headers);
    merged[name] = carrier[name];
  }
  return merged;
}

/** A new `Headers` of the caller's (`Headers`, pairs, a class instance) and the missing trace headers. */
function mergedHeaders(
  headers: unknown,
  carrier: Readonly<Record<string, string>>,
  names: readonly string[],
): Headers | undefined {
  // Headers fetch would reject: the caller's own init goes through, and fetch rejects as usual.
  const merged = guard('fetch.headers', () => new Headers(headers as ConstructorParameters<typeof Headers>[0]), IGNORE);
  if (merged === undefined) return undefined;
  let added = false;
  for (const name of names) {
    if (merged.has(name)) continue;
    merged.set(name, carrier[name] as string);
    added = true;
  }
  return added ? merged : undefined;
}

function applyFetch(fetchImpl: AnyFetch, self: unknown, args: unknown[]): Promise<unknown> {
  return Reflect.apply(fetchImpl, self, args);
}

/**
 * Inside the fetch scope a traced dispatcher (global or `init.dispatcher`) adds no span of its
 * own. Without any traced dispatcher in the process there is none to tell, and the scope is
 * not entered (see `HttpSharedState.dispatcherTraced`).
 */
function callFetch(fetchImpl: AnyFetch, self: unknown, args: unknown[]): Promise<unknown> {
  if (!httpState.dispatcherTraced) return Reflect.apply(fetchImpl, self, args);
  return httpState.fetchScope.run(true, applyFetch, fetchImpl, self, args);
}

/**
 * Returns a fetch of exactly the type and behaviour of `fetchImpl` whose every call is a
 * client span (`GET`, or `GET:endpoint` with a callee-endpoint header), child of the current
 * span, with the trace context injected into the outgoing headers. The span finishes when the
 * response headers arrive (fetch resolves) or the call fails; the caller gets the very
 * promise, `Response` and error fetch gives. Redirects followed by fetch are one span.
 *
 * @param fetchImpl the fetch to wrap
 * @default fetchImpl `globalThis.fetch`, read when `tracedFetch` is called
 * @example
 * import { Agent, fetch as undiciFetch } from 'undici';
 * const fetch = tracedFetch();                      // Node's global fetch
 * const ufetch = tracedFetch(undiciFetch, { peerService: 'billing' });
 * const res = await fetch('https://api.example.com/orders?id=7');
 */
export function tracedFetch(fetchImpl?: undefined, options?: FetchTracingOptions): typeof globalThis.fetch;
export function tracedFetch<F extends FetchLike>(fetchImpl: F, options?: FetchTracingOptions): F;
export function tracedFetch<F extends FetchLike>(fetchImpl?: F, options?: FetchTracingOptions): F {
  const original = (fetchImpl ?? globalThis.fetch) as unknown as AnyFetch;
  if (typeof original !== 'function') {
    throw new TypeError(`tracedFetch expects a fetch function, got ${original === null ? 'null' : typeof original}`);
  }
  if (isTraced(original)) return original as unknown as F;
  const tracing = new HttpClientTracing('fetch', options);

  const traced = function fetch(this: unknown, ...args: unknown[]): Promise<unknown> {
    // Fast path: nothing will be recorded.
    if (tracing.recordsNothing()) return Reflect.apply(original, this, args);
    const request = readFetchRequest(args[0], args[1]);
    const span = request === undefined ? undefined : tracing.start(request);
    if (span === undefined || request === undefined) return Reflect.apply(original, this, args);
    const call = tracing.call(span, request.info, request.signal);
    const init = initWithTraceHeaders(args[1], request.headers, tracing.inject(span));
    const tracedArgs = args.length < 2 ? [args[0], init] : args.slice();
    tracedArgs[1] = init;
    return call.watch(call.run(callFetch, undefined, [original, this, tracedArgs]));
  };
  Object.defineProperty(traced, 'name', { value: original.name });
  Object.defineProperty(traced, 'length', { value: original.length });
  return registerTraced(traced as unknown as F, original as unknown as F);
}
