/**
 * Facts about an outgoing request, read from the many shapes HTTP clients accept: header
 * lookups that never throw and never mutate, trace-context headers added to a copy, and
 * peer tags computed once per origin.
 */
import { isIP } from 'node:net';
import { extensibleCopy, TAG, type TagValue } from '../../core/index.js';
import type { HttpHeaderReader, HttpRequestInfo } from './types.js';

/** The methods fetch upper-cases (the Fetch standard's "normalize"); others are sent as given. */
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** The method a fetch call sends. */
export function fetchMethod(method: unknown): string {
  if (typeof method !== 'string' || method === '') return 'GET';
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

type PeerTags = Readonly<Record<string, TagValue>>;
const NO_PEER: PeerTags = Object.freeze({});

// Origin → its peer tags. Bounded: an app calling many hosts only re-parses now and then.
const peerCache = new Map<string, PeerTags>();
const PEER_CACHE_SIZE = 512;

/**
 * `peer.hostname`, or `peer.ipv4` / `peer.ipv6` for an IP literal, and `peer.port` (the
 * scheme's default port when the URL has none), for an origin such as `http://10.0.0.1:8080`.
 */
export function peerTags(origin: string): PeerTags {
  let tags = peerCache.get(origin);
  if (tags !== undefined) return tags;
  tags = NO_PEER;
  if (URL.canParse(origin)) {
    const url = new URL(origin);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (host !== '') {
      const family = isIP(host);
      const hostTag = family === 4 ? TAG.PEER_HOST_IPV4 : family === 6 ? TAG.PEER_HOST_IPV6 : TAG.PEER_HOSTNAME;
      const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
      tags = Object.freeze(port === undefined ? { [hostTag]: host } : { [hostTag]: host, [TAG.PEER_PORT]: port });
    }
  }
  if (peerCache.size >= PEER_CACHE_SIZE) peerCache.clear();
  peerCache.set(origin, tags);
  return tags;
}

// URL prefix (scheme + authority) → whether fetch accepts it. Bounded like the peer cache.
const fetchableCache = new Map<string, boolean>();
let lastFetchable: string | undefined;

function acceptsPrefix(prefix: string): boolean {
  if (!URL.canParse(prefix)) return false;
  const url = new URL(prefix);
  return url.username === '' && url.password === '';
}

/**
 * True when `input` is a URL fetch can request: parseable and without credentials (fetch
 * rejects those, quoting the whole URL, password included, in its message). Only the scheme
 * and authority decide this (for `scheme://` URLs the path, query and fragment parse whatever
 * they hold), so the answer is cached per prefix: `URL.canParse` on every call was the larger
 * part of the no-op-tracer cost of a traced fetch (~0.8 of ~1.1 µs measured).
 */
export function isFetchableUrl(input: string): boolean {
  // Services call the same URL string over and over: comparing it with the last one is a
  // pointer compare, where the prefix below is a new string whose hash is computed each time.
  if (input === lastFetchable) return true;
  const scheme = input.indexOf('://');
  if (scheme === -1) return acceptsPrefix(input);
  let end = input.length;
  for (let i = scheme + 3; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */ || c === 0x5c /* \ */) {
      end = i;
      break;
    }
  }
  const prefix = end === input.length ? input : input.slice(0, end);
  let ok = fetchableCache.get(prefix);
  if (ok === undefined) {
    ok = acceptsPrefix(prefix);
    if (fetchableCache.size >= PEER_CACHE_SIZE) fetchableCache.clear();
    fetchableCache.set(prefix, ok);
  }
  if (ok) lastFetchable = input;
  return ok;
}

function valueText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(String).join(', ');
  return String(value);
}

function nameText(name: unknown): string {
  return typeof name === 'string' ? name : String(name);
}

function hasGet(source: object): source is HttpHeaderReader {
  return typeof (source as { get?: unknown }).get === 'function' && !(source instanceof Map);
}

/**
 * One header's value from any header shape (`Headers`, a plain object, `[name, value]`
 * pairs, a flat `[name, value, name, value]` array as undici accepts, a `Map`), matched
 * case-insensitively; `undefined` when absent. `lowerName` must be lower case.
 */
export function readHeader(source: unknown, lowerName: string): string | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  if (Array.isArray(source)) {
    if (source.length === 0) return undefined;
    if (Array.isArray(source[0])) {
      for (const pair of source as unknown[][]) {
        if (nameText(pair[0]).toLowerCase() === lowerName) return valueText(pair[1]);
      }
      return undefined;
    }
    for (let i = 0; i + 1 < source.length; i += 2) {
      if (nameText(source[i]).toLowerCase() === lowerName) return valueText(source[i + 1]);
    }
    return undefined;
  }
  if (hasGet(source)) return valueText(source.get(lowerName));
  if (typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const pair of source as Iterable<unknown[]>) {
      if (Array.isArray(pair) && nameText(pair[0]).toLowerCase() === lowerName) return valueText(pair[1]);
    }
    return undefined;
  }
  const record = source as Record<string, unknown>;
  if (Object.hasOwn(record, lowerName)) return valueText(record[lowerName]);
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === lowerName) return valueText(record[key]);
  }
  return undefined;
}

/** The first of `lowerNames` present in `source`, as in `configure({ calleeNameHeaders })`. */
export function firstHeaderOf(source: unknown, lowerNames: readonly string[]): string | undefined {
  for (const name of lowerNames) {
    const value = readHeader(source, name);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** A read-only, case-insensitive view of a header source, for hooks. */
export class HeaderView implements HttpHeaderReader {
  constructor(private readonly source: unknown) {}

  get(name: string): string | null {
    return readHeader(this.source, name.toLowerCase()) ?? null;
  }
}

/** An empty view, shared. */
export const NO_HEADERS: HttpHeaderReader = new HeaderView(undefined);

/** What the user's hooks receive about one outgoing request, the same for every HTTP client. */
export function httpRequestInfo(method: string, url: string, headers: unknown, component: string): HttpRequestInfo {
  return { method, url, headers: new HeaderView(headers), component };
}

/**
 * A copy of undici dispatch `headers` (plain object, flat array, or iterable of pairs) with
 * the entries of `extra` that the caller did not set already. The caller's value is never
 * mutated; the copy keeps a shape undici accepts.
 */
export function withDispatchHeaders(source: unknown, extra: Readonly<Record<string, string>>): unknown {
  // Not a header shape undici accepts: left as it is, for undici to reject as usual.
  if (source !== null && source !== undefined && typeof source !== 'object') return source;
  const missing = Object.keys(extra).filter((name) => readHeader(source, name.toLowerCase()) === undefined);
  if (missing.length === 0) return source;
  if (source === null || source === undefined) {
    const out: Record<string, string> = {};
    for (const name of missing) out[name] = extra[name] as string;
    return out;
  }
  if (Array.isArray(source) || typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function') {
    // undici reads arrays as flat name/value lists; iterables as pairs. A flat array serves both.
    const flat: unknown[] = [];
    if (Array.isArray(source) && !Array.isArray(source[0])) flat.push(...source);
    else for (const pair of source as Iterable<unknown[]>) flat.push(pair[0], pair[1]);
    for (const name of missing) flat.push(name, extra[name]);
    return flat;
  }
  const out = extensibleCopy(source);
  for (const name of missing) out[name] = extra[name];
  return out;
}
