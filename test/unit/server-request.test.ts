import type { IncomingMessage } from 'node:http';
import { MockTracer } from 'opentracing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configure, resetConfig } from '../../src/core/index.js';
import { beforeRequest, IncomingMessageRequest, type RequestWrapper } from '../../src/server/index.js';
import { createTestTracing, expectChildOf, idsOf } from '../helpers/tracing.js';

/** The fields of an IncomingMessage the wrapper reads (the real thing is exercised in test/integration). */
function request(
  headers: Record<string, string | string[]>,
  options: {
    url?: string;
    method?: string;
    encrypted?: boolean;
    remote?: string;
    local?: string;
    localPort?: number;
  } = {},
): IncomingMessage {
  return {
    method: options.method ?? 'GET',
    url: options.url ?? '/path?q=1',
    headers,
    socket: {
      encrypted: options.encrypted,
      remoteAddress: options.remote ?? '10.1.2.3',
      remotePort: 50123,
      localAddress: options.local ?? '127.0.0.1',
      localPort: options.localPort ?? 8080,
    },
  } as unknown as IncomingMessage;
}

const url = (req: IncomingMessage, trustProxy = false) => new IncomingMessageRequest(req, { trustProxy }).fullUrl;

afterEach(() => resetConfig());

describe('IncomingMessageRequest: full URL', () => {
  it('uses the Host header and the socket scheme, dropping default ports', () => {
    expect(url(request({ host: 'api.example.com:8080' }))).toBe('http://api.example.com:8080/path?q=1');
    expect(url(request({ host: 'api.example.com:80' }))).toBe('http://api.example.com/path?q=1');
    expect(url(request({ host: 'api.example.com:443' }, { encrypted: true }))).toBe('https://api.example.com/path?q=1');
    expect(url(request({ host: 'api.example.com:80' }, { encrypted: true }))).toBe(
      'https://api.example.com:80/path?q=1',
    );
    expect(url(request({ host: 'API.Example.COM' }))).toBe('http://api.example.com/path?q=1');
  });

  it('keeps IPv6 hosts bracketed, with and without a port', () => {
    expect(url(request({ host: '[::1]:3000' }))).toBe('http://[::1]:3000/path?q=1');
    expect(url(request({ host: '[2001:db8::1]' }))).toBe('http://[2001:db8::1]/path?q=1');
    expect(url(request({ host: '[2001:db8::1]:80' }))).toBe('http://[2001:db8::1]/path?q=1');
  });

  it('falls back to the local socket address for a missing or hostile Host', () => {
    expect(url(request({}))).toBe('http://127.0.0.1:8080/path?q=1');
    expect(url(request({}, { local: '::1', localPort: 80 }))).toBe('http://[::1]/path?q=1');
    expect(url(request({}, { local: '::ffff:10.0.0.5', localPort: 9000 }))).toBe('http://10.0.0.5:9000/path?q=1');
    for (const hostile of ['evil.com/../x', 'a b', 'user@evil.com', `${'x'.repeat(300)}/`, 'h:port', '[::1']) {
      expect(url(request({ host: hostile })), hostile).toBe('http://127.0.0.1:8080/path?q=1');
    }
  });

  it('believes X-Forwarded-Proto/-Host and Forwarded only under trustProxy', () => {
    const forwarded = request({
      host: 'internal:8080',
      'x-forwarded-proto': 'https, http',
      'x-forwarded-host': 'public.example.com',
    });
    expect(url(forwarded)).toBe('http://internal:8080/path?q=1');
    expect(url(forwarded, true)).toBe('https://public.example.com/path?q=1');
    const rfc = request({
      host: 'internal',
      forwarded: 'for=192.0.2.60;proto=https;host="shop.example:443", for=10.0.0.1',
    });
    expect(url(rfc)).toBe('http://internal/path?q=1');
    expect(url(rfc, true)).toBe('https://shop.example/path?q=1');
    // A function decides per peer.
    const onlyLoopback = (address: string | undefined) => address === '127.0.0.1';
    expect(new IncomingMessageRequest(forwarded, { trustProxy: onlyLoopback }).fullUrl).toBe(
      'http://internal:8080/path?q=1',
    );
    const viaLoopback = request({ host: 'internal', 'x-forwarded-proto': 'https' }, { remote: '127.0.0.1' });
    expect(new IncomingMessageRequest(viaLoopback, { trustProxy: onlyLoopback }).fullUrl).toBe(
      'https://internal/path?q=1',
    );
    // Junk in a trusted header is ignored, not copied.
    expect(url(request({ host: 'h', 'x-forwarded-proto': 'java script:', 'x-forwarded-host': 'a/b' }), true)).toBe(
      'http://h/path?q=1',
    );
  });

  it('keeps an absolute-form target, prefers Express originalUrl, reads the http2 pseudo-headers', () => {
    expect(url(request({ host: 'h' }, { url: 'http://proxy.target/x?y=1' }))).toBe('http://proxy.target/x?y=1');
    const mounted = request({ host: 'h' }, { url: '/inner' });
    (mounted as unknown as { originalUrl: string }).originalUrl = '/api/inner';
    expect(url(mounted)).toBe('http://h/api/inner');
    expect(url(request({ ':authority': 'h2.example:443', ':scheme': 'https' }))).toBe('https://h2.example/path?q=1');
    expect(url(request({ host: 'h' }, { url: '*' }))).toBe('http://h/*');
  });
});

