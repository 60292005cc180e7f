/**
 * Hostile input against what the core offers every client: URL redaction, length capping,
 * header tags and trace-context extraction. Property-based (fast-check) over arbitrary text,
 * bytes and lone surrogates, plus hand-made worst cases at 10 MB. The rules: never an
 * exception, linear time, and a marker secret placed where a secret goes (userinfo, a
 * secret-looking query parameter, the fragment, a credential header) never comes out.
 * The 10 MB time bound is justified in lib/hostile.ts.
 */
import fc from 'fast-check';
import { FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP } from 'opentracing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  capLength,
  configure,
  DEFAULT_REDACTED_HEADERS,
  extractSafely,
  firstHeader,
  type HeaderValue,
  headerTags,
  redactUrl,
  resetConfig,
  TRUNCATION_MARKER,
} from '../../src/core/index.js';
import { createTestTracing } from '../helpers/tracing.js';
import { anyText, HostileCounter, isWellFormed, LINEAR_BOUND_MS, marker, TEN_MB } from './lib/hostile.js';

const hostile = new HostileCounter('hostile input (core)');
const faults: string[] = [];

beforeEach(() => {
  resetConfig();
  configure({ onInstrumentationError: (_e, source) => faults.push(source) });
});
afterEach(() => resetConfig());
afterAll(() => hostile.record());

/** URL-ish pieces that cannot end an authority or a parameter. */
const safePiece = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-._~!$()*+,;%'.split('')),
  minLength: 1,
  maxLength: 12,
});
const SECRET_WORDS = [
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'key',
  'auth',
  'signature',
  'sig',
  'credential',
  'session',
  'jwt',
  'otp',
  'code',
];

describe('redactUrl', () => {
  it('never throws on arbitrary text, strings or URL objects, and respects its cap', () => {
    hostile.check([anyText, fc.integer({ min: 16, max: 4096 })], (text, max) => {
      const out = redactUrl(text, { maxLength: max });
      expect(typeof out).toBe('string');
      expect(out.length).toBeLessThanOrEqual(max);
    });
    hostile.check([fc.webUrl({ withQueryParameters: true, withFragments: true })], (url) => {
      expect(redactUrl(new URL(url))).toBe(redactUrl(new URL(url).href));
    });
  });

  it('never outputs a marker placed in userinfo, a secret-looking parameter or the fragment', () => {
    hostile.check(
      [
        fc.constantFrom('http', 'https', 'postgres', 'redis', 'amqp'),
        safePiece,
        marker,
        fc.array(safePiece, { maxLength: 3 }),
        fc.array(fc.tuple(safePiece, safePiece), { maxLength: 4 }),
        fc.tuple(
          safePiece.map((s) => s.replace(/[=%]/g, '')),
          fc.constantFrom(...SECRET_WORDS),
          fc.constantFrom('', '_', '-', 'X'),
          fc.boolean(),
        ),
        marker,
        marker,
        fc.integer({ min: 0, max: 4 }),
      ],
      (scheme, user, password, path, params, [prefix, word, sep, upper], paramSecret, fragment, at) => {
        // `code` (OAuth) is secret only as the whole name; the others anywhere in it.
        const cased = upper ? word.toUpperCase() : word;
        const name = word === 'code' ? cased : `${prefix}${sep}${cased}`;
        const query = params.map(([k, v]) => `${k}=${v}`);
        query.splice(Math.min(at, query.length), 0, `${name}=${paramSecret}`);
        const url = `${scheme}://${user}:${password}@host.test/${path.join('/')}?${query.join('&')}#${fragment}`;
        const out = redactUrl(url, { maxLength: 100_000 });
        expect(out).not.toContain(password);
        expect(out).not.toContain(paramSecret);
        expect(out).not.toContain(fragment);
        expect(out.startsWith(`${scheme}://host.test/`)).toBe(true);
      },
    );
  });

  it('handles 10 MB of worst cases in linear time', () => {
    const cases = {
      'at signs': `http://${'@'.repeat(TEN_MB)}`,
      'userinfo, no host': `http://u:${'p'.repeat(TEN_MB)}@`,
      'millions of parameters': `http://h/?${'a=1&'.repeat(TEN_MB / 4)}`,
      'malformed percent-encoding': `http://h/?${'%zz=1&'.repeat(TEN_MB / 6)}`,
      'one huge parameter name': `http://h/?${'%E0%A4%A'.repeat(TEN_MB / 8)}=1`,
      'question marks': '?'.repeat(TEN_MB),
      slashes: '/'.repeat(TEN_MB),
      'lone surrogates': '\ud800'.repeat(TEN_MB),
    };
    for (const [name, input] of Object.entries(cases)) {
      const { result, ms } = hostile.timed(() => redactUrl(input));
      expect(ms, name).toBeLessThan(LINEAR_BOUND_MS);
      expect(result.length).toBeLessThanOrEqual(2048);
    }
  });
});

