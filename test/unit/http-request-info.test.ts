import { Tracer } from 'opentracing';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/clients/http/failure.js';
import {
  fetchMethod,
  firstHeaderOf,
  HeaderView,
  isFetchableUrl,
  peerTags,
  readHeader,
  withDispatchHeaders,
} from '../../src/clients/http/request-info.js';
import { getResponseHandlerHook, setResponseHandlerHook } from '../../src/clients/http/response-hook.js';
import { configure, markTracedInPlace, registerTraced, resetConfig } from '../../src/core/index.js';
import { isTraced, untraced } from '../../src/core/proxy.js';
import { tracedDispatcher } from '../../src/undici.js';
import { createTestTracing } from '../helpers/tracing.js';

describe('readHeader', () => {
  it('reads every header shape case-insensitively', () => {
    const shapes: unknown[] = [
      { 'X-Name': 'a' },
      [['X-NAME', 'a']],
      ['x-name', 'a'],
      new Headers({ 'x-name': 'a' }),
      new Map([['X-Name', 'a']]),
    ];
    for (const shape of shapes) expect(readHeader(shape, 'x-name')).toBe('a');
    for (const shape of shapes) expect(readHeader(shape, 'x-other')).toBeUndefined();
  });

  it('joins multi-values, stringifies numbers, tolerates junk', () => {
    expect(readHeader({ accept: ['a', 'b'] }, 'accept')).toBe('a, b');
    expect(readHeader({ 'content-length': 12 }, 'content-length')).toBe('12');
    expect(readHeader([Buffer.from('X-B'), Buffer.from('v')], 'x-b')).toBe('v');
    for (const junk of [undefined, null, 'text', 42, [], ['odd']]) expect(readHeader(junk, 'x')).toBeUndefined();
  });

  it('firstHeaderOf returns the first non-empty header in list order', () => {
    expect(firstHeaderOf({ b: '2', a: '' }, ['a', 'b'])).toBe('2');
    expect(firstHeaderOf({}, ['a'])).toBeUndefined();
  });

  it('HeaderView is a case-insensitive get() with null for absent', () => {
    const view = new HeaderView({ 'X-Id': '7' });
    expect(view.get('x-ID')).toBe('7');
    expect(view.get('nope')).toBeNull();
  });
});

describe('withDispatchHeaders', () => {
  const extra = { traceparent: 'tp', tracestate: 'ts' };

  it('adds to a copy in a shape undici accepts, never to the caller object', () => {
    const object = { a: '1' };
    expect(withDispatchHeaders(object, extra)).toEqual({ a: '1', traceparent: 'tp', tracestate: 'ts' });
    expect(object).toEqual({ a: '1' });
    const flat = ['a', '1'];
    expect(withDispatchHeaders(flat, extra)).toEqual(['a', '1', 'traceparent', 'tp', 'tracestate', 'ts']);
    expect(flat).toEqual(['a', '1']);
    const map = new Map([['a', '1']]);
    expect(withDispatchHeaders(map, extra)).toEqual(['a', '1', 'traceparent', 'tp', 'tracestate', 'ts']);
    expect(withDispatchHeaders(undefined, extra)).toEqual(extra);
    expect(withDispatchHeaders(null, { traceparent: 'tp' })).toEqual({ traceparent: 'tp' });
  });

  it('leaves a value undici would reject as it is', () => {
    expect(withDispatchHeaders('not headers', extra)).toBe('not headers');
    expect(withDispatchHeaders(42, extra)).toBe(42);
  });

  it('keeps headers the caller set and returns the caller value when nothing is missing', () => {
    const own = { TraceParent: 'mine' };
    expect(withDispatchHeaders(own, { traceparent: 'tp' })).toBe(own);
    expect(withDispatchHeaders(['TRACEPARENT', 'mine'], extra)).toEqual(['TRACEPARENT', 'mine', 'tracestate', 'ts']);
  });
});

describe('peerTags and fetchMethod', () => {
  it('hostname, IPv4 or IPv6 and the port, the scheme default when absent', () => {
    expect(peerTags('http://example.com')).toEqual({ 'peer.hostname': 'example.com', 'peer.port': 80 });
    expect(peerTags('https://example.com')).toEqual({ 'peer.hostname': 'example.com', 'peer.port': 443 });
    expect(peerTags('http://10.1.2.3:8080')).toEqual({ 'peer.ipv4': '10.1.2.3', 'peer.port': 8080 });
    expect(peerTags('http://[::1]:3000')).toEqual({ 'peer.ipv6': '::1', 'peer.port': 3000 });
    expect(peerTags('not a url')).toEqual({});
    expect(peerTags('http://example.com')).toBe(peerTags('http://example.com'));
  });

  it('normalises methods exactly as fetch does', () => {
    expect(fetchMethod(undefined)).toBe('GET');
    expect(fetchMethod('post')).toBe('POST');
    expect(fetchMethod('patch')).toBe('patch');
    expect(fetchMethod('PATCH')).toBe('PATCH');
  });
});

