/**
 * traced-clients: OpenTracing spans for Node.js clients and servers by explicit wrapping.
 * This root entry re-exports every public piece; each client also has its own subpath.
 * Client libraries are imported only as types here, so the root loads with none installed.
 */

// Each client's and the server adapters' public surface, whole (the same as their subpaths).
export * from './clients/amqplib/index.js';
export * from './clients/aws/index.js';
export * from './clients/http/index.js';
export * from './clients/ioredis/index.js';
export * from './clients/mysql2/index.js';
export * from './clients/pg/index.js';
export {
  bindToCurrentContext,
  type CurrentSpanFunc,
  type CurrentSpanResult,
  getCurrentParent,
  getCurrentSpan,
  setCurrentSpanFunc,
  spanInContext,
} from './context/index.js';
export {
  type ClientTracingOptions,
  type ConfigureOptions,
  capLength,
  configure,
  DEFAULT_REDACTED_HEADERS,
  DEFAULT_SECRET_QUERY_PARAMS,
  type FaultSource,
  getConfig,
  headerTags,
  type InstrumentationErrorHandler,
  isTraced,
  REDACTED,
  type RedactUrlOptions,
  type RequestHook,
  type ResponseHook,
  redactUrl,
  resetConfig,
  SPAN_KIND,
  type StartChildSpanOptions,
  startChildSpan,
  TAG,
  type TagMap,
  type TagValue,
  TRUNCATION_MARKER,
  type TracedClientsConfig,
  type TracedFunctionOptions,
  type TracingOptions,
  traced,
  tracedFunction,
  untraced,
} from './core/index.js';
export {
  type SanitizeSqlOptions,
  type SqlDialect,
  type SqlRecordingOptions,
  type SqlStatementOption,
  sanitizeSql,
} from './core/sql/index.js';
export * from './server/index.js';
