export {
  type BeforeRequestOptions,
  beforeRequest,
  REQUEST_HEADER_TAG_PREFIX,
} from './before-request.js';
export { type ExpressTracingOptions, expressErrorTracing, expressTracing } from './express.js';
export { type FastifyTracingOptions, fastifyTracing } from './fastify.js';
export { type KoaTracingOptions, koaTracing } from './koa.js';
export { type RequestListenerLike, type RequestListenerTracingOptions, tracedRequestListener } from './node-http.js';
export { IncomingMessageRequest, type IncomingMessageRequestOptions } from './request-wrapper.js';
export { serverSpanOf } from './server-span.js';
export type {
  NodeRequest,
  NodeResponse,
  RequestWrapper,
  ServerRequestInfo,
  ServerResponseInfo,
  ServerTracingOptions,
  TrustProxy,
} from './types.js';