describe('isFetchableUrl', () => {
  it('accepts what fetch can request, rejects unparseable URLs and credentials, cached or not', () => {
    for (let round = 0; round < 2; round++) {
      expect(isFetchableUrl('http://example.com/a b?q=%zz#x')).toBe(true);
      expect(isFetchableUrl('https://example.com')).toBe(true);
      expect(isFetchableUrl('http://127.0.0.1:8080\\path')).toBe(true);
      expect(isFetchableUrl('data:text/plain,hi')).toBe(true);
      expect(isFetchableUrl('/relative?token=x')).toBe(false);
      expect(isFetchableUrl('http://example.com:99999/')).toBe(false);
      expect(isFetchableUrl('http://1.2.3.999/')).toBe(false);
      expect(isFetchableUrl('http://bob:pw@example.com/')).toBe(false);
      expect(isFetchableUrl('http://bob@example.com/')).toBe(false);
      expect(isFetchableUrl('http://example.com/?next=http://bob:pw@x')).toBe(true);
    }
  });

  it('the same string twice in a row gets the same answer (the last fetchable one is remembered)', () => {
    const good = 'http://example.com/orders?id=7';
    const bad = 'http://bob:pw@example.com/orders';
    expect([isFetchableUrl(good), isFetchableUrl(good)]).toEqual([true, true]);
    expect([isFetchableUrl(bad), isFetchableUrl(bad)]).toEqual([false, false]);
    expect([isFetchableUrl(good), isFetchableUrl(bad), isFetchableUrl(good)]).toEqual([true, false, true]);
  });
});

describe('classifyFailure', () => {
  it('an aborted signal: aborted, the reason name, or AbortError for a non-error reason', () => {
    expect(classifyFailure(new Error('x'), { aborted: true, reason: new DOMException('t', 'TimeoutError') })).toEqual({
      aborted: true,
      kind: 'TimeoutError',
    });
    expect(classifyFailure('bye', { aborted: true, reason: 'bye' })).toEqual({ aborted: true, kind: 'AbortError' });
    expect(classifyFailure(new Error('x'), undefined, { aborted: true, reason: null })).toEqual({
      aborted: true,
      kind: 'AbortError',
    });
  });

  it('undici timeouts and abort errors without a signal; DOMException codes are not kinds', () => {
    const timeout = Object.assign(new Error('t'), { name: 'HeadersTimeoutError', code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(classifyFailure(timeout)).toEqual({ aborted: true, kind: 'HeadersTimeoutError' });
    expect(classifyFailure(new DOMException('a', 'AbortError'))).toEqual({ aborted: true, kind: 'AbortError' });
  });

  it("network errors: fetch's TypeError is classified by its cause", () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(new TypeError('fetch failed', { cause }))).toEqual({ aborted: false, kind: 'ECONNREFUSED' });
    expect(classifyFailure(new TypeError('bad header'))).toEqual({ aborted: false, kind: 'TypeError' });
  });
});

describe('setResponseHandlerHook', () => {
  it('sets, clears and validates the process-wide hook', () => {
    const hook = () => {};
    setResponseHandlerHook(hook);
    expect(getResponseHandlerHook()).toBe(hook);
    setResponseHandlerHook(null);
    expect(getResponseHandlerHook()).toBeUndefined();
    expect(() => setResponseHandlerHook('nope' as never)).toThrow(TypeError);
  });

  it('is shared by two copies of the module (state on globalThis)', async () => {
    const copy = (await import(
      /* @vite-ignore */ `../../src/clients/http/response-hook.js?copy=${Date.now()}`
    )) as typeof import('../../src/clients/http/response-hook.js');
    expect(copy.setResponseHandlerHook).not.toBe(setResponseHandlerHook);
    const hook = () => {};
    copy.setResponseHandlerHook(hook);
    expect(getResponseHandlerHook()).toBe(hook);
    setResponseHandlerHook();
  });
});

describe('core: registerTraced and isTraced for functions', () => {
  it('a registered traced function counts as traced and unwraps to its original', () => {
    const original = () => 1;
    const traced = registerTraced(() => 2, original);
    expect(isTraced(traced)).toBe(true);
    expect(isTraced(original)).toBe(false);
    expect(untraced(traced)).toBe(original);
  });

  it('an object traced in place counts as traced and is its own original, for every copy of the package', () => {
    const pipeline = { exec: () => 1 };
    expect(markTracedInPlace(pipeline)).toBe(pipeline);
    expect(isTraced(pipeline)).toBe(true);
    expect(untraced(pipeline)).toBe(pipeline);
    expect(isTraced({ exec: () => 1 })).toBe(false);
    // The marker is a registered symbol, so a second copy of the package (ESM and CJS) sees it.
    expect(Object.getOwnPropertySymbols(pipeline).map((s) => Symbol.keyFor(s))).toEqual([
      'traced-clients.traced-in-place.v1',
    ]);
    expect(Object.keys(pipeline)).toEqual(['exec']);
  });
});

describe('with nothing recorded, a dispatched request is not read past its method and headers', () => {
  it('the no-op tracer: origin and path never read, before or after a recorded request to the same target', async () => {
    const tracing = createTestTracing();
    const dispatched: unknown[] = [];
    const dispatcher = { dispatch: (opts: unknown) => dispatched.push(opts) > 0 } as unknown as Dispatcher;
    const handler = {} as Dispatcher.DispatchHandler;
    let reads = 0;
    const counted = (): Dispatcher.DispatchOptions =>
      ({
        method: 'GET',
        get origin() {
          reads++;
          return 'http://127.0.0.1:9';
        },
        get path() {
          reads++;
          return '/x';
        },
      }) as unknown as Dispatcher.DispatchOptions;
    tracedDispatcher(dispatcher, { tracer: new Tracer() }).dispatch(counted(), handler);
    expect(reads).toBe(0);
    // Recording fills the client's cache of the target's tags; once the no-op tracer is
    // configured, the client reads nothing again, from its first request on.
    const traced = tracedDispatcher(dispatcher);
    configure({ tracer: tracing.tracer });
    traced.dispatch(counted(), handler);
    traced.dispatch(counted(), handler);
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    configure({ tracer: new Tracer() });
    traced.dispatch(counted(), handler);
    expect(reads).toBe(0);
    expect(dispatched).toHaveLength(4);
    resetConfig();
    await tracing.shutdown();
  });
});
