/** `traced-clients/undici`: traced undici dispatchers (Agent, Pool, Client…) and the response handler hook. */
export {
  type BeforeHttpRequestOptions,
  beforeHttpRequest,
  type CurrentSpanExtractor,
  type DispatcherTracingOptions,
  getResponseHandlerHook,
  type HttpClientTracingOptions,
  type HttpHeaderReader,
  type HttpHeadersSource,
  type HttpRequestInfo,
  type HttpRequestWrapper,
  type HttpResponseInfo,
  type HttpResponseLike,
  type ResponseHandlerHook,
  setResponseHandlerHook,
  tracedDispatcher,
} from './clients/http/index.js';
