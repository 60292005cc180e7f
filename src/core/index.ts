export { withBoundListeners } from './bound-emitter.js';
export { type StartChildSpanOptions, startChildSpan } from './child-span.js';
export {
  type ConfigureOptions,
  configure,
  DEFAULT_REDACTED_HEADERS,
  DEFAULT_SECRET_QUERY_PARAMS,
  getConfig,
  resetConfig,
  type TracedClientsConfig,
} from './config.js';
export {
  type FaultSource,
  guard,
  type InstrumentationErrorHandler,
  isThenable,
  reportFault,
  resetWarnings,
  warnOncePerSource,
} from './faults.js';
export { Instrumentation, type InstrumentationSpec, type StartSpanOptions } from './instrumentation.js';
export {
  type CallStyle,
  callOrFail,
  type EmitterEvents,
  isEmitter,
  type Outcome,
  type Settlement,
  SpanSettler,
  settlementWith,
  settleOnEvents,
  traceCall,
  watchSettlement,
} from './lifecycle.js';
export { NOOP_SPAN } from './noop-span.js';
export type { ClientTracingOptions, RequestHook, ResponseHook, TracingOptions } from './options.js';
export { copyWith, extensibleCopy, isPlainObject } from './plain-object.js';
export {
  isTraced,
  type MethodTable,
  type MethodWrapper,
  type PropertyTable,
  type PropertyWrapper,
  tracedProxy,
  untraced,
} from './proxy.js';
export {
  capLength,
  firstHeader,
  type HeaderValue,
  headerTags,
  isSecretParam,
  REDACTED,
  type RedactUrlOptions,
  redactUrl,
  TRUNCATION_MARKER,
} from './redact.js';
export {
  defaultErrorKind,
  extractSafely,
  injectSafely,
  isNoopSpan,
  type RecordErrorOptions,
  recordError,
  setOperationNameSafely,
  traceIdOf,
} from './span-ops.js';
export { SPAN_KIND, type SpanKind, TAG, type TagMap, type TagValue } from './tags.js';
export { type TracedFunctionOptions, traced, tracedFunction } from './traced-function.js';
export { markTracedInPlace, registerTraced } from './traced-registry.js';
