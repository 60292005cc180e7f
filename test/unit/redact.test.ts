import { afterEach, describe, expect, it } from 'vitest';
import {
  capLength,
  configure,
  firstHeader,
  headerTags,
  isSecretParam,
  REDACTED,
  redactUrl,
  resetConfig,
  TRUNCATION_MARKER,
} from '../../src/core/index.js';

afterEach(() => resetConfig());

describe('redactUrl', () => {
  it.each([
    ['https://bob:hunter2@api.test/v1?user=1&api_key=abc#frag', 'https://api.test/v1?user=1&api_key=REDACTED'],
    ['http://user@host:8080/p', 'http://host:8080/p'],
    ['http://a:b@c@host/p?x=@y', 'http://host/p?x=@y'],
    [
      'https://s3.test/o?X-Amz-Signature=sig&X-Amz-Credential=cred&X-Amz-Date=1',
      'https://s3.test/o?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Date=1',
    ],
    ['/relative/path?access_token=t&page=2', '/relative/path?access_token=REDACTED&page=2'],
    ['https://h/cb?code=xyz&state=s', 'https://h/cb?code=REDACTED&state=s'],
    ['https://h/p?passWord=x&pass%77ord=y', 'https://h/p?passWord=REDACTED&pass%77ord=REDACTED'],
    ['https://h/p?flag&empty=&Token=', 'https://h/p?flag&empty=&Token=REDACTED'],
    ['not a url at all', 'not a url at all'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('accepts URL objects', () => {
    expect(redactUrl(new URL('https://u:p@h.test/?secret=1'))).toBe(`https://h.test/?secret=${REDACTED}`);
  });

  it('uses the configured parameter list, strings and RegExps', () => {
    configure({ secretQueryParams: ['ssn', /^x-internal$/i] });
    expect(redactUrl('https://h/?ssn=1&X-Internal=2&token=3')).toBe(
      'https://h/?ssn=REDACTED&X-Internal=REDACTED&token=3',
    );
  });

  it('caps the length with a visible marker', () => {
    const url = `https://h/${'a'.repeat(5000)}`;
    const out = redactUrl(url, { maxLength: 100 });
    expect(out).toHaveLength(100);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('handles hostile input in linear time without throwing', () => {
    const hostile = `http://${'@'.repeat(200_000)}/?${'a=%E0%A4%A&'.repeat(100_000)}#${'#'.repeat(1000)}`;
    const started = performance.now();
    expect(() => redactUrl(hostile, { maxLength: 1_000_000 })).not.toThrow();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('isSecretParam', () => {
  it('matches substrings case- and separator-insensitively, and RegExps on the raw name', () => {
    expect(isSecretParam('Client_Secret')).toBe(true);
    expect(isSecretParam('API-KEY')).toBe(true);
    expect(isSecretParam('page')).toBe(false);
    expect(isSecretParam('code')).toBe(true);
    expect(isSecretParam('postcode')).toBe(false);
    expect(isSecretParam('%E0%A4%A')).toBe(false);
  });
});

describe('capLength', () => {
  it('leaves short text alone and never splits a surrogate pair', () => {
    expect(capLength('short', 100)).toBe('short');
    const emoji = '😀'.repeat(50);
    const out = capLength(emoji, 30);
    expect(out.length).toBeLessThanOrEqual(30);
    expect(out.endsWith(TRUNCATION_MARKER)).toBe(true);
    expect(out.slice(0, -TRUNCATION_MARKER.length)).toMatch(/^(😀)*$/u);
  });

  it('defaults to the configured cap', () => {
    configure({ maxStatementLength: 64 });
    expect(capLength('x'.repeat(1000))).toHaveLength(64);
  });
});

describe('headerTags and firstHeader', () => {
  const headers = { 'x-request-id': 'r1', authorization: 'Bearer s3cret', cookie: 'sid=1', accept: ['a', 'b'] };

  it('records only allow-listed headers, never credentials', () => {
    expect(
      headerTags(headers, ['X-Request-Id', 'Authorization', 'cookie', 'accept', 'missing'], 'http.request.header'),
    ).toEqual({
      'http.request.header.x-request-id': 'r1',
      'http.request.header.accept': 'a, b',
    });
  });

  it('finds the first present header of a list', () => {
    expect(firstHeader(headers, ['x-missing', 'x-request-id'])).toBe('r1');
    expect(firstHeader(headers, ['accept'])).toBe('a');
    expect(firstHeader(headers, ['nope'])).toBeUndefined();
  });

  it('ignores what a plain object inherits: no "header value" for constructor, toString or __proto__', () => {
    const plain: Record<string, string> = { accept: 'a' };
    expect(headerTags(plain, ['constructor', 'toString', '__proto__', 'accept'], 'h')).toEqual({ 'h.accept': 'a' });
    expect(firstHeader(plain, ['toString', 'constructor', '__proto__'])).toBeUndefined();
  });
});

describe('redactUrl on huge query strings', () => {
  it('stops redacting once past the cap: a 10 MB query of millions of parameters is fast, the result the same', () => {
    const huge = `http://h/p?${'a=1&'.repeat(2_600_000)}`;
    const started = performance.now();
    const result = redactUrl(huge);
    // Measured: 9 s before the fix, ~30 ms after it; 2 s leaves room for a loaded machine.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(result).toBe(capLength(huge));
    const malformed = `http://h/p?${'%zz=1&'.repeat(1_700_000)}`;
    const again = performance.now();
    expect(redactUrl(malformed)).toBe(capLength(malformed));
    expect(performance.now() - again).toBeLessThan(2000);
  });

  it('still masks a secret parameter that starts before the cap and a short query is redacted in full', () => {
    const long = `http://h/p?${'x'.repeat(2030)}=1&token=secretvalue&b=2`;
    expect(redactUrl(long)).not.toContain('secretvalue');
    expect(redactUrl('http://h/p?a=1&token=t&b=2&&c')).toBe('http://h/p?a=1&token=REDACTED&b=2&&c');
    expect(redactUrl('http://h/p?token=t&', { maxLength: 64 })).toBe('http://h/p?token=REDACTED&');
  });
});
