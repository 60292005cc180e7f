import type { Span, Tracer } from 'opentracing';
import type { CurrentSpanFunc } from '../context/index.js';
import type { InstrumentationErrorHandler } from './faults.js';
import type { TagMap } from './tags.js';

/**
 * Runs after a client span starts and before the call goes out. Return value ignored; a hook
 * that throws (or rejects) is reported and the call goes on.
 */
export type RequestHook<Info> = (span: Span, info: Info) => void;

/** Runs when the call settles successfully, before the span finishes. Isolated like {@link RequestHook}. */
export type ResponseHook<Info> = (span: Span, info: Info) => void;

/** Options every traced client accepts. Each overrides `configure()` for this client only. */
export interface TracingOptions {
  /**
   * The tracer for this client's spans.
   * @default `configure({ tracer })`, else `opentracing.globalTracer()` read at each call
   */
  readonly tracer?: Tracer;
  /**
   * Where this client finds its parent span.
   * @default the process-wide current-span function (see `setCurrentSpanFunc`)
   */
  readonly currentSpan?: CurrentSpanFunc;
  /**
   * Skip spans for calls made with no current span.
   * @default `configure({ requireParentSpan })`, which defaults to false
   */
  readonly requireParentSpan?: boolean;
  /** `peer.service` of every span: the logical name of the server this client talks to. */
  readonly peerService?: string;
  /** Extra tags on every span of this client. */
  readonly tags?: TagMap;
  /** Cap on recorded statements. @default `configure({ maxStatementLength })` */
  readonly maxStatementLength?: number;
  /** Fault handler for this client. @default `configure({ onInstrumentationError })` */
  readonly onInstrumentationError?: InstrumentationErrorHandler;
}

/** Options of clients with request/response hooks and a configurable operation name. */
export interface ClientTracingOptions<RequestInfo, ResponseInfo> extends TracingOptions {
  /** A fixed operation name, or one computed per call. @default the client's own naming */
  readonly operationName?: string | ((info: RequestInfo) => string);
  readonly requestHook?: RequestHook<RequestInfo>;
  readonly responseHook?: ResponseHook<ResponseInfo>;
}
