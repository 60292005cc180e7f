import { getConfig } from './config.js';

/** Appended to anything cut by {@link capLength}, so a reader knows the tag is incomplete. */
export const TRUNCATION_MARKER = '…[truncated]';

/** The value that replaces masked secrets (the OpenTelemetry semantic-conventions word). */
export const REDACTED = 'REDACTED';

/**
 * Caps `text` at `max` characters including the marker. Never splits a UTF-16 surrogate
 * pair, so the result is always valid text for exporters that encode it.
 */
export function capLength(text: string, max: number = getConfig().maxStatementLength): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - TRUNCATION_MARKER.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + TRUNCATION_MARKER;
}

function normaliseParamName(name: string): string {
  let decoded = name;
  // Most names carry no escapes: skip the decode (and its try/catch) for them.
  if (name.includes('%') || name.includes('+')) {
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // Malformed percent-encoding: match on the raw name.
    }
  }
  return decoded.toLowerCase().replace(/[-_\s.[\]]/g, '');
}

/** A pattern list prepared once: string patterns normalised, RegExps kept. */
interface SecretMatcher {
  readonly substrings: readonly string[];
  readonly expressions: readonly RegExp[];
}

// The configured list is frozen and reused for every URL: normalising its strings on every
// parameter of every call showed up as a quarter of `redactUrl`'s time in a CPU profile.
const matchers = new WeakMap<readonly (string | RegExp)[], SecretMatcher>();

function matcherFor(patterns: readonly (string | RegExp)[]): SecretMatcher {
  let matcher = matchers.get(patterns);
  if (matcher === undefined) {
    matcher = {
      substrings: patterns
        .filter((p): p is string => typeof p === 'string')
        .map((p) => p.toLowerCase().replace(/[-_\s.]/g, '')),
      expressions: patterns.filter((p): p is RegExp => p instanceof RegExp),
    };
    matchers.set(patterns, matcher);
  }
  return matcher;
}

/** True when a query parameter of this name must have its value masked. */
export function isSecretParam(
  name: string,
  patterns: readonly (string | RegExp)[] = getConfig().secretQueryParams,
): boolean {
  const { substrings, expressions } = matcherFor(patterns);
  if (substrings.length > 0) {
    const normalised = normaliseParamName(name);
    for (const substring of substrings) if (normalised.includes(substring)) return true;
  }
  for (const expression of expressions) {
    expression.lastIndex = 0;
    if (expression.test(name)) return true;
  }
  return false;
}

/**
 * Masks the values of secret-looking parameters, stopping once the output is longer than
 * `limit`: the caller caps the result at that length anyway, and a 10 MB query string of
 * millions of parameters would otherwise cost seconds (measured: 9 s for `a=1&` × 2.6 M,
 * 23 s with malformed percent-encoding) for a tag that keeps its first 2 KB. Every parameter
 * whose `=` lies in the kept part is decided exactly as before, so nothing more is recorded.
 */
function redactQuery(query: string, patterns: readonly (string | RegExp)[], limit: number): string {
  if (query === '') return query;
  let out = '';
  let start = 0;
  while (start <= query.length && out.length <= limit) {
    let amp = query.indexOf('&', start);
    if (amp === -1) amp = query.length;
    const part = query.slice(start, amp);
    const eq = part.indexOf('=');
    if (start !== 0) out += '&';
    out += eq !== -1 && isSecretParam(part.slice(0, eq), patterns) ? `${part.slice(0, eq + 1)}${REDACTED}` : part;
    start = amp + 1;
  }
  return out;
}

/** Options of {@link redactUrl}. */
export interface RedactUrlOptions {
  /** Query parameters to mask; defaults to `configure({ secretQueryParams })`. */
  readonly secretQueryParams?: readonly (string | RegExp)[];
  /** Cap on the result's length; defaults to `configure({ maxStatementLength })`. */
  readonly maxLength?: number;
}

/**
 * A URL fit for a tag: userinfo removed, values of secret-looking query parameters masked,
 * the fragment (never sent to a server, sometimes an OAuth token) dropped, the length capped.
 * Works on strings without parsing them as URLs, so relative, malformed and hostile input
 * is handled in linear time and never throws.
 *
 * @example
 * redactUrl('https://bob:pw@api.test/v1?user=1&api_key=abc#t') // 'https://api.test/v1?user=1&api_key=REDACTED'
 */
export function redactUrl(url: string | URL, options: RedactUrlOptions = {}): string {
  const config = getConfig();
  const patterns = options.secretQueryParams ?? config.secretQueryParams;
  const max = options.maxLength ?? config.maxStatementLength;
  let text = typeof url === 'string' ? url : String(url.href);

  const hash = text.indexOf('#');
  if (hash !== -1) text = text.slice(0, hash);

  // Userinfo lives between "//" and the first "/", "?" after it; the last "@" there ends it.
  const scheme = text.indexOf('//');
  if (scheme !== -1) {
    const authorityStart = scheme + 2;
    let authorityEnd = text.length;
    for (let i = authorityStart; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x5c /* \ */) {
        authorityEnd = i;
        break;
      }
    }
    const at = text.lastIndexOf('@', authorityEnd - 1);
    if (at >= authorityStart) text = text.slice(0, authorityStart) + text.slice(at + 1);
  }

  const question = text.indexOf('?');
  if (question !== -1) text = text.slice(0, question + 1) + redactQuery(text.slice(question + 1), patterns, max);
  return capLength(text, max);
}

/** Header values as Node and fetch give them. */
export type HeaderValue = string | number | readonly string[] | undefined;

/**
 * A header's value, or `undefined` for anything that is not one: a plain object's inherited
 * members (`constructor`, `toString`, `__proto__`) must not turn into "header values".
 */
function headerValue(headers: Readonly<Record<string, HeaderValue>>, name: string): HeaderValue {
  const value: unknown = headers[name];
  return typeof value === 'string' || typeof value === 'number' || Array.isArray(value)
    ? (value as HeaderValue)
    : undefined;
}

/**
 * Tags for the allow-listed headers present in `headers`, named `<prefix>.<header>`.
 * Headers in `configure({ redactedHeaders })` are never recorded, even when allow-listed.
 */
export function headerTags(
  headers: Readonly<Record<string, HeaderValue>>,
  allowList: readonly string[],
  prefix: string,
): Record<string, string> {
  const redacted = getConfig().redactedHeaders;
  const tags: Record<string, string> = {};
  for (const name of allowList) {
    const lower = name.toLowerCase();
    if (redacted.includes(lower)) continue;
    const value = headerValue(headers, lower) ?? headerValue(headers, name);
    if (value === undefined) continue;
    tags[`${prefix}.${lower}`] = capLength(Array.isArray(value) ? value.join(', ') : String(value), 1024);
  }
  return tags;
}

/** The first of `names` present in `headers` (case-insensitively), as one string. */
export function firstHeader(
  headers: Readonly<Record<string, HeaderValue>>,
  names: readonly string[],
): string | undefined {
  for (const name of names) {
    const value = headerValue(headers, name) ?? headerValue(headers, name.toLowerCase());
    if (value === undefined || value === '') continue;
    return Array.isArray(value) ? value[0] : String(value);
  }
  return undefined;
}