describe('capLength', () => {
  it('never throws, keeps a prefix, never exceeds the cap, never splits a surrogate pair', () => {
    hostile.check([anyText, fc.integer({ min: 0, max: 400 })], (text, max) => {
      const out = capLength(text, max);
      if (text.length <= max) {
        expect(out).toBe(text);
        return;
      }
      expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
      expect(out.length).toBeLessThanOrEqual(Math.max(max, TRUNCATION_MARKER.length));
      const kept = out.slice(0, out.length - TRUNCATION_MARKER.length);
      expect(text.startsWith(kept)).toBe(true);
      if (isWellFormed(text)) expect(isWellFormed(out)).toBe(true);
    });
  });

  it('caps 10 MB in linear time', () => {
    const { ms } = hostile.timed(() => capLength('x'.repeat(TEN_MB), 2048));
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});

describe('headerTags and firstHeader', () => {
  const headerValue: fc.Arbitrary<HeaderValue> = fc.oneof(
    anyText,
    fc.integer(),
    fc.array(anyText, { maxLength: 4 }),
    fc.constant(undefined),
  );
  const headerName = fc.oneof(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constantFrom('constructor', 'toString', '__proto__', 'hasOwnProperty', 'Accept', 'x-request-id'),
  );

  it('never throw on arbitrary header records and allow-lists; values are capped strings', () => {
    hostile.check(
      [fc.dictionary(headerName, headerValue, { maxKeys: 8 }), fc.array(headerName, { maxLength: 8 }), fc.string()],
      (headers, allow, prefix) => {
        const tags = headerTags(headers, allow, prefix);
        for (const [key, value] of Object.entries(tags)) {
          expect(key.startsWith(`${prefix}.`)).toBe(true);
          expect(typeof value).toBe('string');
          expect(value.length).toBeLessThanOrEqual(1024);
        }
        const first = firstHeader(headers, allow);
        expect(first === undefined || typeof first === 'string').toBe(true);
        // Only what the record really holds: nothing inherited from Object.prototype.
        for (const key of Object.keys(tags)) {
          const name = key.slice(prefix.length + 1);
          expect(
            allow.some((a) => a.toLowerCase() === name && (Object.hasOwn(headers, name) || Object.hasOwn(headers, a))),
          ).toBe(true);
        }
      },
    );
  });

  it('never record a credential header, whatever the allow-list and the case', () => {
    hostile.check(
      [
        fc.subarray([...DEFAULT_REDACTED_HEADERS], { minLength: 1 }),
        marker,
        fc.boolean(),
        fc.array(fc.constantFrom('accept', 'x-request-id', 'user-agent'), { maxLength: 3 }),
      ],
      (credentials, secret, shout, others) => {
        const headers: Record<string, HeaderValue> = { accept: 'a', 'x-request-id': 'r', 'user-agent': 'u' };
        for (const name of credentials) headers[name] = name === 'set-cookie' ? [`a=${secret}`] : `Bearer ${secret}`;
        const allow = [...credentials.map((n) => (shout ? n.toUpperCase() : n)), ...others];
        expect(JSON.stringify(headerTags(headers, allow, 'http.request.header'))).not.toContain(secret);
      },
    );
  });
});

describe('extractSafely with the real test tracer', () => {
  const tracing = createTestTracing();
  const hex = (n: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: n, maxLength: n });
  const nearlyValid = fc
    .tuple(
      fc.constantFrom('00', 'ff', '01', 'zz', '0', ''),
      fc.oneof(hex(32), hex(31), hex(33), fc.constant('0'.repeat(32))),
      fc.oneof(hex(16), hex(15), fc.constant('0'.repeat(16))),
      fc.constantFrom('01', '00', 'ff', '1', ''),
      fc.constantFrom('-', '_', ' -', '--'),
      fc.constantFrom('', '-extra', ' ', '\n'),
    )
    .map(([v, t, s, f, sep, tail]) => `${v}${sep}${t}${sep}${s}${sep}${f}${tail}`);
  const headerish = fc.oneof(
    anyText,
    nearlyValid,
    fc.array(nearlyValid, { maxLength: 3 }),
    fc.integer(),
    fc.constant(null),
    fc.object(),
  );

  const valid = (context: ReturnType<typeof extractSafely>) => {
    if (context === undefined) return;
    expect(context.toTraceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(context.toTraceId()).not.toMatch(/^0+$/);
    expect(context.toSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(context.toSpanId()).not.toMatch(/^0+$/);
  };

  it('gives undefined or a valid context for arbitrary and malformed traceparent / tracestate, never a throw', () => {
    hostile.check(
      [headerish, headerish, fc.constantFrom(FORMAT_HTTP_HEADERS, FORMAT_TEXT_MAP)],
      (traceparent, tracestate, format) => {
        valid(extractSafely(tracing.tracer, format, { traceparent, tracestate }));
      },
    );
    expect(faults).toEqual([]);
  });

  it('gives undefined or a valid context for arbitrary carriers, including hostile objects', () => {
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('hostile getter');
        },
        ownKeys() {
          throw new Error('hostile keys');
        },
      },
    );
    hostile.check(
      [fc.oneof(fc.anything(), fc.constant(trap), fc.constant(null), fc.constant(undefined))],
      (carrier) => {
        valid(extractSafely(tracing.tracer, FORMAT_HTTP_HEADERS, carrier));
      },
    );
  });

  it('still extracts a well-formed parent exactly', () => {
    hostile.check([hex(32), hex(16)], (traceId, spanId) => {
      const t = traceId.toLowerCase();
      const s = spanId.toLowerCase();
      const context = extractSafely(tracing.tracer, FORMAT_HTTP_HEADERS, { traceparent: `00-${t}-${s}-01` });
      if (/^0+$/.test(t) || /^0+$/.test(s)) expect(context).toBeUndefined();
      else expect([context?.toTraceId(), context?.toSpanId()]).toEqual([t, s]);
    });
  });

  it('handles a 10 MB traceparent and tracestate in linear time', () => {
    const { result, ms } = hostile.timed(() =>
      extractSafely(tracing.tracer, FORMAT_HTTP_HEADERS, {
        traceparent: '0'.repeat(TEN_MB),
        tracestate: 'a=b,'.repeat(TEN_MB / 4),
      }),
    );
    expect(result).toBeUndefined();
    expect(ms).toBeLessThan(LINEAR_BOUND_MS);
  });
});