describe('IncomingMessageRequest: peer and caller', () => {
  it('peer from the socket; an IPv4 peer on a dual-stack socket is plain IPv4', () => {
    expect(new IncomingMessageRequest(request({}, { remote: '::ffff:192.168.1.9' }))).toMatchObject({
      remoteIp: '192.168.1.9',
      remotePort: 50123,
    });
    expect(new IncomingMessageRequest(request({}, { remote: '2001:db8::7' })).remoteIp).toBe('2001:db8::7');
  });

  it('peer from X-Forwarded-For / Forwarded for= only under trustProxy', () => {
    const xff = request({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
    expect(new IncomingMessageRequest(xff).remoteIp).toBe('10.1.2.3');
    expect(new IncomingMessageRequest(xff, { trustProxy: true })).toMatchObject({
      remoteIp: '203.0.113.7',
      remotePort: undefined,
    });
    const rfc = request({ forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https' });
    expect(new IncomingMessageRequest(rfc, { trustProxy: true })).toMatchObject({
      remoteIp: '2001:db8:cafe::17',
      remotePort: 4711,
    });
    const v4port = request({ forwarded: 'for=192.0.2.60:8443' });
    expect(new IncomingMessageRequest(v4port, { trustProxy: true })).toMatchObject({
      remoteIp: '192.0.2.60',
      remotePort: 8443,
    });
    // Not an address (obfuscated identifiers, junk): the socket peer stays.
    const junk = request({ forwarded: 'for=_hidden', 'x-forwarded-for': 'unknown' });
    expect(new IncomingMessageRequest(junk, { trustProxy: true }).remoteIp).toBe('10.1.2.3');
  });

  it('caller name from configure({ callerNameHeaders }), first present one', () => {
    configure({ callerNameHeaders: ['X-Caller', 'x-service'] });
    expect(new IncomingMessageRequest(request({ 'x-service': 'billing' })).callerName).toBe('billing');
    expect(new IncomingMessageRequest(request({ 'x-caller': 'web', 'x-service': 'billing' })).callerName).toBe('web');
    expect(new IncomingMessageRequest(request({})).callerName).toBeUndefined();
    expect(
      new IncomingMessageRequest(request({ 'x-caller': 'c'.repeat(5000) })).callerName?.length,
    ).toBeLessThanOrEqual(256);
  });
});

describe('beforeRequest', () => {
  const tracing = createTestTracing();
  beforeEach(() => tracing.reset());

  const wrapper = (headers: Record<string, string>): RequestWrapper => ({
    method: 'POST',
    fullUrl: 'https://bob:pw@svc.test/orders?id=1&token=abc',
    headers,
    remoteIp: '2001:db8::2',
    remotePort: 4000,
    callerName: 'checkout',
    operation: 'POST /orders',
  });

  it('continues the trace in the headers, with the server tags', () => {
    const parent = tracing.tracer.startSpan('client');
    const headers: Record<string, string> = {};
    tracing.tracer.inject(parent.context(), 'http_headers', headers);
    const span = beforeRequest(wrapper(headers), { tracer: tracing.tracer });
    span.finish();
    parent.finish();
    const recorded = tracing.one('POST /orders');
    expectChildOf(recorded, idsOf(parent));
    expect(recorded.tags).toEqual({
      'span.kind': 'server',
      component: 'http',
      'http.method': 'POST',
      'http.url': 'https://svc.test/orders?id=1&token=REDACTED',
      'peer.ipv6': '2001:db8::2',
      'peer.port': 4000,
      'peer.service': 'checkout',
    });
  });

  it('starts a root without context, with malformed context, or when extract throws', () => {
    beforeRequest(wrapper({}), { tracer: tracing.tracer }).finish();
    beforeRequest(wrapper({ traceparent: 'x'.repeat(16 * 1024) }), { tracer: tracing.tracer }).finish();
    const faults: string[] = [];
    const broken = Object.create(tracing.tracer) as typeof tracing.tracer;
    broken.extract = () => {
      throw new RangeError('boom');
    };
    beforeRequest(wrapper({}), { tracer: broken, onInstrumentationError: (_e, s) => faults.push(s) }).finish();
    const spans = tracing.named('POST /orders');
    expect(spans).toHaveLength(3);
    for (const span of spans) expect(span.parentId).toBeUndefined();
    expect(faults).toEqual(['tracer.extract']);
  });

  it('never throws: a tracer whose startSpan throws gives a usable no-op span', () => {
    const broken = Object.create(tracing.tracer) as typeof tracing.tracer;
    broken.startSpan = () => {
      throw new Error('down');
    };
    const span = beforeRequest(wrapper({}), { tracer: broken, onInstrumentationError: () => {} });
    expect(() => {
      span.setTag('a', 1);
      span.finish();
    }).not.toThrow();
    // MockTracer (no inject/extract support) does not crash it either.
    expect(() =>
      beforeRequest(wrapper({ traceparent: 'x' }), {
        tracer: new MockTracer(),
        onInstrumentationError: () => {},
      }).finish(),
    ).not.toThrow();
  });

  it('records only allow-listed headers, never authorization or cookie', () => {
    beforeRequest(wrapper({ 'x-tenant': 't1', authorization: 'Bearer x', cookie: 'a=b' }), {
      tracer: tracing.tracer,
      headerTags: ['X-Tenant', 'authorization', 'cookie'],
    }).finish();
    const tags = tracing.one('POST /orders').tags;
    expect(tags['http.request.header.x-tenant']).toBe('t1');
    expect(Object.keys(tags).filter((k) => k.includes('authorization') || k.includes('cookie'))).toEqual([]);
  });
});
