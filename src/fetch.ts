/** `traced-clients/fetch`: traced fetch, the `beforeHttpRequest` building block and the response handler hook. */
export {
  type BeforeHttpRequestOptions,
  beforeHttpRequest,
  type CurrentSpanExtractor,
  type FetchLike,
  type FetchTracingOptions,
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
  tracedFetch,
} from './clients/http/index.js';
