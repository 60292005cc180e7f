import type { Span } from 'opentracing';
import { Agent, Client, type Dispatcher, Pool, fetch as undiciFetch } from 'undici';
import { describe, expectTypeOf, it } from 'vitest';
import {
  beforeHttpRequest,
  type HttpResponseLike,
  setResponseHandlerHook,
  tracedDispatcher,
  tracedFetch,
} from '../../src/index.js';

describe('HTTP client types', () => {
  it('tracedFetch keeps the exact type of the fetch it wraps', () => {
    expectTypeOf(tracedFetch()).toEqualTypeOf<typeof fetch>();
    expectTypeOf(tracedFetch(fetch)).toEqualTypeOf<typeof fetch>();
    expectTypeOf(tracedFetch(undiciFetch)).toEqualTypeOf<typeof undiciFetch>();
    expectTypeOf(tracedFetch(undefined, { peerService: 'x' })).toEqualTypeOf<typeof fetch>();
  });

  it('tracedDispatcher keeps the dispatcher class', () => {
    expectTypeOf(tracedDispatcher(new Agent())).toEqualTypeOf<Agent>();
    expectTypeOf(tracedDispatcher(new Pool('http://127.0.0.1'))).toEqualTypeOf<Pool>();
    expectTypeOf(tracedDispatcher(new Client('http://127.0.0.1'))).toEqualTypeOf<Client>();
    expectTypeOf(tracedDispatcher).parameter(0).toExtend<Dispatcher>();
  });

  it('hooks receive typed info', () => {
    tracedFetch(fetch, {
      requestHook: (span, request) => {
        expectTypeOf(span).toEqualTypeOf<Span>();
        expectTypeOf(request.method).toEqualTypeOf<string>();
        expectTypeOf(request.headers.get('x')).toEqualTypeOf<string | null>();
      },
      responseHook: (_span, info) => {
        expectTypeOf(info.response.status).toEqualTypeOf<number>();
        expectTypeOf(info.request.url).toEqualTypeOf<string>();
      },
      isError: (status) => {
        expectTypeOf(status).toEqualTypeOf<number>();
        return status >= 400;
      },
    });
    setResponseHandlerHook((response, span) => {
      expectTypeOf(response).toEqualTypeOf<HttpResponseLike>();
      expectTypeOf(span).toEqualTypeOf<Span>();
    });
    expectTypeOf<Response>().toExtend<HttpResponseLike>();
  });

  it('beforeHttpRequest returns a Span', () => {
    const span = beforeHttpRequest({ method: 'GET', fullUrl: 'http://x/', addHeader: () => {} }, () => undefined);
    expectTypeOf(span).toEqualTypeOf<Span>();
    // @ts-expect-error addHeader is required
    beforeHttpRequest({ method: 'GET', fullUrl: 'http://x/' });
  });
});
