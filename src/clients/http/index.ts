export { beforeHttpRequest } from './before-http-request.js';
export { tracedDispatcher } from './dispatcher.js';
export { type FetchLike, tracedFetch } from './fetch.js';
export { getResponseHandlerHook, setResponseHandlerHook } from './response-hook.js';
export type {
  BeforeHttpRequestOptions,
  CurrentSpanExtractor,
  DispatcherTracingOptions,
  FetchTracingOptions,
  HttpClientTracingOptions,
  HttpHeaderReader,
  HttpHeadersSource,
  HttpRequestInfo,
  HttpRequestWrapper,
  HttpResponseInfo,
  HttpResponseLike,
  ResponseHandlerHook,
} from './types.js';
